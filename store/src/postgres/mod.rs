//! The PostgreSQL engine: the event-store contract ([`crate::contract`]) on one database that
//! several processes (several `travaux serve` behind a load balancer) share.
//!
//! # Tables
//!
//! See [`schema`]: `events` (the log, append-only, its order, stream versions and ids under
//! the database's own constraints and a chain-checking trigger), `head` (one row: the last
//! event's sequence number and hash), `kv` (the read models' ordered map) and `meta` (the
//! format). They are made on the first open of an empty database, in one transaction.
//!
//! # Writes: one at a time across every process
//!
//! A write runs on the engine's one writer connection, as one transaction:
//!
//! 1. [`Engine::begin_write`]: `BEGIN`, then `pg_advisory_xact_lock(WRITER_LOCK)` — a lock
//!    on a number, held to the end of the transaction, that every travaux process writing to
//!    this database takes, so they take turns — then the `head` row, which is the head the
//!    other processes left: the store decides against it.
//! 2. [`Engine::commit`]: `UPDATE head … WHERE seq = $after AND hash = $after_hash` (no row
//!    changed: another writer moved the head, the write is refused and rolled back), the
//!    events inserted, the read models' writes applied, `pg_notify('travaux_head', seq)`, and
//!    `COMMIT`. With `synchronous_commit = on` (set on every connection) the commit returns
//!    once the WAL is flushed: the write is durable, so [`Engine::sync`] has nothing to do.
//!    A connection lost during `COMMIT` leaves the outcome unknown:
//!    `StoreError::NotDurable`.
//! 3. [`Engine::abort_write`]: `ROLLBACK` (the lock goes with it).
//!
//! With [`PgEngine::group_commit`] a commit does not wait for the flush (its transaction
//! has `synchronous_commit = off`), so the lock is held for no fsync, and [`Engine::sync`]
//! flushes the WAL through it with a small durable commit of its own: the syncs of
//! concurrent appends, in every process, share PostgreSQL's flushes.
//!
//! The lock serializes the writers of every process; the head's compare-and-set and the
//! constraints make a writer that did not take it (or a bug) fail instead of forking the log.
//! What the lock costs is one more round trip per write: measured on the 2-core development
//! machine (`measure` in `store/tests/postgres.rs`), `BEGIN`, the lock and the head read take
//! 30–45 µs against 12–20 µs without the lock, beside 2.5–4 ms for a flushed single append.
//! The lock is held through the commit's flush, so flushed appends are about one per WAL
//! flush whatever the number of processes (250–450/s there); with group commit they reach
//! about 2,000/s from 16 writers.
//!
//! # Reads
//!
//! Reads run on a small pool of reader connections (at most four, opened on demand),
//! never on the writer's, so they never wait for a write and see every commit that returned.
//! Iterators read pages of [`PAGE`] rows (by key, by sequence number, by version) and hold no
//! connection between pages. A [`Reading::Prefix`](crate::contract::Reading) read of the log
//! stops at the head as it was when the read began.
//!
//! # Other processes' appends
//!
//! [`PgEngine::head`] reads the head as the database has it; [`PgEngine::listen`] gives a
//! [`HeadListener`] (`LISTEN travaux_head` on a connection of its own) that waits until the
//! head passes a sequence number, woken by the `pg_notify` of whichever process committed.
//!
//! # Not yet
//!
//! Connections are unencrypted (`NoTls`): use a Unix socket or a trusted network, or put
//! TLS in front. Connection and statement failures are `StoreError::Engine`, with a message
//! naming the database (without its password).

mod conn;
mod errors;
mod listen;
mod read;
pub mod schema;
mod write;

use std::sync::Mutex;

pub use listen::HeadListener;
use schema::Create;
pub use schema::{drop_store, with_dbname, TestDatabase, FORMAT};
pub use write::HEAD_CHANNEL;

use crate::contract::{Batch, Engine, Head, Location, LogEntry};
use crate::StoreError;
use conn::{Conn, Readers, Target};

/// How many rows an iterator reads at a time.
pub const PAGE: i64 = 1_000;

/// A travaux store in a PostgreSQL database.
pub struct PgEngine {
    location: Location,
    target: Target,
    writer: Mutex<Writer>,
    readers: Readers,
    /// Whether commits leave their flush to [`Engine::sync`] (see [`PgEngine::group_commit`]).
    grouped: bool,
    /// The connection `sync` flushes the WAL on, in group commit.
    syncer: Mutex<Option<Conn>>,
}

/// The writer connection, and whether a write is open on it.
struct Writer {
    conn: Option<Conn>,
    open: bool,
}

impl PgEngine {
    /// Create a store in the database at `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB`):
    /// make its tables, in one transaction, with `markers` set (to nothing) in the read
    /// models; or open it if the database holds one already. Returns the engine and whether
    /// it made the store. A database with tables named like the store's but no travaux
    /// format is refused (`StoreError::NotAStore`).
    pub fn create(url: &str, markers: &[&[u8]]) -> Result<(PgEngine, bool), StoreError> {
        PgEngine::connect(url, Create::IfMissing(markers))
    }

    /// Open the store in the database at `url`; a database without one is refused
    /// (`StoreError::NoStore`: `travaux init` makes one).
    pub fn open(url: &str) -> Result<PgEngine, StoreError> {
        PgEngine::connect(url, Create::No).map(|(engine, _)| engine)
    }

    fn connect(url: &str, create: Create<'_>) -> Result<(PgEngine, bool), StoreError> {
        let target = Target::parse(url)?;
        let (conn, created) = conn::blocking(|| {
            let mut conn = target.connect_writer()?;
            let created = schema::prepare(&mut conn, &target, create)?;
            Ok::<_, StoreError>((conn, created))
        })?;
        tracing::debug!(store = %target.shown, created, "opened a PostgreSQL store");
        let engine = PgEngine {
            location: Location::Postgres(url.to_string()),
            target,
            writer: Mutex::new(Writer {
                conn: Some(conn),
                open: false,
            }),
            readers: Readers::new(),
            grouped: false,
            syncer: Mutex::new(None),
        };
        Ok((engine, created))
    }

    /// Group commit: each commit returns once its WAL is written, not flushed
    /// (`synchronous_commit = off` for its transaction), so the writer lock is held for no
    /// flush; [`Engine::sync`] then flushes the WAL through it with a durable commit of its
    /// own (`pg_logical_emit_message(true, …)`, which writes one WAL record and no table), and
    /// the syncs of concurrent appends — in this process and others — share PostgreSQL's
    /// flushes. Off by default: every commit is flushed before it returns.
    ///
    /// The price: between a commit and its sync, other processes can read events that a
    /// crash of the database server would still lose (this process knows its durable head;
    /// another process's [`PgEngine::head`] does not tell).
    pub fn group_commit(mut self, on: bool) -> PgEngine {
        self.grouped = on;
        self
    }

    /// The log's head as the database has it now, whoever wrote it: what another process
    /// appended is there once its commit returned.
    pub fn head(&self) -> Result<Head, StoreError> {
        self.readers
            .with(&self.target, "reading the log's head", |c| {
                c.query_opt("SELECT seq, hash FROM head WHERE one = 1", &[])
            })
            .and_then(|row| match row {
                Some(row) => read::head_of(&row),
                None => Err(errors::corrupt(
                    "the PostgreSQL store has no head row (table `head` is empty)",
                )),
            })
    }
}

impl Engine for PgEngine {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn location(&self) -> &Location {
        &self.location
    }

    fn begin_write(&self) -> Result<Option<Head>, StoreError> {
        write::begin(self).map(Some)
    }

    fn abort_write(&self) {
        write::abort(self);
    }

    fn commit(&self, after: Head, events: &[LogEntry<'_>], batch: Batch) -> Result<(), StoreError> {
        write::commit(self, after, events, batch)
    }

    fn shared_head(&self) -> Result<Option<Head>, StoreError> {
        self.head().map(Some)
    }

    fn sync(&self, _through: Head) -> Result<(), StoreError> {
        if !self.grouped {
            // Every commit returned durable (synchronous_commit = on).
            return Ok(());
        }
        write::flush(self)
    }
}

impl std::fmt::Debug for PgEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgEngine")
            .field("location", &self.target.shown)
            .finish_non_exhaustive()
    }
}
