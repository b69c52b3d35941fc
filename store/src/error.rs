//! What can go wrong in the store.

use std::path::PathBuf;

use travaux_core::{DomainError, EventId, StreamId, Timestamp};

/// What to do about a damaged store, said by every error that finds one.
pub(crate) const RESTORE: &str = "restore the store from a backup (`travaux restore` of its latest `travaux export jsonl`, or a copy of its directory)";

/// An error from the store. Nothing is written when one is returned from an append.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The command broke a rule of the domain.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// No store at the path.
    #[error("no travaux store at {0}; run `travaux init` to create one, or pass --store DIR")]
    NoStore(PathBuf),
    /// Another process holds the store.
    #[error("the store at {0} is in use by another travaux process; sled lets one process open a store at a time: wait for it to finish (a committee sharing one store runs `travaux serve`)")]
    Locked(PathBuf),
    /// The path holds something that is not a store.
    #[error(
        "{0} is not a travaux store (it exists but holds no travaux log); choose another --store"
    )]
    NotAStore(PathBuf),
    /// An append expected a stream version that is no longer current.
    #[error("conflict: {stream} is at version {actual}, not {expected}; someone else wrote first: read it again and retry")]
    Conflict {
        /// The stream.
        stream: String,
        /// The version the writer expected.
        expected: String,
        /// The version it has.
        actual: u64,
    },
    /// An event id already used for a different event.
    #[error("event id {0} is already in the log for a different event; use a new id")]
    DuplicateEventId(EventId),
    /// A recorded-at time earlier than the last event's.
    #[error("cannot record an event at {given}: the log's last event was recorded at {last}, and the log only moves forward in time")]
    TimeBackwards {
        /// The time given.
        given: Timestamp,
        /// The last event's.
        last: Timestamp,
    },
    /// An event too large to store durably.
    #[error("the {kind} event is {bytes} bytes; at most {max} are stored in one event (split the change into smaller ones)")]
    TooLarge {
        /// The payload type.
        kind: &'static str,
        /// Its encoded size.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// The stored log does not read back as written.
    #[error("the log is damaged: {0}; run `travaux verify`")]
    Corrupt(String),
    /// The store is damaged: what it holds is not what it acknowledged (its log lost its tail,
    /// or sled cannot read its files). Its answers would be wrong, so nothing is answered.
    #[error("the store is damaged: {0}")]
    Damaged(String),
    /// A stream that does not exist.
    #[error("no stream {0} in the log")]
    UnknownStream(StreamId),
    /// The events were written but could not be made durable; the outcome is unknown.
    #[error("the events were written but could not be made durable ({0}); the write may or may not survive a crash: check with `travaux log`, and retry with the same --event-id")]
    NotDurable(String),
    /// An earlier append could not be made durable, so the store takes no more appends until it
    /// is opened again. Nothing was written.
    #[error("nothing was written: an earlier write to the store could not be made durable ({0}), and the store takes no more writes until it is opened again (restart the process; `travaux verify` then shows what the log holds)")]
    SyncFailed(String),
    /// A compaction could not be made; the store is left as it was.
    #[error("the store could not be compacted ({0}); it is left as it was")]
    Compaction(String),
    /// The store's files may not be opened, or its directory created, by this user: the
    /// message names the path, its owner and mode, the user, and the ways out.
    #[error("{message}")]
    PermissionDenied {
        /// The store's directory.
        path: PathBuf,
        /// What to tell the user.
        message: String,
    },
    /// The storage engine failed (sled, or PostgreSQL): its message.
    #[error("storage error: {0}")]
    Engine(String),
    /// The file system failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// A stored value did not decode.
    #[error("the log is damaged: a stored value does not decode: {0}")]
    Codec(#[from] serde_json::Error),
}

impl From<sled::Error> for StoreError {
    /// Corruption that sled detects (a page whose checksum fails when it is read) is damage to
    /// the store, told as such; the rest stays sled's error.
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Corruption { at, .. } => StoreError::Damaged(match at {
                Some(at) => format!("sled reads corrupted data in the store's data file (at {at:?}); {RESTORE}"),
                None => format!("sled reads corrupted data in the store's data file; {RESTORE}"),
            }),
            // sled reads a page past the end of its file: the file was cut short.
            sled::Error::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => StoreError::Damaged(format!(
                "sled reads past the end of the store's data file ({io}): the file was cut short; {RESTORE}"
            )),
            sled::Error::Io(io) => StoreError::Io(io),
            other => StoreError::Engine(format!("sled: {other}")),
        }
    }
}

impl StoreError {
    /// The error for a store that an I/O error with this kind kept from being opened or
    /// created: a refusal of permission names the path, its owner and mode, and the user.
    pub(crate) fn opening(path: &std::path::Path, e: std::io::Error) -> StoreError {
        if e.kind() != std::io::ErrorKind::PermissionDenied {
            return StoreError::Io(e);
        }
        permission_denied(path)
    }
}

/// What to say of a store this user may not open: who owns it, with which mode, and who asked.
fn permission_denied(path: &std::path::Path) -> StoreError {
    // The store's directory, or the nearest directory above it that exists (for `init`).
    let shown = path
        .ancestors()
        .find(|p| p.exists())
        .unwrap_or(path)
        .to_path_buf();
    let (owner, mode) = owner_and_mode(&shown);
    let you = current_user().map_or_else(String::new, |you| format!("; you are {you}"));
    let message = if shown != path {
        format!(
            "cannot create the store at {}: permission denied ({} is owned by {owner}, mode {mode}{you}); creating a store needs write permission on the directory that holds it: choose a --store in a directory you may write",
            path.display(),
            shown.display()
        )
    } else {
        format!(
            "cannot open the store at {p}: permission denied (owned by {owner}, mode {mode}{you}); sled opens a store's files for reading and writing even to read them, so every command, `show` and `log` included, needs read and write permission on {p} and the files in it: run as {owner}, have {owner} give you write access (a shared group and `chmod -R g+w {p}`, say), or work on a copy (`cp -r {p} DIR`, then `--store DIR`)",
            p = path.display()
        )
    };
    StoreError::PermissionDenied {
        path: path.to_path_buf(),
        message,
    }
}

#[cfg(unix)]
fn owner_and_mode(path: &std::path::Path) -> (String, String) {
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata(path) {
        Ok(m) => (
            user_name(m.uid()).unwrap_or_else(|| format!("uid {}", m.uid())),
            format!("{:o}", m.mode() & 0o7777),
        ),
        Err(_) => ("its owner".into(), "unknown".into()),
    }
}

#[cfg(not(unix))]
fn owner_and_mode(_: &std::path::Path) -> (String, String) {
    ("its owner".into(), "unknown".into())
}

/// The user this process runs as, by name.
#[cfg(target_os = "linux")]
fn current_user() -> Option<String> {
    let uid = rustix::process::geteuid().as_raw();
    Some(user_name(uid).unwrap_or_else(|| format!("uid {uid}")))
}

#[cfg(not(target_os = "linux"))]
fn current_user() -> Option<String> {
    None
}

/// A user's name from `/etc/passwd`, if it lists the uid.
#[cfg(unix)]
fn user_name(uid: u32) -> Option<String> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == uid).then(|| name.to_string())
    })
}
