//! The sled store: the log, its indexes and the read models, in one tree.
//!
//! Keys (one sled tree, so that one `apply_batch` writes an append atomically):
//!
//! | prefix | key | value |
//! | --- | --- | --- |
//! | `L` | block (u64 BE) | 16 stored events, packed (see `codec`, `log_index` and `packed`) |
//! | `S` | stream (16) ++ block (u64 BE) | the seqs of 256 versions of the stream (see `log_index`) |
//! | `I` | bucket (u16 BE), a hash of the event id | event id ++ seq ++ request fingerprint, for each id in the bucket |
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
//! `L`, `S` and `I` are the log; everything else is a cache that `rebuild` refills.
//!
//! # Writers, group commit, and what a reader sees
//!
//! An append takes the writer lock (`head`), checks the expected version and calls `decide`
//! against the latest state, writes its events, indexes and read models in one `apply_batch`
//! (which assigns the next sequence numbers), notes the last of them in `applied` and releases
//! the lock. It then waits in `durable_through` until the log is durable up to its last event:
//! the first waiter to find no sync running becomes the one that syncs, reads `applied`, runs
//! `flush` and the `fsync` of `<dir>/db`, and records `applied` (as read before the flush) as
//! the durable head; the others wait on the `synced` condvar and return at once if that sync
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
use crate::contract::{
    Batch, Engine, EventReader, Head as Anchored, Location, LogEntry, Reading, Stored, Tree,
};
use crate::keys::{be_u32, be_u64, block_events, key, push_entry};
use crate::packed;
use crate::StoreError;

const READ_MODEL_PREFIXES: [u8; 13] = [
    b'A', b'd', b'p', b'q', b'g', b'o', b'n', b'N', b'K', b'X', b't', b'T', b'R',
];
/// Marks a store whose per-clause index (`K`) and open-amendment index (`o`) cover the whole
/// log: set at creation and by `rebuild`; without it, clause histories are read from the whole
/// stream and views from the whole read model (and opening the store rebuilds them).
pub(crate) const CLAUSE_INDEX_KEY: &[u8] = b"mclause-blocks";
/// Marks a store whose index of text changes (`X`) covers the whole log: set at creation and by
/// `rebuild`; without it, a document's text changes are read from its whole stream (and
/// opening the store rebuilds them).
pub(crate) const TEXT_INDEX_KEY: &[u8] = b"mtext-blocks";
/// Marks a store whose amendments are kept eight to a key (`A`, see `amendments`): set at
/// creation and by `rebuild`; a store without it (whose amendments were kept one to a key, `a`)
/// is rebuilt when it is opened.
pub(crate) const AMENDMENT_BLOCKS_KEY: &[u8] = b"mamendment-blocks";
/// The read models of earlier versions that this one keeps otherwise (`k`: one key per clause
/// and event; `x`: text changes unpacked, one key each; `a`: one amendment per key), and their
/// markers (`mtext-packed`: one development commit, 6a0dd08, packed each text change under its
/// own `X` key): `rebuild` removes them.
const OBSOLETE_PREFIXES: [u8; 3] = [b'k', b'x', b'a'];
const OBSOLETE_MARKERS: [&[u8]; 3] = [b"mclause-index", b"mtext-index", b"mtext-packed"];
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
/// The largest value a read model writes: well below sled's ~128 KiB blob threshold.
const READ_MODEL_CHUNK: usize = 64 * 1024;

/// What a compaction did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Compacted {
    /// How many keys were copied.
    pub keys: u64,
    /// The size of the store's files before, in bytes.
    pub bytes_before: u64,
    /// And after.
    pub bytes_after: u64,
}

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

/// A token's read model (`t`): its entry, its digest and the event that issued it.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct TokenRecord {
    token: TokenId,
    participant: ParticipantId,
    digest: Hash,
    issued_at: Timestamp,
    /// The event that issued it: tokens are listed in the order they were issued.
    seq: u64,
    revoked: bool,
}

/// The token records a batch being built has written, ahead of the tree: a revocation finds
/// the token issued earlier in the same batch here, or else in `tree` (none during `rebuild`,
/// whose batch deletes the tree's records and writes every token anew).
struct TokenBatch<'a> {
    written: HashMap<TokenId, TokenRecord>,
    tree: Option<&'a dyn Tree>,
}

impl<'a> TokenBatch<'a> {
    fn new(tree: Option<&'a dyn Tree>) -> Self {
        TokenBatch {
            written: HashMap::new(),
            tree,
        }
    }

    fn get(&self, token: TokenId) -> Result<Option<TokenRecord>, StoreError> {
        if let Some(r) = self.written.get(&token) {
            return Ok(Some(r.clone()));
        }
        let Some(tree) = self.tree else {
            return Ok(None);
        };
        match tree.get(&token_key(token))? {
            Some(bytes) => Ok(Some(serde_json::from_slice(&bytes)?)),
            None => Ok(None),
        }
    }

    fn put(&mut self, batch: &mut Batch, r: TokenRecord) -> Result<(), StoreError> {
        batch.insert(token_key(r.token), serde_json::to_vec(&r)?);
        self.written.insert(r.token, r);
        Ok(())
    }
}

fn token_key(token: TokenId) -> Vec<u8> {
    key(b't', &[token.0.as_bytes()])
}

fn digest_key(digest: &Hash) -> Vec<u8> {
    key(b'T', &[&digest.0])
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

/// The amendments a read of a document's head loads with it.
#[derive(Clone, Copy)]
enum Wanted<'a> {
    /// Every one.
    Every,
    /// Those named.
    These(&'a [AmendmentNo]),
    /// Those still open (from their index, read with the document).
    Open,
}

impl<'a> From<Option<&'a [AmendmentNo]>> for Wanted<'a> {
    /// Every amendment (`None`), or those named.
    fn from(only: Option<&'a [AmendmentNo]>) -> Self {
        only.map_or(Wanted::Every, Wanted::These)
    }
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

    /// Rebuild the read models of a store whose indexes do not cover its log: one made by an
    /// earlier version (whose indexes were kept otherwise, or not at all), or whose `rebuild`
    /// was cut short. Until then answers are right but slow (the indexes' fallbacks read whole
    /// streams). A store whose log does not read back is left as it is, for `verify`.
    fn rebuild_if_incomplete(&self) -> Result<(), StoreError> {
        let complete = self.db.contains_key(&CLAUSE_INDEX_KEY)?
            && self.db.contains_key(&TEXT_INDEX_KEY)?
            && self.db.contains_key(&AMENDMENT_BLOCKS_KEY)?;
        if complete || self.head().0 == 0 || self.writer().damaged.is_some() {
            return Ok(());
        }
        tracing::info!("the indexes do not cover the log (a store of an earlier version, or a rebuild cut short): rebuilding the read models");
        match self.rebuild() {
            Ok(events) => {
                tracing::info!(events, "rebuilt the read models");
                Ok(())
            }
            Err(StoreError::Corrupt(why)) => {
                tracing::warn!(error = %why, "the read models could not be rebuilt; `verify` the store");
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// The damage found when the store was opened, if any.
    pub fn damage(&self) -> Option<String> {
        self.writer().damaged.clone()
    }

    /// The head the anchor holds (a store with no anchor: the head known durable).
    pub(crate) fn anchored(&self) -> Anchored {
        match self.db.as_sled() {
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
        if let Some(sled) = self.db.as_sled() {
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
        let Some(sled) = self.db.as_sled() else {
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
        self.durability().durable
    }

    /// Block until the durable head is past `after`, or `timeout` has passed; return the
    /// durable head. Wakes as soon as an append from any thread makes events after `after`
    /// durable, so a reader can follow the log without polling.
    pub fn wait_for_durable(&self, after: u64, timeout: Duration) -> u64 {
        let deadline = Instant::now().checked_add(timeout);
        let mut d = self.durability();
        while d.durable <= after {
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            if left.is_zero() {
                break;
            }
            d = self
                .synced
                .wait_timeout(d, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        d.durable
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

    /// Decide and append under the writer lock: `decide` sees the stream's document state (for
    /// a document stream that exists) and the store as a [`Directory`]; its events are appended
    /// atomically and durably. The state holds the amendments still open; an amendment closed
    /// already is read when `decide` asks for it (it answers [`DomainError::UnknownAmendment`]
    /// for one that exists), and `decide` is asked again — it is pure, so this costs only
    /// time — so a command pays for the amendments it names, not for every one. If `w.event_id` is already in the log for the same stream and
    /// actor, nothing is decided or written and the stored events are returned.
    ///
    /// Safe to call from many threads at once: decisions are taken one at a time against the
    /// latest state, and the appends share fsyncs (see [`Store::durable_head`]). A retry
    /// returns once the stored events are durable, like the append it repeats.
    pub fn execute(
        &self,
        w: Write,
        decide: impl FnMut(&dyn Directory, Option<&DocumentState>) -> Result<Vec<Event>, DomainError>,
    ) -> Result<Appended, StoreError> {
        let appended = self.execute_locked(w, decide)?;
        self.durable_through(appended.events.last().map_or(0, |e| e.seq))?;
        Ok(appended)
    }

    fn execute_locked(
        &self,
        w: Write,
        mut decide: impl FnMut(
            &dyn Directory,
            Option<&DocumentState>,
        ) -> Result<Vec<Event>, DomainError>,
    ) -> Result<Appended, StoreError> {
        let mut head = self.writer();
        refuse_damaged(&head)?;
        self.refuse_unsynced()?;
        let turn = self.begin_write(&mut head)?;
        if let Some(stored) = self.retried(w.stream, w.actor, w.event_id, w.request)? {
            return Ok(Appended {
                events: stored,
                duplicate: true,
                document: None,
            });
        }
        let open = self.open_amendments(DocumentId(w.stream.0))?;
        let (mut state, checkpoint, version) =
            self.stream_state(&mut head, w.stream, w.expected, open.as_deref())?;
        let events = match self.decide_on(&mut state, &mut decide) {
            Ok(events) => events,
            Err(e) => {
                // Nothing was written: the document is still the head.
                if let Some(s) = state {
                    head.keep(Arc::new(s), checkpoint);
                }
                return Err(e);
            }
        };
        // Events change only amendments `decide` read, or open ones; make sure of it before
        // folding them, since the fold passes over an amendment it does not hold.
        if let Some(s) = &mut state {
            for no in events.iter().filter_map(Event::amendment) {
                // (A proposal's number is new: there is nothing to read.)
                if no.0 <= s.amendments_proposed && !s.amendments.contains_key(&no) {
                    self.add_amendment(s, no)?;
                }
            }
        }
        let time = resolve_clock(w.clock, head.last_time)?;
        let new: Vec<NewEvent> = events
            .into_iter()
            .enumerate()
            .map(|(i, event)| NewEvent {
                id: derived_id(w.event_id, i),
                recorded_at: time,
                actor: w.actor,
                event,
            })
            .collect();
        let (events, document) = self.write_locked(
            &mut head,
            turn,
            Start {
                stream: w.stream,
                version,
                state,
                checkpoint,
            },
            new,
            w.request,
        )?;
        Ok(Appended {
            events,
            duplicate: false,
            document,
        })
    }

    /// Begin a write under the writer lock (see [`Engine::begin_write`]): if another process
    /// moved the log since this one last wrote (an engine shared between processes), the head
    /// is read again and the documents the writer kept are dropped, being no longer the head.
    fn begin_write(&self, head: &mut Writer) -> Result<Turn<'_>, StoreError> {
        let turn = Turn {
            db: &*self.db,
            open: true,
        };
        if let Some(shared) = self.db.begin_write()? {
            if shared.seq != head.next_seq - 1 || shared.hash != head.hash {
                let (logged, last_time, damaged) = log_head(self.db.last_event())?;
                if let Some(why) = damaged {
                    return Err(StoreError::Damaged(why));
                }
                tracing::debug!(
                    from = head.next_seq - 1,
                    to = logged.seq,
                    "another process appended: the head moved"
                );
                head.next_seq = logged.seq + 1;
                head.hash = logged.hash;
                head.last_time = last_time;
                head.documents.clear();
                *self.applied() = logged;
                let mut d = self.durability();
                d.durable = d.durable.max(logged.seq);
            }
        }
        Ok(turn)
    }

    /// Ask `decide` for the events of a command on `state`, reading any closed amendment it
    /// names that `state` does not hold, and asking again (`decide` is pure).
    fn decide_on(
        &self,
        state: &mut Option<DocumentState>,
        decide: &mut impl FnMut(
            &dyn Directory,
            Option<&DocumentState>,
        ) -> Result<Vec<Event>, DomainError>,
    ) -> Result<Vec<Event>, StoreError> {
        loop {
            match (decide(self, state.as_ref()), &mut *state) {
                (Err(DomainError::UnknownAmendment(no)), Some(s))
                    if !s.amendments.contains_key(&no) =>
                {
                    if self.add_amendment(s, no)? {
                        continue;
                    }
                    // Not proposed, or the state holds every amendment (replayed): none such.
                    let every = s.amendments.len() == s.amendments_proposed as usize;
                    if no.0 > s.amendments_proposed || every {
                        return Err(DomainError::UnknownAmendment(no).into());
                    }
                    // Proposed, yet its read model is missing: the stream tells.
                    tracing::warn!(document = %s.id, amendment = %no, "an amendment's read model is missing; replaying the stream");
                    let id = s.id;
                    *s = self.replay_document(id, Cut::Head)?.ok_or_else(|| {
                        StoreError::Corrupt(format!("document {id} has no events"))
                    })?;
                }
                (decided, _) => return Ok(decided?),
            }
        }
    }

    /// Append events to a stream as they are, durably. Idempotent on event id: if the first
    /// event's id is in the log and the stored events are the same, they are returned and
    /// nothing is written; the same id for different events is an error.
    ///
    /// Safe to call from many threads at once, as [`Store::execute`] is.
    pub fn append(
        &self,
        stream: StreamId,
        expected: Expected,
        events: Vec<NewEvent>,
    ) -> Result<Appended, StoreError> {
        let appended = self.append_locked(stream, expected, events)?;
        self.durable_through(appended.events.last().map_or(0, |e| e.seq))?;
        Ok(appended)
    }

    fn append_locked(
        &self,
        stream: StreamId,
        expected: Expected,
        events: Vec<NewEvent>,
    ) -> Result<Appended, StoreError> {
        let mut head = self.writer();
        refuse_damaged(&head)?;
        self.refuse_unsynced()?;
        if events.is_empty() {
            return Ok(Appended {
                events: Vec::new(),
                duplicate: false,
                document: None,
            });
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(e) = events.iter().find(|e| !seen.insert(e.id)) {
            return Err(StoreError::DuplicateEventId(e.id));
        }
        let turn = self.begin_write(&mut head)?;
        // A retry is recognised event by event: all stored and the same, or none stored.
        let mut stored = Vec::new();
        for e in &events {
            if let Some((seq, _)) = self.db.by_id(e.id)? {
                let s = self.event(seq)?;
                if s.stream != stream || s.actor != e.actor || s.event != e.event {
                    return Err(StoreError::DuplicateEventId(e.id));
                }
                stored.push(s);
            }
        }
        if stored.len() == events.len() {
            return Ok(Appended {
                events: stored,
                duplicate: true,
                document: None,
            });
        }
        if let Some(s) = stored.first() {
            return Err(StoreError::DuplicateEventId(s.id));
        }
        let touched: Vec<AmendmentNo> = events.iter().filter_map(|e| e.event.amendment()).collect();
        let (state, checkpoint, version) =
            self.stream_state(&mut head, stream, expected, Some(&touched))?;
        let mut clocked = Vec::with_capacity(events.len());
        let mut last = head.last_time;
        for mut e in events {
            e.recorded_at = resolve_clock(Clock::At(e.recorded_at), last)?;
            last = Some(e.recorded_at);
            clocked.push(e);
        }
        let request = fingerprint(&serde_json::to_vec(
            &clocked.iter().map(|e| &e.event).collect::<Vec<_>>(),
        )?);
        // The state was loaded with only the amendments these events touch: not for callers.
        let start = Start {
            stream,
            version,
            state,
            checkpoint,
        };
        let (events, _) = self.write_locked(&mut head, turn, start, clocked, request)?;
        Ok(Appended {
            events,
            duplicate: false,
            document: None,
        })
    }

    /// The events an append with this first event id recorded, and the fingerprint of its
    /// request, if the id is in the log: lets a caller answer a retry before doing any work.
    pub fn recorded(&self, id: EventId) -> Result<Option<(Vec<RecordedEvent>, Hash)>, StoreError> {
        let Some((seq, request)) = self.by_id(id)? else {
            return Ok(None);
        };
        let mut events = vec![self.event(seq)?];
        for i in 1.. {
            match self.by_id(derived_id(id, i))? {
                Some((seq, _)) => events.push(self.event(seq)?),
                None => break,
            }
        }
        Ok(Some((events, request)))
    }

    /// The state a write starts from: the document at its head (for a document stream that
    /// exists), the version of its read model, and the stream's version, checked against the
    /// version expected. `only`, when given, names the amendments to load with the document: an
    /// append of events touches no others, and loading every amendment would make bulk appends
    /// quadratic. The document is the one the last write left (see [`Writer::documents`]) if it
    /// is still the head, else read.
    fn stream_state(
        &self,
        head: &mut Writer,
        stream: StreamId,
        expected: Expected,
        only: Option<&[AmendmentNo]>,
    ) -> Result<(Option<DocumentState>, Option<u64>, u64), StoreError> {
        let (state, checkpoint) = if stream == StreamId::REGISTRY {
            (None, None)
        } else {
            let doc = DocumentId(stream.0);
            let kept = head.documents.remove(&doc);
            let found = match self.kept_document(kept, only)? {
                Some(found) => Some(found),
                None => self.read_document(doc, Wanted::from(only))?,
            };
            found.map_or((None, None), |(state, checkpoint)| {
                (Some(state), checkpoint)
            })
        };
        let version = match &state {
            Some(s) => s.version,
            None => self.stream_version(stream)?,
        };
        if let Err(e) = check_expected(stream, expected, version) {
            if let Some(s) = state {
                head.keep(Arc::new(s), checkpoint);
            }
            return Err(e);
        }
        Ok((state, checkpoint, version))
    }

    /// A document the writer kept, if it is still at the stream's head, holding exactly the
    /// amendments `only` names (read from their read models where it did not hold them); `None`
    /// if it must be read (not kept, not current, every amendment wanted, or one missing).
    fn kept_document(
        &self,
        kept: Option<Kept>,
        only: Option<&[AmendmentNo]>,
    ) -> Result<Option<(DocumentState, Option<u64>)>, StoreError> {
        let (Some(kept), Some(only)) = (kept, only) else {
            return Ok(None);
        };
        if kept.state.version != self.stream_version(StreamId::document(kept.state.id))? {
            return Ok(None);
        }
        let mut state = Arc::unwrap_or_clone(kept.state);
        let wanted: std::collections::BTreeSet<AmendmentNo> = only.iter().copied().collect();
        state.amendments.retain(|no, _| wanted.contains(no));
        for no in wanted {
            if no.0 <= state.amendments_proposed
                && !state.amendments.contains_key(&no)
                && !self.add_amendment(&mut state, no)?
            {
                return Ok(None);
            }
        }
        Ok(Some((state, kept.checkpoint)))
    }

    /// If `id` is in the log, the events of the append it began, provided that append was the
    /// same request (same stream, actor and fingerprint); an error if the id names another.
    fn retried(
        &self,
        stream: StreamId,
        actor: ParticipantId,
        id: EventId,
        request: Hash,
    ) -> Result<Option<Vec<RecordedEvent>>, StoreError> {
        let Some((events, stored_request)) = self.recorded(id)? else {
            return Ok(None);
        };
        let first = &events[0];
        if first.stream != stream || first.actor != actor || stored_request != request {
            return Err(StoreError::DuplicateEventId(id));
        }
        Ok(Some(events))
    }

    /// The sequence number and request fingerprint an event id was stored with.
    pub(crate) fn by_id(&self, id: EventId) -> Result<Option<(u64, Hash)>, StoreError> {
        self.db.by_id(id)
    }

    fn write_locked(
        &self,
        head: &mut Writer,
        turn: Turn<'_>,
        start: Start,
        events: Vec<NewEvent>,
        request: Hash,
    ) -> Result<(Vec<RecordedEvent>, Option<Arc<DocumentState>>), StoreError> {
        let Start {
            stream,
            version,
            mut state,
            mut checkpoint,
        } = start;
        let mut batch = Batch::default();
        let mut recorded = Vec::with_capacity(events.len());
        let mut seq = head.next_seq;
        let mut prev = head.hash;
        let mut tokens = TokenBatch::new(Some(&*self.db));
        let mut indexes = Indexes::new(Some(&*self.db));
        let mut stored = Vec::with_capacity(events.len());
        for (i, e) in events.into_iter().enumerate() {
            let (r, bytes) = codec::encode(RecordedEvent {
                seq,
                id: e.id,
                stream,
                version: version + 1 + i as u64,
                recorded_at: e.recorded_at,
                actor: e.actor,
                schema: 0,
                prev_hash: prev,
                hash: Hash::default(),
                event: e.event,
            })?;
            if stream != StreamId::REGISTRY {
                indexes.add(&r, &bytes)?;
            }
            stored.push(bytes);
            registry_entries(&r, &mut batch, &mut tokens)?;
            if stream != StreamId::REGISTRY {
                if let Some(s) = state.as_ref().filter(|s| tags(&r, s)) {
                    put_snapshot(&mut batch, &self.open_view(s, &touched(&recorded))?)?;
                }
                DocumentState::fold(&mut state, &r);
            }
            prev = r.hash;
            seq += 1;
            recorded.push(r);
            // A snapshot at every SNAPSHOT_EVERY-th event of the stream, wherever it falls in
            // the batch (as `rebuild` writes them), so a view folds fewer than that many events.
            if let Some(s) = state.as_ref().filter(|s| s.version % SNAPSHOT_EVERY == 0) {
                put_snapshot(&mut batch, &self.open_view(s, &touched(&recorded))?)?;
            }
        }
        if let Some(s) = &mut state {
            let touched = touched(&recorded);
            put_amendments(&*self.db, &mut batch, s, Some(&touched))?;
            if checkpoint.is_none_or(|c| s.version >= c + HEAD_EVERY) {
                self.put_document(&mut batch, s)?;
                checkpoint = Some(s.version);
            }
            for no in &touched {
                match s.amendments.get(no) {
                    Some(a) if a.status.is_open() => batch.insert(open_key(s.id, *no), &[]),
                    _ => batch.remove(open_key(s.id, *no)),
                }
            }
        } else if stream != StreamId::REGISTRY {
            return Err(StoreError::Domain(DomainError::Invalid(
                "a document stream must begin with document_created".into(),
            )));
        }
        indexes.write(&mut batch)?;
        let entries: Vec<LogEntry<'_>> = recorded
            .iter()
            .zip(&stored)
            .map(|(r, bytes)| LogEntry {
                seq: r.seq,
                stream: r.stream,
                version: r.version,
                id: r.id,
                request,
                prev_hash: r.prev_hash,
                hash: r.hash,
                bytes,
            })
            .collect();
        turn.commit(
            Anchored {
                seq: head.next_seq - 1,
                hash: head.hash,
            },
            &entries,
            batch,
        )?;
        // The batch is in the tree: the next append must follow it, whatever becomes of the
        // flush (which the caller waits for after releasing the writer lock).
        head.next_seq = seq;
        head.hash = prev;
        head.last_time = recorded.last().map(|r| r.recorded_at).or(head.last_time);
        *self.applied() = Anchored {
            seq: seq - 1,
            hash: prev,
        };
        tracing::debug!(stream = %stream, events = recorded.len(), head = seq - 1, "appended");
        let state = state.map(Arc::new);
        if let Some(s) = &state {
            head.keep(Arc::clone(s), checkpoint);
        }
        Ok((recorded, state))
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

    /// Apply writes to the read models alone (a rebuild, a migration): no event.
    fn commit_models(&self, batch: Batch) -> Result<(), StoreError> {
        let after = *self.applied();
        self.db.commit(after, &[], batch)
    }

    fn applied(&self) -> MutexGuard<'_, Anchored> {
        self.applied.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One event by sequence number.
    pub fn event(&self, seq: u64) -> Result<RecordedEvent, StoreError> {
        read_event(&mut *self.db.reader(), seq)
    }

    /// Every event from `seq` on, in global order.
    pub fn events_from(
        &self,
        seq: u64,
    ) -> impl Iterator<Item = Result<RecordedEvent, StoreError>> + '_ {
        self.db
            .events_from(seq, Reading::Prefix)
            .map(|stored| codec::decode(stored?.bytes()))
    }

    /// The events of one stream, in order.
    pub fn stream(
        &self,
        stream: StreamId,
    ) -> impl Iterator<Item = Result<RecordedEvent, StoreError>> + '_ {
        self.stream_between(stream, 1, u64::MAX)
    }

    /// The events of one stream from version `from` to version `to` (both included), in order.
    pub fn stream_between(
        &self,
        stream: StreamId,
        from: u64,
        to: u64,
    ) -> impl Iterator<Item = Result<RecordedEvent, StoreError>> + '_ {
        let mut blocks = self.db.reader();
        self.db.stream_seqs(stream, from, to).map(move |entry| {
            let (version, seq) = entry?;
            let e = read_event(&mut *blocks, seq)?;
            if e.stream != stream || e.version != version {
                return Err(StoreError::Corrupt(format!(
                    "the stream index of {stream} points at event {}, which is not its version {version}",
                    e.seq
                )));
            }
            Ok(e)
        })
    }

    /// The events of a document that change its text (those with clause operations), in order:
    /// from the index of text changes, or from the whole stream in a store created before that
    /// index existed (until `rebuild`).
    pub fn text_events(
        &self,
        doc: DocumentId,
    ) -> Result<Box<dyn Iterator<Item = Result<RecordedEvent, StoreError>> + '_>, StoreError> {
        if !self.db.contains_key(&TEXT_INDEX_KEY)? {
            return Ok(Box::new(self.stream(StreamId::document(doc)).filter(|e| {
                e.as_ref().map_or(true, |e| !e.event.ops().is_empty())
            })));
        }
        // As for the log: a block not full is the last, whatever appends go on meanwhile.
        let blocks = self
            .db
            .scan_prefix(&text_prefix(doc))
            .scan(false, |stop, kv| {
                if *stop {
                    return None;
                }
                let events = kv.map_err(StoreError::from).and_then(|(_, v)| {
                    let raw = packed::unpack(&v, "a block of text changes")?;
                    let events = block_events(&raw)
                        .map(|r| codec::decode(&raw[r?]))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(events)
                });
                Some(match events {
                    Ok(events) => {
                        *stop = events.len() < TEXT_BLOCK;
                        events.into_iter().map(Ok).collect()
                    }
                    Err(e) => vec![Err(e)],
                })
            });
        Ok(Box::new(blocks.flatten()))
    }

    /// The events of a document that bear on one clause's wording (see `Event::clauses`), in
    /// order, up to `seq`: from the per-clause index, or from the whole stream in a store
    /// created before the index existed (until `rebuild`).
    pub fn clause_events(
        &self,
        doc: DocumentId,
        clause: ClauseId,
        seq: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.clauses_events(doc, &[clause], seq)
    }

    /// The events of a document that bear on the wording of any of `clauses` (a clause and
    /// those under it, for one), in order, each once, up to `seq`: their entries in the
    /// per-clause index merged, or the whole stream in a store created before the index.
    pub fn clauses_events(
        &self,
        doc: DocumentId,
        clauses: &[ClauseId],
        seq: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        if !self.db.contains_key(&CLAUSE_INDEX_KEY)? {
            let wanted: std::collections::HashSet<ClauseId> = clauses.iter().copied().collect();
            return self
                .stream(StreamId::document(doc))
                .filter(|e| {
                    e.as_ref().map_or(true, |e| {
                        e.seq <= seq && e.event.clauses().iter().any(|c| wanted.contains(c))
                    })
                })
                .collect();
        }
        let mut seqs: Vec<u64> = Vec::new();
        for clause in clauses {
            for kv in self.db.scan_prefix(&clause_prefix(doc, *clause)) {
                let (_, v) = kv?;
                if !v.len().is_multiple_of(8) {
                    return Err(StoreError::Corrupt(
                        "a block of a clause's history index is malformed".into(),
                    ));
                }
                let had = seqs.len();
                seqs.extend(
                    v.chunks_exact(8)
                        .map(|b| u64::from_be_bytes(b.try_into().expect("8 bytes")))
                        .take_while(|at| *at <= seq),
                );
                // Past `seq`, or (as for the log) a block not full is the last, whatever
                // appends go on meanwhile.
                if seqs.len() - had < v.len() / 8 || v.len() < CLAUSE_BLOCK * 8 {
                    break;
                }
            }
        }
        seqs.sort_unstable();
        seqs.dedup();
        let mut blocks = self.db.reader();
        seqs.into_iter()
            .map(|at| read_event(&mut *blocks, at))
            .collect()
    }

    /// A stream's version: how many events it holds.
    pub fn stream_version(&self, stream: StreamId) -> Result<u64, StoreError> {
        self.db.stream_version(stream)
    }

    /// A document at its head, from the read model. The read model names the stream version it
    /// holds; if that is not the stream's version, or it does not read back, the stream is
    /// replayed instead, so a damaged or missing cache never gives a wrong answer.
    pub fn document(&self, id: DocumentId) -> Result<Option<DocumentState>, StoreError> {
        self.document_with(id, None)
    }

    /// A document at its head without its amendments (its text, roles, tags and counters): all
    /// a point needs to be resolved, read without the cost of every amendment.
    pub fn document_without_amendments(
        &self,
        id: DocumentId,
    ) -> Result<Option<DocumentState>, StoreError> {
        Ok(self.document_with(id, Some(&[]))?.map(|mut d| {
            d.amendments.clear();
            d
        }))
    }

    /// A document at its head with all its amendments (`only: None`) or only those named: enough
    /// to fold events that touch no others. Checked as `document` is, else replayed whole.
    fn document_with(
        &self,
        id: DocumentId,
        only: Option<&[AmendmentNo]>,
    ) -> Result<Option<DocumentState>, StoreError> {
        Ok(self
            .read_document(id, Wanted::from(only))?
            .map(|(state, _)| state))
    }

    /// A document at its head as `document_with` reads it (with the amendments `wanted`), and
    /// the version its read model holds (`None` if the read model could not be used and the
    /// stream was replayed).
    ///
    /// The read model, the events after it, the amendments and the index of open ones are read
    /// one after the other, and appends may go on meanwhile (readers do not take the writer
    /// lock): a read is taken only if the stream did not move while it was made, so that all
    /// of it is of one version; otherwise it is made again (an append moved it), and after
    /// [`READ_RETRIES`] the stream is replayed, as it is when the read model is not of this log.
    fn read_document(
        &self,
        id: DocumentId,
        wanted: Wanted<'_>,
    ) -> Result<Option<(DocumentState, Option<u64>)>, StoreError> {
        let stream = StreamId::document(id);
        for attempt in 0.. {
            let before = self.stream_version(stream)?;
            if before == 0 {
                return Ok(None);
            }
            let only = match wanted {
                Wanted::Every => None,
                Wanted::These(nos) => Some(nos.to_vec()),
                Wanted::Open => self.open_amendments(id)?,
            };
            let outcome = self.load_document(id, only.as_deref());
            let after = self.stream_version(stream)?;
            if after != before && attempt < READ_RETRIES {
                continue;
            }
            match outcome {
                Ok(Some((state, checkpoint)))
                    if state.version == after
                        && after == before
                        && self.amendments_complete(&state, only.as_deref())? =>
                {
                    return Ok(Some((state, Some(checkpoint))));
                }
                outcome => {
                    let found = match outcome {
                        Ok(Some((s, _))) => format!("version {}", s.version),
                        Ok(None) => "nothing".to_string(),
                        Err(e) => e.to_string(),
                    };
                    tracing::warn!(document = %id, version = after, found, "read model is not current; replaying the stream");
                    return Ok(self.replay_document(id, Cut::Head)?.map(|s| (s, None)));
                }
            }
        }
        unreachable!("the loop returns")
    }

    /// Whether the amendments loaded are all there should be: every one (`only: None`), or the
    /// newest one's key and each one named that was proposed.
    fn amendments_complete(
        &self,
        state: &DocumentState,
        only: Option<&[AmendmentNo]>,
    ) -> Result<bool, StoreError> {
        let proposed = state.amendments_proposed;
        Ok(match only {
            None => state.amendments.len() == proposed as usize,
            Some(nos) => {
                (proposed == 0
                    || Amendments::new(&*self.db, state.id).contains(AmendmentNo(proposed))?)
                    && nos
                        .iter()
                        .all(|n| n.0 > proposed || state.amendments.contains_key(n))
            }
        })
    }

    /// Read a document's read model (the document at some version, amendments aside), fold the
    /// events of its stream after that version, then add its amendments (all, or those named)
    /// from their own read models. Returns the document and the version its read model held.
    pub(crate) fn load_document(
        &self,
        id: DocumentId,
        only: Option<&[AmendmentNo]>,
    ) -> Result<Option<(DocumentState, u64)>, StoreError> {
        let mut json = Vec::new();
        for kv in self.db.scan_prefix(&key(b'd', &[id.0.as_bytes()])) {
            json.extend_from_slice(&kv?.1);
        }
        if json.is_empty() {
            return Ok(None);
        }
        let mut state: DocumentState = packed::from_model(&json, "a document's read model")?;
        let checkpoint = state.version;
        for e in self.stream_between(StreamId::document(id), checkpoint + 1, u64::MAX) {
            self.fold_after_checkpoint(&mut state, &e?)?;
        }
        // Amendments come from their own read models, which stand at the head.
        state.amendments.clear();
        match only {
            None => {
                for kv in self.db.scan_prefix(&amendments::prefix(id)) {
                    for a in amendments::in_block(&kv?.1)? {
                        state.amendments.insert(a.no, a);
                    }
                }
            }
            Some(nos) => {
                let mut read = Amendments::new(&*self.db, id);
                for no in nos {
                    if let Some(a) = read.get(*no)? {
                        state.amendments.insert(a.no, a);
                    }
                }
            }
        }
        Ok(Some((state, checkpoint)))
    }

    /// Fold into a document read from its read model one of the events after it. The fold
    /// needs an amendment only where it changes something besides the amendment (a decision
    /// on an alternative resolves its bracket): that one is read from its read model, whose
    /// change (what the fold looks at) never changes.
    fn fold_after_checkpoint(
        &self,
        state: &mut DocumentState,
        e: &RecordedEvent,
    ) -> Result<(), StoreError> {
        if let Event::DecisionRecorded { amendment, .. } = &e.event {
            if !state.amendments.contains_key(amendment)
                && !self.add_amendment(state, *amendment)?
            {
                return Err(StoreError::Corrupt(format!(
                    "amendment {amendment} of document {} has no read model",
                    state.id
                )));
            }
        }
        state.evolve(e);
        Ok(())
    }

    /// Write a document's read model into a batch: the document as JSON in chunks, its
    /// amendments aside (see [`put_amendments`]), so that no value comes near sled's blob
    /// threshold. Written once the stream has gone [`HEAD_EVERY`] events past it (and by
    /// `rebuild`); a read folds the events after it.
    fn put_document(&self, batch: &mut Batch, state: &mut DocumentState) -> Result<(), StoreError> {
        let doc = state.id.0;
        let amendments = std::mem::take(&mut state.amendments);
        let json = packed::model(state);
        state.amendments = amendments;
        let json = json?;
        let chunks = json.chunks(READ_MODEL_CHUNK).count() as u32;
        for (i, chunk) in json.chunks(READ_MODEL_CHUNK).enumerate() {
            batch.insert(
                key(b'd', &[doc.as_bytes(), &(i as u32).to_be_bytes()]),
                chunk,
            );
        }
        for kv in self.db.scan_prefix(&key(b'd', &[doc.as_bytes()])) {
            let (k, _) = kv?;
            let index = be_u32(&k[17..21])?;
            if index >= chunks {
                batch.remove(k);
            }
        }
        Ok(())
    }

    /// A document as it stood at a cut of the log, with the amendments open at that point (what
    /// a view of the text shows): the same as `replay_document(id, cut)` with
    /// [`DocumentState::with_open_amendments_only`]. At the head, the read model with the open
    /// amendments only; at an earlier point, the nearest snapshot at or before the cut and the
    /// events after it. `None` if it did not exist then. (`document` gives every amendment.)
    pub fn document_at(
        &self,
        id: DocumentId,
        cut: Cut,
    ) -> Result<Option<DocumentState>, StoreError> {
        if cut == Cut::Head {
            return Ok(self
                .read_document(id, Wanted::Open)?
                .map(|(state, _)| state.with_open_amendments_only()));
        }
        let mut state = match self.snapshot_before(id, cut) {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(document = %id, error = %e, "a snapshot does not read back; folding from the start");
                None
            }
        };
        let from = state.as_ref().map_or(1, |s| s.version + 1);
        for e in self.stream_between(StreamId::document(id), from, u64::MAX) {
            let e = e?;
            // Global time and sequence only grow, so the first event past the cut ends it.
            if !cut.includes(&e) {
                break;
            }
            DocumentState::fold(&mut state, &e);
        }
        Ok(state.map(DocumentState::with_open_amendments_only))
    }

    /// The latest snapshot of a document at or before a cut, if any.
    fn snapshot_before(
        &self,
        id: DocumentId,
        cut: Cut,
    ) -> Result<Option<DocumentState>, StoreError> {
        let found = match cut {
            Cut::Seq(n) => self.snapshot_seq_through(id, n)?,
            Cut::Head | Cut::Time(_) => {
                let doc = id.0.as_bytes();
                let (from, to) = (
                    key(b'N', &[doc, &0u64.to_be_bytes()]),
                    key(b'N', &[doc, &u64::MAX.to_be_bytes()]),
                );
                let mut found = None;
                match cut {
                    Cut::Time(t) => {
                        // Snapshots are taken in the log's order, so their times rise: the
                        // last at or before `t`.
                        for kv in self.db.range(&from, &to) {
                            let (k, v) = kv?;
                            let at: Timestamp = serde_json::from_slice(&v)?;
                            if at > t {
                                break;
                            }
                            found = Some(be_u64(&k[17..25])?);
                        }
                    }
                    _ => {
                        if let Some((k, _)) = self.db.last_in_range(&from, &to)? {
                            found = Some(be_u64(&k[17..25])?);
                        }
                    }
                }
                found
            }
        };
        found.map(|seq| self.snapshot(id, seq)).transpose()
    }

    /// The sequence number of the latest snapshot of a document taken at or before event `seq`.
    fn snapshot_seq_through(&self, id: DocumentId, seq: u64) -> Result<Option<u64>, StoreError> {
        let doc = id.0.as_bytes();
        let last = self.db.last_in_range(
            &key(b'N', &[doc, &0u64.to_be_bytes()]),
            &key(b'N', &[doc, &seq.to_be_bytes()]),
        )?;
        last.map(|(k, _)| be_u64(&k[17..25])).transpose()
    }

    /// The snapshot of a document taken after event `seq`.
    pub(crate) fn snapshot(&self, id: DocumentId, seq: u64) -> Result<DocumentState, StoreError> {
        let mut json = Vec::new();
        for kv in self
            .db
            .scan_prefix(&key(b'n', &[id.0.as_bytes(), &seq.to_be_bytes()]))
        {
            json.extend_from_slice(&kv?.1);
        }
        packed::from_model(&json, "a snapshot")
    }

    /// One amendment of a document as it stands at the head, from its read model (written in
    /// the same batch as each event that changes it); `None` if there is no such amendment.
    pub fn amendment(
        &self,
        doc: DocumentId,
        no: AmendmentNo,
    ) -> Result<Option<Amendment>, StoreError> {
        Amendments::new(&*self.db, doc).get(no)
    }

    /// A walk along a document's stream: see [`Walk`].
    pub fn walk(&self, id: DocumentId) -> Walk<'_> {
        Walk {
            store: self,
            id,
            state: None,
        }
    }

    /// The document as `state` holds it, with exactly the amendments still open: those among
    /// `touched` from `state` (just changed), the others from the open index.
    fn open_view(
        &self,
        state: &DocumentState,
        touched: &[AmendmentNo],
    ) -> Result<DocumentState, StoreError> {
        let mut view = state.clone();
        for kv in self.db.scan_prefix(&key(b'o', &[state.id.0.as_bytes()])) {
            let (k, _) = kv?;
            let no = AmendmentNo(be_u32(&k[17..21])?);
            if !touched.contains(&no) && !view.amendments.contains_key(&no) {
                self.add_amendment(&mut view, no)?;
            }
        }
        Ok(view.with_open_amendments_only())
    }

    /// The amendments of a document still open, from their index; `None` for a store made
    /// before the index (its marker is the clause index's), where only loading them all tells.
    pub(crate) fn open_amendments(
        &self,
        id: DocumentId,
    ) -> Result<Option<Vec<AmendmentNo>>, StoreError> {
        if !self.db.contains_key(&CLAUSE_INDEX_KEY)? {
            return Ok(None);
        }
        let mut open = Vec::new();
        for kv in self.db.scan_prefix(&key(b'o', &[id.0.as_bytes()])) {
            let (k, _) = kv?;
            open.push(AmendmentNo(be_u32(&k[17..21])?));
        }
        Ok(Some(open))
    }

    /// Add one amendment to `state` from its read model; whether there was one.
    fn add_amendment(
        &self,
        state: &mut DocumentState,
        no: AmendmentNo,
    ) -> Result<bool, StoreError> {
        let Some(a) = self.amendment(state.id, no)? else {
            return Ok(false);
        };
        state.amendments.insert(no, a);
        Ok(true)
    }

    /// Fold a document's stream up to a cut, ignoring the read model.
    pub fn replay_document(
        &self,
        id: DocumentId,
        cut: Cut,
    ) -> Result<Option<DocumentState>, StoreError> {
        let mut state: Option<DocumentState> = None;
        for e in self.stream(StreamId::document(id)) {
            let e = e?;
            // Global time and sequence only grow, so the first event past the cut ends it.
            if !cut.includes(&e) {
                break;
            }
            DocumentState::fold(&mut state, &e);
        }
        Ok(state)
    }

    /// Every document, by slug.
    pub fn documents(&self) -> Result<Vec<DocumentEntry>, StoreError> {
        self.documents_model()
    }

    /// The documents as their read model (`g`) holds them.
    pub(crate) fn documents_model(&self) -> Result<Vec<DocumentEntry>, StoreError> {
        self.db
            .scan_prefix(&[b'g'])
            .map(|kv| Ok(serde_json::from_slice(&kv?.1)?))
            .collect()
    }

    /// The registry's stream folded: every participant as the log has them.
    pub fn registry(&self) -> Result<travaux_core::Registry, StoreError> {
        let mut registry = travaux_core::Registry::default();
        for e in self.stream(StreamId::REGISTRY) {
            registry.evolve(&e?);
        }
        Ok(registry)
    }

    /// Every participant, by handle.
    ///
    /// Folded from the registry's stream (a few events per participant), not read from the
    /// read model: damage that sets a read model back (sled can lose the newest copy of a page
    /// when one of its segments is damaged) must not make a participant unknown to every answer.
    pub fn participants(&self) -> Result<Vec<Participant>, StoreError> {
        let mut people: Vec<Participant> = self.registry()?.participants().cloned().collect();
        people.sort_by(|a, b| a.handle.cmp(&b.handle));
        Ok(people)
    }

    /// The participants as their read model (`p`) holds them, for `verify`.
    pub(crate) fn participants_model(&self) -> Result<Vec<Participant>, StoreError> {
        self.db
            .scan_prefix(&[b'p'])
            .map(|kv| Ok(serde_json::from_slice(&kv?.1)?))
            .collect()
    }

    /// The token with this digest (SHA-256 of the bearer token), and whom it authenticates,
    /// unless it was revoked. `None` for a token never issued or revoked.
    pub fn token(&self, digest: &Hash) -> Result<Option<(TokenId, ParticipantId)>, StoreError> {
        let Some(v) = self.db.get(&digest_key(digest))? else {
            return Ok(None);
        };
        if v.len() != 32 {
            return Err(StoreError::Corrupt(
                "a token digest's index entry is malformed".into(),
            ));
        }
        let uuid = |b: &[u8]| Uuid::from_slice(b).expect("16 bytes");
        Ok(Some((
            TokenId(uuid(&v[..16])),
            ParticipantId(uuid(&v[16..])),
        )))
    }

    /// Every token issued, revoked or not, in the order they were issued.
    pub fn tokens(&self) -> Result<Vec<TokenEntry>, StoreError> {
        let mut records = self
            .db
            .scan_prefix(&[b't'])
            .map(|kv| Ok(serde_json::from_slice(&kv?.1)?))
            .collect::<Result<Vec<TokenRecord>, StoreError>>()?;
        records.sort_by_key(|r| r.seq);
        Ok(records
            .into_iter()
            .map(|r| TokenEntry {
                token: r.token,
                participant: r.participant,
                issued_at: r.issued_at,
                revoked: r.revoked,
            })
            .collect())
    }

    /// Delete every read model and rebuild it from the log. Returns how many events were read.
    ///
    /// The indexes with a fallback (`K`, `X`, whose markers go first) and the snapshots (each
    /// one right whenever written) are rewritten in batches as the log is read, so that memory
    /// stays bounded; the read models every command relies on (documents, amendments,
    /// participants, tokens) and the markers are replaced in one last batch. A rebuild cut
    /// short leaves answers right (read from the stream), and the next one completes it.
    pub fn rebuild(&self) -> Result<u64, StoreError> {
        self.rebuild_with_progress(&mut |_| {})
    }

    /// [`Store::rebuild`], telling `progress` how many events it has read, every batch.
    pub fn rebuild_with_progress(&self, progress: &mut dyn FnMut(u64)) -> Result<u64, StoreError> {
        let mut writer = self.writer();
        // What the writer kept was read from the read models this replaces.
        writer.documents.clear();
        let mut batch = Batch::default();
        for marker in [CLAUSE_INDEX_KEY, TEXT_INDEX_KEY, AMENDMENT_BLOCKS_KEY]
            .into_iter()
            .chain(OBSOLETE_MARKERS)
        {
            batch.remove(marker);
        }
        self.commit_models(batch)?;
        for prefix in REBUILT_AS_READ.into_iter().chain(OBSOLETE_PREFIXES) {
            self.remove_in_batches(prefix)?;
        }
        let mut last = Batch::default();
        for prefix in READ_MODEL_PREFIXES {
            if !REBUILT_AS_READ.contains(&prefix) {
                for kv in self.db.scan_prefix(&[prefix]) {
                    last.remove(kv?.0);
                }
            }
        }
        let mut docs: HashMap<DocumentId, Option<DocumentState>> = HashMap::new();
        let mut count = 0;
        let mut read_head = None;
        let mut tokens = TokenBatch::new(None);
        let mut indexes = Indexes::new(None);
        // Amendments closed and written in the batch not yet applied: the fold drops each once
        // closed (memory stays bounded by the open ones), and reads it back if a later event
        // names it (a decision reopened).
        let mut closed: HashMap<(DocumentId, AmendmentNo), Amendment> = HashMap::new();
        let mut batch = Batch::default();
        let mut amendments = AmendmentWrite::new(&*self.db);
        for stored in self.db.events_from(1, Reading::Whole) {
            let stored = stored?;
            let bytes = stored.bytes();
            let e = codec::decode(bytes)?;
            count += 1;
            read_head = Some((e.seq, e.hash, e.recorded_at));
            registry_entries(&e, &mut last, &mut tokens)?;
            if e.stream != StreamId::REGISTRY {
                indexes.add(&e, bytes)?;
                let doc = DocumentId(e.stream.0);
                let slot = docs.entry(doc).or_default();
                let about = e.event.amendment();
                if let (Some(state), Some(no)) = (slot.as_mut(), about) {
                    if no.0 <= state.amendments_proposed && !state.amendments.contains_key(&no) {
                        let back = match closed.remove(&(doc, no)) {
                            Some(a) => Some(a),
                            None => self.amendment(doc, no)?,
                        };
                        if let Some(a) = back {
                            state.amendments.insert(no, a);
                        }
                    }
                }
                if let Some(state) = slot.as_ref().filter(|s| tags(&e, s)) {
                    put_snapshot(&mut batch, &state.open_copy())?;
                }
                DocumentState::fold(slot, &e);
                if let (Some(state), Some(no)) = (slot.as_mut(), about) {
                    if state
                        .amendments
                        .get(&no)
                        .is_some_and(|a| !a.status.is_open())
                    {
                        let a = state.amendments.remove(&no).expect("held");
                        amendments.put(doc, &a)?;
                        closed.insert((doc, no), a);
                    }
                }
                if let Some(state) = slot {
                    if state.version % SNAPSHOT_EVERY == 0 {
                        put_snapshot(&mut batch, &state.open_copy())?;
                    }
                }
            }
            if count % REBUILD_BATCH == 0 {
                progress(count);
                indexes.write(&mut batch)?;
                std::mem::replace(&mut amendments, AmendmentWrite::new(&*self.db))
                    .write(&mut batch);
                self.commit_models(std::mem::take(&mut batch))?;
                closed.clear();
            }
        }
        indexes.write(&mut batch)?;
        amendments.write(&mut batch);
        self.commit_models(batch)?;
        for state in docs.values_mut().flatten() {
            put_amendments(&*self.db, &mut last, state, None)?;
            self.put_document(&mut last, state)?;
            for a in state.amendments.values().filter(|a| a.status.is_open()) {
                last.insert(open_key(state.id, a.no), &[]);
            }
        }
        for marker in [CLAUSE_INDEX_KEY, TEXT_INDEX_KEY, AMENDMENT_BLOCKS_KEY] {
            last.insert(marker, &[]);
        }
        self.commit_models(last)?;
        // The head is the log's as read: a log written beside the append path (a restore)
        // becomes the store's, and is anchored by the sync below.
        if let Some((seq, hash, time)) = read_head {
            writer.next_seq = seq + 1;
            writer.hash = hash;
            writer.last_time = Some(time);
            *self.applied() = Anchored { seq, hash };
        }
        self.make_durable()?;
        Ok(count)
    }

    /// Remove every key with a prefix, in batches.
    fn remove_in_batches(&self, prefix: u8) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        let mut n = 0;
        for kv in self.db.scan_prefix(&[prefix]) {
            batch.remove(kv?.0);
            n += 1;
            if n % REBUILD_BATCH == 0 {
                self.commit_models(std::mem::take(&mut batch))?;
            }
        }
        self.commit_models(batch)?;
        Ok(())
    }

    /// The sled tree itself. Only for tests that damage a sled store on purpose.
    #[doc(hidden)]
    pub fn raw_tree(&self) -> &sled::Db {
        self.db
            .as_sled()
            .expect("raw_tree is a back door into sled stores only")
            .db()
    }

    /// Every stored record of the log, with its sequence number. Only for tests that rewrite a
    /// log in an earlier format.
    #[doc(hidden)]
    pub fn stored_records(&self) -> impl Iterator<Item = Result<(u64, Vec<u8>), StoreError>> + '_ {
        self.db
            .events_from(1, Reading::Whole)
            .map(|s| s.map(|s| (s.seq, s.bytes().to_vec())))
    }

    /// Overwrite a stored record of a sled store. Only for tests of `verify` and of upcasting.
    /// The anchor follows a record overwritten at the head, as if the version that wrote the
    /// record had written the anchor too.
    #[doc(hidden)]
    pub fn put_raw(&self, seq: u64, bytes: Vec<u8>) -> Result<(), StoreError> {
        let sled = self
            .db
            .as_sled()
            .expect("put_raw is a back door into sled stores only");
        let mut writer = self.writer();
        writer.documents.clear();
        sled.overwrite_event(seq, &bytes)?;
        self.make_durable()?;
        if let (true, Some(hash)) = (sled.anchored().seq == seq, bytes.get(..32)) {
            sled.reset_anchor(Anchored {
                seq,
                hash: Hash(hash.try_into().expect("32 bytes")),
            })?;
        }
        Ok(())
    }
}

/// A document as it stood just before each of a rising series of its events, for telling only
/// some events of a long stream: the way from one event to the next folds the events between,
/// or, when it would fold more than a few, starts from the latest snapshot on the way (holding
/// the amendments open then, as every view does). The state before an event is that of the
/// plain fold of the stream, amendments closed earlier aside.
pub struct Walk<'s> {
    store: &'s Store,
    id: DocumentId,
    state: Option<DocumentState>,
}

impl Walk<'_> {
    /// The document just before `e`, an event of its stream later than any asked for before
    /// (`None` before the document's first event). Fold `e` into it (`DocumentState::fold`) to
    /// go on from `e`; otherwise the next call folds `e` itself.
    pub fn before(&mut self, e: &RecordedEvent) -> Result<&mut Option<DocumentState>, StoreError> {
        let (version, seq) = self.state.as_ref().map_or((0, 0), |s| (s.version, s.seq));
        if e.version <= version {
            return Err(StoreError::Corrupt(format!(
                "a walk along document {} was asked to go back to version {} from {version}",
                self.id, e.version
            )));
        }
        if e.version - version > WALK_JUMP {
            if let Some(at) = self.store.snapshot_seq_through(self.id, e.seq - 1)? {
                if at > seq {
                    self.state = Some(self.store.snapshot(self.id, at)?);
                }
            }
        }
        let from = self.state.as_ref().map_or(1, |s| s.version + 1);
        if from < e.version {
            for between in
                self.store
                    .stream_between(StreamId::document(self.id), from, e.version - 1)
            {
                DocumentState::fold(&mut self.state, &between?);
            }
        }
        Ok(&mut self.state)
    }

    /// Pass over `e`: fold it now if the walk stands just before it (so that a reader going
    /// through every event reads each once); otherwise leave it to the next [`Walk::before`].
    pub fn pass(&mut self, e: &RecordedEvent) {
        if self.state.as_ref().map_or(0, |s| s.version) + 1 == e.version {
            DocumentState::fold(&mut self.state, e);
        }
    }
}

/// Event `seq`, decoded, read through `blocks`; an event the log should hold and does not is
/// corruption.
pub(crate) fn read_event(
    blocks: &mut dyn EventReader,
    seq: u64,
) -> Result<RecordedEvent, StoreError> {
    let stored = blocks
        .event(seq)?
        .ok_or_else(|| StoreError::Corrupt(format!("event {seq} is missing")))?;
    codec::decode(stored.bytes())
}

/// The key prefix of one clause's history index (`K`).
pub(crate) fn clause_prefix(doc: DocumentId, clause: ClauseId) -> Vec<u8> {
    key(b'K', &[doc.0.as_bytes(), clause.0.as_bytes()])
}

/// The key prefix of one document's text changes (`X`).
fn text_prefix(doc: DocumentId) -> Vec<u8> {
    key(b'X', &[doc.0.as_bytes()])
}

/// How the entries of a [`BlockIndex`] are kept.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Entries {
    /// Sequence numbers (u64 BE), 256 to a block, unpacked (`K`).
    Seqs,
    /// Stored events (length ++ bytes, as the log keeps them), 16 to a block, packed (`X`).
    Events,
}

impl Entries {
    fn per_block(self) -> usize {
        match self {
            Entries::Seqs => CLAUSE_BLOCK,
            Entries::Events => TEXT_BLOCK,
        }
    }

    /// How many entries a block holds (unpacked).
    fn count(self, raw: &[u8]) -> Result<usize, StoreError> {
        let malformed = || StoreError::Corrupt("a block of an index is malformed".into());
        match self {
            Entries::Seqs if raw.len().is_multiple_of(8) => Ok(raw.len() / 8),
            Entries::Seqs => Err(malformed()),
            Entries::Events => block_events(raw)
                .try_fold(0, |n, r| r.map(|_| n + 1))
                .map_err(|_| malformed()),
        }
    }
}

/// The blocks of an index that a write extends (`K`: each clause's history; `X`: each
/// document's text changes): the last block under each prefix is read once (from `tree`, when
/// there is one to read: not during `rebuild`, which starts them afresh), extended, and written
/// once per batch. Blocks are numbered from 0 under their prefix (u32 BE).
struct BlockIndex<'t> {
    tree: Option<&'t dyn Tree>,
    entries: Entries,
    /// The number of the last block under each prefix.
    last: HashMap<Vec<u8>, u32>,
    /// The blocks extended since they were last written, unpacked, with their entry counts.
    touched: std::collections::BTreeMap<(Vec<u8>, u32), (Vec<u8>, usize)>,
}

impl<'t> BlockIndex<'t> {
    fn new(tree: Option<&'t dyn Tree>, entries: Entries) -> Self {
        BlockIndex {
            tree,
            entries,
            last: HashMap::new(),
            touched: std::collections::BTreeMap::new(),
        }
    }

    /// The next entry under `prefix`: a seq (`Entries::Seqs`) or a stored event.
    fn add(&mut self, prefix: Vec<u8>, entry: &[u8]) -> Result<(), StoreError> {
        let n = match self.last.get(&prefix) {
            Some(n) => *n,
            None => {
                let found = match self.tree {
                    Some(tree) => tree.last_with_prefix(&prefix)?,
                    None => None,
                };
                let (n, raw) = match found {
                    Some((k, v)) => (
                        be_u32(&k[prefix.len()..])?,
                        match self.entries {
                            Entries::Seqs => v.to_vec(),
                            Entries::Events => packed::unpack(&v, "a block of text changes")?,
                        },
                    ),
                    None => (0, Vec::new()),
                };
                let count = self.entries.count(&raw)?;
                self.last.insert(prefix.clone(), n);
                self.touched.insert((prefix.clone(), n), (raw, count));
                n
            }
        };
        let full = self
            .touched
            .get(&(prefix.clone(), n))
            .is_some_and(|(_, count)| *count >= self.entries.per_block());
        let n = if full {
            self.last.insert(prefix.clone(), n + 1);
            n + 1
        } else {
            n
        };
        let (raw, count) = self.touched.entry((prefix, n)).or_default();
        match self.entries {
            Entries::Seqs => raw.extend_from_slice(entry),
            Entries::Events => push_entry(raw, entry),
        }
        *count += 1;
        Ok(())
    }

    /// Write the blocks extended into `batch`, and forget those full (no entry goes to them
    /// again).
    fn write(&mut self, batch: &mut Batch) -> Result<(), StoreError> {
        for ((prefix, n), (raw, _)) in &self.touched {
            let mut k = prefix.clone();
            k.extend_from_slice(&n.to_be_bytes());
            match self.entries {
                Entries::Seqs => batch.insert(k, raw.as_slice()),
                Entries::Events => batch.insert(k, packed::pack(raw)?),
            }
        }
        let last = &self.last;
        self.touched
            .retain(|(prefix, n), _| last.get(prefix) == Some(n));
        Ok(())
    }
}

/// The indexes a write extends: per clause (`K`) and the text changes (`X`).
struct Indexes<'t> {
    clauses: BlockIndex<'t>,
    texts: BlockIndex<'t>,
}

impl<'t> Indexes<'t> {
    fn new(tree: Option<&'t dyn Tree>) -> Self {
        Indexes {
            clauses: BlockIndex::new(tree, Entries::Seqs),
            texts: BlockIndex::new(tree, Entries::Events),
        }
    }

    /// The entries of a document event (`stored`, as the log stores it): per clause, and among
    /// the text changes, where it is stored again so that reading every text change reads them
    /// side by side rather than scattered among the comments.
    fn add(&mut self, e: &RecordedEvent, stored: &[u8]) -> Result<(), StoreError> {
        let doc = DocumentId(e.stream.0);
        if !e.event.ops().is_empty() {
            self.texts.add(text_prefix(doc), stored)?;
        }
        for clause in e.event.clauses() {
            self.clauses
                .add(clause_prefix(doc, clause), &e.seq.to_be_bytes())?;
        }
        Ok(())
    }

    fn write(&mut self, batch: &mut Batch) -> Result<(), StoreError> {
        self.clauses.write(batch)?;
        self.texts.write(batch)
    }
}

/// The head of a log as its last event gives it (`last`, as [`crate::contract::Log::last_event`]
/// answered), the time of that event, and the damage found if it does not read back.
pub(crate) fn log_head(
    last: Result<Option<Stored>, StoreError>,
) -> Result<(Anchored, Option<Timestamp>, Option<String>), StoreError> {
    Ok(match last {
        Err(StoreError::Corrupt(m)) => {
            tracing::error!(error = %m, "the last block of the log does not read back");
            (
                Anchored::default(),
                None,
                Some(format!("the last block of the log does not read back: {m}")),
            )
        }
        Err(e) => return Err(e),
        Ok(None) => (Anchored::default(), None, None),
        Ok(Some(stored)) => match codec::decode(stored.bytes()) {
            Ok(last) => (
                Anchored {
                    seq: last.seq,
                    hash: last.hash,
                },
                Some(last.recorded_at),
                None,
            ),
            Err(e) => {
                let seq = stored.seq;
                tracing::error!(seq, error = %e, "the last event does not read back");
                (
                    Anchored {
                        seq,
                        hash: Hash::default(),
                    },
                    None,
                    Some(format!("event {seq} does not read back: {e}")),
                )
            }
        },
    })
}

/// The key marking an amendment as open.
fn open_key(doc: DocumentId, no: AmendmentNo) -> Vec<u8> {
    key(b'o', &[doc.0.as_bytes(), &no.0.to_be_bytes()])
}

/// The amendments some events are about.
fn touched(events: &[RecordedEvent]) -> Vec<AmendmentNo> {
    events.iter().filter_map(|e| e.event.amendment()).collect()
}

/// Whether `e` tags the document as `state` holds it (a tag set at the head, as tags usually
/// are): the state is then snapshotted, so that a view at a tag, where people look most, starts
/// from a snapshot at its very point and folds nothing.
fn tags(e: &RecordedEvent, state: &DocumentState) -> bool {
    matches!(&e.event, Event::TagSet { seq, .. } if *seq == state.seq)
}

/// Write the read models of a document's amendments into a batch: those named (the ones an
/// append changed), or all.
fn put_amendments(
    tree: &dyn Tree,
    batch: &mut Batch,
    state: &DocumentState,
    touched: Option<&[AmendmentNo]>,
) -> Result<(), StoreError> {
    let mut write = AmendmentWrite::new(tree);
    match touched {
        Some(nos) => {
            for no in nos {
                if let Some(a) = state.amendments.get(no) {
                    write.put(state.id, a)?;
                }
            }
        }
        None => {
            for a in state.amendments.values() {
                write.put(state.id, a)?;
            }
        }
    }
    write.write(batch);
    Ok(())
}

/// Write a snapshot of a document (open amendments only) into a batch, in chunks.
fn put_snapshot(batch: &mut Batch, state: &DocumentState) -> Result<(), StoreError> {
    let doc = state.id.0;
    let seq = state.seq.to_be_bytes();
    batch.insert(
        key(b'N', &[doc.as_bytes(), &seq]),
        serde_json::to_vec(&state.updated_at)?,
    );
    let json = packed::model(state)?;
    for (i, chunk) in json.chunks(READ_MODEL_CHUNK).enumerate() {
        batch.insert(
            key(b'n', &[doc.as_bytes(), &seq, &(i as u32).to_be_bytes()]),
            chunk,
        );
    }
    Ok(())
}

fn refuse_damaged(head: &Writer) -> Result<(), StoreError> {
    match &head.damaged {
        Some(why) => Err(StoreError::Corrupt(why.clone())),
        None => Ok(()),
    }
}

fn check_expected(stream: StreamId, expected: Expected, actual: u64) -> Result<(), StoreError> {
    let ok = match expected {
        Expected::Any => true,
        Expected::NoStream => actual == 0,
        Expected::Exact(v) => v == actual,
    };
    if ok {
        Ok(())
    } else {
        Err(StoreError::Conflict {
            stream: stream.to_string(),
            expected: expected.to_string(),
            actual,
        })
    }
}

fn resolve_clock(clock: Clock, last: Option<Timestamp>) -> Result<Timestamp, StoreError> {
    match (clock, last) {
        (Clock::Now(t), Some(last)) => Ok(t.max(last)),
        (Clock::Now(t), None) | (Clock::At(t), None) => Ok(t),
        (Clock::At(t), Some(last)) if t < last => Err(StoreError::TimeBackwards { given: t, last }),
        (Clock::At(t), Some(_)) => Ok(t),
    }
}

/// The id of the `i`th event of an append whose first event has `first`.
fn derived_id(first: EventId, i: usize) -> EventId {
    if i == 0 {
        first
    } else {
        EventId(Uuid::new_v5(&first.0, i.to_string().as_bytes()))
    }
}

/// The registry read-model entries an event writes: participants, documents, tokens.
fn registry_entries(
    e: &RecordedEvent,
    batch: &mut Batch,
    tokens: &mut TokenBatch<'_>,
) -> Result<(), StoreError> {
    if let Some(p) = participant_of(e) {
        batch.insert(key(b'q', &[p.id.0.as_bytes()]), p.handle.as_bytes());
        batch.insert(key(b'p', &[p.handle.as_bytes()]), serde_json::to_vec(&p)?);
    }
    if let Some(d) = document_of(e) {
        batch.insert(key(b'g', &[d.slug.as_bytes()]), serde_json::to_vec(&d)?);
    }
    match &e.event {
        Event::TokenIssued {
            token,
            participant,
            digest,
        } => {
            let mut value = token.0.as_bytes().to_vec();
            value.extend_from_slice(participant.0.as_bytes());
            batch.insert(digest_key(digest), value);
            tokens.put(
                batch,
                TokenRecord {
                    token: *token,
                    participant: *participant,
                    digest: *digest,
                    issued_at: e.recorded_at,
                    seq: e.seq,
                    revoked: false,
                },
            )?;
        }
        Event::AdminGranted { participant } => {
            batch.insert(key(b'R', &[participant.0.as_bytes()]), &[1u8][..]);
        }
        Event::AdminRevoked { participant } => {
            batch.insert(key(b'R', &[participant.0.as_bytes()]), &[0u8][..]);
        }
        Event::TokenRevoked { token } => {
            // A token the log never issued has nothing to revoke.
            if let Some(mut r) = tokens.get(*token)? {
                batch.remove(digest_key(&r.digest));
                r.revoked = true;
                tokens.put(batch, r)?;
            }
        }
        _ => {}
    }
    Ok(())
}

impl Directory for Store {
    fn participant(&self, id: ParticipantId) -> Option<Participant> {
        let handle = self.db.get(&key(b'q', &[id.0.as_bytes()])).ok()??;
        self.participant_by_handle(std::str::from_utf8(&handle).ok()?)
    }

    fn participant_by_handle(&self, handle: &str) -> Option<Participant> {
        let bytes = self.db.get(&key(b'p', &[handle.as_bytes()])).ok()??;
        serde_json::from_slice(&bytes).ok()
    }

    fn document_by_slug(&self, slug: &str) -> Option<DocumentEntry> {
        let bytes = self.db.get(&key(b'g', &[slug.as_bytes()])).ok()??;
        serde_json::from_slice(&bytes).ok()
    }

    fn first_participant(&self) -> Option<ParticipantId> {
        crate::admins::first_participant(self)
    }

    fn admin_records(&self) -> Vec<(ParticipantId, bool)> {
        crate::admins::records(&*self.db)
    }

    fn secretariat_of(&self, id: ParticipantId) -> Option<String> {
        crate::admins::secretariat_of(self, id)
    }
}
