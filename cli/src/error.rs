//! The one error type at the edge, and its exit codes.
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | done (also when the reader of stdout closed the pipe) |
//! | 1 | refused: bad input or a rule of the process; nothing was written |
//! | 2 | the command line itself is wrong (clap) |
//! | 3 | conflict: the document changed since the version you expected |
//! | 4 | the log is damaged (`verify` found a break) |
//! | 5 | the store is in use by another process |

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
}

impl CliError {
    /// A refusal (exit code 1).
    pub fn refused(message: impl Into<String>) -> Self {
        CliError {
            code: 1,
            message: message.into(),
        }
    }

    /// A damaged log (exit code 4).
    pub fn damaged(message: impl Into<String>) -> Self {
        CliError {
            code: 4,
            message: message.into(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        let code = match &e {
            StoreError::Conflict { .. } => 3,
            StoreError::Corrupt(_) | StoreError::Codec(_) => 4,
            StoreError::Locked(_) => 5,
            _ => 1,
        };
        CliError {
            code,
            message: e.to_string(),
        }
    }
}

impl From<DomainError> for CliError {
    fn from(e: DomainError) -> Self {
        CliError::refused(e.to_string())
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
