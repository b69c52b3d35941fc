//! The Travaux domain: events, commands, the state of a document, and importing drafts.
//!
//! Pure and synchronous: no I/O, no clock, no randomness. Time, ids and the acting participant
//! are passed in. `decide` holds the rules; `evolve` folds events into state and cannot fail;
//! any view at any point is a fold of the events up to that point.

pub mod address;
pub mod admin;
pub mod akn;
pub mod blame;
mod command;
pub mod diff;
mod document;
mod error;
mod event;
pub mod governance;
mod ids;
pub mod import;
pub mod markdown;
pub mod pickaxe;
mod point;
mod registry;
pub mod renumber;
mod vocabulary;
pub mod words;

#[cfg(test)]
mod addressing_tests;
#[cfg(test)]
mod admin_tests;
#[cfg(test)]
mod bad_input_tests;
#[cfg(test)]
mod governance_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod words_tests;

pub use admin::Acting;
pub use command::{
    check_handle, create_document, decide, issue_token, register_participant, role_table, Command,
    MAX_COMMENT, MAX_NAME, MAX_TEXT,
};
pub use document::{Amendment, AmendmentStatus, Clause, DocumentState, Process, RemovedClause};
pub use error::DomainError;
pub use event::{
    Change, ClauseKind, ClauseOp, Event, Hash, Method, NewEvent, Note, Outcome, RecordedEvent,
};
pub use governance::{Adoption, Answer, Bracket, BracketStatus, Phase, Question};
pub use ids::{
    AmendmentNo, BracketNo, ClauseId, CommentNo, DocumentId, EventId, ParticipantId, PhaseNo,
    QuestionNo, ReportNo, StreamId, TokenId,
};
pub use point::{parse_time, same_revision, text_changes, Cut, DayEdge, Point};
pub use registry::{document_of, participant_of, Directory, DocumentEntry, Participant, Registry};
pub use vocabulary::{
    Agreement, ParticipantKind, PhaseKind, Position, Role, Timestamp, Visibility, Window,
};
