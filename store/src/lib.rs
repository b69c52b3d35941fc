//! The Travaux event log on sled, and the read models kept beside it.
//!
//! # What is durable when
//!
//! An append returns only after its events are durable: one atomic `apply_batch` on a single
//! sled tree writes the events, the stream and id indexes and the updated read models together,
//! then `flush()` and an `fsync` of the store's data file (`<dir>/db`) make them survive a
//! crash or power loss. (sled 0.34's `flush` alone ends in `sync_file_range`, which does not
//! empty the drive's write cache.) sled writes any page above about 128 KiB — one large value,
//! or a leaf of up to 16 entries that together pass it, such as snapshot chunks — to a file of
//! its own under `<dir>/blobs`, which it never fsyncs; on Linux the sync is therefore a
//! `syncfs` of the store's filesystem (which covers them, whoever wrote them) before the
//! fsync of `db`.
//!
//! Concurrent appends share that flush and fsync (group commit): each decides and applies its
//! batch under the writer lock, releases it, and then waits until a sync covers its last
//! sequence number; one of the waiters runs the sync for all of them. Between its
//! `apply_batch` and that sync an event is readable (by `events_from`, `stream`, `document`
//! and the other reads, and by the next `decide`) but not yet durable, and its append has not
//! returned. [`Store::durable_head`] is the last sequence number known durable: a reader that
//! must show only what was acknowledged (a live stream of the log) stops there, and
//! [`Store::wait_for_durable`] waits for it to move. If a sync fails, every append it covered
//! gets [`StoreError::NotDurable`] and the store takes no more appends until it is reopened.
//!
//! # Sharing one store between threads
//!
//! `Store` is `Send + Sync`: one process opens a store once and shares it between threads
//! (in an `Arc`, or by reference in scoped threads). `execute` and `append` may be called from
//! any number of threads at once: the decisions are taken one at a time, each against the
//! latest state, and their appends are batched into shared fsyncs, so throughput grows with
//! the number of concurrent writers while every acknowledged append is durable. Reads never
//! take the writer lock (except [`Store::head`], briefly) and never wait for a sync.
//!
//! # Invariants
//!
//! - One global, gap-free sequence from 1; one stream per document, versions from 1.
//! - An append names the stream version it expects; a stale one is a conflict and writes
//!   nothing. One writer (a mutex) assigns positions inside the atomic write.
//! - Appends are idempotent on event id: a retry of an acknowledged append returns the
//!   events already stored (once they are durable).
//! - Each event holds the hash of the one before it; `verify` walks the chain.
//! - Read models are caches of the log: `rebuild` deletes and refills them, with the same
//!   answers.

mod admins;
mod amendments;
pub mod checkpoint;
mod codec;
pub mod contract;
mod error;
pub mod jsonl;
mod keys;
mod packed;
pub mod postgres;
pub mod sled;
mod store;
mod verify;

pub use codec::{check, decode, encode, encode_raw, upcast, Checked, MAX_EVENT_BYTES};
pub use contract::Location;
pub use error::StoreError;
#[doc(hidden)]
pub use packed::{pack, unpack};
pub use sled::catch::catch;
pub use store::{
    fingerprint, Appended, Clock, Compacted, Expected, Store, TokenEntry, Walk, Write,
};
pub use verify::{Problem, ReadModelProblem, VerifyReport, MAX_REPORTED};
