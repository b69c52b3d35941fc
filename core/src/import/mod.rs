//! Importing drafts: reading a Markdown draft into a clause tree, matching it against the text
//! as it stands, and planning the revision that turns one into the other.
//!
//! A draft is CommonMark (with tables, footnotes, definition lists and YAML front matter):
//! headings of any level are the text's containers and articles, typed numbers at the start of
//! a paragraph (`1.1`, `(1)`, `(a)`, `i)`) and Markdown lists are its numbered provisions,
//! everything else is text of the clause it follows. [`parse_draft`] reads it as it is, and
//! says where it had to guess ([`Draft::warnings`]); see `parse.rs` for the rules and README.md
//! ("Drafts in Markdown") for the labels it gives.
//!
//! [`plan_revision`] matches clauses at any depth by their words, by what they hold, then by
//! their label and place under a matched parent (`matcher.rs`), so that a clause keeps its id
//! through renumbering, moves and rewording. The plan's operations, applied in order, give
//! exactly the draft's tree.

pub(crate) mod canonical;
mod matcher;
pub(crate) mod numbering;
mod parse;
#[cfg(test)]
mod parse_tests;
mod plan;
#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod real_texts_tests;
#[cfg(test)]
mod tests;
mod words;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::event::{ClauseKind, Note};

pub use parse::parse_draft;
pub use plan::{plan_revision, EntryStatus, Plan, PlanEntry, PlanSummary};

/// Largest draft accepted, in bytes: 16 MiB, room for the longest codes published as one file.
/// (A large draft is recorded as one revision in several events, appended together.)
pub const MAX_DRAFT_BYTES: usize = 16 << 20;

pub use canonical::canonical_text;

/// A draft read from Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Draft {
    /// The title: the front matter's `title`, else the `#` heading when it is the draft's only
    /// level-1 heading and comes before any other.
    pub title: Option<String>,
    /// The front matter (`---` … `---` at the top), key by key: title, symbol, date…
    pub meta: BTreeMap<String, String>,
    /// The top-level clauses (preamble paragraphs, containers, articles), in order.
    pub clauses: Vec<DraftClause>,
    /// Where the reader had to guess, in line order.
    pub warnings: Vec<Warning>,
}

/// A guess the reader made, with the line it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The line, from 1.
    pub line: usize,
    /// What was guessed, and how to say otherwise.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// One clause of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftClause {
    /// Its label: "PP1", "Article 5", "§ 312", "5.2", "(1)", "(a)", "9a.".
    pub label: String,
    /// Its heading (title), for headings that have one after their number.
    pub heading: Option<String>,
    /// Its text, in canonical Markdown: paragraphs and other blocks a blank line apart.
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
    pub(crate) fn new(line: usize, message: impl Into<String>) -> Self {
        ImportError {
            line,
            message: message.into(),
        }
    }
}
