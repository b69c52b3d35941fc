//! `verify`: every key of the store read, and held against the log.
//!
//! Three passes. The log is walked first: sequence numbers without gaps, each hash its event's,
//! each event chained to the one before, stream versions without gaps, the stream and id
//! indexes pointing at it; and its head held against the head anchor (see `anchor`; a store
//! opened damaged carries what its open found). Then every key of the tree is read, so that a
//! page sled cannot read is found whatever it holds, and each value that has a shape is
//! decoded. Last, each document's stream is folded from its first event, and what the read
//! models say of it is compared with the fold: its state at the head, each amendment, the open
//! amendments' index, each snapshot (at the event it was taken after), the per-clause index
//! and the copies of its text changes; and the participants and documents with the registry's
//! fold.
//!
//! A problem with the log itself is data loss and is reported as the first event it touches
//! ([`VerifyReport::problem`]); a read model that does not read back or disagrees with the log
//! is reported by its key ([`VerifyReport::read_models`]): `rebuild` makes them again.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use travaux_core::{
    AmendmentNo, ClauseId, DocumentId, DocumentState, Event, Hash, ParticipantId, Registry,
    StreamId, TokenId,
};
use uuid::Uuid;

use crate::codec;
use crate::contract::Reading;
use crate::keys::{be_u64, key as store_key};
use crate::keys::{CLAUSE_INDEX_KEY, TEXT_INDEX_KEY};
use crate::{Store, StoreError};

/// What `verify` found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// How many events were checked.
    pub events: u64,
    /// Their size as stored (each its hash and its JSON body), in bytes: the record itself,
    /// before packing and without indexes or read models.
    pub bytes: u64,
    /// The last event's sequence number.
    pub head_seq: u64,
    /// The last event's hash.
    pub head_hash: Hash,
    /// The head the anchor holds (see `anchor`): the last event acknowledged as durable.
    pub anchored: u64,
    /// How many keys of the store were read.
    pub keys: u64,
    /// The first problem with the log itself, if any: events lost or altered.
    pub problem: Option<Problem>,
    /// Read models that do not read back or disagree with the log (`rebuild` makes them
    /// again), at most [`MAX_REPORTED`] of them.
    pub read_models: Vec<ReadModelProblem>,
}

/// Where the log breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The first event that does not match (or is missing).
    pub seq: u64,
    /// What is wrong with it.
    pub message: String,
}

/// A read model that does not read back, or says something else than the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReadModelProblem {
    /// Its key, as `verify` tells it (what it is, and whose).
    pub key: String,
    /// What is wrong with it.
    pub message: String,
}

/// How many read-model problems a report lists (a damaged page can hold thousands).
pub const MAX_REPORTED: usize = 100;

impl VerifyReport {
    /// Whether the store is whole: the log and every read model.
    pub fn is_ok(&self) -> bool {
        self.problem.is_none() && self.read_models.is_empty()
    }

    fn read_model(&mut self, key: impl Into<String>, message: impl Into<String>) {
        if self.read_models.len() < MAX_REPORTED {
            self.read_models.push(ReadModelProblem {
                key: key.into(),
                message: message.into(),
            });
        }
    }
}

/// What the registry's read models must hold, folded from the log: the registry proper
/// (participants, documents), the tokens (whom, the digest, revoked or not) and the
/// administrator events (the last one naming each participant).
#[derive(Default)]
struct Folded {
    registry: Registry,
    tokens: BTreeMap<TokenId, (ParticipantId, Hash, bool)>,
    admins: BTreeMap<ParticipantId, bool>,
}

impl Folded {
    fn evolve(&mut self, e: &travaux_core::RecordedEvent) {
        self.registry.evolve(e);
        match &e.event {
            Event::TokenIssued {
                token,
                participant,
                digest,
            } => {
                self.tokens.insert(*token, (*participant, *digest, false));
            }
            Event::TokenRevoked { token } => {
                if let Some(t) = self.tokens.get_mut(token) {
                    t.2 = true;
                }
            }
            Event::AdminGranted { participant } => {
                self.admins.insert(*participant, true);
            }
            Event::AdminRevoked { participant } => {
                self.admins.insert(*participant, false);
            }
            _ => {}
        }
    }
}

/// The JSON of a value, for comparing what a read model holds with the fold (caches the state
/// keeps in memory only are not part of it).
fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

impl Store {
    /// Read every key of the store and hold it against the log (see the module
    /// documentation). Damage to the log is [`VerifyReport::problem`]; damage to read models
    /// is listed in [`VerifyReport::read_models`]. Errors only if the store cannot be read
    /// at all.
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        let (mut report, documents, registry) = self.verify_log()?;
        if report.problem.is_none() {
            if let Some(why) = self.damage() {
                report.problem = Some(Problem {
                    seq: report.head_seq + 1,
                    message: why,
                });
            }
        }
        self.verify_keys(&mut report);
        if report.problem.is_none() {
            for doc in documents {
                if let Err(e) = self.verify_document(&mut report, doc) {
                    report.read_model(
                        format!("document {doc}"),
                        format!("its read models do not read back: {e}"),
                    );
                }
            }
            self.verify_registry(&mut report, &registry);
        }
        Ok(report)
    }

    /// Walk the whole log: sequence numbers without gaps, every hash the hash of its event,
    /// every event holding the hash of the one before, stream versions without gaps and the
    /// indexes pointing at the right events. Stops at the first event that does not match.
    /// Returns the report so far, the documents of the log and the registry's fold.
    fn verify_log(&self) -> Result<(VerifyReport, BTreeSet<DocumentId>, Folded), StoreError> {
        let mut expected_seq = 1;
        let mut prev = Hash::default();
        let mut bytes = 0;
        let mut versions: HashMap<StreamId, u64> = HashMap::new();
        let mut documents = BTreeSet::new();
        let mut registry = Folded::default();
        let mut problem = None;
        for stored in self.db.events_from(1, Reading::Whole) {
            let mut fail = |seq: u64, message: String| {
                problem = Some(Problem { seq, message });
            };
            let stored = match stored {
                Ok(stored) => stored,
                Err(StoreError::Corrupt(m) | StoreError::Damaged(m) | StoreError::Engine(m)) => {
                    fail(expected_seq, m);
                    break;
                }
                Err(e) => return Err(e),
            };
            let (seq, v) = (stored.seq, stored.bytes());
            let size = v.len() as u64;
            if seq != expected_seq {
                fail(
                    expected_seq,
                    format!("event {expected_seq} is missing (the next stored is {seq})"),
                );
                break;
            }
            let checked = match codec::check(v) {
                Ok(c) => c,
                Err(e) => {
                    fail(seq, format!("does not decode: {e}"));
                    break;
                }
            };
            let e = &checked.event;
            if !checked.hash_matches {
                fail(
                    seq,
                    "its content does not match its hash: it was altered after it was written"
                        .into(),
                );
                break;
            }
            if e.seq != seq {
                fail(seq, format!("it says it is event {}", e.seq));
                break;
            }
            if e.prev_hash != prev {
                fail(
                    seq,
                    format!(
                        "it chains to {} but the event before it hashes to {prev}",
                        e.prev_hash
                    ),
                );
                break;
            }
            let v = versions.entry(e.stream).or_insert(0);
            if e.version != *v + 1 {
                fail(
                    seq,
                    format!(
                        "it is version {} of stream {}, which was at version {}",
                        e.version, e.stream, v
                    ),
                );
                break;
            }
            *v += 1;
            let indexed = self
                .db
                .stream_seqs(e.stream, e.version, e.version)
                .next()
                .and_then(Result::ok)
                .map(|(_, seq)| seq);
            let by_id = self.by_id(e.id).ok().flatten().map(|(seq, _)| seq);
            if indexed != Some(seq) || by_id != Some(seq) {
                fail(seq, "the stream or id index does not point at it".into());
                break;
            }
            if e.stream != StreamId::REGISTRY {
                documents.insert(DocumentId(e.stream.0));
            }
            registry.evolve(e);
            prev = e.hash;
            bytes += size;
            expected_seq += 1;
        }
        let events = expected_seq - 1;
        let mut report = VerifyReport {
            events,
            bytes,
            head_seq: events,
            head_hash: prev,
            anchored: self.anchored().seq,
            keys: 0,
            problem,
            read_models: Vec::new(),
        };
        if report.problem.is_some() {
            return Ok((report, documents, registry));
        }
        // Every event has exactly one stream entry and one id entry pointing at it (checked
        // above); any other entry is a stray that would mix events into a stream.
        match self.db.index_entries() {
            Ok((streams, ids)) => {
                for (entries, what) in [(streams, "stream"), (ids, "event id")] {
                    if entries != events {
                        report.problem = Some(Problem {
                            seq: events + 1,
                            message: format!(
                                "the {what} index has {entries} entries for {events} events: the indexes were altered"
                            ),
                        });
                        break;
                    }
                }
            }
            Err(StoreError::Corrupt(m) | StoreError::Damaged(m)) => {
                report.problem = Some(Problem {
                    seq: events + 1,
                    message: m,
                })
            }
            Err(e) => return Err(e),
        }
        Ok((report, documents, registry))
    }

    /// Read every key of the tree, and decode the values whose shape is plain.
    fn verify_keys(&self, report: &mut VerifyReport) {
        let mut last: Option<Vec<u8>> = None;
        for kv in self.db.scan_prefix(&[]) {
            let (k, v) = match kv {
                Ok(kv) => kv,
                Err(e) => {
                    let after = last.as_deref().map_or("the first key".into(), describe);
                    let message = format!(
                        "{} cannot read the store's data after {after}: {e}",
                        self.db.name()
                    );
                    // What the unreadable page held is unknown: it may be the log's.
                    if report.problem.is_none() {
                        report.problem = Some(Problem {
                            seq: report.head_seq + 1,
                            message,
                        });
                    }
                    return;
                }
            };
            // Checkpoints and their key, in an engine with no directory: kept beside the log
            // (as a sled store's files are), neither the log nor derived from it.
            if crate::checkpoint::kept_beside(&k) {
                last = Some(k.to_vec());
                continue;
            }
            report.keys += 1;
            let decodes = match k.first() {
                Some(b'p') => serde_json::from_slice::<travaux_core::Participant>(&v).err(),
                Some(b'g') => serde_json::from_slice::<travaux_core::DocumentEntry>(&v).err(),
                Some(b'N') => serde_json::from_slice::<travaux_core::Timestamp>(&v).err(),
                _ => None,
            };
            if let Some(e) = decodes {
                report.read_model(describe(&k), format!("does not decode: {e}"));
            }
            let shape_ok = match k.first() {
                Some(b'q') => std::str::from_utf8(&v).is_ok(),
                Some(b'T') => v.len() == 32,
                Some(b'o') => v.is_empty(),
                Some(b'K') => v.len().is_multiple_of(8) && k.len() == 37,
                _ => true,
            };
            if !shape_ok {
                report.read_model(describe(&k), "is malformed");
            }
            last = Some(k.to_vec());
        }
    }

    /// Fold one document's stream and compare its read models with the fold.
    fn verify_document(
        &self,
        report: &mut VerifyReport,
        doc: DocumentId,
    ) -> Result<(), StoreError> {
        let d = doc.0.as_bytes();
        // The snapshots kept of it, by the event each was taken after.
        let mut snapshots = BTreeSet::new();
        for kv in self.db.scan_prefix(&store_key(b'N', &[d])) {
            let (k, _) = kv?;
            snapshots.insert(be_u64(&k[17..25])?);
        }
        let mut state: Option<DocumentState> = None;
        let mut clauses: BTreeMap<ClauseId, Vec<u64>> = BTreeMap::new();
        let mut texts: Vec<(u64, Hash)> = Vec::new();
        for e in self.stream(StreamId::document(doc)) {
            let e = e?;
            // A snapshot at a tag is taken before the tag is folded in.
            DocumentState::fold(&mut state, &e);
            for clause in e.event.clauses() {
                clauses.entry(clause).or_default().push(e.seq);
            }
            if !e.event.ops().is_empty() {
                texts.push((e.seq, e.hash));
            }
            if snapshots.remove(&e.seq) {
                let key = format!("snapshot of document {doc} after event {}", e.seq);
                match self.snapshot(doc, e.seq) {
                    Ok(snap) => {
                        let fold = state.as_ref().map(DocumentState::open_copy);
                        if json(&Some(snap)) != json(&fold) {
                            report.read_model(key, "differs from the fold of the log");
                        }
                    }
                    Err(e) => report.read_model(key, format!("does not read back: {e}")),
                }
            }
        }
        for seq in snapshots {
            report.read_model(
                format!("snapshot of document {doc} after event {seq}"),
                "names an event that is not the document's",
            );
        }
        let Some(state) = state else {
            return Ok(());
        };
        // The head, amendments aside.
        let key = format!("read model of document {doc}");
        // Read as it is stored (a read for an answer replays the stream if it is damaged).
        let stored = self
            .open_amendments(doc)
            .and_then(|open| self.load_document(doc, open.as_deref()));
        match stored {
            Ok(Some((read, _))) => {
                if json(&read.with_open_amendments_only()) != json(&state.open_copy()) {
                    report.read_model(key, "differs from the fold of the log");
                }
            }
            Ok(None) => report.read_model(key, "is missing"),
            Err(e) => report.read_model(key, format!("does not read back: {e}")),
        }
        // Every amendment, and the index of the open ones.
        for (no, a) in &state.amendments {
            let key = format!("amendment {no} of document {doc}");
            match self.amendment(doc, *no) {
                Ok(Some(read)) if json(&read) == json(a) => {}
                Ok(Some(_)) => report.read_model(key, "differs from the fold of the log"),
                Ok(None) => report.read_model(key, "is missing"),
                Err(e) => report.read_model(key, format!("does not read back: {e}")),
            }
        }
        let mut open: BTreeSet<AmendmentNo> = BTreeSet::new();
        for kv in self.db.scan_prefix(&store_key(b'o', &[d])) {
            let (k, _) = kv?;
            if let Some(no) = k.get(17..21) {
                open.insert(AmendmentNo(u32::from_be_bytes(no.try_into().expect("4"))));
            }
        }
        let held: BTreeSet<AmendmentNo> = state
            .amendments
            .values()
            .filter(|a| a.status.is_open())
            .map(|a| a.no)
            .collect();
        if self.db.contains_key(CLAUSE_INDEX_KEY)? && open != held {
            report.read_model(
                format!("index of the open amendments of document {doc}"),
                format!(
                    "lists {} open amendments where the log has {}",
                    open.len(),
                    held.len()
                ),
            );
        }
        // The per-clause index.
        if self.db.contains_key(CLAUSE_INDEX_KEY)? {
            let mut indexed: BTreeMap<ClauseId, Vec<u64>> = BTreeMap::new();
            for kv in self.db.scan_prefix(&store_key(b'K', &[d])) {
                let (k, v) = kv?;
                let Some(clause) = k.get(17..33).and_then(|c| Uuid::from_slice(c).ok()) else {
                    continue;
                };
                indexed.entry(ClauseId(clause)).or_default().extend(
                    v.chunks_exact(8)
                        .map(|b| u64::from_be_bytes(b.try_into().expect("8 bytes"))),
                );
            }
            for (clause, seqs) in clauses.iter() {
                if indexed.remove(clause).as_ref() != Some(seqs) {
                    report.read_model(
                        format!("history index of clause {clause} of document {doc}"),
                        "differs from the events of the log that bear on the clause",
                    );
                }
            }
            for clause in indexed.keys() {
                report.read_model(
                    format!("history index of clause {clause} of document {doc}"),
                    "names a clause no event of the log bears on",
                );
            }
        }
        // The copies of the text changes.
        if self.db.contains_key(TEXT_INDEX_KEY)? {
            let key = format!("index of the text changes of document {doc}");
            let copies: Result<Vec<(u64, Hash)>, StoreError> = self
                .text_events(doc)?
                .map(|e| e.map(|e| (e.seq, e.hash)))
                .collect();
            match copies {
                Ok(copies) if copies == texts => {}
                Ok(_) => report.read_model(key, "differs from the text changes of the log"),
                Err(e) => report.read_model(key, format!("does not read back: {e}")),
            }
        }
        Ok(())
    }

    /// The participants, documents, tokens and administrators read models against the
    /// registry's fold.
    fn verify_registry(&self, report: &mut VerifyReport, folded: &Folded) {
        let registry = &folded.registry;
        match self.tokens() {
            Ok(read) => {
                let read: BTreeMap<TokenId, (ParticipantId, bool)> = read
                    .into_iter()
                    .map(|t| (t.token, (t.participant, t.revoked)))
                    .collect();
                let fold: BTreeMap<TokenId, (ParticipantId, bool)> = folded
                    .tokens
                    .iter()
                    .map(|(t, (p, _, revoked))| (*t, (*p, *revoked)))
                    .collect();
                if read != fold {
                    report.read_model("tokens", "differ from the registry's events");
                }
            }
            Err(e) => report.read_model("tokens", format!("do not read back: {e}")),
        }
        // Each token in force is found by its digest (how a request is authenticated), and
        // no other digest is.
        let mut digests = 0;
        for (token, (participant, digest, revoked)) in &folded.tokens {
            if *revoked {
                continue;
            }
            digests += 1;
            let mut want = token.0.as_bytes().to_vec();
            want.extend_from_slice(participant.0.as_bytes());
            match self.db.get(&store_key(b'T', &[&digest.0])) {
                Ok(Some(v)) if v.as_slice() == want.as_slice() => {}
                Ok(_) => report.read_model(
                    format!("token digest of token {token}"),
                    "is missing or names another token",
                ),
                Err(e) => report.read_model(
                    format!("token digest of token {token}"),
                    format!("does not read back: {}", e),
                ),
            }
        }
        let stored = self.db.scan_prefix(b"T").count();
        if stored != digests {
            report.read_model(
                "token digests",
                format!("{stored} are stored for {digests} tokens in force"),
            );
        }
        let mut admins = BTreeMap::new();
        for kv in self.db.scan_prefix(b"R") {
            match kv {
                Ok((k, v)) => {
                    if let Some(id) = k.get(1..).and_then(|b| Uuid::from_slice(b).ok()) {
                        admins.insert(ParticipantId(id), v.first() == Some(&1));
                    }
                }
                Err(e) => {
                    report.read_model("administrators", format!("do not read back: {}", e));
                    break;
                }
            }
        }
        if admins != folded.admins {
            report.read_model("administrators", "differ from the registry's events");
        }
        match self.participants_model() {
            Ok(mut read) => {
                let mut fold: Vec<_> = registry.participants().cloned().collect();
                read.sort_by(|a, b| a.handle.cmp(&b.handle));
                fold.sort_by(|a, b| a.handle.cmp(&b.handle));
                if json(&read) != json(&fold) {
                    report.read_model("participants", "differ from the registry's events");
                }
            }
            Err(e) => report.read_model("participants", format!("do not read back: {e}")),
        }
        match self.documents_model() {
            Ok(mut read) => {
                let mut fold: Vec<_> = registry.documents().cloned().collect();
                read.sort_by(|a, b| a.slug.cmp(&b.slug));
                fold.sort_by(|a, b| a.slug.cmp(&b.slug));
                if json(&read) != json(&fold) {
                    report.read_model("documents", "differ from the registry's events");
                }
            }
            Err(e) => report.read_model("documents", format!("do not read back: {e}")),
        }
    }
}

/// A key as `verify` tells it: what it holds, and whose.
fn describe(k: &[u8]) -> String {
    let uuid = |at: usize| {
        k.get(at..at + 16)
            .and_then(|b| Uuid::from_slice(b).ok())
            .map_or("?".into(), |u| u.to_string())
    };
    let seq = |at: usize| k.get(at..at + 8).and_then(|b| be_u64(b).ok()).unwrap_or(0);
    match k.first() {
        Some(b'L') => format!("log block {} (events from {})", seq(1), seq(1) * 16 + 1),
        Some(b'S') => format!("stream index of {}", uuid(1)),
        Some(b'I') => "event-id index".into(),
        Some(b'd') => format!("read model of document {}", uuid(1)),
        Some(b'A') => format!("amendments of document {}", uuid(1)),
        Some(b'o') => format!("open-amendment index of document {}", uuid(1)),
        Some(b'K') => format!(
            "history index of clause {} of document {}",
            uuid(17),
            uuid(1)
        ),
        Some(b'X') => format!("text-change index of document {}", uuid(1)),
        Some(b'N' | b'n') => format!("snapshot of document {} after event {}", uuid(1), seq(17)),
        Some(b'p') => format!("participant {}", String::from_utf8_lossy(&k[1..])),
        Some(b'q') => format!("handle of participant {}", uuid(1)),
        Some(b'g') => format!("document entry {}", String::from_utf8_lossy(&k[1..])),
        Some(b't') => format!("token {}", uuid(1)),
        Some(b'T') => "token digest".into(),
        Some(b'R') => format!("administrator record of participant {}", uuid(1)),
        Some(b'm') => format!("marker {}", String::from_utf8_lossy(&k[1..])),
        _ => format!("key {k:02x?}"),
    }
}
