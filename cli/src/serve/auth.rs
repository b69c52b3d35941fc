//! Who is asking: the bearer token's participant, or nobody, or — over the local socket
//! beside the store, which only the store's owner may open — the owner; and what they may read.
//!
//! A token is a random string shown once when issued; the store keeps the SHA-256 of its
//! bytes. Writes need a token and are attributed to its participant (the role checks are
//! core's `decide`, as for the CLI). Reads of a document need a role in it, unless it is
//! readable by anyone (public, under an open public hearing, or adopted).

use axum::http::{header, HeaderMap};
use travaux_core::{Directory, DocumentState, Participant};
use travaux_store::Store;

use super::error::ApiError;

/// Who sent a request.
#[derive(Clone, Debug)]
pub enum Caller {
    /// No token.
    Anonymous,
    /// The participant a valid token was issued to.
    Participant(Participant),
    /// The store's owner, through the local socket (`<store>/server.sock`): acts as a local
    /// command does, naming a participant with `--as` or none.
    Owner,
}

impl Caller {
    /// The participant, if a token named one.
    pub fn participant(&self) -> Option<&Participant> {
        match self {
            Caller::Anonymous | Caller::Owner => None,
            Caller::Participant(p) => Some(p),
        }
    }

    /// A name for logs.
    pub fn name(&self) -> &str {
        match self {
            Caller::Anonymous => "-",
            Caller::Participant(p) => &p.handle,
            Caller::Owner => "(owner, local socket)",
        }
    }
}

/// The bearer token of a request, if it sent one; a malformed `Authorization` header is a 401.
pub fn bearer(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("the Authorization header is not text"))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim().to_string()))
        }
        _ => Err(ApiError::unauthorized(
            "the Authorization header must be `Bearer TOKEN` (a token from `travaux token issue`)",
        )),
    }
}

/// The caller a token names: anonymous without one; a 401 for a token that is unknown or
/// revoked, or whose participant is gone.
pub fn caller(store: &Store, token: Option<&str>) -> Result<Caller, ApiError> {
    let Some(token) = token else {
        return Ok(Caller::Anonymous);
    };
    let digest = travaux_store::fingerprint(token.as_bytes());
    let Some((_, participant)) = store.token(&digest)? else {
        return Err(ApiError::unauthorized(
            "the token is not valid: unknown or revoked (`travaux token list` shows the tokens)",
        ));
    };
    let participant = store.participant(participant).ok_or_else(|| {
        ApiError::unauthorized("the token's participant is not registered in this store")
    })?;
    Ok(Caller::Participant(participant))
}

/// Whether the caller may read a document: anyone may read one readable by anyone; otherwise
/// only participants holding a role in it (401 without a token, 403 with one).
pub fn may_read(caller: &Caller, doc: &DocumentState) -> Result<(), ApiError> {
    if doc.readable_by_anyone() {
        return Ok(());
    }
    match caller {
        Caller::Owner => Ok(()),
        Caller::Anonymous => Err(ApiError::unauthorized(format!(
            "{} is open to its members only; send a token (Authorization: Bearer TOKEN)",
            doc.slug
        ))),
        Caller::Participant(p) if doc.roles.contains_key(&p.id) => Ok(()),
        Caller::Participant(p) => Err(ApiError::forbidden(format!(
            "{} holds no role in {}, which is open to its members only",
            p.handle, doc.slug
        ))),
    }
}

/// Whether the caller may read a document, without the error.
pub fn can_read(caller: &Caller, doc: &DocumentState) -> bool {
    may_read(caller, doc).is_ok()
}
