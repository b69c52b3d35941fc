//! Compaction: the store written again into a new sled store that takes the old one's place.
//!
//! sled 0.34 never shrinks its file. Every value rewritten (a block extended, a read model
//! replaced, a `rebuild`) leaves its old copy behind until sled's cleaning moves the rest of
//! its segment, and segments freed in the middle of the file stay free and are zeroed at
//! every open. A store is therefore several times the size of what it holds, and slower to
//! open than it need be. Copying every key into a new store writes each once: the copy is
//! about the size of the data, opens without free segments, and holds the same bytes under
//! the same keys (so the same log, hash chain and read models).
//!
//! The copy is made beside the store, in `.NAME.compacting`, made durable, and marked complete
//! by a file (`COMPLETE`) only then; the store is then renamed to `.NAME.compacted-from`, the
//! copy to the store's name, the parent directory synced, and the old store removed. Opening a
//! store finishes or undoes a compaction cut short at any of those steps: a complete copy whose
//! store was already moved aside takes its place, else the store is put back ([`recover`],
//! before the store is opened); an incomplete copy, or an old store left after the swap, is
//! removed once the store is open and its lock held ([`remove_leftovers`]), so that a
//! compaction still under way in another process is never touched.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::StoreError;

/// The file marking a copy as complete and durable.
const COMPLETE: &str = "travaux-compacted";
/// How many bytes of keys and values are copied per batch.
const BATCH: usize = 4 * 1024 * 1024;

/// The sibling paths a compaction of `path` uses: the copy, and the store moved aside.
pub(crate) fn paths(path: &Path) -> Result<(PathBuf, PathBuf), StoreError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| *n != "." && *n != "..")
        .ok_or_else(|| {
            StoreError::Compaction(format!(
                "{} has no name of its own to keep beside it; give the store's path by its name",
                path.display()
            ))
        })?;
    let parent = path.parent().unwrap_or(Path::new(""));
    Ok((
        parent.join(format!(".{name}.compacting")),
        parent.join(format!(".{name}.compacted-from")),
    ))
}

/// Copy every key of `from` into the new store `db` (at `to`), in batches; returns how many.
/// Then mark the copy complete, once it is durable.
pub(crate) fn copy(
    from: &sled::Db,
    from_dir: &Path,
    db: &sled::Db,
    to: &Path,
    sync: impl Fn(&Path, &sled::Db) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    let mut batch = sled::Batch::default();
    let (mut n, mut in_batch) = (0, 0);
    for kv in from.iter() {
        let (k, v) = kv?;
        in_batch += k.len() + v.len();
        batch.insert(k, v);
        n += 1;
        if in_batch >= BATCH {
            db.apply_batch(std::mem::take(&mut batch))?;
            // Written pages stay in memory until flushed: flush as the copy goes, so that it
            // takes no more memory than one batch and sled's cache.
            db.flush()?;
            in_batch = 0;
        }
    }
    db.apply_batch(batch)?;
    sync(to, db)?;
    copy_beside(from_dir, to)?;
    File::create(to.join(COMPLETE))?.sync_all()?;
    sync_dir(to)?;
    Ok(n)
}

/// Copy the files the store keeps beside sled's own (the head anchor, the checkpoints, the
/// signing key: every file of the store's directory but sled's), each synced, with its
/// permissions, before the copy is marked complete: they belong to the store as its keys do,
/// and a copy put in place by `recover` must hold them.
fn copy_beside(from: &Path, to: &Path) -> Result<(), StoreError> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let sled_own = name == "db" || name == "conf" || name.starts_with("snap.");
        if sled_own || name == COMPLETE || !entry.file_type()?.is_file() {
            continue;
        }
        std::fs::copy(entry.path(), to.join(&*name))?;
        File::open(to.join(&*name))?.sync_all()?;
    }
    Ok(())
}

/// Put the complete copy in the store's place and remove the old store.
pub(crate) fn swap(path: &Path) -> Result<(), StoreError> {
    let (copy, old) = paths(path)?;
    std::fs::rename(path, &old)?;
    std::fs::rename(&copy, path)?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))?;
    let _ = std::fs::remove_file(path.join(COMPLETE));
    std::fs::remove_dir_all(&old)?;
    Ok(())
}

/// Finish or undo a compaction of `path` cut short between its two renames, when the store's
/// own name is missing (see the module documentation): the complete copy takes its place, or
/// the store moved aside is put back. Runs before the store is opened.
pub(crate) fn recover(path: &Path) -> Result<(), StoreError> {
    let Ok((copy, old)) = paths(path) else {
        return Ok(());
    };
    if path.exists() || !old.exists() {
        return Ok(());
    }
    if copy.join(COMPLETE).is_file() {
        tracing::warn!(path = %path.display(), "a compaction was cut short after its copy was complete: putting the copy in place");
        std::fs::rename(&copy, path)?;
        let _ = std::fs::remove_file(path.join(COMPLETE));
    } else {
        tracing::warn!(path = %path.display(), "a compaction was cut short: putting the store back");
        std::fs::rename(&old, path)?;
    }
    sync_dir(path.parent().unwrap_or(Path::new(".")))?;
    Ok(())
}

/// Remove what a compaction cut short left beside the store: a copy never put in place, or the
/// old store after the swap. Runs once the store is open, holding sled's lock on it: a
/// compaction under way holds that lock, so nothing another process is still writing is
/// removed.
pub(crate) fn remove_leftovers(path: &Path) -> Result<(), StoreError> {
    let Ok((copy, old)) = paths(path) else {
        return Ok(());
    };
    for leftover in [&copy, &old] {
        if leftover.exists() {
            tracing::warn!(leftover = %leftover.display(), "removing what a compaction cut short left");
            std::fs::remove_dir_all(leftover)?;
        }
    }
    Ok(())
}

/// fsync a directory, so that the names it holds (a file created, a rename) are durable.
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    File::open(dir)?.sync_all()?;
    Ok(())
}

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
