//! Who is who: participants, documents and tokens in the store's registry (decided against
//! the [`Directory`], outside any document), and the roles participants hold in a document.

use super::checks::{check_handle, check_name};
use super::Ctx;
use crate::admin::{check_admin, check_registrar, Acting};
use crate::error::DomainError;
use crate::event::Event;
use crate::ids::{DocumentId, ParticipantId};
use crate::registry::Directory;
use crate::vocabulary::{ParticipantKind, Role};

/// Give a participant a role they do not hold.
pub(super) fn grant_role(
    cx: &Ctx<'_>,
    participant: ParticipantId,
    role: Role,
) -> Result<Vec<Event>, DomainError> {
    let (state, directory) = (cx.state, cx.directory);
    let p = directory
        .participant(participant)
        .ok_or_else(|| DomainError::UnknownParticipant(participant.to_string()))?;
    if state.has_role(participant, role) {
        return Err(DomainError::Invalid(format!(
            "{} already holds the {role} role in {}",
            p.handle, state.slug
        )));
    }
    Ok(vec![Event::RoleGranted { participant, role }])
}

/// Take a role away, never the last secretariat's.
pub(super) fn revoke_role(
    cx: &Ctx<'_>,
    participant: ParticipantId,
    role: Role,
) -> Result<Vec<Event>, DomainError> {
    let (state, directory) = (cx.state, cx.directory);
    let p = directory
        .participant(participant)
        .ok_or_else(|| DomainError::UnknownParticipant(participant.to_string()))?;
    if !state.has_role(participant, role) {
        return Err(DomainError::Invalid(format!(
            "{} does not hold the {role} role in {}",
            p.handle, state.slug
        )));
    }
    if role == Role::Secretariat
        && state
            .roles
            .iter()
            .filter(|(_, rs)| rs.contains(&Role::Secretariat))
            .count()
            == 1
    {
        return Err(DomainError::Invalid(format!(
            "{} is the last secretariat of {}; grant the role to someone else first",
            p.handle, state.slug
        )));
    }
    Ok(vec![Event::RoleRevoked { participant, role }])
}

/// participant registered in a store administers it ([`crate::admin`]).
pub fn register_participant(
    directory: &dyn Directory,
    by: Acting,
    id: ParticipantId,
    handle: &str,
    name: &str,
    kind: ParticipantKind,
) -> Result<Vec<Event>, DomainError> {
    check_handle("participant handle", handle)?;
    check_name("participant name", name)?;
    if directory.participant_by_handle(handle).is_some() {
        return Err(DomainError::Taken {
            what: "participant",
            name: handle.to_string(),
        });
    }
    check_registrar(directory, by, kind)?;
    Ok(vec![Event::ParticipantRegistered {
        participant: id,
        handle: handle.to_string(),
        name: name.to_string(),
        kind,
    }])
}

/// Issue a bearer token to a participant: the caller draws the token, keeps only its digest
/// here, and shows the token once.
pub fn issue_token(
    directory: &dyn Directory,
    by: Acting,
    participant: ParticipantId,
    token: crate::ids::TokenId,
    digest: crate::event::Hash,
) -> Result<Event, DomainError> {
    if directory.participant(participant).is_none() {
        return Err(DomainError::UnknownParticipant(participant.to_string()));
    }
    check_admin(directory, by, "issue tokens")?;
    Ok(Event::TokenIssued {
        token,
        participant,
        digest,
    })
}

/// Create a document; its creator, an administrator of the store, becomes its secretariat.
pub fn create_document(
    directory: &dyn Directory,
    creator: ParticipantId,
    id: DocumentId,
    slug: &str,
    title: &str,
) -> Result<Vec<Event>, DomainError> {
    check_handle("document name", slug)?;
    check_name("title", title)?;
    if directory.participant(creator).is_none() {
        return Err(DomainError::UnknownParticipant(creator.to_string()));
    }
    check_admin(directory, Acting::Participant(creator), "create documents")?;
    if directory.document_by_slug(slug).is_some() {
        return Err(DomainError::Taken {
            what: "document",
            name: slug.to_string(),
        });
    }
    Ok(vec![
        Event::DocumentCreated {
            document: id,
            slug: slug.to_string(),
            title: title.to_string(),
        },
        Event::RoleGranted {
            participant: creator,
            role: Role::Secretariat,
        },
    ])
}
