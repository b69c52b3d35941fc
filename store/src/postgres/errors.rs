//! PostgreSQL's errors told as store errors: what was wrong, where, without a password.
//!
//! A failure to reach the database or a refused statement is `StoreError::Engine`, whose
//! message names the database (without its password), what the engine was doing and what
//! PostgreSQL said.

use crate::StoreError;

/// What PostgreSQL said, in one line: its message, with the detail and hint it gave.
pub(crate) fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut s = format!(
                "{}: {} (SQLSTATE {})",
                db.severity(),
                db.message(),
                db.code().code()
            );
            if let Some(detail) = db.detail() {
                s.push_str("; ");
                s.push_str(detail);
            }
            if let Some(hint) = db.hint() {
                s.push_str("; hint: ");
                s.push_str(hint);
            }
            s
        }
        None => {
            // The client's own error ("error connecting to server", "connection closed", …)
            // with its cause ("Connection refused (os error 111)").
            let mut s = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                let told = cause.to_string();
                if !s.contains(&told) {
                    s.push_str(": ");
                    s.push_str(&told);
                }
                source = cause.source();
            }
            s
        }
    }
}

/// The database could not be reached (or refused the login).
pub(crate) fn cannot_connect(where_: &str, e: &postgres::Error) -> StoreError {
    StoreError::Engine(format!(
        "cannot connect to the PostgreSQL store at {where_}: {}",
        describe(e)
    ))
}

/// A statement failed while the engine was doing `doing`.
pub(crate) fn failed(where_: &str, doing: &str, e: &postgres::Error) -> StoreError {
    StoreError::Engine(format!(
        "the PostgreSQL store at {where_} failed while {doing}: {}",
        describe(e)
    ))
}

/// A stored value that does not read back as the engine writes it.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// Whether the error is a unique violation (SQLSTATE 23505) of `constraint`.
pub(crate) fn unique_violation(e: &postgres::Error) -> Option<&postgres::error::DbError> {
    let db = e.as_db_error()?;
    (db.code() == &postgres::error::SqlState::UNIQUE_VIOLATION).then_some(db)
}
