//! What the store answers about its administrators (`Directory`'s admin questions): the
//! participants the admin events name (read model `R`), the first participant registered (the
//! registry stream's first registration), and where a participant is a document's secretariat.
//! The rule that turns these into who administers the store is core's (`travaux_core::admin`).

use travaux_core::{participant_of, ParticipantId, Role, StreamId};
use uuid::Uuid;

use crate::contract::Tree;
use crate::keys::key;
use crate::Store;

/// The participant the registry stream registers first, if any.
pub(crate) fn first_participant(store: &Store) -> Option<ParticipantId> {
    store
        .stream(StreamId::REGISTRY)
        .map_while(Result::ok)
        .find_map(|e| participant_of(&e))
        .map(|p| p.id)
}

/// Every participant an admin event names, with whether the last one granted the role.
pub(crate) fn records(tree: &dyn Tree) -> Vec<(ParticipantId, bool)> {
    tree.scan_prefix(&key(b'R', &[]))
        .filter_map(Result::ok)
        .filter_map(|(k, v)| {
            let id = Uuid::from_slice(k.get(1..)?).ok()?;
            Some((ParticipantId(id), v.first() == Some(&1)))
        })
        .collect()
}

/// A document in which the participant holds the secretariat role: every document's roles
/// are read (registering is rare, and a store holds few documents).
pub(crate) fn secretariat_of(store: &Store, id: ParticipantId) -> Option<String> {
    store.documents().ok()?.into_iter().find_map(|entry| {
        let doc = store.document_without_amendments(entry.id).ok()??;
        doc.has_role(id, Role::Secretariat).then_some(entry.slug)
    })
}
