//! The sled engine: the embedded default, one process and one directory.
//!
//! The log and its indexes are kept in blocks (`log`), every read model under its own prefix in
//! the same sled tree, so that one `apply_batch` writes an append atomically; `sync` makes it
//! durable (`flush`, then a `syncfs` and the `fsync` of `<dir>/db`) and records the head it
//! covered in the head anchor (`anchor`), which the next open holds the log against. sled's
//! panics on damaged files become `StoreError::Damaged` (`catch`); `compact` writes the store
//! again into a new directory that takes its place.

pub(crate) mod anchor;
pub mod catch;
pub(crate) mod compact;
pub(crate) mod log;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use travaux_core::{EventId, Hash, StreamId};

use self::anchor::{Anchor, Found};
use self::log::Blocks;
use crate::contract::log_head;
use crate::contract::{
    Batch, Bytes, Engine, Entries, EventReader, Head, Location, Log, LogEntry, Reading, Stored,
    Tree,
};
use crate::error::RESTORE;
use crate::sled::compact::Compacted;
use crate::StoreError;

const FORMAT_KEY: &[u8] = b"mformat";
/// The layout of a sled store: format 1 of the first release. A later version that changes the
/// layout opens this one (see "Formats" in docs/storage.md and the fixture store in
/// `tests/fixtures/store-sled-1`); the formats of the development versions before the first
/// release (`travaux/1` to `travaux/5`) are refused, naming the way across: export with the
/// version that wrote the store, restore with this one.
const FORMAT: &[u8] = b"travaux-sled/1";

/// Marks a store that has a head anchor (see `anchor`): set at creation, or when a store from
/// before anchors is first opened. Its anchor file missing is damage, not a store to anchor.
const ANCHORED_KEY: &[u8] = b"manchored";

/// sled's page cache: bulk appends of a large store hit it (batches of 1,000 on a
/// 1,000,000-event store: 22k events/s at 64 MiB, 29k at 128), and a whole-log read stays
/// within the memory a command may take.
const CACHE: u64 = 128 * 1024 * 1024;
/// The page cache of a compaction's copy, which is only written.
const COPY_CACHE: u64 = 16 * 1024 * 1024;

/// The size of the files under a directory (a sled store: `db`, `snap.*`, `blobs/`).
fn dir_size(dir: &Path) -> Result<u64, StoreError> {
    let mut size = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        size += if meta.is_dir() {
            dir_size(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(size)
}

/// A sled store: its directory, the tree, the data file it fsyncs and the head anchor.
pub struct SledEngine {
    location: Location,
    path: PathBuf,
    db: sled::Db,
    data_file: File,
    /// The head anchor (see `anchor`): written after each sync, with the head it covered.
    anchor: Mutex<Anchor>,
    /// The damage found when it was opened.
    damage: Option<String>,
}

impl SledEngine {
    /// Create a store in `path` (a new or empty directory), or open it if it is one already.
    /// Returns the store and whether it was created.
    pub(crate) fn create(path: &Path, markers: &[&[u8]]) -> Result<(SledEngine, bool), StoreError> {
        compact::recover(path)?;
        if path.exists() {
            if Self::is_store(path) {
                return Ok((Self::open(path)?, false));
            }
            let empty = path.is_dir() && std::fs::read_dir(path)?.next().is_none();
            if !empty {
                return Err(Self::not_a_store(path));
            }
        }
        std::fs::create_dir_all(path).map_err(|e| StoreError::opening(path, e))?;
        // One sled handle from creation on: dropping it and opening again races sled's
        // background release of its file lock.
        let db = Self::open_sled(path)?;
        // The anchor first: a store marked as anchored always has one.
        Anchor::create(path, Head::default())?;
        db.insert(FORMAT_KEY, FORMAT)?;
        for marker in markers.iter().chain([&ANCHORED_KEY]) {
            db.insert(marker, &[])?;
        }
        db.flush()?;
        Ok((Self::with_db(path, db)?, true))
    }

    /// Open the store in `path`, damaged or not: the damage found is noted ([`Engine::damage`]).
    pub(crate) fn open(path: &Path) -> Result<SledEngine, StoreError> {
        compact::recover(path)?;
        if !path.exists() {
            return Err(StoreError::NoStore(path.to_path_buf()));
        }
        if !Self::is_store(path) {
            return Err(Self::not_a_store(path));
        }
        let tree = Self::open_sled(path)?;
        // The lock is held: what a compaction cut short left beside the store can go.
        compact::remove_leftovers(path)?;
        let format = tree.get(FORMAT_KEY)?;
        match format.as_deref() {
            Some(FORMAT) => {}
            Some(other) if other.starts_with(b"travaux/") => {
                return Err(StoreError::Engine(format!(
                    "{} was written by a development version of travaux from before its first release (layout {}), which this version does not open: open it with the last development version (which brings any earlier layout to travaux/5 and has `travaux export jsonl -o log.jsonl`), then `travaux --store NEW restore log.jsonl` with this one",
                    path.display(),
                    String::from_utf8_lossy(other)
                )))
            }
            Some(other) => {
                return Err(StoreError::Engine(format!(
                    "{} is a store of layout {}, and this version of travaux reads {}: open it with the version that wrote it",
                    path.display(),
                    String::from_utf8_lossy(other),
                    String::from_utf8_lossy(FORMAT)
                )))
            }
            // sled opened its files but found no store in them: if the store had an anchor, its
            // data was lost (sled's recovery stops at the first page it cannot read).
            None if !matches!(anchor::read(path)?, Found::Missing) => {
                return Err(StoreError::Damaged(format!(
                    "sled finds no travaux data in {} although {} records a log: the data file does not read back from near its start",
                    path.join("db").display(),
                    path.join(anchor::FILE).display()
                )))
            }
            None => return Err(StoreError::NotAStore(path.to_path_buf())),
        }
        Self::with_db(path, tree)
    }

    fn with_db(path: &Path, tree: sled::Db) -> Result<SledEngine, StoreError> {
        let data_file = File::open(path.join("db"))?;
        let (logged, _, mut damage) = log_head(log::last_event(&tree))?;
        tracing::debug!(path = %path.display(), head = logged.seq, "opened store");
        // What is on disk when the store opens is as durable as it will get.
        let anchor = Self::check_anchor(path, &tree, logged, &mut damage)?;
        Ok(SledEngine {
            location: Location::Dir(path.to_path_buf()),
            path: path.to_path_buf(),
            db: tree,
            data_file,
            anchor: Mutex::new(anchor),
            damage,
        })
    }

    /// Hold the log's head against the anchor's (see `anchor`): a log that ends before it, or
    /// whose event at the anchored sequence number is another, lost acknowledged events; an
    /// anchor gone or unreadable from a store that had one is damage too. An anchor behind the
    /// log (a crash between sled's sync and the anchor's) moves to the log's head; a store from
    /// before anchors gets one. Damage is noted in `head`, whose store refuses appends.
    fn check_anchor(
        path: &Path,
        tree: &sled::Db,
        logged: Head,
        damaged: &mut Option<String>,
    ) -> Result<Anchor, StoreError> {
        let file = path.join(anchor::FILE);
        let restore = RESTORE;
        let damage = match anchor::read(path)? {
            Found::Head(anchored, generation) => {
                let mut anchor = Anchor::open(path, anchored, generation)?;
                if anchored.seq > logged.seq {
                    Some((
                        format!(
                            "the log ends at event {} but events up to {} were acknowledged (as {} records): events {} to {} are lost; the last good event is {}; {restore}",
                            logged.seq,
                            anchored.seq,
                            file.display(),
                            logged.seq + 1,
                            anchored.seq,
                            logged.seq
                        ),
                        anchor,
                    ))
                } else {
                    let at = if anchored.seq == logged.seq || anchored.seq == 0 {
                        Ok(if anchored.seq == 0 {
                            Hash::default()
                        } else {
                            logged.hash
                        })
                    } else {
                        Blocks::new(tree)
                            .event(anchored.seq)
                            .and_then(|s| {
                                s.ok_or_else(|| {
                                    StoreError::Corrupt(format!(
                                        "event {} is missing",
                                        anchored.seq
                                    ))
                                })
                            })
                            .and_then(|s| crate::codec::decode(s.bytes()))
                            .map(|e| e.hash)
                    };
                    match at {
                        Ok(hash) if hash == anchored.hash => {
                            if damaged.is_none() && logged.seq > anchored.seq {
                                anchor.record(logged)?;
                            }
                            return Ok(anchor);
                        }
                        Ok(hash) => Some((
                            format!(
                                "event {} hashes to {hash}, but the event acknowledged as {} hashed to {} (as {} records): the log was rewritten or damaged; {restore}",
                                anchored.seq,
                                anchored.seq,
                                anchored.hash,
                                file.display()
                            ),
                            anchor,
                        )),
                        Err(e) => Some((
                            format!(
                                "event {} (acknowledged, as {} records) does not read back: {e}; {restore}",
                                anchored.seq,
                                file.display()
                            ),
                            anchor,
                        )),
                    }
                }
            }
            Found::Unreadable(why) if tree.contains_key(ANCHORED_KEY)? || logged.seq > 0 => {
                return Err(StoreError::Damaged(format!(
                    "the head anchor is damaged: {why}; without it a lost tail of the log cannot be told; {restore}"
                )));
            }
            Found::Missing if tree.contains_key(ANCHORED_KEY)? => {
                return Err(StoreError::Damaged(format!(
                    "the head anchor {} is missing from a store that had one: without it a lost tail of the log cannot be told; {restore}",
                    file.display()
                )));
            }
            Found::Missing | Found::Unreadable(_) => {
                // A store from before anchors (or an empty one whose anchor write was cut
                // short): anchored at its head from now on.
                tracing::info!(path = %path.display(), head = logged.seq, "anchoring the log's head");
                let anchor = Anchor::create(path, logged)?;
                tree.insert(ANCHORED_KEY, &[])?;
                tree.flush()?;
                return Ok(anchor);
            }
        };
        let (why, anchor) = damage.expect("damage");
        tracing::error!(error = %why, "the store is damaged");
        damaged.get_or_insert(why);
        Ok(anchor)
    }

    /// Why a directory that is not a whole store is refused: damage if it holds an anchor
    /// (sled's files were deleted from a store), else not a store at all.
    fn not_a_store(path: &Path) -> StoreError {
        if !path.join(anchor::FILE).is_file() {
            return StoreError::NotAStore(path.to_path_buf());
        }
        let missing: Vec<&str> = ["db", "conf"]
            .into_iter()
            .filter(|f| !path.join(f).is_file())
            .collect();
        StoreError::Damaged(format!(
            "{} holds a store's head anchor but not its data ({} missing); {RESTORE}",
            path.display(),
            missing.join(" and ")
        ))
    }

    fn is_store(path: &Path) -> bool {
        path.join("db").is_file() && path.join("conf").is_file()
    }

    fn open_sled(path: &Path) -> Result<sled::Db, StoreError> {
        Self::open_sled_with(path, CACHE)
    }

    fn open_sled_with(path: &Path, cache: u64) -> Result<sled::Db, StoreError> {
        let config = sled::Config::new()
            .path(path)
            .cache_capacity(cache)
            .flush_every_ms(None);
        catch::catch(|| Ok(config.open()))?.map_err(|e| match e {
            sled::Error::Io(io)
                if io.kind() == std::io::ErrorKind::WouldBlock
                    || io.to_string().contains("could not acquire lock") =>
            {
                StoreError::Locked(path.to_path_buf())
            }
            sled::Error::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
                StoreError::opening(path, io)
            }
            other => StoreError::from(other),
        })
    }

    /// Write the store again into a new sled store that takes its place (see `compact`): the
    /// same keys and bytes, each written once, so that the store is about the size of what it
    /// holds and opens without the free space sled leaves behind. The caller holds the writer
    /// lock, and drops the engine once this returns (open it again to go on, once sled has let
    /// go of its lock).
    pub(crate) fn compact(&self) -> Result<Compacted, StoreError> {
        let (copy, _) = compact::paths(&self.path)?;
        if copy.exists() {
            std::fs::remove_dir_all(&copy)?;
        }
        let before = dir_size(&self.path)?;
        std::fs::create_dir_all(&copy)?;
        let keys = {
            // The copy is only written: a small cache keeps the two stores within the memory
            // one takes.
            let db = Self::open_sled_with(&copy, COPY_CACHE)?;
            let keys = compact::copy(&self.db, &self.path, &db, &copy, |path, db| {
                db.flush()?;
                sync_store_files(path, &File::open(path.join("db"))?)
            });
            if keys.is_err() {
                drop(db);
                let _ = std::fs::remove_dir_all(&copy);
            }
            keys?
        };
        let after = dir_size(&copy)?;
        compact::swap(&self.path)?;
        tracing::info!(keys, before, after, "compacted the store");
        Ok(Compacted {
            keys,
            bytes_before: before,
            bytes_after: after,
        })
    }

    /// The directory the store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The sled tree itself: for the checks of `verify` that read sled's keys, and for tests
    /// that damage a store on purpose.
    #[doc(hidden)]
    pub fn db(&self) -> &sled::Db {
        &self.db
    }

    /// The head the anchor holds.
    pub(crate) fn anchored(&self) -> Head {
        self.anchor
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .head()
    }

    /// Set the anchor to `head` whatever it held: for tests that rewrite the stored record at
    /// the head, as if the version that wrote it had written the anchor too.
    pub(crate) fn reset_anchor(&self, head: Head) -> Result<(), StoreError> {
        self.anchor
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .reset(head)
    }

    /// Overwrite the stored bytes of event `seq` in its block: only for tests that damage a log.
    pub(crate) fn overwrite_event(&self, seq: u64, bytes: &[u8]) -> Result<(), StoreError> {
        log::overwrite_event(&self.db, seq, bytes)
    }

    /// Flush what sled holds (a process about to exit).
    pub(crate) fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }
}

fn entries<'a>(
    iter: impl Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>> + 'a,
) -> Entries<'a> {
    Box::new(iter.map(|kv| {
        kv.map(|(k, v)| (k.to_vec(), v.to_vec()))
            .map_err(StoreError::from)
    }))
}

impl Tree for SledEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Bytes>, StoreError> {
        Ok(self.db.get(key)?.map(|v| v.to_vec()))
    }

    fn contains_key(&self, key: &[u8]) -> Result<bool, StoreError> {
        Ok(self.db.contains_key(key)?)
    }

    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Entries<'a> {
        entries(self.db.scan_prefix(prefix))
    }

    fn range<'a>(&'a self, from: &[u8], to: &[u8]) -> Entries<'a> {
        entries(self.db.range(from.to_vec()..=to.to_vec()))
    }

    fn last_in_range(&self, from: &[u8], to: &[u8]) -> Result<Option<(Bytes, Bytes)>, StoreError> {
        entries(self.db.range(from.to_vec()..=to.to_vec()).rev())
            .next()
            .transpose()
    }

    fn last_with_prefix(&self, prefix: &[u8]) -> Result<Option<(Bytes, Bytes)>, StoreError> {
        entries(self.db.scan_prefix(prefix).rev())
            .next()
            .transpose()
    }
}

impl EventReader for Blocks<'_> {
    fn event(&mut self, seq: u64) -> Result<Option<Stored>, StoreError> {
        Blocks::event(self, seq)
    }
}

impl Log for SledEngine {
    fn last_event(&self) -> Result<Option<Stored>, StoreError> {
        log::last_event(&self.db)
    }

    fn reader(&self) -> Box<dyn EventReader + '_> {
        Box::new(Blocks::new(&self.db))
    }

    fn events_from<'a>(
        &'a self,
        from: u64,
        reading: Reading,
    ) -> Box<dyn Iterator<Item = Result<Stored, StoreError>> + 'a> {
        Box::new(log::events_from(&self.db, from, reading))
    }

    fn stream_seqs<'a>(
        &'a self,
        stream: StreamId,
        from: u64,
        to: u64,
    ) -> Box<dyn Iterator<Item = Result<(u64, u64), StoreError>> + 'a> {
        Box::new(log::stream_seqs(&self.db, stream, from, to))
    }

    fn stream_version(&self, stream: StreamId) -> Result<u64, StoreError> {
        log::stream_version(&self.db, stream)
    }

    fn by_id(&self, id: EventId) -> Result<Option<(u64, Hash)>, StoreError> {
        log::by_id(&self.db, id)
    }

    fn index_entries(&self) -> Result<(u64, u64), StoreError> {
        log::entries(&self.db)
    }
}

impl Engine for SledEngine {
    fn name(&self) -> &'static str {
        "sled"
    }

    fn location(&self) -> &Location {
        &self.location
    }

    fn begin_write(&self) -> Result<Option<Head>, StoreError> {
        // sled's file lock lets one process open the store: the head this process knows is
        // the head.
        Ok(None)
    }

    fn abort_write(&self) {}

    fn commit(
        &self,
        _after: Head,
        events: &[LogEntry<'_>],
        batch: Batch,
    ) -> Result<(), StoreError> {
        let mut tree = sled::Batch::default();
        if !events.is_empty() {
            let mut index = log::IndexWrite::new(&self.db);
            for e in events {
                index.event(e.seq, e.bytes)?;
                index.stream_entry(e.stream, e.version, e.seq)?;
                index.id_entry(e.id, e.seq, e.request)?;
            }
            index.finish(&mut tree)?;
        }
        for (k, v) in batch.ops {
            match v {
                Some(v) => tree.insert(k, v),
                None => tree.remove(k),
            }
        }
        self.db.apply_batch(tree)?;
        Ok(())
    }

    fn sync(&self, through: Head) -> Result<(), StoreError> {
        self.db.flush()?;
        sync_store_files(&self.path, &self.data_file)?;
        self.anchor
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .record(through)
    }

    fn damage(&self) -> Option<String> {
        self.damage.clone()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// fsync the store's files. sled writes any page of more than about 128 KiB (one large value,
/// or a leaf of up to 16 entries that pass it together, such as snapshot chunks) to a file of
/// its own under `blobs/`, and never fsyncs it; `db` may point to it, so it must be on disk
/// before `db` is. Such files are written by whichever thread makes sled write a page (an
/// append, or a read that splits a node), are created before they are filled, and are not
/// made in the order of their names; and a process killed before its sync leaves them for
/// the next. On Linux, `syncfs` writes every dirty file of the store's filesystem and empties
/// the drive's cache: all of them at once, whatever wrote them. Elsewhere, every blob file is
/// fsynced, then the directory. `db` is fsynced last either way, so that its own write errors
/// are reported on kernels whose `syncfs` does not report them.
fn sync_store_files(path: &Path, db: &File) -> Result<(), StoreError> {
    #[cfg(target_os = "linux")]
    {
        let _ = path;
        rustix::fs::syncfs(db).map_err(std::io::Error::from)?;
    }
    #[cfg(not(target_os = "linux"))]
    {
        let dir = path.join("blobs");
        match std::fs::read_dir(&dir) {
            Ok(entries) => {
                for entry in entries {
                    match File::open(entry?.path()) {
                        Ok(f) => f.sync_all()?,
                        // sled removes a blob once no page points to it.
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                File::open(&dir)?.sync_all()?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    db.sync_all()?;
    Ok(())
}
