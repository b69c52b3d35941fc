//! What can go wrong in the store.

use std::path::PathBuf;

use travaux_core::{DomainError, EventId, StreamId, Timestamp};

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
    /// sled failed.
    #[error("storage error: {0}")]
    Sled(sled::Error),
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
                Some(at) => format!("sled reads corrupted data in the store's data file (at {at:?}); restore the store from a backup (`travaux restore` of its latest `travaux export jsonl`, or a copy of its directory)"),
                None => "sled reads corrupted data in the store's data file; restore the store from a backup (`travaux restore` of its latest `travaux export jsonl`, or a copy of its directory)".into(),
            }),
            sled::Error::Io(io) => StoreError::Io(io),
            other => StoreError::Sled(other),
        }
    }
}
