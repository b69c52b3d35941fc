//! Identifiers: uuids for things that live forever, small numbers for things people cite.
//!
//! Every id is a newtype so that a clause id can never be passed where a participant id is
//! expected. Core never makes a uuid itself (that needs randomness, which is I/O): callers pass
//! fresh ids in.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl $name {
            /// The first eight hex digits, as people quote them.
            pub fn short(&self) -> String {
                self.0.simple().to_string()[..8].to_string()
            }
        }
    };
}

uuid_id!(
    /// A document, and the id of its event stream.
    DocumentId
);
uuid_id!(
    /// A participant: a delegation, a non-State actor, the Secretariat, an expert, a member of the public.
    ParticipantId
);
uuid_id!(
    /// A clause. Stable: it survives rewording, renumbering and moves.
    ClauseId
);
uuid_id!(
    /// An event, chosen by the writer so that a retried append is recognised.
    EventId
);
uuid_id!(
    /// A bearer token of a participant (the token itself is never stored, only its digest).
    TokenId
);

/// The stream an event belongs to: one per document, plus the registry of participants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StreamId(pub Uuid);

impl StreamId {
    /// The stream of participant registrations.
    pub const REGISTRY: StreamId = StreamId(Uuid::nil());

    /// The stream of a document.
    pub fn document(id: DocumentId) -> StreamId {
        StreamId(id.0)
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == StreamId::REGISTRY {
            f.write_str("registry")
        } else {
            self.0.fmt(f)
        }
    }
}

macro_rules! number_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let digits = s
                    .strip_prefix($prefix)
                    .or_else(|| s.strip_prefix(&$prefix.to_lowercase()))
                    .unwrap_or(s);
                digits
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map($name)
                    .ok_or_else(|| format!(concat!("'{}' is not a valid number; expected ", $prefix, "N such as ", $prefix, "3"), s))
            }
        }
    };
}

number_id!(
    /// An amendment, numbered within its document in order of proposal: A1, A2, …
    AmendmentNo,
    "A"
);
number_id!(
    /// A comment, numbered within its document: C1, C2, …
    CommentNo,
    "C"
);

number_id!(
    /// A phase of the process, numbered within its document: P1, P2, …
    PhaseNo,
    "P"
);
number_id!(
    /// A consultation question, numbered within its document: Q1, Q2, …
    QuestionNo,
    "Q"
);
number_id!(
    /// Bracketed (disputed) text, numbered within its document: B1, B2, …
    BracketNo,
    "B"
);
number_id!(
    /// A report submitted in a reporting round, numbered within its document: R1, R2, …
    ReportNo,
    "R"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amendment_numbers_read_as_people_write_them() {
        assert_eq!("A12".parse::<AmendmentNo>(), Ok(AmendmentNo(12)));
        assert_eq!("a3".parse::<AmendmentNo>(), Ok(AmendmentNo(3)));
        assert_eq!("7".parse::<AmendmentNo>(), Ok(AmendmentNo(7)));
        assert!("A0".parse::<AmendmentNo>().is_err());
        assert!("Ax".parse::<AmendmentNo>().is_err());
        assert_eq!(CommentNo(4).to_string(), "C4");
    }
}
