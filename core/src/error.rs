//! Why a command was refused. Messages are lowercase, name what was wrong and, where there is
//! one, the way out in the domain's words; they name nothing of the command line, no flag and no
//! command. A caller with commands and flags of its own (the CLI) adds the way out in them, from
//! the error's fields.

use crate::ids::{AmendmentNo, CommentNo};
use crate::vocabulary::Agreement;
use crate::words::{WordEdit, WordsError};

/// A command refused by the rules of the domain. Nothing is written when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// No clause with that label or id prefix.
    #[error("no clause '{0}' in the text")]
    UnknownClause(String),
    /// The clause was in the text once.
    #[error("clause {label} was removed from the text (event {seq})")]
    ClauseRemoved {
        /// The label it last had.
        label: String,
        /// The event that removed it.
        seq: u64,
    },
    /// A label, path or id prefix matching several clauses.
    #[error("'{reference}' matches several clauses ({}); name one as listed, by more of its path or of its id", candidates.join(", "))]
    AmbiguousClause {
        /// What was typed.
        reference: String,
        /// The clauses it matches, each by its address (see `DocumentState::address_of`).
        candidates: Vec<String>,
    },
    /// No such amendment.
    #[error("no amendment {0} in this document")]
    UnknownAmendment(AmendmentNo),
    /// No such comment.
    #[error("no comment {0} in this document")]
    UnknownComment(CommentNo),
    /// No such participant.
    #[error("no participant '{0}'")]
    UnknownParticipant(String),
    /// No such document.
    #[error("no document '{0}'")]
    UnknownDocument(String),
    /// The actor's roles do not allow the action.
    #[error("{who} may not {action} in {document}: that needs the {needed} role{}", if held.is_empty() { " (they hold no role there)".to_string() } else { format!(" (they hold: {held})") })]
    NotAllowed {
        /// Who tried.
        who: String,
        /// What they tried.
        action: String,
        /// The document.
        document: String,
        /// The role (or roles) that would allow it.
        needed: String,
        /// The roles they hold.
        held: String,
    },
    /// A store-level action by a participant who does not administer the store.
    #[error("{who} may not {action}: that needs the store's administrator role (held by {})", if admins.is_empty() { "no one" } else { admins.as_str() })]
    NotAdmin {
        /// Who tried.
        who: String,
        /// What they tried.
        action: String,
        /// Who holds the role, by handle, comma-separated.
        admins: String,
    },
    /// A decision or withdrawal on an amendment that is no longer open.
    #[error("amendment {amendment} is {status}; {hint}")]
    AmendmentClosed {
        /// Which.
        amendment: AmendmentNo,
        /// Its status.
        status: String,
        /// What can still be done.
        hint: &'static str,
    },
    /// A name already in use.
    #[error("{what} '{name}' already exists")]
    Taken {
        /// What kind of name.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// Input longer than allowed.
    #[error("{what} is too long: {len} bytes, at most {max} allowed")]
    TooLarge {
        /// What was too long.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// No phase, question, bracket or tag with that number or name.
    #[error("no {what} {name} in this document")]
    Unknown {
        /// What was looked for: "phase", "question", "bracket" or "tag".
        what: &'static str,
        /// Its number or name.
        name: String,
    },
    /// A change to a clause agreed (or agreed ad referendum): the chair reopens it first.
    #[error("clause {clause} is {}: it changes only after the chair reopens it", agreement.words())]
    Locked {
        /// The clause, by its label.
        clause: String,
        /// How far it is agreed.
        agreement: Agreement,
    },
    /// Words bracketed in a clause agreed (or agreed ad referendum): the chair reopens it first.
    #[error("clause {clause} is {}; the chair reopens it before its text can be bracketed", agreement.words())]
    LockedToBrackets {
        /// The clause, by its label.
        clause: String,
        /// How far it is agreed.
        agreement: Agreement,
    },
    /// A comment or report while no phase (or reporting round) of the document was ever opened.
    #[error("{document} takes {what} only while a {kind} is open, and none has been opened; the secretariat or the chair opens one")]
    NoPhaseOpened {
        /// The document.
        document: String,
        /// What was brought: "comments" or "reports".
        what: &'static str,
        /// What would take it: "phase" or "reporting round".
        kind: &'static str,
    },
    /// The administrator role revoked from someone who does not hold it.
    #[error("{who} does not administer the store; nothing to revoke")]
    NotAnAdmin {
        /// Who.
        who: String,
    },
    /// The administrator role revoked from the store's only administrator.
    #[error(
        "{who} is the store's only administrator; grant the role to another participant first"
    )]
    LastAdmin {
        /// Who.
        who: String,
    },
    /// A decision asked to reopen a clause that is open.
    #[error("there is nothing to reopen: clause {clause} is open")]
    NothingToReopen {
        /// The clause, by its label.
        clause: String,
    },
    /// A proposed replacement of a clause's text that is empty (or only spaces).
    #[error("the proposed text of {clause} is empty{}; to take the clause out, propose its deletion", if *blank { " (only spaces)" } else { "" })]
    EmptyProposal {
        /// The clause, by its address.
        clause: String,
        /// Whether the text held spaces (rather than nothing).
        blank: bool,
    },
    /// A word-level change that cannot be anchored in its clause, or applied to it.
    #[error("{}", error.message(edit, clause))]
    Words {
        /// The clause, by its address.
        clause: String,
        /// The change.
        edit: Box<WordEdit>,
        /// What is wrong with it.
        error: WordsError,
    },
    /// The text was adopted: it no longer changes.
    #[error("{document} was adopted as {symbol} (event {seq}); its text no longer changes, and only comments and reports in a review or reporting phase remain possible")]
    Adopted {
        /// The document.
        document: String,
        /// The resolution's symbol.
        symbol: String,
        /// The event that adopted it.
        seq: u64,
    },
    /// A comment retracted by someone other than its author.
    #[error("{who} may not retract {comment}: only its author, {author}, may")]
    NotTheAuthor {
        /// Who tried.
        who: String,
        /// The comment.
        comment: CommentNo,
        /// Who posted it.
        author: String,
    },
    /// Anything else the rules forbid, said in words.
    #[error("{0}")]
    Invalid(String),
}
