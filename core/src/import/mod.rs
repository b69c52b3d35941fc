//! Importing drafts: reading a Markdown draft into a clause tree, matching it against the text
//! as it stands, and planning the revision that turns one into the other.
//!
//! A draft is plain CommonMark: at most one `#` title, preamble paragraphs, `## Article N —
//! Heading` articles, and under each article a numbered list of paragraphs whose subparagraphs
//! sit in a nested bullet list. [`parse_draft`] refuses anything else with the line it starts on.
//!
//! [`plan_revision`] matches clauses at any depth by their words, by what they hold, then by
//! their label and place under a matched parent (`matcher.rs`), so that a clause keeps its id
//! through renumbering, moves and rewording. The plan's operations, applied in order, give
//! exactly the draft's tree.

mod matcher;
mod parse;
mod plan;
#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod tests;
mod words;

use serde::Serialize;

use crate::event::{ClauseKind, Note};

pub use parse::parse_draft;
pub use plan::{plan_revision, EntryStatus, Plan, PlanEntry, PlanSummary};

/// Largest draft accepted, in bytes. (A large draft is recorded as one revision in several
/// events, appended together.)
pub const MAX_DRAFT_BYTES: usize = 1 << 20;

/// A draft read from Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Draft {
    /// The title (the `#` heading), if any.
    pub title: Option<String>,
    /// The top-level clauses (preamble paragraphs and articles), in order.
    pub clauses: Vec<DraftClause>,
}

/// One clause of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftClause {
    /// Its label: "PP1", "Article 5", "5.2".
    pub label: String,
    /// Its heading, for articles that have one.
    pub heading: Option<String>,
    /// Its text; subparagraphs are on lines of their own.
    pub text: String,
    /// What it is.
    pub kind: Option<ClauseKind>,
    /// Its notes (footnotes).
    pub notes: Vec<Note>,
    /// The clauses under it, in order.
    pub children: Vec<DraftClause>,
    /// The line of the draft it starts on, from 1.
    pub line: usize,
}

/// Why a draft was refused, with the line of the draft at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ImportError {
    /// The line the offending construct starts on, from 1.
    pub line: usize,
    /// What is wrong, and what to do.
    pub message: String,
}

impl ImportError {
    fn new(line: usize, message: impl Into<String>) -> Self {
        ImportError {
            line,
            message: message.into(),
        }
    }
}
