//! The whole log as JSON Lines, and a new store restored from it.
//!
//! An export is one JSON object per line, in this order:
//!
//! 1. a header: `{"format":"travaux-export/1","events":N,"head":"HASH","checkpoints":K}`, the
//!    number of events that follow, the hash of the last, and how many checkpoints close the file
//!    (so that a file cut short at a line boundary is still found to be cut short);
//! 2. the events, one per line, in the order of the log:
//!    `{"event":{…},"hash":"HASH","request":"HASH"}`. `event` is the stored record's JSON body
//!    byte for byte as the store holds it (the envelope — seq, id, stream, version,
//!    recorded_at, actor, type, schema, prev_hash — and the payload in `data`), so the SHA-256
//!    of those bytes is `hash`, and each body names the hash of the one before it: anyone can
//!    check the chain from the file alone. `request` is the fingerprint of the request that
//!    wrote it, which the store keeps beside the log to recognise a retried `--event-id`;
//! 3. the checkpoints (see `checkpoint`), one per line: `{"checkpoint":{…}}`.
//!
//! [`Store::export_jsonl`] writes one, reading the log block by block (memory does not grow with
//! the store); [`restore`] builds a new store from one, line by line, checking every hash and
//! the chain as it goes, in a directory beside the target that takes its place only once the
//! whole file has been read and the read models rebuilt.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use travaux_core::{EventId, Hash, RecordedEvent};

use crate::contract::Tree;
use crate::contract::{Batch, Head, Location, LogEntry, Reading};
use crate::keys::RESTORING_KEY;
use crate::{codec, Store, StoreError};

/// The format named in an export's first line.
pub const EXPORT_FORMAT: &str = "travaux-export/1";

/// How many events a restore writes per batch.
const RESTORE_BATCH: u64 = 10_000;

/// The first line of an export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportHeader {
    /// [`EXPORT_FORMAT`].
    pub format: String,
    /// How many events follow.
    pub events: u64,
    /// The hash of the last of them (the zero hash for an empty log).
    pub head: Hash,
    /// How many checkpoint lines follow the events.
    pub checkpoints: u64,
}

/// An event line, as read.
#[derive(Deserialize)]
struct EventLine<'a> {
    #[serde(borrow)]
    event: Option<&'a RawValue>,
    hash: Option<Hash>,
    request: Option<Hash>,
    #[serde(borrow)]
    checkpoint: Option<&'a RawValue>,
}

/// The two fields of a stored body an export looks at.
#[derive(Deserialize)]
struct Ids {
    id: EventId,
}

impl Store {
    /// Write the log as JSON Lines (see the module documentation), up to the durable head as it
    /// is when the export starts, with `checkpoints` (lines of JSON, each a checkpoint) at the
    /// end. `progress` is told the number of events written, now and then. Returns the header.
    pub fn export_jsonl(
        &self,
        out: &mut dyn Write,
        checkpoints: &[String],
        mut progress: impl FnMut(u64, u64),
    ) -> Result<ExportHeader, StoreError> {
        let last = self.durable_head();
        let head = if last == 0 {
            Hash::default()
        } else {
            self.event(last)?.hash
        };
        let checkpoints: Vec<&String> = checkpoints
            .iter()
            .filter(|c| crate::checkpoint::seq_of(c).is_some_and(|s| s <= last))
            .collect();
        let header = ExportHeader {
            format: EXPORT_FORMAT.into(),
            events: last,
            head,
            checkpoints: checkpoints.len() as u64,
        };
        serde_json::to_writer(&mut *out, &header)?;
        out.write_all(b"\n")?;
        let mut expected = 1;
        for stored in self.db.events_from(1, Reading::Prefix) {
            let stored = stored?;
            if stored.seq > last {
                break;
            }
            if stored.seq != expected {
                return Err(StoreError::Corrupt(format!(
                    "the log goes from event {} to event {}",
                    expected - 1,
                    stored.seq
                )));
            }
            let bytes = stored.bytes();
            if bytes.len() < 32 {
                return Err(StoreError::Corrupt(format!(
                    "event {} is too short to hold a hash",
                    stored.seq
                )));
            }
            let (hash, body) = bytes.split_at(32);
            let ids: Ids = serde_json::from_slice(body)?;
            let request = self.db.by_id(ids.id)?.map(|(_, r)| r).unwrap_or_default();
            out.write_all(b"{\"event\":")?;
            out.write_all(body)?;
            out.write_all(b",\"hash\":\"")?;
            out.write_all(
                const_hex::Buffer::<32>::new()
                    .format(hash.try_into().expect("32 bytes"))
                    .as_bytes(),
            )?;
            out.write_all(b"\",\"request\":\"")?;
            out.write_all(request.to_string().as_bytes())?;
            out.write_all(b"\"}\n")?;
            if stored.seq % 4096 == 0 {
                progress(stored.seq, last);
            }
            expected += 1;
        }
        if expected != last + 1 {
            return Err(StoreError::Corrupt(format!(
                "the log ends at event {}, before its durable head {last}",
                expected - 1
            )));
        }
        progress(last, last);
        for c in checkpoints {
            out.write_all(b"{\"checkpoint\":")?;
            out.write_all(c.trim_end().as_bytes())?;
            out.write_all(b"}\n")?;
        }
        out.flush()?;
        Ok(header)
    }
}

/// What a restore did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Restored {
    /// The events restored.
    pub events: u64,
    /// The hash of the last one.
    pub head: Hash,
    /// The checkpoints restored.
    pub checkpoints: u64,
}

/// Why a restore stopped: the line of the export (from 1) and what was wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The target is not a new or empty directory, or a database with no store in it.
    #[error("{0} exists and is not empty: restore builds a new store (choose another --store, or move it away)")]
    NotEmpty(Location),
    /// The export is not what it should be at a line.
    #[error("line {line}{}: {why}", match .seq { Some(s) => format!(" (event {s})"), None => String::new() })]
    Bad {
        /// The line, from 1.
        line: u64,
        /// The event it holds or should hold, when known.
        seq: Option<u64>,
        /// What was wrong.
        why: String,
    },
    /// The store could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The export could not be read.
    #[error("cannot read the export: {0}")]
    Read(std::io::Error),
}

/// Build a new store at `target` (a new or empty directory, or a database with no store in it)
/// from an export, checking each event's hash and the chain. `progress` is told (events
/// restored, events announced) now and then, and `(n, n)` once the log is written, before the
/// read models are rebuilt. On any error nothing is left at `target` (a directory that was
/// empty stays so; a database is left without the store's tables).
pub fn restore(
    target: &Location,
    input: &mut dyn BufRead,
    mut progress: impl FnMut(u64, u64),
) -> Result<Restored, RestoreError> {
    match target {
        Location::Dir(path) => restore_dir(path, input, &mut progress),
        Location::Postgres(url) => restore_database(target, url, input, &mut progress),
    }
}

/// Restore into a database: the store is made there, marked as being restored (so that no
/// process opens it half filled, and a restore cut short is replaced by the next), filled,
/// unmarked, and dropped again on any error.
fn restore_database(
    target: &Location,
    url: &str,
    input: &mut dyn BufRead,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Restored, RestoreError> {
    if let Ok(left) = crate::postgres::PgEngine::open(url) {
        if left.contains_key(RESTORING_KEY)? {
            drop(left);
            tracing::info!("replacing a restore that did not finish");
            crate::postgres::drop_store(url)?;
        }
    }
    let (store, created) = Store::create(target)?;
    if !created {
        return Err(RestoreError::NotEmpty(target.clone()));
    }
    let mut mark = Batch::default();
    mark.insert(RESTORING_KEY, []);
    let restored = store
        .db
        .commit(Head::default(), &[], mark)
        .map_err(RestoreError::from)
        .and_then(|()| fill(&store, input, progress))
        .and_then(|restored| {
            store.write_beside(|_| {
                let mut unmark = Batch::default();
                unmark.remove(RESTORING_KEY);
                Ok(((), unmark))
            })?;
            Ok(restored)
        });
    drop(store);
    if restored.is_err() {
        if let Err(e) = crate::postgres::drop_store(url) {
            tracing::error!(error = %e, "the store left half restored could not be dropped");
        }
    }
    restored
}

/// Restore into a new directory: the store is built beside it and renamed into place.
fn restore_dir(
    target: &Path,
    input: &mut dyn BufRead,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Restored, RestoreError> {
    if target.exists() {
        let empty = target.is_dir()
            && std::fs::read_dir(target)
                .map_err(StoreError::Io)?
                .next()
                .is_none();
        if !empty {
            return Err(RestoreError::NotEmpty(Location::Dir(target.to_path_buf())));
        }
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "store".into());
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(StoreError::Io)?;
    let building = parent.join(format!(".{name}.restoring"));
    if building.exists() {
        std::fs::remove_dir_all(&building).map_err(StoreError::Io)?;
    }
    let result = (|| {
        let (store, _) = Store::create(&building)?;
        let restored = fill(&store, input, progress);
        drop(store);
        restored
    })();
    match result {
        Ok(restored) => {
            if target.exists() {
                std::fs::remove_dir(target).map_err(StoreError::Io)?;
            }
            std::fs::rename(&building, target).map_err(StoreError::Io)?;
            if let Ok(dir) = std::fs::File::open(&parent) {
                let _ = dir.sync_all();
            }
            Ok(restored)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&building);
            Err(e)
        }
    }
}

/// What reading an export found: its header and its checkpoints (as lines of JSON).
#[derive(Clone, Debug)]
pub struct Read {
    /// The header.
    pub header: ExportHeader,
    /// The checkpoint lines.
    pub checkpoints: Vec<String>,
}

/// Read an export from its first line to its last, checking each event's hash against its
/// record and the chain from event 1 to the head the header announces, and handing each event
/// to `each` (its line, the number of events the header announces, the event decoded, its stored bytes — hash and body — and the
/// fingerprint of the request that wrote it). An error names the line and the event.
pub fn read_export(
    input: &mut dyn BufRead,
    mut each: impl FnMut(u64, u64, &RecordedEvent, &[u8], Hash) -> Result<(), RestoreError>,
) -> Result<Read, RestoreError> {
    let bad = |line: u64, seq: Option<u64>, why: String| RestoreError::Bad { line, seq, why };
    let mut line = String::new();
    let mut number = 0u64;
    let mut read = |line: &mut String, number: &mut u64| -> Result<bool, RestoreError> {
        line.clear();
        let n = input.read_line(line).map_err(RestoreError::Read)?;
        *number += 1;
        if n > 0 && !line.ends_with('\n') {
            return Err(bad(
                *number,
                None,
                "the line does not end (the export is cut short)".into(),
            ));
        }
        Ok(n > 0)
    };
    if !read(&mut line, &mut number)? {
        return Err(bad(1, None, "the export is empty".into()));
    }
    let header: ExportHeader = serde_json::from_str(&line).map_err(|e| {
        bad(
            1,
            None,
            format!("the first line is not the header of a travaux export: {e}"),
        )
    })?;
    if header.format != EXPORT_FORMAT {
        return Err(bad(
            1,
            None,
            format!(
                "the export's format is {:?}; this version reads {EXPORT_FORMAT:?}",
                header.format
            ),
        ));
    }
    let mut prev = Hash::default();
    let mut seq = 0u64;
    let mut checkpoints: Vec<String> = Vec::new();
    let mut bytes = Vec::new();
    while read(&mut line, &mut number)? {
        let expected = seq + 1;
        let parsed: EventLine<'_> = serde_json::from_str(&line).map_err(|e| {
            bad(
                number,
                Some(expected),
                format!("the line is not JSON of an event or a checkpoint: {e}"),
            )
        })?;
        if let Some(c) = parsed.checkpoint {
            checkpoints.push(c.get().to_string());
            continue;
        }
        if !checkpoints.is_empty() {
            return Err(bad(
                number,
                Some(expected),
                "an event after the checkpoints, which close the export".into(),
            ));
        }
        let (Some(body), Some(hash)) = (parsed.event, parsed.hash) else {
            return Err(bad(
                number,
                Some(expected),
                "the line has no \"event\" and \"hash\"".into(),
            ));
        };
        let body = body.get().as_bytes();
        if Hash(Sha256::digest(body).into()) != hash {
            return Err(bad(
                number,
                Some(expected),
                format!("the event's record does not have the hash the line gives ({hash}): it was altered"),
            ));
        }
        bytes.clear();
        bytes.extend_from_slice(&hash.0);
        bytes.extend_from_slice(body);
        let e = codec::decode(&bytes).map_err(|err| {
            bad(
                number,
                Some(expected),
                format!("the event does not decode: {err}"),
            )
        })?;
        if e.seq != expected {
            return Err(bad(
                number,
                Some(expected),
                format!(
                    "the line holds event {}, where event {expected} was expected",
                    e.seq
                ),
            ));
        }
        if e.prev_hash != prev {
            return Err(bad(
                number,
                Some(expected),
                format!(
                    "the event names {} as the hash before it, but event {seq} has hash {prev}: the chain is broken",
                    e.prev_hash
                ),
            ));
        }
        if expected > header.events {
            return Err(bad(
                number,
                Some(expected),
                format!(
                    "the header announces {} events; this is one more",
                    header.events
                ),
            ));
        }
        each(
            number,
            header.events,
            &e,
            &bytes,
            parsed.request.unwrap_or_default(),
        )?;
        prev = hash;
        seq = expected;
    }
    if seq != header.events || prev != header.head {
        return Err(bad(
            number,
            Some(seq + 1),
            format!(
                "the export ends after event {seq}, but its header announces {} events ending with hash {}: it is cut short",
                header.events, header.head
            ),
        ));
    }
    if checkpoints.len() as u64 != header.checkpoints {
        return Err(bad(
            number,
            None,
            format!(
                "the export ends after {} checkpoints, but its header announces {}: it is cut short",
                checkpoints.len(),
                header.checkpoints
            ),
        ));
    }
    Ok(Read {
        header,
        checkpoints,
    })
}

/// An event read from an export, to be written with its batch.
struct Pending {
    seq: u64,
    stream: travaux_core::StreamId,
    version: u64,
    id: travaux_core::EventId,
    request: Hash,
    prev_hash: Hash,
    hash: Hash,
    bytes: Vec<u8>,
}

/// Write the events read so far to the log as stored (the read models follow in `rebuild`);
/// returns the log's new head.
fn write_pending(
    store: &Store,
    after: Head,
    pending: &mut Vec<Pending>,
) -> Result<Head, StoreError> {
    let Some(last) = pending.last() else {
        return Ok(after);
    };
    let head = Head {
        seq: last.seq,
        hash: last.hash,
    };
    let entries: Vec<LogEntry<'_>> = pending
        .iter()
        .map(|p| LogEntry {
            seq: p.seq,
            stream: p.stream,
            version: p.version,
            id: p.id,
            request: p.request,
            prev_hash: p.prev_hash,
            hash: p.hash,
            bytes: &p.bytes,
        })
        .collect();
    store.db.commit(after, &entries, Batch::default())?;
    pending.clear();
    Ok(head)
}

fn fill(
    store: &Store,
    input: &mut dyn BufRead,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Restored, RestoreError> {
    // The events as stored, a batch at a time: (seq, stream, version, id, request, prev, hash,
    // bytes).
    let mut pending: Vec<Pending> = Vec::new();
    let mut ids: std::collections::HashMap<EventId, u64> = std::collections::HashMap::new();
    let mut after = Head::default();
    let read = read_export(input, |line, announced, e, bytes, request| {
        let at = |err: StoreError| RestoreError::Bad {
            line,
            seq: Some(e.seq),
            why: err.to_string(),
        };
        let earlier = match ids.get(&e.id) {
            Some(first) => Some(*first),
            None => store.db.by_id(e.id).map_err(at)?.map(|(first, _)| first),
        };
        if let Some(first) = earlier {
            return Err(RestoreError::Bad {
                line,
                seq: Some(e.seq),
                why: format!("event id {} is already event {first}'s", e.id),
            });
        }
        ids.insert(e.id, e.seq);
        pending.push(Pending {
            seq: e.seq,
            stream: e.stream,
            version: e.version,
            id: e.id,
            request,
            prev_hash: e.prev_hash,
            hash: e.hash,
            bytes: bytes.to_vec(),
        });
        if e.seq % RESTORE_BATCH == 0 {
            after = write_pending(store, after, &mut pending).map_err(at)?;
            ids.clear();
            progress(e.seq, announced);
        }
        Ok(())
    })?;
    write_pending(store, after, &mut pending)?;
    let events = read.header.events;
    progress(events, events);
    store.rebuild()?;
    // The checkpoints carried must be signed, and the log restored must extend each.
    for (i, line) in read.checkpoints.iter().enumerate() {
        let number = events + 2 + i as u64;
        let bad = |seq, why: String| RestoreError::Bad {
            line: number,
            seq,
            why,
        };
        let c: crate::checkpoint::Checkpoint = serde_json::from_str(line)
            .map_err(|e| bad(None, format!("the line is not a checkpoint: {e}")))?;
        let seq = Some(c.statement.seq);
        c.check_signature().map_err(|why| bad(seq, why))?;
        store.extends(&c.statement)?.map_err(|why| {
            bad(
                seq,
                format!("the export does not extend its own checkpoint: {why}"),
            )
        })?;
    }
    if !read.checkpoints.is_empty() {
        store.keep_checkpoints(&read.checkpoints)?;
    }
    Ok(Restored {
        events,
        head: read.header.head,
        checkpoints: read.checkpoints.len() as u64,
    })
}
