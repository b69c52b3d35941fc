//! The vocabulary events and the state of a document share: who takes part and how (kinds of
//! participant, roles, positions), the process's words (kinds of phase, planned windows, how
//! far a clause is agreed, who may read), the moment in time, and the one way their names are
//! read and written (`kebab_names!`). Values only; `event.rs` says what happened with them,
//! `governance.rs` what the process holds.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A moment, always in UTC.
pub type Timestamp = DateTime<Utc>;

/// What a participant is, used in reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParticipantKind {
    /// A Member State delegation.
    MemberState,
    /// A non-State actor: NGO, professional body, union, academia.
    NonStateActor,
    /// The secretariat of the body running the negotiation.
    Secretariat,
    /// An independent expert.
    Expert,
    /// A member of the public.
    Public,
}

/// What a participant may do in one document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Issues revisions, grants roles, sets tags.
    Secretariat,
    /// Records the committee's decisions, sets tags.
    Chair,
    /// Proposes, supports, opposes and withdraws amendments.
    Delegate,
    /// Follows and comments.
    Observer,
    /// Comments.
    Public,
}

/// A stance taken in a comment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Position {
    /// In favour.
    Support,
    /// Against.
    Oppose,
    /// Neither, or a question.
    #[default]
    Neutral,
}

macro_rules! kebab_names {
    ($ty:ty { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            /// Every value, in order.
            pub const ALL: &'static [$ty] = &[$(<$ty>::$variant),*];
            /// The name used on the command line and in JSON.
            pub fn name(self) -> &'static str {
                match self { $(<$ty>::$variant => $name),* }
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.name() == s)
                    .ok_or_else(|| {
                        let names: Vec<&str> = Self::ALL.iter().map(|v| v.name()).collect();
                        format!("'{}' is not one of: {}", s, names.join(", "))
                    })
            }
        }
    };
}

pub(crate) use kebab_names;

kebab_names!(ParticipantKind {
    MemberState => "member-state",
    NonStateActor => "non-state-actor",
    Secretariat => "secretariat",
    Expert => "expert",
    Public => "public",
});
kebab_names!(Role {
    Secretariat => "secretariat",
    Chair => "chair",
    Delegate => "delegate",
    Observer => "observer",
    Public => "public",
});
kebab_names!(Position {
    Support => "support",
    Oppose => "oppose",
    Neutral => "neutral",
});

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
