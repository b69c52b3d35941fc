//! The process around the text: consultation phases, questions, agreement, brackets and
//! adoption. Types only; the rules are in `decide` and the folding in `evolve`.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::event::kebab_names;
use crate::event::{Role, Timestamp};
use crate::ids::{AmendmentNo, BracketNo, ClauseId, CommentNo, ParticipantId, PhaseNo, QuestionNo};
use crate::Position;

/// What a phase of the process is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PhaseKind {
    /// A hearing open to the public (web-based or in a room).
    PublicHearing,
    /// A consultation in a WHO region.
    RegionalConsultation,
    /// A consultation within one Member State.
    NationalConsultation,
    /// A session of the drafting committee or the governing body.
    CommitteeSession,
    /// A review of the adopted text.
    Review,
    /// A round of reporting on the adopted text's implementation.
    ReportingRound,
}

kebab_names!(PhaseKind {
    PublicHearing => "public-hearing",
    RegionalConsultation => "regional-consultation",
    NationalConsultation => "national-consultation",
    CommitteeSession => "committee-session",
    Review => "review",
    ReportingRound => "reporting-round",
});

impl PhaseKind {
    /// The roles whose comments (and reports) a phase of this kind takes unless told otherwise.
    pub fn default_admits(self) -> &'static [Role] {
        use Role::*;
        match self {
            PhaseKind::PublicHearing | PhaseKind::Review => {
                &[Secretariat, Chair, Delegate, Observer, Public]
            }
            PhaseKind::RegionalConsultation | PhaseKind::NationalConsultation => {
                &[Secretariat, Chair, Delegate]
            }
            PhaseKind::CommitteeSession => &[Secretariat, Chair, Delegate, Observer],
            PhaseKind::ReportingRound => &[Delegate, Observer, Public],
        }
    }

    /// A name for people: "public hearing".
    pub fn words(self) -> String {
        self.name().replace('-', " ")
    }
}

/// The window a phase was planned for, in days; either end may be open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// The first day.
    pub from: Option<NaiveDate>,
    /// The last day.
    pub until: Option<NaiveDate>,
}

impl Window {
    /// Whether neither end was planned.
    pub fn is_empty(&self) -> bool {
        self.from.is_none() && self.until.is_none()
    }
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.from, self.until) {
            (Some(a), Some(b)) => write!(f, "{a} to {b}"),
            (Some(a), None) => write!(f, "from {a}"),
            (None, Some(b)) => write!(f, "until {b}"),
            (None, None) => f.write_str("no planned dates"),
        }
    }
}

/// A phase of the process and who took part in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phase {
    /// Its number.
    pub no: PhaseNo,
    /// What it is.
    pub kind: PhaseKind,
    /// Its name, such as "Web-based public hearing".
    pub name: String,
    /// When it was planned for.
    pub window: Window,
    /// The roles whose comments it takes.
    pub admits: Vec<Role>,
    /// The event that opened it, and when.
    pub opened_seq: u64,
    /// When it opened.
    pub opened_at: Timestamp,
    /// The event that closed it, if it is closed.
    pub closed_seq: Option<u64>,
    /// When it closed.
    pub closed_at: Option<Timestamp>,
    /// Who commented, answered or reported in it.
    pub participants: BTreeSet<ParticipantId>,
    /// How many comments (answers included) it took.
    pub comments: u32,
    /// How many reports it took.
    pub reports: u32,
}

impl Phase {
    /// Whether it is still open.
    pub fn is_open(&self) -> bool {
        self.closed_seq.is_none()
    }

    /// Whether it was open at the event with this sequence number.
    pub fn open_at(&self, seq: u64) -> bool {
        self.opened_seq <= seq && self.closed_seq.is_none_or(|c| seq <= c)
    }

    /// Whether it takes comments from someone holding one of these roles.
    pub fn admits_any(&self, roles: &BTreeSet<Role>) -> bool {
        self.admits.iter().any(|r| roles.contains(r))
    }

    /// One line for messages: "P1 public hearing 'Web hearing' (planned 2008-09-01 to
    /// 2008-10-15, open since 2008-09-01)".
    pub fn describe(&self) -> String {
        let held = match self.closed_at {
            Some(c) => format!("held {} to {}", self.opened_at.date_naive(), c.date_naive()),
            None => format!("open since {}", self.opened_at.date_naive()),
        };
        let planned = if self.window.is_empty() {
            String::new()
        } else {
            format!("planned {}, ", self.window)
        };
        format!(
            "{} {} '{}' ({planned}{held})",
            self.no,
            self.kind.words(),
            self.name,
        )
    }
}

/// How far a clause is agreed.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Agreement {
    /// Still under negotiation.
    #[default]
    Open,
    /// Agreed subject to confirmation by governments.
    AgreedAdReferendum,
    /// Agreed.
    Agreed,
}

kebab_names!(Agreement {
    Open => "open",
    AgreedAdReferendum => "agreed-ad-referendum",
    Agreed => "agreed",
});

impl Agreement {
    /// Whether the clause is closed to change until the chair reopens it.
    pub fn is_locked(self) -> bool {
        self != Agreement::Open
    }

    /// A name for people: "agreed ad referendum".
    pub fn words(self) -> String {
        self.name().replace('-', " ")
    }
}

/// A consultation question and the answers it received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Its number.
    pub no: QuestionNo,
    /// The group it belongs to, such as "Box 2: International recruitment practices".
    pub group: Option<String>,
    /// What it asks.
    pub text: String,
    /// The clauses it is about.
    pub clauses: Vec<ClauseId>,
    /// The event that posed it.
    pub posed_seq: u64,
    /// The answers, in order.
    pub answers: Vec<Answer>,
}

/// One answer to a question: a comment that names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The comment.
    pub comment: CommentNo,
    /// Who answered.
    pub participant: ParticipantId,
    /// The stance taken.
    pub position: Position,
}

/// Where a bracket stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum BracketStatus {
    /// Still disputed.
    Open,
    /// An alternative was accepted in its place.
    Resolved {
        /// The amendment accepted.
        amendment: AmendmentNo,
        /// When.
        seq: u64,
    },
    /// The chair lifted the brackets, keeping the text as drafted.
    Lifted {
        /// When.
        seq: u64,
    },
    /// A later change to the clause took the disputed words out of it.
    Overtaken {
        /// When.
        seq: u64,
    },
}

impl BracketStatus {
    /// A short name.
    pub fn name(&self) -> &'static str {
        match self {
            BracketStatus::Open => "open",
            BracketStatus::Resolved { .. } => "resolved",
            BracketStatus::Lifted { .. } => "lifted",
            BracketStatus::Overtaken { .. } => "overtaken",
        }
    }
}

/// Disputed words in a clause. Alternatives to them are amendments whose change is
/// [`crate::Change::Alternative`]: supporting one is holding it, accepting one resolves the
/// bracket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bracket {
    /// Its number.
    pub no: BracketNo,
    /// The clause.
    pub clause: ClauseId,
    /// The disputed words, as they stand in the clause's text.
    pub span: String,
    /// The delegation that bracketed them.
    pub raised_by: ParticipantId,
    /// When.
    pub raised_seq: u64,
    /// Where it stands.
    pub status: BracketStatus,
}

/// Who may read a document without a token.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Visibility {
    /// Members only (holders of a role in it), except while a public hearing is open and once
    /// the text is adopted.
    #[default]
    Members,
    /// Anyone.
    Public,
}

kebab_names!(Visibility {
    Members => "members",
    Public => "public",
});

/// The adoption of the text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adoption {
    /// The symbol of the resolution, also a tag: "WHA63.16".
    pub symbol: String,
    /// The event that recorded it.
    pub seq: u64,
    /// When.
    pub at: Timestamp,
}
