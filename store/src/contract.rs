//! The event-store contract: what a storage engine does for [`crate::Store`].
//!
//! `Store` holds every rule of the log — one gap-free global order, a stream version per
//! document, idempotent event ids, the hash chain, group commit, read models as caches of the
//! log — and asks an engine for three things only:
//!
//! - **the log** ([`Log`]): the stored events by sequence number, a stream's versions, the event
//!   ids, and the last event;
//! - **an ordered map of bytes** for the read models ([`Tree`]): documents, amendments,
//!   snapshots, the per-clause and text-change indexes, the registry, tokens — every key that
//!   `rebuild` makes again from the log;
//! - **atomic, durable writes** ([`Engine::commit`], [`Engine::sync`]): an append's events and
//!   the read models they change land together or not at all, and are durable once `sync`
//!   returns for them.
//!
//! Two engines implement it: sled (`crate::sled`, the embedded default: one process, one
//! directory) and PostgreSQL (`crate::postgres`: several processes on one database). Nothing
//! above this contract names either.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use travaux_core::{EventId, Hash, StreamId, Timestamp};

use crate::{codec, StoreError};

/// A key or value of the read models' map.
pub type Bytes = Vec<u8>;

/// Entries of the read models' map, in key order.
pub type Entries<'a> = Box<dyn Iterator<Item = Result<(Bytes, Bytes), StoreError>> + 'a>;

/// Writes to the read models' map, applied together by [`Engine::commit`].
#[derive(Debug, Default, Clone)]
pub struct Batch {
    /// Each key with its new value, or `None` to remove it, in the order written (a later write
    /// of a key wins).
    pub ops: Vec<(Bytes, Option<Bytes>)>,
}

impl Batch {
    /// Set `key` to `value`.
    pub fn insert(&mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
        self.ops
            .push((key.as_ref().to_vec(), Some(value.as_ref().to_vec())));
    }

    /// Remove `key`.
    pub fn remove(&mut self, key: impl AsRef<[u8]>) {
        self.ops.push((key.as_ref().to_vec(), None));
    }

    /// Whether it writes nothing.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// How many writes it holds.
    pub fn len(&self) -> usize {
        self.ops.len()
    }
}

/// The read models' map: an ordered map of bytes. Reads see every commit that returned (and,
/// within one process, every commit applied: see [`Engine::commit`]).
pub trait Tree: Send + Sync {
    /// The value of `key`.
    fn get(&self, key: &[u8]) -> Result<Option<Bytes>, StoreError>;

    /// Whether `key` has a value.
    fn contains_key(&self, key: &[u8]) -> Result<bool, StoreError> {
        Ok(self.get(key)?.is_some())
    }

    /// The entries whose key starts with `prefix`, in key order.
    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Entries<'a>;

    /// The entries from `from` to `to`, both included, in key order.
    fn range<'a>(&'a self, from: &[u8], to: &[u8]) -> Entries<'a>;

    /// The last entry from `from` to `to` (both included).
    fn last_in_range(&self, from: &[u8], to: &[u8]) -> Result<Option<(Bytes, Bytes)>, StoreError>;

    /// The last entry whose key starts with `prefix`.
    fn last_with_prefix(&self, prefix: &[u8]) -> Result<Option<(Bytes, Bytes)>, StoreError> {
        match successor(prefix) {
            Some(end) => {
                // `end` itself is past the prefix; the range is inclusive, so step back from it
                // by asking for the last key below it that starts with the prefix.
                Ok(self
                    .last_in_range(prefix, &end)?
                    .filter(|(k, _)| k.starts_with(prefix)))
            }
            None => Ok(self.scan_prefix(prefix).last().transpose()?),
        }
    }
}

/// The smallest key greater than every key starting with `prefix` (`None` if the prefix is all
/// `0xff`).
pub fn successor(prefix: &[u8]) -> Option<Bytes> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// One stored event as the log gives it back: its sequence number and stored bytes (see
/// `codec`: the hash, then the JSON body), shared with the events read with it.
#[derive(Clone, Debug)]
pub struct Stored {
    /// Its sequence number.
    pub seq: u64,
    block: Arc<[u8]>,
    range: std::ops::Range<usize>,
}

impl Stored {
    /// An event's stored bytes, `range` of `block` (an engine that reads events in blocks
    /// shares one block between them).
    pub fn new(seq: u64, block: Arc<[u8]>, range: std::ops::Range<usize>) -> Self {
        Stored { seq, block, range }
    }

    /// An event stored on its own.
    pub fn whole(seq: u64, bytes: Vec<u8>) -> Self {
        let len = bytes.len();
        Stored {
            seq,
            block: bytes.into(),
            range: 0..len,
        }
    }

    /// The stored bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.block[self.range.clone()]
    }
}

/// How far a reader of the log goes (see [`Log::events_from`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// An unbroken run of the log, whatever appends go on meanwhile: it may stop before the
    /// head if the head moved while it read.
    Prefix,
    /// Every event stored, gaps included, for `verify` and `rebuild`, which report gaps or hold
    /// the writer lock.
    Whole,
}

/// A reader of events by sequence number; it may keep what it read last (events read in rising
/// order cost one read per block in an engine that stores them in blocks).
pub trait EventReader {
    /// Event `seq`, if the log holds it.
    fn event(&mut self, seq: u64) -> Result<Option<Stored>, StoreError>;
}

/// The log: every event in one global order, each stream's versions, and the event ids.
pub trait Log: Send + Sync {
    /// The last stored event.
    fn last_event(&self) -> Result<Option<Stored>, StoreError>;

    /// A reader of events by sequence number.
    fn reader(&self) -> Box<dyn EventReader + '_>;

    /// Every stored event from `from` on, in order.
    fn events_from<'a>(
        &'a self,
        from: u64,
        reading: Reading,
    ) -> Box<dyn Iterator<Item = Result<Stored, StoreError>> + 'a>;

    /// The (version, seq) pairs of `stream` from version `from` to `to` (both included), in
    /// order: an unbroken run, as [`Reading::Prefix`].
    fn stream_seqs<'a>(
        &'a self,
        stream: StreamId,
        from: u64,
        to: u64,
    ) -> Box<dyn Iterator<Item = Result<(u64, u64), StoreError>> + 'a>;

    /// How many events `stream` holds.
    fn stream_version(&self, stream: StreamId) -> Result<u64, StoreError>;

    /// The sequence number and request fingerprint event `id` was stored with.
    fn by_id(&self, id: EventId) -> Result<Option<(u64, Hash)>, StoreError>;

    /// How many entries the stream index and the event-id index hold, over every stream:
    /// `verify` checks that each equals the number of events (no stray entry mixes events into
    /// a stream). An engine whose indexes are the log's own columns answers the count of events
    /// for both.
    fn index_entries(&self) -> Result<(u64, u64), StoreError>;
}

/// One event of an append, as [`Engine::commit`] stores it.
#[derive(Clone, Copy, Debug)]
pub struct LogEntry<'a> {
    /// Its place in the global order: the next after the log's last event.
    pub seq: u64,
    /// Its stream.
    pub stream: StreamId,
    /// Its version in the stream: the next after the stream's last.
    pub version: u64,
    /// Its id, unique in the log.
    pub id: EventId,
    /// The fingerprint of the request that appended it (see `Store::recorded`).
    pub request: Hash,
    /// The hash of the event before it.
    pub prev_hash: Hash,
    /// Its hash.
    pub hash: Hash,
    /// Its stored bytes (see `codec`), kept unchanged for ever.
    pub bytes: &'a [u8],
}

/// A point of the log: an event's sequence number and hash (`0` and the zero hash before the
/// first event).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Head {
    /// The sequence number.
    pub seq: u64,
    /// Its hash.
    pub hash: Hash,
}

/// Where a store is: a directory (sled) or a database (PostgreSQL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A sled store in this directory.
    Dir(PathBuf),
    /// A PostgreSQL database, by its connection URL (`postgres://…`).
    Postgres(String),
}

impl Location {
    /// A store named on the command line: a `postgres://` or `postgresql://` URL, else a
    /// directory.
    pub fn parse(s: &str) -> Location {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Location::Postgres(s.to_string())
        } else {
            Location::Dir(PathBuf::from(s))
        }
    }

    /// The directory, for a sled store.
    pub fn dir(&self) -> Option<&Path> {
        match self {
            Location::Dir(p) => Some(p),
            Location::Postgres(_) => None,
        }
    }
}

impl From<&Path> for Location {
    fn from(p: &Path) -> Self {
        Location::Dir(p.to_path_buf())
    }
}

impl From<&PathBuf> for Location {
    fn from(p: &PathBuf) -> Self {
        Location::Dir(p.clone())
    }
}

impl From<PathBuf> for Location {
    fn from(p: PathBuf) -> Self {
        Location::Dir(p)
    }
}

impl From<&Location> for Location {
    fn from(l: &Location) -> Self {
        l.clone()
    }
}

impl std::fmt::Display for Location {
    /// The directory, or the URL without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Dir(p) => write!(f, "{}", p.display()),
            Location::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

/// A connection URL without its password.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((auth, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// A storage engine: the log and the read models' map, written together.
///
/// Writes come from [`crate::Store`] only, one at a time within a process (under its writer
/// lock), as: [`Engine::begin_write`], reads, then [`Engine::commit`] or
/// [`Engine::abort_write`]; then, outside the lock, [`Engine::sync`] (shared by the appends of
/// several threads: group commit).
pub trait Engine: Tree + Log {
    /// Which engine: `sled` or `postgres`.
    fn name(&self) -> &'static str;

    /// Where the store is.
    fn location(&self) -> &Location;

    /// Begin a write. An engine shared by several processes (PostgreSQL) takes its
    /// cross-process writer lock here and returns the log's head as the other processes left
    /// it; an engine one process holds alone (sled) returns `None`: the head it knows is the
    /// head.
    fn begin_write(&self) -> Result<Option<Head>, StoreError>;

    /// End a write begun with [`Engine::begin_write`] that writes nothing.
    fn abort_write(&self);

    /// Store `events` (which follow the log's head `after`) and apply `batch` to the read
    /// models, atomically: all of it or none. The events must continue the log: each the next
    /// sequence number and stream version, with a new id; an engine refuses what does not
    /// (PostgreSQL by its constraints). Once this returns, every reader in this process sees
    /// the write; it is durable once [`Engine::sync`] returns for it. Ends the write begun.
    fn commit(&self, after: Head, events: &[LogEntry<'_>], batch: Batch) -> Result<(), StoreError>;

    /// Make every write committed up to `through` durable (an engine whose commit is durable
    /// already does nothing), and record it where the engine keeps its durable head.
    fn sync(&self, through: Head) -> Result<(), StoreError>;

    /// The log's durable head as every process sees it, for an engine shared by several
    /// processes (PostgreSQL: the head row, moved by each commit); `None` for an engine one
    /// process holds alone, whose durable head that process knows. A live stream of the log
    /// polls it to see what other processes appended.
    fn shared_head(&self) -> Result<Option<Head>, StoreError> {
        Ok(None)
    }

    /// The damage found when the store was opened, if any: such a store opens for `verify`
    /// only.
    fn damage(&self) -> Option<String> {
        None
    }

    /// The engine as itself, for what only one engine does (sled: compaction, the files
    /// beside the store): the store downcasts it.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// The head of a log as its last event gives it (`last`, as [`crate::contract::Log::last_event`]
/// answered), the time of that event, and the damage found if it does not read back.
pub(crate) fn log_head(
    last: Result<Option<Stored>, StoreError>,
) -> Result<(Head, Option<Timestamp>, Option<String>), StoreError> {
    Ok(match last {
        Err(StoreError::Corrupt(m)) => {
            tracing::error!(error = %m, "the last block of the log does not read back");
            (
                Head::default(),
                None,
                Some(format!("the last block of the log does not read back: {m}")),
            )
        }
        Err(e) => return Err(e),
        Ok(None) => (Head::default(), None, None),
        Ok(Some(stored)) => match codec::decode(stored.bytes()) {
            Ok(last) => (
                Head {
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
                    Head {
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
