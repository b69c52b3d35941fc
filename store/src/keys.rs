//! How the store spells its keys and packs entries into blocks: shared by the read models
//! (`store`, `amendments`, `admins`, `verify`) and the sled engine's log.

use crate::StoreError;

/// A key: one prefix byte (which read model or index), then its parts.
pub(crate) fn key(prefix: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut k = vec![prefix];
    for p in parts {
        k.extend_from_slice(p);
    }
    k
}

/// A big-endian u32 of an index entry.
pub(crate) fn be_u32(bytes: &[u8]) -> Result<u32, StoreError> {
    let arr: [u8; 4] = bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt("an index entry is not 4 bytes".into()))?;
    Ok(u32::from_be_bytes(arr))
}

/// A big-endian u64 of an index entry.
pub(crate) fn be_u64(bytes: &[u8]) -> Result<u64, StoreError> {
    let arr: [u8; 8] = bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt("an index entry is not 8 bytes".into()))?;
    Ok(u64::from_be_bytes(arr))
}

/// Add an entry to a block of length-prefixed entries (events, amendments).
pub(crate) fn push_entry(block: &mut Vec<u8>, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).expect("an entry is far below 4 GiB");
    block.extend_from_slice(&len.to_be_bytes());
    block.extend_from_slice(bytes);
}

/// Where the entries of an unpacked block of length-prefixed entries lie, in order.
pub(crate) fn block_events(
    block: &[u8],
) -> impl Iterator<Item = Result<std::ops::Range<usize>, StoreError>> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at == block.len() {
            return None;
        }
        let Some(len) = block.get(at..at + 4) else {
            at = block.len();
            return Some(Err(malformed()));
        };
        let len = u32::from_be_bytes(len.try_into().expect("4 bytes")) as usize;
        let range = at + 4..at + 4 + len;
        if range.end > block.len() {
            at = block.len();
            return Some(Err(malformed()));
        }
        at = range.end;
        Some(Ok(range))
    })
}

fn malformed() -> StoreError {
    StoreError::Corrupt("an entry of the log block index is malformed".into())
}

/// Marks a store whose per-clause index (`K`) and open-amendment index (`o`) cover the whole
/// log: set at creation and by `rebuild`; without it, clause histories are read from the whole
/// stream and views from the whole read model (and opening the store rebuilds them).
pub(crate) const CLAUSE_INDEX_KEY: &[u8] = b"mclause-blocks";
/// Marks a store whose index of text changes (`X`) covers the whole log: set at creation and by
/// `rebuild`; without it, a document's text changes are read from its whole stream (and
/// opening the store rebuilds them).
pub(crate) const TEXT_INDEX_KEY: &[u8] = b"mtext-blocks";
/// Marks a store whose amendments are kept eight to a key (`A`, see `amendments`): set at
/// creation and by `rebuild`; a store without it (a `rebuild` cut short) is rebuilt when it is
/// opened.
pub(crate) const AMENDMENT_BLOCKS_KEY: &[u8] = b"mamendment-blocks";
/// Marks a store a `restore` is filling in a database (a directory is built beside its place
/// instead, and renamed into it when whole): nothing opens such a store, and a new `restore`
/// into the database replaces it. Set before the first event, removed after the last
/// checkpoint.
pub(crate) const RESTORING_KEY: &[u8] = b"mrestoring";
