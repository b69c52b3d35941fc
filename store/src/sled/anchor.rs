//! The head anchor: the last durable event's sequence number and hash, kept outside sled.
//!
//! A hash chain cannot see its own tail cut off, and sled cannot either: when its recovery
//! meets a damaged page (a flipped byte, a file cut short) it takes it for a write torn by a
//! crash and opens the store as it stood before it, silently, with the events after it gone.
//! The anchor is the second witness. After every sync that makes events durable (each group
//! commit), the store writes the head it covered into `<dir>/anchor` and syncs that file too;
//! on open, a log that ends before its anchor, or whose event at the anchored sequence number
//! has another hash, is refused as damaged.
//!
//! The file is two slots of [`SLOT`] bytes written in turn (as file systems keep two copies of
//! their superblock): a write torn by a crash damages one slot, and the other still holds the
//! head before it. Each slot holds a generation (which write it was), the sequence number and
//! the hash, and a checksum of them (SHA-256, first 8 bytes). The file never changes size, so
//! `fdatasync` writes no metadata: its cost is the drive's flush.
//!
//! The anchor is written after sled's sync, never before: it never names an event that was
//! not durable. A crash between the two leaves it behind the log, which is not damage: the
//! next open moves it to the log's head.

use std::fs::{File, OpenOptions};
use std::path::Path;

use sha2::{Digest, Sha256};
use travaux_core::Hash;

use crate::StoreError;

/// The anchor's file name in the store's directory.
pub(crate) const FILE: &str = "anchor";
/// The size of one slot.
const SLOT: usize = 64;
const MAGIC: &[u8; 4] = b"TVXA";

/// A head recorded in the anchor.
pub(crate) use crate::contract::Head as Anchored;

/// The anchor file of an open store.
pub(crate) struct Anchor {
    file: File,
    /// The generation of the last slot written.
    generation: u64,
    /// The head it holds.
    head: Anchored,
}

/// What the anchor file of a store holds, read before the store is trusted.
pub(crate) enum Found {
    /// No anchor file.
    Missing,
    /// A file whose slots both fail their checksum (or that is too short to hold them).
    Unreadable(String),
    /// The head it holds, and the generation of its slot.
    Head(Anchored, u64),
}

fn encode(generation: u64, head: Anchored) -> [u8; SLOT] {
    let mut slot = [0u8; SLOT];
    slot[..4].copy_from_slice(MAGIC);
    slot[4..12].copy_from_slice(&generation.to_be_bytes());
    slot[12..20].copy_from_slice(&head.seq.to_be_bytes());
    slot[20..52].copy_from_slice(&head.hash.0);
    let sum = Sha256::digest(&slot[..52]);
    slot[52..60].copy_from_slice(&sum[..8]);
    slot
}

fn decode(slot: &[u8]) -> Option<(u64, Anchored)> {
    if slot.len() < 60 || &slot[..4] != MAGIC || Sha256::digest(&slot[..52])[..8] != slot[52..60] {
        return None;
    }
    let generation = u64::from_be_bytes(slot[4..12].try_into().ok()?);
    let seq = u64::from_be_bytes(slot[12..20].try_into().ok()?);
    let hash = Hash(slot[20..52].try_into().ok()?);
    Some((generation, Anchored { seq, hash }))
}

/// Read the anchor of the store in `dir`.
pub(crate) fn read(dir: &Path) -> Result<Found, StoreError> {
    let path = dir.join(FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Missing),
        Err(e) => return Err(e.into()),
    };
    let best = bytes
        .chunks(SLOT)
        .take(2)
        .filter_map(decode)
        .max_by_key(|(generation, _)| *generation);
    Ok(match best {
        Some((generation, head)) => Found::Head(head, generation),
        None => Found::Unreadable(format!(
            "{} holds no readable head ({} bytes, neither slot passes its checksum)",
            path.display(),
            bytes.len()
        )),
    })
}

impl Anchor {
    /// Write a new anchor file holding `head` (for a new store, or one from before anchors).
    pub(crate) fn create(dir: &Path, head: Anchored) -> Result<Anchor, StoreError> {
        let path = dir.join(FILE);
        let tmp = dir.join(format!("{FILE}.new"));
        {
            let file = File::create(&tmp)?;
            let mut both = Vec::with_capacity(2 * SLOT);
            both.extend_from_slice(&encode(1, head));
            both.extend_from_slice(&encode(0, head));
            std::io::Write::write_all(&mut &file, &both)?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        File::open(dir)?.sync_all()?;
        Self::open(dir, head, 1)
    }

    /// Open the anchor file found holding `head` in the slot of `generation`.
    pub(crate) fn open(dir: &Path, head: Anchored, generation: u64) -> Result<Anchor, StoreError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(dir.join(FILE))?;
        Ok(Anchor {
            file,
            generation,
            head,
        })
    }

    /// The head the anchor holds.
    pub(crate) fn head(&self) -> Anchored {
        self.head
    }

    /// Write `head` into the older slot and sync the file, whatever the anchor held: what
    /// `record` does once it has checked the anchor moves forward, and the test back door that
    /// overwrites a stored record does as it is.
    pub(crate) fn reset(&mut self, head: Anchored) -> Result<(), StoreError> {
        let generation = self.generation + 1;
        write_at(
            &self.file,
            &encode(generation, head),
            (generation % 2) * SLOT as u64,
        )?;
        self.file.sync_data()?;
        self.generation = generation;
        self.head = head;
        Ok(())
    }

    /// Record `head` as durable: write it into the older slot and sync the file. A head at or
    /// before the one held is not written (the anchor never moves back).
    pub(crate) fn record(&mut self, head: Anchored) -> Result<(), StoreError> {
        if head.seq <= self.head.seq && head.seq != 0 {
            return Ok(());
        }
        if head == self.head {
            return Ok(());
        }
        self.reset(head)
    }
}

#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

#[cfg(not(unix))]
fn write_at(mut file: &File, bytes: &[u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    file.seek(SeekFrom::Start(offset))?;
    file.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(seq: u64) -> Anchored {
        Anchored {
            seq,
            hash: Hash([seq as u8; 32]),
        }
    }

    #[test]
    fn the_latest_head_is_read_back_and_a_torn_slot_falls_back_to_the_other() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(read(dir.path()).unwrap(), Found::Missing));
        let mut anchor = Anchor::create(dir.path(), head(0)).unwrap();
        for seq in 1..=5 {
            anchor.record(head(seq)).unwrap();
        }
        let Found::Head(h, generation) = read(dir.path()).unwrap() else {
            panic!("no head")
        };
        assert_eq!(h, head(5));
        // Tear the slot written last: the head before it is read.
        let mut bytes = std::fs::read(dir.path().join(FILE)).unwrap();
        let last = (generation % 2) as usize * SLOT;
        bytes[last + 13] ^= 0xff;
        std::fs::write(dir.path().join(FILE), &bytes).unwrap();
        let Found::Head(h, _) = read(dir.path()).unwrap() else {
            panic!("no head")
        };
        assert_eq!(h, head(4));
        // Both torn: unreadable, not missing.
        bytes[(1 - generation as usize % 2) * SLOT + 13] ^= 0xff;
        std::fs::write(dir.path().join(FILE), &bytes).unwrap();
        assert!(matches!(read(dir.path()).unwrap(), Found::Unreadable(_)));
    }

    #[test]
    fn the_anchor_never_moves_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut anchor = Anchor::create(dir.path(), head(3)).unwrap();
        anchor.record(head(2)).unwrap();
        assert_eq!(anchor.head(), head(3));
        let Found::Head(h, _) = read(dir.path()).unwrap() else {
            panic!("no head")
        };
        assert_eq!(h, head(3));
    }
}
