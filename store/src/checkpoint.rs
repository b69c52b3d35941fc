//! Signed checkpoints: statements about the log, kept beside it.
//!
//! A checkpoint says "the log of this store had N events, the last with hash H, and each
//! document stood at this version with this hash", at a time, signed with the store's Ed25519
//! key. It is not an event (an event would change the head it signs): checkpoints are lines of
//! `<store>/checkpoints.jsonl`, appended and fsynced, and they travel at the end of a JSON Lines
//! export. The key is `<store>/checkpoint.key` (its 32-byte secret seed in hexadecimal, readable
//! by its owner only), made on first need; its public half is in every checkpoint (`key`) and
//! is what a secretariat publishes.
//!
//! The signature covers `travaux-checkpoint/1\n` followed by the JSON of the statement (every
//! field but `key` and `signature`, in the order of [`Statement`], as `serde_json` writes it):
//! a reader re-serializes the statement it parsed and checks the signature against those bytes.
//!
//! [`Extends`] checks that a log (a store's or an export's, fed one event at a time) extends a
//! checkpoint: its event at the checkpoint's sequence number has the checkpoint's hash, and
//! each document named was at the version and hash named at that point.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use travaux_core::{Hash, StreamId, Timestamp};

use crate::contract::Batch;
use crate::keys::{self, be_u64};
use crate::{Store, StoreError};

/// The file checkpoints are appended to, in the store's directory.
pub const CHECKPOINTS_FILE: &str = "checkpoints.jsonl";
/// The file of the store's signing key, in the store's directory.
pub const KEY_FILE: &str = "checkpoint.key";
/// What the signed bytes begin with.
const DOMAIN: &[u8] = b"travaux-checkpoint/1\n";

/// A document's head in a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentHead {
    /// The document's id (its stream).
    pub id: uuid::Uuid,
    /// Its slug.
    pub slug: String,
    /// The version of its stream at the checkpoint.
    pub version: u64,
    /// The hash of the event at that version.
    pub hash: Hash,
}

/// What a checkpoint states (the signed part).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// The sequence number of the last event.
    pub seq: u64,
    /// Its hash.
    pub hash: Hash,
    /// When the checkpoint was signed.
    pub time: Timestamp,
    /// Why: `manual`, `tag NAME`, `adoption SYMBOL`.
    pub reason: String,
    /// Every document's head at `seq`.
    pub documents: Vec<DocumentHead>,
}

/// A signed checkpoint, as kept and published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// What is stated.
    #[serde(flatten)]
    pub statement: Statement,
    /// The public key (Ed25519, 32 bytes in hexadecimal).
    pub key: String,
    /// The signature (64 bytes in hexadecimal).
    pub signature: String,
}

fn signed_bytes(s: &Statement) -> Result<Vec<u8>, StoreError> {
    let mut bytes = DOMAIN.to_vec();
    serde_json::to_writer(&mut bytes, s)?;
    Ok(bytes)
}

/// A public key in the form checkpoints carry it.
pub fn public_key_hex(key: &SigningKey) -> String {
    const_hex::encode(key.verifying_key().as_bytes())
}

impl Checkpoint {
    /// Whether the signature is the key's over the statement: `Err` says why not.
    pub fn check_signature(&self) -> Result<(), String> {
        let key: [u8; 32] = const_hex::decode_to_array(self.key.trim())
            .map_err(|e| format!("the checkpoint's key is not 32 bytes in hexadecimal: {e}"))?;
        let key = VerifyingKey::from_bytes(&key)
            .map_err(|e| format!("the checkpoint's key is not an Ed25519 public key: {e}"))?;
        let sig: [u8; 64] = const_hex::decode_to_array(self.signature.trim()).map_err(|e| {
            format!("the checkpoint's signature is not 64 bytes in hexadecimal: {e}")
        })?;
        let bytes = signed_bytes(&self.statement).map_err(|e| e.to_string())?;
        key.verify(&bytes, &Signature::from_bytes(&sig))
            .map_err(|_| "the signature does not match the checkpoint's statement and key: the checkpoint was altered, or signed by another key".to_string())
    }
}

/// The sequence number a checkpoint's JSON names, if it reads as one.
pub(crate) fn seq_of(json: &str) -> Option<u64> {
    serde_json::from_str::<Checkpoint>(json)
        .ok()
        .map(|c| c.statement.seq)
}

fn key_path(dir: &Path) -> PathBuf {
    dir.join(KEY_FILE)
}

fn read_key(path: &Path) -> Result<SigningKey, StoreError> {
    let text = std::fs::read_to_string(path)?;
    key_from_hex(&text, &path.display())
}

/// Where a store keeps its checkpoints and its signing key: files in a sled store's directory
/// ([`CHECKPOINTS_FILE`], [`KEY_FILE`]), or, for an engine with no directory (PostgreSQL), keys
/// of its own beside the read models ([`KEY_KEY`], [`CHECKPOINT_PREFIX`]), which every server
/// on the database shares and `rebuild` leaves alone (they are not derived from the log).
enum Side<'a> {
    Dir(&'a Path),
    Engine,
}

/// The signing key's seed, in hexadecimal, in a store without a directory.
const KEY_KEY: &[u8] = b"Ckey";
/// The checkpoints of a store without a directory: `c` and a big-endian number from 1, each
/// the JSON line the checkpoints file would hold.
const CHECKPOINT_PREFIX: &[u8] = b"c";

/// Whether a key of the engine's is a checkpoint or the signing key.
pub(crate) fn kept_beside(key: &[u8]) -> bool {
    key == KEY_KEY || key.starts_with(CHECKPOINT_PREFIX)
}

fn key_from_hex(text: &str, place: &dyn std::fmt::Display) -> Result<SigningKey, StoreError> {
    let seed: [u8; 32] = const_hex::decode_to_array(text.trim()).map_err(|e| {
        StoreError::Corrupt(format!(
            "{place} does not hold a key (32 bytes in hexadecimal): {e}"
        ))
    })?;
    Ok(SigningKey::from_bytes(&seed))
}

impl Store {
    /// Where the checkpoints and the signing key are kept.
    fn side(&self) -> Side<'_> {
        match self.dir() {
            Some(dir) => Side::Dir(dir),
            None => Side::Engine,
        }
    }

    /// Keep the checkpoints of a store being restored (lines of JSON, oldest first), in place
    /// of any it has.
    pub(crate) fn keep_checkpoints(&self, lines: &[String]) -> Result<(), StoreError> {
        match self.side() {
            Side::Dir(dir) => {
                let mut f = std::fs::File::create(dir.join(CHECKPOINTS_FILE))?;
                for line in lines {
                    f.write_all(line.trim_end().as_bytes())?;
                    f.write_all(b"\n")?;
                }
                f.sync_all()?;
                std::fs::File::open(dir)?.sync_all()?;
                Ok(())
            }
            Side::Engine => self.write_beside(|db| {
                let mut batch = Batch::default();
                for kv in db.scan_prefix(CHECKPOINT_PREFIX) {
                    batch.remove(kv?.0);
                }
                for (n, line) in (1u64..).zip(lines) {
                    batch.insert(
                        keys::key(CHECKPOINT_PREFIX[0], &[&n.to_be_bytes()]),
                        line.trim_end(),
                    );
                }
                Ok(((), batch))
            }),
        }
    }

    /// The store's signing key, if it has one.
    pub fn checkpoint_key(&self) -> Result<Option<SigningKey>, StoreError> {
        let dir = match self.side() {
            Side::Dir(dir) => dir,
            Side::Engine => {
                return match self.db.get(KEY_KEY)? {
                    None => Ok(None),
                    Some(bytes) => key_from_hex(
                        &String::from_utf8_lossy(&bytes),
                        &format!("the checkpoint key of {}", self.location()),
                    )
                    .map(Some),
                };
            }
        };
        let path = key_path(dir);
        if !path.exists() {
            return Ok(None);
        }
        read_key(&path).map(Some)
    }

    /// The store's signing key, made (and written, readable by its owner only) if it has none.
    pub fn checkpoint_key_or_new(&self) -> Result<SigningKey, StoreError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| {
            StoreError::Io(std::io::Error::other(format!(
                "no randomness for a key: {e}"
            )))
        })?;
        self.keep_key_unless_one(seed)
    }

    /// Give the store `key` to sign its checkpoints with (a key exported from another store,
    /// say the one this store was restored from), if it has none yet. Returns `None` when the
    /// store signs with `key` now, or the other key it already signs with (nothing written).
    pub fn import_checkpoint_key(
        &self,
        key: &SigningKey,
    ) -> Result<Option<SigningKey>, StoreError> {
        let kept = self.keep_key_unless_one(key.to_bytes())?;
        Ok((kept.to_bytes() != key.to_bytes()).then_some(kept))
    }

    /// The store's key: the one it has, or else `seed`, written (readable by the owner only,
    /// in a directory). Two processes writing a key at once end with one key.
    fn keep_key_unless_one(&self, seed: [u8; 32]) -> Result<SigningKey, StoreError> {
        let Side::Dir(dir) = self.side() else {
            if let Some(key) = self.checkpoint_key()? {
                return Ok(key);
            }
            // Under the writer lock: two servers making a key at once end with one key.
            return self
                .write_beside(|db| match db.get(KEY_KEY)? {
                    Some(_) => Ok(((), Batch::default())),
                    None => {
                        let mut batch = Batch::default();
                        batch.insert(KEY_KEY, const_hex::encode(seed));
                        Ok(((), batch))
                    }
                })
                .and_then(|()| self.checkpoint_key())?
                .ok_or_else(|| StoreError::Corrupt("the checkpoint key written is gone".into()));
        };
        let path = key_path(dir);
        if path.exists() {
            return read_key(&path);
        }
        // Written whole under another name, then linked to its own, which fails if another
        // thread or process made one first: then theirs is the key, and it is whole.
        let tmp = dir.join(format!(
            ".{KEY_FILE}.{}.{}",
            std::process::id(),
            const_hex::encode(&seed[..4])
        ));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let written = (|| {
            let mut f = options.open(&tmp)?;
            f.write_all(format!("{}\n", const_hex::encode(seed)).as_bytes())?;
            f.sync_all()?;
            std::fs::hard_link(&tmp, &path)
        })();
        let _ = std::fs::remove_file(&tmp);
        match written {
            Ok(()) => {
                if let Ok(dir) = std::fs::File::open(dir) {
                    let _ = dir.sync_all();
                }
                tracing::info!(path = %path.display(), "made the store's checkpoint key");
                Ok(SigningKey::from_bytes(&seed))
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_key(&path),
            Err(e) => Err(e.into()),
        }
    }

    /// What a checkpoint of the durable head would state now.
    pub fn checkpoint_statement(
        &self,
        reason: &str,
        time: Timestamp,
    ) -> Result<Statement, StoreError> {
        let seq = self.durable_head();
        let hash = if seq == 0 {
            Hash::default()
        } else {
            self.event(seq)?.hash
        };
        let mut documents = Vec::new();
        for entry in self.documents()? {
            let stream = StreamId::document(entry.id);
            let mut version = self.stream_version(stream)?;
            // Appends applied but not yet durable are not stated.
            while version > 0 {
                let e = self
                    .stream_between(stream, version, version)
                    .next()
                    .transpose()?;
                match e {
                    Some(e) if e.seq <= seq => {
                        documents.push(DocumentHead {
                            id: entry.id.0,
                            slug: entry.slug.clone(),
                            version,
                            hash: e.hash,
                        });
                        break;
                    }
                    _ => version -= 1,
                }
            }
        }
        documents.sort_by(|a, b| a.slug.cmp(&b.slug));
        // Whole seconds: the statement reads back and writes again byte for byte.
        let time = chrono::SubsecRound::trunc_subsecs(time, 0);
        Ok(Statement {
            seq,
            hash,
            time,
            reason: reason.to_string(),
            documents,
        })
    }

    /// Sign the durable head with the store's key (made if need be) and append the checkpoint
    /// to `checkpoints.jsonl`, durably.
    pub fn checkpoint(&self, reason: &str, time: Timestamp) -> Result<Checkpoint, StoreError> {
        let key = self.checkpoint_key_or_new()?;
        let statement = self.checkpoint_statement(reason, time)?;
        let signature = key.sign(&signed_bytes(&statement)?);
        let checkpoint = Checkpoint {
            statement,
            key: public_key_hex(&key),
            signature: const_hex::encode(signature.to_bytes()),
        };
        let mut line = serde_json::to_vec(&checkpoint)?;
        let Side::Dir(dir) = self.side() else {
            self.write_beside(|db| {
                let next = match db.last_with_prefix(CHECKPOINT_PREFIX)? {
                    Some((k, _)) => be_u64(&k[CHECKPOINT_PREFIX.len()..])? + 1,
                    None => 1,
                };
                let mut batch = Batch::default();
                batch.insert(
                    keys::key(CHECKPOINT_PREFIX[0], &[&next.to_be_bytes()]),
                    &line,
                );
                Ok(((), batch))
            })?;
            return Ok(checkpoint);
        };
        line.push(b'\n');
        let path = dir.join(CHECKPOINTS_FILE);
        let new = !path.exists();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)?;
        f.write_all(&line)?;
        f.sync_all()?;
        if new {
            // The file's name is in the directory: durable only once the directory is.
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(checkpoint)
    }

    /// The checkpoints kept beside the log, as lines of JSON, oldest first.
    pub fn checkpoint_lines(&self) -> Result<Vec<String>, StoreError> {
        let Side::Dir(dir) = self.side() else {
            return self
                .db
                .scan_prefix(CHECKPOINT_PREFIX)
                .map(|kv| kv.map(|(_, v)| String::from_utf8_lossy(&v).into_owned()))
                .collect();
        };
        let path = dir.join(CHECKPOINTS_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e.into()),
        }
    }

    /// The checkpoints kept beside the log, oldest first.
    pub fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        self.checkpoint_lines()?
            .iter()
            .enumerate()
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| {
                    StoreError::Corrupt(match self.side() {
                        Side::Dir(_) => {
                            format!(
                                "line {} of {CHECKPOINTS_FILE} is not a checkpoint: {e}",
                                i + 1
                            )
                        }
                        Side::Engine => format!(
                            "checkpoint {} kept in the database is not a checkpoint: {e}",
                            i + 1
                        ),
                    })
                })
            })
            .collect()
    }
}

impl Store {
    /// Whether the log of this store extends a checkpoint, looked up directly: the event at
    /// its sequence number has its hash, and each document named was at the version named
    /// (that event has the hash named and comes at or before the checkpoint's event, the next
    /// version after it). `Ok(Err(why))` if not. The chain itself is `verify`'s to check.
    pub fn extends(&self, c: &Statement) -> Result<Result<(), String>, StoreError> {
        if c.seq == 0 {
            return Ok(Ok(()));
        }
        // From the log itself (a store being restored has not read its head yet).
        let head = self.db.last_event()?.map_or(0, |s| s.seq);
        if head < c.seq {
            return Ok(Err(format!(
                "the log ends at event {head}, before the checkpoint's event {}: events were removed",
                c.seq
            )));
        }
        let at = self.event(c.seq)?;
        if at.hash != c.hash {
            return Ok(Err(format!(
                "event {} has hash {}, not the checkpoint's {}: the log was rewritten since the checkpoint",
                c.seq, at.hash, c.hash
            )));
        }
        for d in &c.documents {
            let stream = StreamId(d.id);
            let mut versions = self.stream_between(stream, d.version, d.version + 1);
            match versions.next().transpose()? {
                Some(e) if e.hash == d.hash && e.seq <= c.seq => {}
                Some(e) => {
                    return Ok(Err(format!(
                        "version {} of document {} is event {} with hash {}, not the event with hash {} the checkpoint states",
                        d.version, d.slug, e.seq, e.hash, d.hash
                    )))
                }
                None => {
                    return Ok(Err(format!(
                        "document {} has no version {}, which the checkpoint states",
                        d.slug, d.version
                    )))
                }
            }
            if let Some(next) = versions.next().transpose()? {
                if next.seq <= c.seq {
                    return Ok(Err(format!(
                        "document {} was at version {} (event {}) at event {}, past the version {} the checkpoint states",
                        d.slug, next.version, next.seq, c.seq, d.version
                    )));
                }
            }
        }
        Ok(Ok(()))
    }
}

/// Checks, one event at a time, that a log extends a checkpoint: feed it the events in order
/// from 1 (their sequence numbers, streams, versions and hashes, each already checked against
/// its record and the one before), then [`Extends::finish`].
pub struct Extends<'c> {
    checkpoint: &'c Statement,
    heads: HashMap<uuid::Uuid, (u64, Hash)>,
    at_seq: Option<Hash>,
}

impl<'c> Extends<'c> {
    /// A check of a checkpoint.
    pub fn new(checkpoint: &'c Statement) -> Self {
        Extends {
            checkpoint,
            heads: HashMap::new(),
            at_seq: None,
        }
    }

    /// The next event of the log.
    pub fn event(&mut self, seq: u64, stream: StreamId, version: u64, hash: Hash) {
        if seq > self.checkpoint.seq {
            return;
        }
        if seq == self.checkpoint.seq {
            self.at_seq = Some(hash);
        }
        if stream != StreamId::REGISTRY {
            self.heads.insert(stream.0, (version, hash));
        }
    }

    /// Whether the log fed extends the checkpoint, given the sequence number it ends at: `Err`
    /// says why not.
    pub fn finish(self, head: u64) -> Result<(), String> {
        let c = self.checkpoint;
        if c.seq == 0 {
            return Ok(());
        }
        if head < c.seq {
            return Err(format!(
                "the log ends at event {head}, before the checkpoint's event {}: events were removed",
                c.seq
            ));
        }
        match self.at_seq {
            Some(h) if h == c.hash => {}
            Some(h) => {
                return Err(format!(
                    "event {} has hash {h}, not the checkpoint's {}: the log was rewritten since the checkpoint",
                    c.seq, c.hash
                ))
            }
            None => return Err(format!("event {} was not found", c.seq)),
        }
        for d in &c.documents {
            match self.heads.get(&d.id) {
                Some((v, h)) if *v == d.version && *h == d.hash => {}
                Some((v, h)) => {
                    return Err(format!(
                        "document {} stood at version {v} (hash {h}) at event {}, not at version {} (hash {}) as the checkpoint states",
                        d.slug, c.seq, d.version, d.hash
                    ))
                }
                None => {
                    return Err(format!(
                        "document {} has no events up to event {}, but the checkpoint names it",
                        d.slug, c.seq
                    ))
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed() -> (tempfile::TempDir, Checkpoint) {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::create(dir.path().join("s")).unwrap();
        let c = store
            .checkpoint("manual", "2026-01-02T03:04:05.678Z".parse().unwrap())
            .unwrap();
        (dir, c)
    }

    #[test]
    fn a_checkpoint_verifies_and_reads_back_as_signed() {
        let (_dir, c) = signed();
        c.check_signature().unwrap();
        assert_eq!(c.statement.time.to_rfc3339(), "2026-01-02T03:04:05+00:00");
        let again: Checkpoint = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(again, c);
        again.check_signature().unwrap();
    }

    #[test]
    fn any_change_to_a_checkpoint_breaks_its_signature() {
        let (_dir, c) = signed();
        let mut changes: Vec<Checkpoint> = Vec::new();
        let mut later = c.clone();
        later.statement.seq += 1;
        changes.push(later);
        let mut other_hash = c.clone();
        other_hash.statement.hash.0[0] ^= 1;
        changes.push(other_hash);
        let mut reason = c.clone();
        reason.statement.reason = "tag v2".into();
        changes.push(reason);
        let mut key = c.clone();
        key.key = public_key_hex(&SigningKey::from_bytes(&[7; 32]));
        changes.push(key);
        for changed in changes {
            let why = changed.check_signature().unwrap_err();
            assert!(why.contains("does not match"), "{why}");
        }
        let mut garbled = c.clone();
        garbled.signature = "zz".into();
        assert!(garbled
            .check_signature()
            .unwrap_err()
            .contains("hexadecimal"));
    }
}
