//! The one error type at the edge, and its exit codes.
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | done (also when the reader of stdout closed the pipe) |
//! | 1 | refused: bad input or a rule of the process; nothing was written |
//! | 2 | the command line itself is wrong (clap) |
//! | 3 | conflict: the document changed since the version you expected |
//! | 4 | the log is damaged (`verify` found a break) |
//! | 5 | the store is in use by another process (a `travaux serve`, named), or the server cannot be reached |

use std::fmt;

use travaux_core::{import::ImportError, DomainError};
use travaux_store::StoreError;

/// An error for the user: a message, an exit code, and perhaps a hint.
#[derive(Debug)]
pub struct CliError {
    /// The exit code.
    pub code: u8,
    /// What went wrong.
    pub message: String,
    /// What kind of failure it is, finer than the exit code: the server answers with an HTTP
    /// status chosen by it.
    pub kind: ErrorKind,
}

/// What kind of failure an error is. The exit code says as much as a script needs; the kind
/// tells the server which HTTP status to answer with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input or a rule of the process (exit 1).
    #[default]
    Refused,
    /// The command line itself is wrong (exit 2).
    Usage,
    /// The participant's roles do not allow it (exit 1).
    NotAllowed,
    /// A document, clause, amendment, participant or other thing named does not exist (exit 1).
    NotFound,
    /// The document changed since the version expected (exit 3).
    Conflict,
    /// The log is damaged (exit 4).
    Damaged,
    /// The store is in use by another process (exit 5).
    Locked,
    /// The storage failed under the command (exit 1).
    Storage,
    /// Not a failure: the write's `--event-id` was recorded meanwhile by another process or
    /// request (a retry that raced the first attempt). `dispatch` answers it as a retry
    /// (exit 0); it never reaches the user as an error.
    AlreadyRecorded,
}

impl CliError {
    /// A refusal (exit code 1).
    pub fn refused(message: impl Into<String>) -> Self {
        CliError {
            code: 1,
            message: message.into(),
            kind: ErrorKind::Refused,
        }
    }

    /// A damaged log (exit code 4).
    pub fn damaged(message: impl Into<String>) -> Self {
        CliError {
            code: 4,
            message: message.into(),
            kind: ErrorKind::Damaged,
        }
    }

    /// The write was already recorded under its `--event-id`, by a request that got there
    /// first: `dispatch` answers "already recorded" from the log.
    pub fn already_recorded() -> Self {
        CliError {
            code: 0,
            message: "already recorded under this --event-id".into(),
            kind: ErrorKind::AlreadyRecorded,
        }
    }

    /// The same error with another kind (the exit code stays).
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        let (code, kind) = match &e {
            StoreError::Domain(d) => return d.clone().into(),
            StoreError::Conflict { .. } => (3, ErrorKind::Conflict),
            StoreError::Corrupt(_) | StoreError::Codec(_) | StoreError::Damaged(_) => {
                (4, ErrorKind::Damaged)
            }
            StoreError::Locked(path) => match crate::client::locked_hint(path) {
                Some(hint) => {
                    return CliError {
                        code: 5,
                        message: hint,
                        kind: ErrorKind::Locked,
                    }
                }
                None => (5, ErrorKind::Locked),
            },
            StoreError::UnknownStream(_) => (1, ErrorKind::NotFound),
            StoreError::PermissionDenied { .. } => (1, ErrorKind::Storage),
            StoreError::NotDurable(_)
            | StoreError::SyncFailed(_)
            | StoreError::Engine(_)
            | StoreError::Io(_) => (1, ErrorKind::Storage),
            _ => (1, ErrorKind::Refused),
        };
        CliError {
            code,
            message: e.to_string(),
            kind,
        }
    }
}

impl From<DomainError> for CliError {
    fn from(e: DomainError) -> Self {
        let kind = match &e {
            DomainError::NotAllowed { .. }
            | DomainError::NotAdmin { .. }
            | DomainError::NotTheAuthor { .. } => ErrorKind::NotAllowed,
            DomainError::UnknownClause(_)
            | DomainError::ClauseRemoved { .. }
            | DomainError::UnknownAmendment(_)
            | DomainError::UnknownComment(_)
            | DomainError::UnknownParticipant(_)
            | DomainError::UnknownDocument(_)
            | DomainError::Unknown { .. } => ErrorKind::NotFound,
            _ => ErrorKind::Refused,
        };
        CliError::refused(e.to_string()).with_kind(kind)
    }
}

impl From<ImportError> for CliError {
    fn from(e: ImportError) -> Self {
        CliError::refused(e.to_string())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            // Whoever read the output has stopped reading: not an error (exit 0).
            return CliError {
                code: 0,
                message: String::new(),
                kind: ErrorKind::Refused,
            };
        }
        CliError::refused(e.to_string())
    }
}

impl From<serde_json::Error> for CliError {
    fn from(e: serde_json::Error) -> Self {
        if e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe) {
            // `travaux --json … | head`: the reader stopped reading, as for text output.
            return std::io::Error::from(std::io::ErrorKind::BrokenPipe).into();
        }
        CliError::refused(format!("cannot write JSON: {e}"))
    }
}

/// The result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;
