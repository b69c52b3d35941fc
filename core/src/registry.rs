//! Participants and documents as the whole store knows them, behind a lookup trait.
//!
//! `decide` needs to ask "does this participant exist?" and "is this slug taken?" without
//! loading every participant: the [`Directory`] trait answers one question at a time. The store
//! implements it over its indexes; [`Registry`] is the plain in-memory fold used by tests and
//! by the in-memory store.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::event::{Event, RecordedEvent};
use crate::ids::{DocumentId, ParticipantId, StreamId};
use crate::vocabulary::{ParticipantKind, Role, Timestamp};

/// A registered participant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// Its id.
    pub id: ParticipantId,
    /// The short name it is addressed by.
    pub handle: String,
    /// Its display name.
    pub name: String,
    /// What it is.
    pub kind: ParticipantKind,
    /// When it was registered.
    pub registered_at: Timestamp,
}

/// A document as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentEntry {
    /// Its id.
    pub id: DocumentId,
    /// Its short name.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// When it was created.
    pub created_at: Timestamp,
}

/// Lookups `decide` needs beyond the document's own state.
pub trait Directory {
    /// A participant by id.
    fn participant(&self, id: ParticipantId) -> Option<Participant>;
    /// A participant by handle.
    fn participant_by_handle(&self, handle: &str) -> Option<Participant>;
    /// A document by slug.
    fn document_by_slug(&self, slug: &str) -> Option<DocumentEntry>;
    /// The first participant registered in the store, if any (see [`crate::admin`]).
    fn first_participant(&self) -> Option<ParticipantId>;
    /// The participants an `AdminGranted` or `AdminRevoked` event names, each with whether
    /// the last such event granted the role (see [`crate::admin::admins`] for the rule).
    fn admin_records(&self) -> Vec<(ParticipantId, bool)>;
    /// The slug of a document in which the participant holds the secretariat role, if any.
    fn secretariat_of(&self, id: ParticipantId) -> Option<String>;
}

/// The in-memory fold of registrations and document creations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Registry {
    participants: BTreeMap<ParticipantId, Participant>,
    handles: BTreeMap<String, ParticipantId>,
    documents: BTreeMap<String, DocumentEntry>,
    first: Option<ParticipantId>,
    admins: BTreeMap<ParticipantId, bool>,
    secretariats: BTreeMap<ParticipantId, BTreeSet<StreamId>>,
}

impl Registry {
    /// Fold one event in (events of every stream may be given; others are ignored).
    pub fn evolve(&mut self, e: &RecordedEvent) {
        if let Some(p) = participant_of(e) {
            self.first.get_or_insert(p.id);
            self.handles.insert(p.handle.clone(), p.id);
            self.participants.insert(p.id, p);
        }
        if let Some(d) = document_of(e) {
            self.documents.insert(d.slug.clone(), d);
        }
        match &e.event {
            Event::AdminGranted { participant } => {
                self.admins.insert(*participant, true);
            }
            Event::AdminRevoked { participant } => {
                self.admins.insert(*participant, false);
            }
            Event::RoleGranted {
                participant,
                role: Role::Secretariat,
            } => {
                self.secretariats
                    .entry(*participant)
                    .or_default()
                    .insert(e.stream);
            }
            Event::RoleRevoked {
                participant,
                role: Role::Secretariat,
            } => {
                if let Some(s) = self.secretariats.get_mut(participant) {
                    s.remove(&e.stream);
                }
            }
            _ => {}
        }
    }

    /// Every participant, by handle.
    pub fn participants(&self) -> impl Iterator<Item = &Participant> {
        self.handles.values().map(|id| &self.participants[id])
    }

    /// Every document, by slug.
    pub fn documents(&self) -> impl Iterator<Item = &DocumentEntry> {
        self.documents.values()
    }
}

impl Directory for Registry {
    fn participant(&self, id: ParticipantId) -> Option<Participant> {
        self.participants.get(&id).cloned()
    }
    fn participant_by_handle(&self, handle: &str) -> Option<Participant> {
        self.handles
            .get(handle)
            .map(|id| self.participants[id].clone())
    }
    fn document_by_slug(&self, slug: &str) -> Option<DocumentEntry> {
        self.documents.get(slug).cloned()
    }
    fn first_participant(&self) -> Option<ParticipantId> {
        self.first
    }
    fn admin_records(&self) -> Vec<(ParticipantId, bool)> {
        self.admins.iter().map(|(p, held)| (*p, *held)).collect()
    }
    fn secretariat_of(&self, id: ParticipantId) -> Option<String> {
        let streams = self.secretariats.get(&id)?;
        self.documents
            .values()
            .find(|d| streams.contains(&StreamId::document(d.id)))
            .map(|d| d.slug.clone())
    }
}

/// The participant an event registers, if it registers one.
pub fn participant_of(e: &RecordedEvent) -> Option<Participant> {
    match &e.event {
        Event::ParticipantRegistered {
            participant,
            handle,
            name,
            kind,
        } => Some(Participant {
            id: *participant,
            handle: handle.clone(),
            name: name.clone(),
            kind: *kind,
            registered_at: e.recorded_at,
        }),
        _ => None,
    }
}

/// The document an event creates, if it creates one.
pub fn document_of(e: &RecordedEvent) -> Option<DocumentEntry> {
    match &e.event {
        Event::DocumentCreated {
            document,
            slug,
            title,
        } => Some(DocumentEntry {
            id: *document,
            slug: slug.clone(),
            title: title.clone(),
            created_at: e.recorded_at,
        }),
        _ => None,
    }
}
