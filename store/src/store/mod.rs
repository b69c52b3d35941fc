//! `Store`: the rules of the log and its read models, over any engine of the contract
//! (`crate::contract`). The files: `append.rs` writes, `reads.rs` reads the log and the
//! registry, `documents.rs` the documents (head, views, snapshots, `Walk`), `read_models.rs`
//! what an append writes beside its events, `rebuild.rs` makes them all again.
//!
//! The log is the engine's (sled keeps it in blocks under `L`, `S` and `I`: see `sled::log`;
//! PostgreSQL in its `events` table). The read models are keys of the engine's ordered map, all
//! written in the same commit as the events they follow:
//!
//! | prefix | key | value |
//! | --- | --- | --- |
//! | `d` | document id (16) ++ chunk (u32 BE) | read model: the document's state at most 63 events behind its head (rewritten once the stream is 64 past it; a read folds the events after it), amendments aside (JSON, in chunks of at most 64 KiB) |
//! | `A` | document id (16) ++ block (u32 BE) | read model: eight amendments (see `amendments`) |
//! | `o` | document id (16) ++ amendment (u32 BE) | index of the amendments still open (empty) |
//! | `K` | document id (16) ++ clause id (16) ++ block (u32 BE) | index of the events bearing on a clause's wording: their seqs (u64 BE), 256 per block |
//! | `X` | document id (16) ++ block (u32 BE) | index of the events that change the text (those with clause operations): the stored events again, 16 per block, packed |
//! | `N` | document id (16) ++ seq (u64 BE) | a snapshot's header: the time of its last event (one every 1,000 events of a document, and one at each tag) |
//! | `n` | document id (16) ++ seq (u64 BE) ++ chunk (u32 BE) | snapshot: the document after event seq, open amendments only (JSON chunks) |
//! | `p` | participant handle | read model: the participant (JSON) |
//! | `q` | participant id (16) | its handle |
//! | `g` | document slug | read model: the document entry (JSON) |
//! | `t` | token id (16) | read model: the token (JSON: participant, digest, when issued, revoked or not) |
//! | `T` | token digest (32) | token id (16) ++ participant id (16), for tokens not revoked |
//! | `R` | participant id (16) | read model: `1` if the last admin event naming it granted the role, `0` if it revoked it |
//! | `m` | `format` | the store format |
//!
//! Every one of them is a cache that `rebuild` refills.
//!
//! # Writers, group commit, and what a reader sees
//!
//! An append takes the writer lock (`head`), checks the expected version and calls `decide`
//! against the latest state (an engine shared by several processes takes its own lock in
//! `Engine::begin_write` and tells the head the others left), writes its events, indexes and
//! read models in one `Engine::commit` (which assigns the next sequence numbers), notes the last
//! of them in `applied` and releases the lock. It then waits in `durable_through` until the log
//! is durable up to its last event: the first waiter to find no sync running becomes the one
//! that syncs, reads `applied`, runs `Engine::sync` (sled: `flush` and the `fsync` of
//! `<dir>/db`; PostgreSQL's commit was durable already), and records `applied` (as read before
//! the sync) as the durable head; the others wait on the `synced` condvar and return at once if that sync
//! covered them, or take the next turn. While one thread is in its fsync, the appends that
//! arrive are decided and applied, and the next sync covers them all: N concurrent appends
//! pay far fewer than N fsyncs, yet none returns before its events are durable. A retried
//! append (same event id) returns its stored events only once they are durable too.
//!
//! A sync that fails is reported to every append waiting on it or after it
//! ([`StoreError::NotDurable`]); the store then refuses new appends
//! ([`StoreError::SyncFailed`]) until reopened, since what that sync covered may be lost
//! and later events would chain to it.
//!
//! Readers do not take the writer lock. `events_from`, `stream`, `event`, `document` and the
//! read models may return events that are applied but not yet durable: their append has not
//! returned, and a crash before the next sync can lose them (and every later one). A reader
//! that must show only acknowledged events — a live stream of the log sent to clients —
//! reads up to [`Store::durable_head`] and no further, then waits for more with
//! [`Store::wait_for_durable`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use travaux_core::{
    document_of, participant_of, Amendment, AmendmentNo, ClauseId, Cut, Directory, DocumentEntry,
    DocumentId, DocumentState, DomainError, Event, EventId, Hash, NewEvent, Participant,
    ParticipantId, RecordedEvent, StreamId, Timestamp, TokenId,
};
use uuid::Uuid;

use crate::amendments::{self, AmendmentWrite, Amendments};
use crate::codec;
use crate::contract::log_head;
use crate::contract::{
    Batch, Engine, EventReader, Head as Anchored, Location, LogEntry, Reading, Tree,
};
use crate::keys::{
    be_u32, be_u64, block_events, key, push_entry, AMENDMENT_BLOCKS_KEY, CLAUSE_INDEX_KEY,
    RESTORING_KEY, TEXT_INDEX_KEY,
};
use crate::packed;
pub use crate::sled::compact::Compacted;
use crate::StoreError;

mod append;
mod documents;
mod read_models;
mod reads;
mod rebuild;

pub use self::documents::Walk;
use self::documents::*;
use self::read_models::*;

const READ_MODEL_PREFIXES: [u8; 13] = [
    b'A', b'd', b'p', b'q', b'g', b'o', b'n', b'N', b'K', b'X', b't', b'T', b'R',
];
/// The read models `rebuild` rewrites in batches as it reads the log: indexes guarded by a
/// marker, snapshots, and amendments (each written once closed; a document's read model that
/// does not find all of its amendments replays the stream instead).
const REBUILT_AS_READ: [u8; 5] = [b'K', b'X', b'n', b'N', b'A'];
/// How many events of a clause's history one `K` block holds.
const CLAUSE_BLOCK: usize = 256;
/// How many text changes one `X` block holds (packed together, as the log's blocks are).
const TEXT_BLOCK: usize = 16;
/// How many events (or removed keys) `rebuild` writes per batch.
const REBUILD_BATCH: u64 = 10_000;
/// How many events a [`Walk`] would have to fold before it looks for a snapshot ahead.
const WALK_JUMP: u64 = 64;
/// A snapshot of a document is written after every multiple of this many events of its stream,
/// by an append (wherever the multiple falls in its batch) and by a rebuild alike: a view folds
/// fewer than this many events after its snapshot.
const SNAPSHOT_EVERY: u64 = 1_000;
/// How far a document's read model (`d`) may trail its stream: an append rewrites it once the
/// stream is this many events past it, and a read folds the events after it. A command on a
/// large document then writes its events and the amendments they change, not the whole
/// document (573 KB of JSON at 1,000,000 events).
const HEAD_EVERY: u64 = 64;
/// How many times a read of a document's head is made again when appends moved its stream
/// while it was read, before the stream is replayed instead.
const READ_RETRIES: u32 = 8;
/// How many documents the writer keeps as its last writes left them (see [`Writer::documents`]).
const DOCUMENTS_KEPT: usize = 16;
/// How often a reader following the log asks an engine shared by several processes for its head.
const SHARED_POLL: Duration = Duration::from_millis(50);
/// The largest value a read model writes: well below sled's ~128 KiB blob threshold.
const READ_MODEL_CHUNK: usize = 64 * 1024;

/// The stream version an append expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Expected {
    /// Whatever it is.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream must be at exactly this version.
    Exact(u64),
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expected::Any => f.write_str("any"),
            Expected::NoStream => f.write_str("no stream"),
            Expected::Exact(v) => write!(f, "{v}"),
        }
    }
}

/// The time an append records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// The wall clock's reading: if it is behind the last event (a clock stepped back), the
    /// last event's time is used, so the log never goes back in time.
    Now(Timestamp),
    /// A time the user gave, for entering a past negotiation: it must not be earlier than the
    /// last event.
    At(Timestamp),
}

/// What an append wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    /// The events, as stored.
    pub events: Vec<RecordedEvent>,
    /// Whether they were already in the log (a retried append): nothing new was written.
    pub duplicate: bool,
    /// The document as the write left it (a newly decided write to a document), with the
    /// amendments still open and those the write read or changed; `None` otherwise.
    pub document: Option<Arc<DocumentState>>,
}

/// A write to a document or the registry, decided under the writer lock.
#[derive(Clone, Copy, Debug)]
pub struct Write {
    /// The stream written to.
    pub stream: StreamId,
    /// The version expected, or `Any`.
    pub expected: Expected,
    /// Who acts.
    pub actor: ParticipantId,
    /// When.
    pub clock: Clock,
    /// The id of the first event; later ones are derived from it, so a retry names them all.
    pub event_id: EventId,
    /// A fingerprint of the request (see [`fingerprint`]): a retry with the same event id
    /// must carry the same one, or it is a different write reusing the id and is refused.
    pub request: Hash,
}

/// The fingerprint of a request, for [`Write::request`]: SHA-256 of a canonical form of it.
pub fn fingerprint(canonical: &[u8]) -> Hash {
    Hash(Sha256::digest(canonical).into())
}

/// A bearer token as the store lists it: never the token, nor its digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenEntry {
    /// Its id, to name it when revoking.
    pub token: TokenId,
    /// Whom it authenticates.
    pub participant: ParticipantId,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// Whether it was revoked (a revoked token authenticates no one).
    pub revoked: bool,
}

struct Writer {
    next_seq: u64,
    hash: Hash,
    last_time: Option<Timestamp>,
    /// Why the last event does not read back, if it does not: nothing is appended to a log
    /// whose tail is damaged, but it can still be read and verified.
    damaged: Option<String>,
    /// Documents as this process's last writes left them, so that the next write to one starts
    /// from there instead of reading its read model: every amendment held is as the log has it
    /// at the document's head (a write loads each amendment its events change before folding
    /// them). Kept under the writer lock, so only writers see it; an entry is taken out for a
    /// write and put back once the write is applied, or refused (nothing written).
    documents: HashMap<DocumentId, Kept>,
}

impl Writer {
    /// Keep a document as a write left it, or found it if the write was refused (see
    /// [`Writer::documents`]).
    fn keep(&mut self, state: Arc<DocumentState>, checkpoint: Option<u64>) {
        if self.documents.len() >= DOCUMENTS_KEPT && !self.documents.contains_key(&state.id) {
            self.documents.clear();
        }
        self.documents.insert(state.id, Kept { state, checkpoint });
    }
}

/// Where a write starts: the stream and its version, and for a document its state at the head
/// and the version its read model holds (`None` if it has none to go on from).
struct Start {
    stream: StreamId,
    version: u64,
    state: Option<DocumentState>,
    checkpoint: Option<u64>,
}

/// A document the writer keeps (see [`Writer::documents`]).
struct Kept {
    state: Arc<DocumentState>,
    /// The version the document's read model (`d`) holds, if it has one.
    checkpoint: Option<u64>,
}

/// How far the log is durable, shared by the appends waiting for it (group commit).
struct Durability {
    /// Every event up to this sequence number is durable.
    durable: u64,
    /// Whether a thread is flushing and fsyncing now (the others wait for it).
    syncing: bool,
    /// Why a flush or fsync failed, once one has: what it covered may or may not be on disk,
    /// so nothing after it is acknowledged and nothing more is appended until the store is
    /// reopened.
    failed: Option<String>,
}

/// The event store of one directory. One process opens it at a time; within it, one `Store`
/// may be shared by any number of threads (see the crate documentation).
pub struct Store {
    /// The engine that keeps the log and the read models (see `contract`).
    pub(crate) db: Box<dyn Engine>,
    /// The writer lock: held to decide and apply an append, not to make it durable.
    head: Mutex<Writer>,
    /// The last event applied to the tree, durable or not: set under the writer lock after each
    /// append's `apply_batch`, read by the syncing thread before it flushes.
    applied: Mutex<Anchored>,
    durability: Mutex<Durability>,
    /// Signalled whenever a sync ends (the durable head moved, or a sync failed).
    synced: Condvar,
}

// One `Store` is shared by the threads of a server: keep it so.
const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<Store>();
};

/// A write begun with [`Engine::begin_write`]: committed once, or else ended without writing
/// when dropped (a refusal, an error, a retry answered from the log).
struct Turn<'a> {
    db: &'a dyn Engine,
    open: bool,
}

impl Turn<'_> {
    fn commit(
        mut self,
        after: Anchored,
        events: &[LogEntry<'_>],
        batch: Batch,
    ) -> Result<(), StoreError> {
        self.open = false;
        self.db.commit(after, events, batch)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if self.open {
            self.db.abort_write();
        }
    }
}

/// Ends a sync turn if the syncing thread panics, so that those waiting for it do not wait
/// forever: they are told the events were not made durable.
struct SyncTurn<'a>(&'a Store);

impl Drop for SyncTurn<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut d = self.0.durability();
            d.syncing = false;
            d.failed
                .get_or_insert_with(|| "the thread making the log durable panicked".into());
            self.0.synced.notify_all();
        }
    }
}

impl Store {
    /// Create a store at `at` (a new or empty directory, or a database with no travaux store
    /// in it yet), or open it if it is one already. Returns the store and whether it was
    /// created.
    pub fn create(at: impl Into<Location>) -> Result<(Store, bool), StoreError> {
        let at = at.into();
        let markers = [CLAUSE_INDEX_KEY, TEXT_INDEX_KEY, AMENDMENT_BLOCKS_KEY];
        let (engine, created): (Box<dyn Engine>, bool) = match &at {
            Location::Dir(path) => {
                let (engine, created) =
                    crate::catch(|| crate::sled::SledEngine::create(path, &markers))?;
                (Box::new(engine), created)
            }
            Location::Postgres(url) => {
                let (engine, created) = crate::postgres::PgEngine::create(url, &markers)?;
                (Box::new(engine), created)
            }
        };
        let store = Self::with_engine(engine)?.refuse_if_damaged()?;
        if !created {
            store.rebuild_if_incomplete()?;
        }
        Ok((store, created))
    }

    /// Open the store at `at`. A damaged store — its log ends before the head its anchor
    /// recorded, its anchor is gone, the last block of its log does not read back — is refused
    /// ([`StoreError::Damaged`]): its answers would be those of an earlier log.
    pub fn open(at: impl Into<Location>) -> Result<Store, StoreError> {
        Self::open_to_verify(at)?.refuse_if_damaged()
    }

    /// Open the store at `at` even if it is damaged, to tell what it holds: `verify` reports
    /// the damage ([`Store::damage`]); every append is refused.
    pub fn open_to_verify(at: impl Into<Location>) -> Result<Store, StoreError> {
        let at = at.into();
        let engine: Box<dyn Engine> = match &at {
            Location::Dir(path) => Box::new(crate::catch(|| crate::sled::SledEngine::open(path))?),
            Location::Postgres(url) => Box::new(crate::postgres::PgEngine::open(url)?),
        };
        crate::catch(|| {
            let store = Self::with_engine(engine)?;
            store.rebuild_if_incomplete()?;
            Ok(store)
        })
    }

    /// The store over an engine just opened: its head is the log's last event.
    fn with_engine(db: Box<dyn Engine>) -> Result<Store, StoreError> {
        if db.contains_key(RESTORING_KEY)? {
            return Err(StoreError::Damaged(format!(
                "{} holds a restore that did not finish (it was interrupted): run `travaux restore` into it again, which replaces it",
                db.location()
            )));
        }
        let (logged, last_time, damaged) = log_head(db.last_event())?;
        let damaged = db.damage().or(damaged);
        Ok(Store {
            db,
            head: Mutex::new(Writer {
                next_seq: logged.seq + 1,
                hash: logged.hash,
                last_time,
                damaged,
                documents: HashMap::new(),
            }),
            applied: Mutex::new(logged),
            durability: Mutex::new(Durability {
                durable: logged.seq,
                syncing: false,
                failed: None,
            }),
            synced: Condvar::new(),
        })
    }

    /// The damage found when the store was opened, if any.
    pub fn damage(&self) -> Option<String> {
        self.writer().damaged.clone()
    }

    /// The sled engine, when the store is on sled, for what only it does.
    pub(crate) fn sled(&self) -> Option<&crate::sled::SledEngine> {
        self.db.as_any().downcast_ref()
    }

    /// The head the anchor holds (a store with no anchor: the head known durable).
    pub(crate) fn anchored(&self) -> Anchored {
        match self.sled() {
            Some(sled) => sled.anchored(),
            None => {
                let seq = self.durable_head();
                let (head, hash) = self.head();
                Anchored {
                    seq,
                    hash: if seq == head { hash } else { Hash::default() },
                }
            }
        }
    }

    fn refuse_if_damaged(self) -> Result<Store, StoreError> {
        match self.damage() {
            Some(why) => Err(StoreError::Damaged(why)),
            None => Ok(self),
        }
    }

    /// Let go of the store in a process about to exit: flush whatever sled holds (every
    /// acknowledged append is durable already), then leave its caches to the exit rather than
    /// freeing them one by one, which costs a command on a large store as much as reading its
    /// answer (sled's page table grows with the store: 60 ms at 1,000,000 events).
    pub fn close_for_exit(self) -> Result<(), StoreError> {
        if let Some(sled) = self.sled() {
            sled.flush()?;
        }
        std::mem::forget(self);
        Ok(())
    }

    /// Write the store again into a new one that takes its place (see `sled::compact`): the
    /// same keys and bytes, each written once, so that the store is about the size of what it
    /// holds and opens without the free space sled leaves behind. Consumes the store: open it
    /// again to go on (in this process, once sled has let go of its lock). A PostgreSQL store
    /// is compacted by PostgreSQL (autovacuum): it is refused.
    pub fn compact(self) -> Result<Compacted, StoreError> {
        let Some(sled) = self.sled() else {
            return Err(StoreError::Compaction(format!(
                "{} is a {} store, which its database compacts itself (VACUUM); travaux compacts sled stores only",
                self.location(),
                self.db.name()
            )));
        };
        let writer = self.writer();
        self.refuse_unsynced()?;
        let compacted = sled.compact()?;
        drop(writer);
        drop(self);
        Ok(compacted)
    }

    /// Where the store is.
    pub fn location(&self) -> &Location {
        self.db.location()
    }

    /// The directory the store lives in, for a sled store.
    pub fn dir(&self) -> Option<&Path> {
        self.db.location().dir()
    }

    /// The engine that keeps it: `sled` or `postgres`.
    pub fn engine(&self) -> &'static str {
        self.db.name()
    }

    /// The last event's sequence number (0 for an empty log) and hash. With concurrent
    /// appends, the last event may not be durable yet (see [`Store::durable_head`]).
    pub fn head(&self) -> (u64, Hash) {
        let h = self.writer();
        (h.next_seq - 1, h.hash)
    }

    /// The writer lock. A panic while it was held (in a caller's `decide`) leaves `Head`
    /// whole, since it changes only after `apply_batch` succeeds: the lock is taken anyway.
    fn writer(&self) -> MutexGuard<'_, Writer> {
        self.head.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn durability(&self) -> MutexGuard<'_, Durability> {
        self.durability
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The highest sequence number known durable: every event up to it survives a crash.
    /// Events after it may already be readable (applied, their sync not yet done); a live
    /// stream of the log stops here and waits with [`Store::wait_for_durable`].
    pub fn durable_head(&self) -> u64 {
        let local = self.durability().durable;
        match self.db.shared_head() {
            Ok(Some(shared)) => local.max(shared.seq),
            _ => local,
        }
    }

    /// Block until the durable head is past `after`, or `timeout` has passed; return the
    /// durable head. Wakes as soon as an append from any thread makes events after `after`
    /// durable, so a reader can follow the log without polling; on an engine shared by several
    /// processes, what the others append is seen by asking the engine every [`SHARED_POLL`].
    pub fn wait_for_durable(&self, after: u64, timeout: Duration) -> u64 {
        let deadline = Instant::now().checked_add(timeout);
        let shared = self.db.shared_head().ok().flatten().is_some();
        loop {
            let now = self.durable_head();
            if now > after {
                return now;
            }
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            if left.is_zero() {
                return now;
            }
            let wait = if shared { left.min(SHARED_POLL) } else { left };
            let d = self.durability();
            if d.durable <= after {
                drop(
                    self.synced
                        .wait_timeout(d, wait)
                        .unwrap_or_else(PoisonError::into_inner),
                );
            }
        }
    }

    /// Return once every event up to `seq` is durable: group commit. Whoever finds no sync
    /// under way flushes and fsyncs everything applied so far and records it as durable;
    /// appends that land meanwhile wait and are covered by the next sync, so concurrent
    /// appends share fsyncs. If a sync fails, every append it covered, and every later one,
    /// is told its events may not be durable.
    fn durable_through(&self, seq: u64) -> Result<(), StoreError> {
        let mut d = self.durability();
        loop {
            if d.durable >= seq {
                return Ok(());
            }
            if let Some(why) = &d.failed {
                return Err(StoreError::NotDurable(why.clone()));
            }
            if d.syncing {
                d = self.synced.wait(d).unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            d.syncing = true;
            drop(d);
            let turn = SyncTurn(self);
            // Read before the flush: whatever was applied by then, the flush covers.
            let target = *self.applied();
            let outcome = self.make_durable_through(target);
            d = self.durability();
            d.syncing = false;
            match outcome {
                Ok(()) => d.durable = d.durable.max(target.seq),
                Err(e) => {
                    tracing::error!(error = %e, through = target.seq, "the log could not be made durable");
                    d.failed = Some(e.to_string());
                }
            }
            drop(turn);
            self.synced.notify_all();
        }
    }

    /// Refuse to append once a sync has failed: what that sync covered may be lost, and
    /// events appended after it would chain to them.
    fn refuse_unsynced(&self) -> Result<(), StoreError> {
        match &self.durability().failed {
            Some(why) => Err(StoreError::SyncFailed(why.clone())),
            None => Ok(()),
        }
    }

    /// Make everything applied so far durable (see [`Engine::sync`]).
    fn make_durable(&self) -> Result<(), StoreError> {
        let target = *self.applied();
        self.make_durable_through(target)
    }

    /// Make durable everything applied up to `target` (read before the sync), which the engine
    /// records as its durable head (sled: in the head anchor, which never names an event sled
    /// has not synced).
    fn make_durable_through(&self, target: Anchored) -> Result<(), StoreError> {
        self.db.sync(target)
    }

    /// Write keys beside the log, not derived from it (a store's checkpoints and signing key in
    /// an engine with no directory), under the writer lock of every process: `f` reads what it
    /// needs and says what to write; the write is durable when this returns. Takes the writer
    /// mutex: never call it while holding it (from a `decide` closure, or inside `rebuild`).
    pub(crate) fn write_beside<T>(
        &self,
        f: impl FnOnce(&dyn Engine) -> Result<(T, Batch), StoreError>,
    ) -> Result<T, StoreError> {
        let mut head = self.writer();
        if let Some(why) = &head.damaged {
            return Err(StoreError::Damaged(why.clone()));
        }
        self.refuse_unsynced()?;
        let turn = self.begin_write(&mut head)?;
        let (answer, batch) = f(&*self.db)?;
        if !batch.is_empty() {
            let after = Anchored {
                seq: head.next_seq - 1,
                hash: head.hash,
            };
            turn.commit(after, &[], batch)?;
            self.db.sync(after)?;
        }
        Ok(answer)
    }

    /// Apply writes to the read models alone (a rebuild, a migration): no event.
    fn commit_models(&self, batch: Batch) -> Result<(), StoreError> {
        let after = *self.applied();
        self.db.commit(after, &[], batch).map_err(|e| match e {
            StoreError::Conflict { .. } => StoreError::Engine(format!(
                "another process appended to the log at {} while its read models were being rebuilt, so the rebuild stopped: run `travaux rebuild` again once the other servers on it are stopped",
                self.location()
            )),
            other => other,
        })
    }

    fn applied(&self) -> MutexGuard<'_, Anchored> {
        self.applied.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
