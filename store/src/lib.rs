//! The Travaux event log on sled, and the read models kept beside it.
//!
//! # What is durable when
//!
//! An append returns only after its events are durable: one atomic `apply_batch` on a single
//! sled tree writes the events, the stream and id indexes and the updated read models together,
//! then `flush()` and an `fsync` of the store's data file (`<dir>/db`) make them survive a
//! crash or power loss. (sled 0.34's `flush` alone ends in `sync_file_range`, which does not
//! empty the drive's write cache.) Every stored value stays below 96 KiB, because sled writes
//! larger values to blob files it never fsyncs.
//!
//! # Invariants
//!
//! - One global, gap-free sequence from 1; one stream per document, versions from 1.
//! - An append names the stream version it expects; a stale one is a conflict and writes
//!   nothing. One writer (a mutex) assigns positions inside the atomic write.
//! - Appends are idempotent on event id: a retry of an acknowledged append returns the
//!   events already stored.
//! - Each event holds the hash of the one before it; `verify` walks the chain.
//! - Read models are caches of the log: `rebuild` deletes and refills them, with the same
//!   answers.

mod codec;
mod error;
pub mod generate;
mod sled_store;

pub use codec::{check, decode, encode, encode_raw, upcast, Checked, MAX_EVENT_BYTES};
pub use error::StoreError;
pub use sled_store::{fingerprint, Appended, Clock, Expected, Problem, Store, VerifyReport, Write};
