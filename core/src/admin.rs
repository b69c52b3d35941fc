//! The store's administrators: who may register participants, create documents, issue tokens
//! and compact, and who grants that role.
//!
//! The first participant registered in a store holds the role: the log's first registration
//! says who, in a new store as in one made before the role existed, so one rule covers both.
//! Every change after that is an event of the registry stream, `AdminGranted` or
//! `AdminRevoked`, made by an administrator (or the owner); the last such event naming a
//! participant decides, the first participant's included.
//!
//! Besides the participants, the store has an owner: whoever runs a command on the store's
//! files without naming a participant (a local command without `--as`). The owner may do
//! anything an administrator may; a server never acts as the owner (every request acts as its
//! token's participant).
//!
//! A document's secretariat (a participant holding the secretariat role in some document) may
//! register participants of the public kind, for the intake of a consultation's respondents;
//! delegates, chairs and observers register no one.

use crate::error::DomainError;
use crate::event::Event;
use crate::ids::ParticipantId;
use crate::registry::Directory;
use crate::vocabulary::ParticipantKind;

/// Who asks for a change to the store as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acting {
    /// The store's owner: a local command that names no participant.
    Owner,
    /// A registered participant.
    Participant(ParticipantId),
}

/// The administrators of the store, in the order of the directory's records (the first
/// participant registered first when it holds the role by the first-participant rule).
pub fn admins(directory: &dyn Directory) -> Vec<ParticipantId> {
    let records = directory.admin_records();
    let mut out = Vec::new();
    if let Some(first) = directory.first_participant() {
        if !records.iter().any(|(p, _)| *p == first) {
            out.push(first);
        }
    }
    out.extend(records.iter().filter(|(_, held)| *held).map(|(p, _)| *p));
    out
}

/// Whether a participant administers the store.
pub fn is_admin(directory: &dyn Directory, participant: ParticipantId) -> bool {
    match directory
        .admin_records()
        .iter()
        .find(|(p, _)| *p == participant)
    {
        Some((_, held)) => *held,
        None => directory.first_participant() == Some(participant),
    }
}

/// Refuse unless the one acting administers the store (or is its owner).
pub fn check_admin(directory: &dyn Directory, by: Acting, action: &str) -> Result<(), DomainError> {
    let Acting::Participant(id) = by else {
        return Ok(());
    };
    if is_admin(directory, id) {
        return Ok(());
    }
    Err(not_admin(directory, id, action))
}

/// The refusal of a store-level action to a participant who does not administer the store.
fn not_admin(directory: &dyn Directory, id: ParticipantId, action: &str) -> DomainError {
    let who = directory
        .participant(id)
        .map_or_else(|| id.to_string(), |p| p.handle);
    let admins: Vec<String> = admins(directory)
        .into_iter()
        .filter_map(|a| directory.participant(a).map(|p| p.handle))
        .collect();
    DomainError::NotAdmin {
        who,
        action: action.to_string(),
        admins: admins.join(", "),
    }
}

/// Refuse unless the one acting may register a participant of this kind: the owner and the
/// administrators register anyone; a document's secretariat registers the public.
pub fn check_registrar(
    directory: &dyn Directory,
    by: Acting,
    kind: ParticipantKind,
) -> Result<(), DomainError> {
    let Acting::Participant(id) = by else {
        return Ok(());
    };
    if is_admin(directory, id) {
        return Ok(());
    }
    if kind == ParticipantKind::Public && directory.secretariat_of(id).is_some() {
        return Ok(());
    }
    let action = if directory.secretariat_of(id).is_some() {
        format!("register a participant of the {kind} kind (a document's secretariat registers the public kind only)")
    } else {
        "register participants (a document's secretariat may register the public kind)".to_string()
    };
    Err(not_admin(directory, id, &action))
}

/// Make a participant an administrator of the store.
pub fn grant_admin(
    directory: &dyn Directory,
    by: Acting,
    participant: ParticipantId,
) -> Result<Event, DomainError> {
    check_admin(directory, by, "grant the administrator role")?;
    let p = directory
        .participant(participant)
        .ok_or_else(|| DomainError::UnknownParticipant(participant.to_string()))?;
    if is_admin(directory, participant) {
        return Err(DomainError::Invalid(format!(
            "{} already administers the store; nothing to grant",
            p.handle
        )));
    }
    Ok(Event::AdminGranted { participant })
}

/// Take the administrator role from a participant; the store keeps at least one.
pub fn revoke_admin(
    directory: &dyn Directory,
    by: Acting,
    participant: ParticipantId,
) -> Result<Event, DomainError> {
    check_admin(directory, by, "revoke the administrator role")?;
    let p = directory
        .participant(participant)
        .ok_or_else(|| DomainError::UnknownParticipant(participant.to_string()))?;
    if !is_admin(directory, participant) {
        return Err(DomainError::NotAnAdmin { who: p.handle });
    }
    if admins(directory).len() == 1 {
        return Err(DomainError::LastAdmin { who: p.handle });
    }
    Ok(Event::AdminRevoked { participant })
}
