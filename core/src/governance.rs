//! The process around the text as a document's state keeps it: phases and who took part,
//! questions and their answers, brackets, the adoption. Types only; their vocabulary (kinds of
//! phase, agreement, visibility) is in `vocabulary.rs`, the rules are in `decide` and the
//! folding in `evolve`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::ids::{AmendmentNo, BracketNo, ClauseId, CommentNo, ParticipantId, PhaseNo, QuestionNo};
use crate::vocabulary::{PhaseKind, Position, Role, Timestamp, Window};

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
