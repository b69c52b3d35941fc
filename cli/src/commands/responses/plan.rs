//! Checking a file of responses against the document before anything is written: every row
//! decided in turn (`decide`, as `comment --answers` would be, with the time received) on a
//! working copy of the document, with the registrations and role grants it needs, so that every
//! bad line is named and a file is either wholly good or refused. What it gives are the events
//! to append, each response's with an id derived from the response, so that a second run
//! recognises what the first appended.

use std::cell::RefCell;
use std::collections::HashMap;

use travaux_core::{
    decide, register_participant, Acting, Command, Directory, DocumentEntry, DocumentState,
    DomainError, Event, EventId, Hash, NewEvent, Participant, ParticipantId, ParticipantKind,
    RecordedEvent, Role, StreamId, Timestamp,
};
use travaux_store::Store;
use uuid::Uuid;

use super::parse::{Problems, Row};
use crate::error::CliResult;

/// The namespace of the ids an import derives (responses, registrations, grants).
const NAMESPACE: Uuid = Uuid::from_u128(0x7f3c_2b1e_9a40_4d6b_8e15_52c0_a1d3_e9b7);

/// One response to append, with what it needs first.
pub struct Unit {
    /// Its line in the file.
    pub line: usize,
    /// The respondent's registration, if the file registers them here.
    pub registry: Vec<NewEvent>,
    /// A role grant the respondent needs, then the response itself.
    pub document: Vec<NewEvent>,
    /// The document's version before these events.
    pub version_before: u64,
}

/// What checking a file found.
pub struct Plan {
    /// The responses to append, in the file's order.
    pub units: Vec<Unit>,
    /// How many responses of the file are in the log already.
    pub already: usize,
    /// How many participants the import registers.
    pub registered: usize,
    /// How many roles it grants.
    pub granted: usize,
    /// The bad lines.
    pub problems: Problems,
}

/// The id of a response: from its own id if the file gives one, else from what it is (who,
/// on what, saying what, received when) and how many identical responses came before it in the
/// file, so that the same file, or a longer export holding it, gives the same ids.
pub fn response_id(doc: &DocumentState, row: &Row, occurrence: usize) -> EventId {
    let key = match &row.id {
        Some(id) => format!("{}|response|{id}", doc.id),
        None => format!(
            "{}|{}|{}|{}|{}|{}|{}|{occurrence}",
            doc.id,
            row.respondent,
            row.question.map(|q| q.to_string()).unwrap_or_default(),
            row.clause.as_deref().unwrap_or(""),
            row.position,
            row.received.to_rfc3339(),
            row.text
        ),
    };
    EventId(Uuid::new_v5(&NAMESPACE, key.as_bytes()))
}

/// The role a respondent registered (or without a role in the document) is given: the one a
/// participant of its kind comments with.
fn role_for(kind: ParticipantKind) -> Option<Role> {
    match kind {
        ParticipantKind::MemberState => Some(Role::Delegate),
        ParticipantKind::NonStateActor | ParticipantKind::Expert => Some(Role::Observer),
        ParticipantKind::Public => Some(Role::Public),
        ParticipantKind::Secretariat => None,
    }
}

/// The store's directory with the participants this import registers added, and what it has
/// asked the store remembered (a file names the same respondents again and again).
struct Pending<'a> {
    base: &'a Store,
    by_handle: RefCell<HashMap<String, Option<Participant>>>,
    by_id: RefCell<HashMap<ParticipantId, Option<Participant>>>,
}

impl Pending<'_> {
    fn add(&self, p: Participant) {
        self.by_id.borrow_mut().insert(p.id, Some(p.clone()));
        self.by_handle
            .borrow_mut()
            .insert(p.handle.clone(), Some(p));
    }
}

impl Directory for Pending<'_> {
    fn participant(&self, id: ParticipantId) -> Option<Participant> {
        if let Some(p) = self.by_id.borrow().get(&id) {
            return p.clone();
        }
        let p = self.base.participant(id);
        self.by_id.borrow_mut().insert(id, p.clone());
        p
    }
    fn participant_by_handle(&self, handle: &str) -> Option<Participant> {
        if let Some(p) = self.by_handle.borrow().get(handle) {
            return p.clone();
        }
        let p = self.base.participant_by_handle(handle);
        self.by_handle
            .borrow_mut()
            .insert(handle.to_string(), p.clone());
        p
    }
    fn document_by_slug(&self, slug: &str) -> Option<DocumentEntry> {
        self.base.document_by_slug(slug)
    }
    fn first_participant(&self) -> Option<ParticipantId> {
        self.base.first_participant()
    }
    fn admin_records(&self) -> Vec<(ParticipantId, bool)> {
        self.base.admin_records()
    }
    fn secretariat_of(&self, id: ParticipantId) -> Option<String> {
        self.base.secretariat_of(id)
    }
}

/// Check every row against the document as it stands, as `importer` records them at `now`.
pub fn plan(
    store: &Store,
    mut state: DocumentState,
    importer: &Participant,
    rows: &[Row],
    now: Timestamp,
) -> CliResult<Plan> {
    let dir = Pending {
        base: store,
        by_handle: RefCell::new(HashMap::new()),
        by_id: RefCell::new(HashMap::new()),
    };
    let mut plan = Plan {
        units: Vec::new(),
        already: 0,
        registered: 0,
        granted: 0,
        problems: Vec::new(),
    };
    let mut seen: HashMap<EventId, usize> = HashMap::new();
    let mut identical: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let occurrence = if row.id.is_some() {
            0
        } else {
            let key = format!(
                "{}|{:?}|{:?}|{}|{}|{}",
                row.respondent, row.question, row.clause, row.position, row.received, row.text
            );
            let n = identical.entry(key).or_default();
            *n += 1;
            *n - 1
        };
        let id = response_id(&state, row, occurrence);
        if let Some(first) = seen.insert(id, row.line) {
            plan.problems.push((
                row.line,
                format!(
                    "response id '{}' is given on line {first} too",
                    row.id.as_deref().unwrap_or("")
                ),
            ));
            continue;
        }
        if store.contains_event(id)? {
            plan.already += 1;
            continue;
        }
        match unit(&dir, &mut state, importer, row, id, now) {
            Ok((unit, registered, granted)) => {
                plan.registered += usize::from(registered);
                plan.granted += usize::from(granted);
                plan.units.push(unit);
            }
            Err(problem) => plan.problems.push((row.line, problem)),
        }
    }
    Ok(plan)
}

/// One row's events, folded into `state`; whether it registers its respondent and grants a
/// role. Or what is wrong with it.
fn unit(
    dir: &Pending<'_>,
    state: &mut DocumentState,
    importer: &Participant,
    row: &Row,
    id: EventId,
    now: Timestamp,
) -> Result<(Unit, bool, bool), String> {
    if row.received > now {
        return Err(format!(
            "received {} is later than now ({})",
            row.received.format("%Y-%m-%d %H:%M:%S"),
            now.format("%Y-%m-%d %H:%M:%S")
        ));
    }
    let clause = row
        .clause
        .as_deref()
        .map(|c| state.resolve_clause(c))
        .transpose()
        .map_err(|e| said(&e))?;
    let mut registry = Vec::new();
    let respondent = match dir.participant_by_handle(&row.respondent) {
        Some(p) => {
            if let Some(kind) = row.kind.filter(|k| *k != p.kind) {
                return Err(format!(
                    "respondent '{}' is registered as {}, not {kind}",
                    p.handle, p.kind
                ));
            }
            p
        }
        None => {
            let Some(kind) = row.kind else {
                return Err(format!(
                    "respondent '{}' is not registered; give their kind (and name) to register them",
                    row.respondent
                ));
            };
            let pid = ParticipantId(Uuid::new_v5(
                &NAMESPACE,
                format!("participant|{}", row.respondent).as_bytes(),
            ));
            let name = row.name.clone().unwrap_or_else(|| row.respondent.clone());
            let by = Acting::Participant(importer.id);
            let events = register_participant(dir, by, pid, &row.respondent, &name, kind)
                .map_err(|e| said(&e))?;
            let first = EventId(Uuid::new_v5(
                &NAMESPACE,
                format!("registered|{}", row.respondent).as_bytes(),
            ));
            registry = new_events(first, importer.id, now, events);
            let p = Participant {
                id: pid,
                handle: row.respondent.clone(),
                name,
                kind,
                registered_at: now,
            };
            dir.add(p.clone());
            p
        }
    };
    let version_before = state.version;
    let mut document = Vec::new();
    let mut granted = false;
    if state.roles.get(&respondent.id).is_none_or(|r| r.is_empty()) {
        let Some(role) = role_for(respondent.kind) else {
            return Err(format!(
                "respondent '{}' ({}) holds no role in {} to respond with",
                respondent.handle, respondent.kind, state.slug
            ));
        };
        let grant = Command::GrantRole {
            participant: respondent.id,
            role,
        };
        let events = decide(state, importer.id, dir, grant).map_err(|e| said(&e))?;
        // Appended with the response, in one append, or not at all: its id is the response's.
        let first = EventId(Uuid::new_v5(&id.0, b"granted"));
        let events = new_events(first, importer.id, now, events);
        fold(state, &events);
        document.extend(events);
        granted = true;
    }
    let response = Command::RecordResponse {
        question: row.question,
        clause,
        position: row.position,
        text: row.text.clone(),
        received: row.received,
    };
    let events = match decide(state, respondent.id, dir, response) {
        Ok(events) => new_events(id, respondent.id, now, events),
        Err(e) => {
            // Nothing of this line is kept: undo the grant folded in.
            if granted {
                if let Some(roles) = state.roles.get_mut(&respondent.id) {
                    roles.clear();
                }
            }
            return Err(said(&e));
        }
    };
    fold(state, &events);
    document.extend(events);
    let registers = !registry.is_empty();
    Ok((
        Unit {
            line: row.line,
            registry,
            document,
            version_before,
        },
        registers,
        granted,
    ))
}

/// A refusal in the CLI's words.
fn said(e: &DomainError) -> String {
    crate::error::said(e)
}

/// Events to append, the first with `first` as its id and the others derived from it.
fn new_events(
    first: EventId,
    actor: ParticipantId,
    at: Timestamp,
    events: Vec<Event>,
) -> Vec<NewEvent> {
    events
        .into_iter()
        .enumerate()
        .map(|(i, event)| NewEvent {
            id: if i == 0 {
                first
            } else {
                EventId(Uuid::new_v5(&first.0, i.to_string().as_bytes()))
            },
            recorded_at: at,
            actor,
            event,
        })
        .collect()
}

/// Fold events into the working copy, as the store will when it appends them.
fn fold(state: &mut DocumentState, events: &[NewEvent]) {
    for e in events {
        let r = RecordedEvent {
            seq: state.seq + 1,
            id: e.id,
            stream: StreamId::document(state.id),
            version: state.version + 1,
            recorded_at: e.recorded_at,
            actor: e.actor,
            schema: e.event.schema(),
            prev_hash: Hash::default(),
            hash: Hash::default(),
            event: e.event.clone(),
        };
        state.evolve(&r);
    }
}
