//! The log and its two indexes — a stream's versions and the event ids — kept in blocks.
//!
//! sled keeps one entry in its page table per page, and a leaf page holds at most 16 keys
//! (hard-coded in sled 0.34), so opening a store costs in proportion to the number of keys, and
//! to the size of its file. One key per event for the log and for each index made three keys
//! per event. Here:
//!
//! | prefix | key | value |
//! | --- | --- | --- |
//! | `L` | block (u64 BE) | the stored events `block × 16 + 1` on, in order (at most 16), each as its length (u32 BE) ++ its stored bytes (see `codec`), packed (see `packed`) |
//! | `S` | stream (16) ++ block (u64 BE) | the seqs (u64 BE) of versions `block × 256 + 1` on, in order (at most 256: 2 KiB) |
//! | `I` | bucket (u16 BE): a hash of the event id | entries of 56 bytes: event id (16) ++ seq (u64 BE) ++ request fingerprint (32) |
//!
//! A block or bucket is read, extended and written again in the batch that appends its events,
//! under the writer lock, so it never disagrees with the log; an event's stored bytes are
//! copied into its block unchanged and never rewritten (packing a block changes how sled holds
//! it, not the bytes it gives back). 65,536 buckets hold about 850 bytes each at 1,000,000
//! events.

use std::collections::BTreeMap;

use travaux_core::{EventId, Hash, StreamId};

use crate::contract::{Reading, Stored};
use crate::keys::{block_events, key, push_entry};
use crate::packed;
use crate::StoreError;

/// How many events one `L` block holds: about 4 KiB packed, so that a leaf of sixteen blocks
/// stays below sled's blob threshold.
pub(crate) const EVENT_BLOCK: u64 = 16;
const EVENT_PREFIX: u8 = b'L';
/// How many versions of a stream one `S` block holds.
pub(crate) const STREAM_BLOCK: u64 = 256;
const ID_ENTRY: usize = 16 + 8 + 32;
const STREAM_PREFIX: u8 = b'S';
const ID_PREFIX: u8 = b'I';
fn event_block_key(block: u64) -> Vec<u8> {
    key(EVENT_PREFIX, &[&block.to_be_bytes()])
}

/// The `L` block holding event `seq`, and its place there (events count from 1).
fn event_place(seq: u64) -> (u64, usize) {
    let i = seq.saturating_sub(1);
    (i / EVENT_BLOCK, (i % EVENT_BLOCK) as usize)
}

/// Block `block` of the log, unpacked.
fn unpack_block(block: u64, value: &[u8]) -> Result<std::sync::Arc<[u8]>, StoreError> {
    Ok(packed::unpack(
        value,
        &format!("log block {block} (events {} on)", block * EVENT_BLOCK + 1),
    )?
    .into())
}

/// The stored events of the block under `key`.
fn stored_in(key: &[u8], value: sled::IVec) -> Vec<Result<Stored, StoreError>> {
    if key.len() != 9 {
        return vec![Err(malformed("log block"))];
    }
    let number = u64_at(key, 1);
    let block = match unpack_block(number, &value) {
        Ok(block) => block,
        Err(e) => return vec![Err(e)],
    };
    let first = number * EVENT_BLOCK + 1;
    let ranges: Vec<_> = block_events(&block).collect();
    ranges
        .into_iter()
        .zip(first..)
        .map(|(range, seq)| range.map(|range| Stored::new(seq, block.clone(), range)))
        .collect()
}

/// A reader of events by sequence number that keeps the last block it read: events read in
/// rising order (a stream, a clause's history) cost one read of sled per block rather than one
/// per event. What it holds is as it was when read: a block extended since (a reader never asks
/// for an event past the head it knows) is read again.
pub(crate) struct Blocks<'t> {
    tree: &'t sled::Db,
    /// The block last read.
    held: Option<Held>,
}

/// A block as a reader holds it: its number, its unpacked bytes and where each event lies.
struct Held {
    number: u64,
    bytes: std::sync::Arc<[u8]>,
    ranges: Vec<std::ops::Range<usize>>,
}

impl<'t> Blocks<'t> {
    pub(crate) fn new(tree: &'t sled::Db) -> Self {
        Blocks { tree, held: None }
    }

    /// The stored bytes of event `seq`, if the log holds it.
    pub(crate) fn event(&mut self, seq: u64) -> Result<Option<Stored>, StoreError> {
        let (block, place) = event_place(seq);
        let fresh = match &self.held {
            Some(held) => held.number != block || place >= held.ranges.len(),
            None => true,
        };
        if fresh {
            let Some(value) = self.tree.get(event_block_key(block))? else {
                return Ok(None);
            };
            let bytes = unpack_block(block, &value)?;
            let ranges = block_events(&bytes).collect::<Result<Vec<_>, _>>()?;
            self.held = Some(Held {
                number: block,
                bytes,
                ranges,
            });
        }
        let held = self.held.as_ref().expect("held above");
        Ok(held
            .ranges
            .get(place)
            .map(|range| Stored::new(seq, held.bytes.clone(), range.clone())))
    }
}

/// Every stored event from `from` on, in order.
///
/// sled's iterators are not snapshots: while appends go on, a reader could take a block holding
/// three events, and then the next block, filled since, and miss the five between. So a reader
/// stops after the first block that is not full (`Reading::Prefix`): what it gives is always an
/// unbroken run of the log. `Reading::Whole` reads every block, a short one in the middle
/// included, for `verify` and `rebuild`, which hold the writer lock or report gaps.
pub(crate) fn events_from(
    tree: &sled::Db,
    from: u64,
    reading: Reading,
) -> impl Iterator<Item = Result<Stored, StoreError>> + '_ {
    let from = from.max(1);
    tree.range(event_block_key(event_place(from).0)..=event_block_key(u64::MAX))
        .scan(false, move |stop, kv| {
            if *stop {
                return None;
            }
            Some(match kv {
                Err(e) => vec![Err(e.into())],
                Ok((k, v)) => {
                    let stored = stored_in(&k, v);
                    *stop = reading == Reading::Prefix && stored.len() < EVENT_BLOCK as usize;
                    stored
                        .into_iter()
                        .filter(|s| s.as_ref().map_or(true, |s| s.seq >= from))
                        .collect()
                }
            })
        })
        .flatten()
}

/// The last stored event.
pub(crate) fn last_event(tree: &sled::Db) -> Result<Option<Stored>, StoreError> {
    match tree.scan_prefix([EVENT_PREFIX]).next_back() {
        None => Ok(None),
        Some(kv) => {
            let (k, v) = kv?;
            stored_in(&k, v).pop().transpose()
        }
    }
}

/// Overwrite the stored bytes of event `seq` in its block: only for tests that damage a log.
pub(crate) fn overwrite_event(tree: &sled::Db, seq: u64, bytes: &[u8]) -> Result<(), StoreError> {
    let (block, place) = event_place(seq);
    let key = event_block_key(block);
    let old = match tree.get(&key)? {
        Some(value) => unpack_block(block, &value)?,
        None => std::sync::Arc::from(&[][..]),
    };
    let mut new = Vec::new();
    for (i, range) in block_events(&old).enumerate() {
        let stored = if i == place { bytes } else { &old[range?] };
        push_entry(&mut new, stored);
    }
    tree.insert(key, packed::pack(&new)?)?;
    Ok(())
}

fn stream_block_key(stream: StreamId, block: u64) -> Vec<u8> {
    key(STREAM_PREFIX, &[stream.0.as_bytes(), &block.to_be_bytes()])
}

/// The block holding `version` (versions count from 1).
fn block_of(version: u64) -> u64 {
    version.saturating_sub(1) / STREAM_BLOCK
}

fn id_bucket_key(id: EventId) -> Vec<u8> {
    // Multiplicative hashing: the top bits of the product depend on every bit of the id, so
    // ids with a common prefix (time-ordered uuids) still spread over the buckets.
    let h =
        id.0.as_u128()
            .wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
    let bucket = (h >> 112) as u16;
    vec![ID_PREFIX, (bucket >> 8) as u8, bucket as u8]
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_be_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

fn malformed(what: &str) -> StoreError {
    StoreError::Corrupt(format!("an entry of the {what} index is malformed"))
}

/// The index entries of one write, gathered so that each block and bucket it touches is read
/// once and written once.
pub(crate) struct IndexWrite<'t> {
    tree: &'t sled::Db,
    touched: BTreeMap<Vec<u8>, Vec<u8>>,
    /// The log blocks touched, unpacked: packed once, when the write is finished.
    log: BTreeMap<u64, Vec<u8>>,
}

impl<'t> IndexWrite<'t> {
    pub(crate) fn new(tree: &'t sled::Db) -> Self {
        IndexWrite {
            tree,
            touched: BTreeMap::new(),
            log: BTreeMap::new(),
        }
    }

    fn value(&mut self, key: Vec<u8>) -> Result<&mut Vec<u8>, StoreError> {
        if !self.touched.contains_key(&key) {
            let stored = self.tree.get(&key)?.map(|v| v.to_vec()).unwrap_or_default();
            self.touched.insert(key.clone(), stored);
        }
        Ok(self.touched.get_mut(&key).expect("inserted above"))
    }

    /// Event `seq`, stored as `bytes`: the next event the log expects.
    pub(crate) fn event(&mut self, seq: u64, bytes: &[u8]) -> Result<(), StoreError> {
        let (block, place) = event_place(seq);
        if !self.log.contains_key(&block) {
            let stored = match self.tree.get(event_block_key(block))? {
                Some(value) => unpack_block(block, &value)?.to_vec(),
                None => Vec::new(),
            };
            self.log.insert(block, stored);
        }
        let value = self.log.get_mut(&block).expect("inserted above");
        if block_events(value).count() != place {
            return Err(StoreError::Corrupt(format!(
                "the log does not end just before event {seq}"
            )));
        }
        push_entry(value, bytes);
        Ok(())
    }

    /// Version `version` of `stream` is event `seq`: the next version the index expects.
    pub(crate) fn stream_entry(
        &mut self,
        stream: StreamId,
        version: u64,
        seq: u64,
    ) -> Result<(), StoreError> {
        let block = self.value(stream_block_key(stream, block_of(version)))?;
        let held = block.len() as u64 / 8;
        if block.len() % 8 != 0 || held != (version - 1) % STREAM_BLOCK {
            return Err(StoreError::Corrupt(format!(
                "the stream index of {stream} does not end just before version {version}"
            )));
        }
        block.extend_from_slice(&seq.to_be_bytes());
        Ok(())
    }

    /// Event `id` is event `seq`, appended by the request with fingerprint `request`.
    pub(crate) fn id_entry(
        &mut self,
        id: EventId,
        seq: u64,
        request: Hash,
    ) -> Result<(), StoreError> {
        let bucket = self.value(id_bucket_key(id))?;
        bucket.extend_from_slice(id.0.as_bytes());
        bucket.extend_from_slice(&seq.to_be_bytes());
        bucket.extend_from_slice(&request.0);
        Ok(())
    }

    /// Put every block and bucket written into the batch, the log's blocks packed.
    pub(crate) fn finish(self, batch: &mut sled::Batch) -> Result<(), StoreError> {
        for (block, raw) in self.log {
            batch.insert(event_block_key(block), packed::pack(&raw)?);
        }
        for (k, v) in self.touched {
            batch.insert(k, v);
        }
        Ok(())
    }
}

/// The sequence number and request fingerprint event `id` was stored with.
pub(crate) fn by_id(tree: &sled::Db, id: EventId) -> Result<Option<(u64, Hash)>, StoreError> {
    match tree.get(id_bucket_key(id))? {
        Some(bucket) => find_id(&bucket, id),
        None => Ok(None),
    }
}

/// The entry of `id` in its bucket.
fn find_id(bucket: &[u8], id: EventId) -> Result<Option<(u64, Hash)>, StoreError> {
    if !bucket.len().is_multiple_of(ID_ENTRY) {
        return Err(malformed("event id"));
    }
    Ok(bucket
        .chunks_exact(ID_ENTRY)
        .find(|e| &e[..16] == id.0.as_bytes())
        .map(|e| (u64_at(e, 16), Hash(e[24..].try_into().expect("32 bytes")))))
}

/// The (version, seq) pairs of `stream` from version `from` to `to` (both included), in order.
pub(crate) fn stream_seqs(
    tree: &sled::Db,
    stream: StreamId,
    from: u64,
    to: u64,
) -> impl Iterator<Item = Result<(u64, u64), StoreError>> + '_ {
    let from = from.max(1);
    let blocks = if from > to {
        None
    } else {
        Some(tree.range(
            stream_block_key(stream, block_of(from))..=stream_block_key(stream, block_of(to)),
        ))
    };
    // As for the log (see `events_from`): stop after the first block that is not full.
    blocks
        .into_iter()
        .flatten()
        .scan(false, move |stop, kv| {
            if *stop {
                return None;
            }
            let entries: Vec<Result<(u64, u64), StoreError>> = match kv {
                Err(e) => vec![Err(e.into())],
                Ok((k, v)) if v.len() % 8 != 0 || k.len() != 25 => vec![Err(malformed("stream"))],
                Ok((k, v)) => {
                    *stop = (v.len() as u64) < STREAM_BLOCK * 8;
                    let first = u64_at(&k, 17) * STREAM_BLOCK + 1;
                    (0..v.len() / 8)
                        .map(|i| (first + i as u64, u64_at(&v, i * 8)))
                        .filter(|(version, _)| (from..=to).contains(version))
                        .map(Ok)
                        .collect()
                }
            };
            Some(entries)
        })
        .flatten()
}

/// How many events `stream` holds, by its index.
pub(crate) fn stream_version(tree: &sled::Db, stream: StreamId) -> Result<u64, StoreError> {
    match tree
        .scan_prefix(key(STREAM_PREFIX, &[stream.0.as_bytes()]))
        .next_back()
    {
        None => Ok(0),
        Some(kv) => {
            let (k, v) = kv?;
            if v.len() % 8 != 0 || k.len() != 25 {
                return Err(malformed("stream"));
            }
            Ok(u64_at(&k, 17) * STREAM_BLOCK + v.len() as u64 / 8)
        }
    }
}

/// How many entries the stream index and the id index hold, over every stream.
pub(crate) fn entries(tree: &sled::Db) -> Result<(u64, u64), StoreError> {
    let count = |prefix: u8, size: usize, what: &str| -> Result<u64, StoreError> {
        let mut n = 0;
        for kv in tree.scan_prefix([prefix]) {
            let (_, v) = kv?;
            if v.len() % size != 0 {
                return Err(malformed(what));
            }
            n += (v.len() / size) as u64;
        }
        Ok(n)
    };
    Ok((
        count(STREAM_PREFIX, 8, "stream")?,
        count(ID_PREFIX, ID_ENTRY, "event id")?,
    ))
}
