//! Connections: one for the writer, a small pool for the readers, each keeping its prepared
//! statements.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::Duration;

use postgres::types::ToSql;
use postgres::{Client, Config, NoTls, Row, Statement};

use super::errors;
use crate::StoreError;

/// How long a connection attempt waits when the URL sets no `connect_timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a write may stay open with nothing happening before the server ends it.
pub(crate) const WRITE_IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// The most reader connections one engine opens.
pub(crate) const MAX_READERS: usize = 4;

/// The connection settings, parsed once from the URL.
#[derive(Clone)]
pub(crate) struct Target {
    config: Config,
    /// The URL without its password, for messages.
    pub(crate) shown: String,
}

impl Target {
    /// Parse a `postgres://` URL.
    pub(crate) fn parse(url: &str) -> Result<Target, StoreError> {
        let shown = crate::contract::redact(url);
        let mut config: Config = url.parse().map_err(|e: postgres::Error| {
            StoreError::Engine(format!(
                "{shown} is not a PostgreSQL connection URL ({}); write postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE",
                errors::describe(&e)
            ))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("travaux");
        }
        Ok(Target { config, shown })
    }

    /// A new connection for the writer: as [`Target::connect`], and a write left open (a
    /// thread of this process that hangs between `begin_write` and `commit`) is ended by the
    /// server after [`WRITE_IDLE_TIMEOUT`], so it cannot hold the writer lock of every
    /// process for ever.
    pub(crate) fn connect_writer(&self) -> Result<Conn, StoreError> {
        let mut conn = self.connect()?;
        conn.client()
            .batch_execute(&format!(
                "SET idle_in_transaction_session_timeout = '{}s'",
                WRITE_IDLE_TIMEOUT.as_secs()
            ))
            .map_err(|e| errors::failed(&self.shown, "setting up a connection", &e))?;
        Ok(conn)
    }

    /// A new connection. Every commit on it waits for the WAL flush (`synchronous_commit =
    /// on`), whatever the server's default: an acknowledged append is durable.
    pub(crate) fn connect(&self) -> Result<Conn, StoreError> {
        let mut client = self
            .config
            .connect(NoTls)
            .map_err(|e| errors::cannot_connect(&self.shown, &e))?;
        client
            .batch_execute("SET synchronous_commit = on")
            .map_err(|e| errors::failed(&self.shown, "setting up a connection", &e))?;
        Ok(Conn {
            client: Some(client),
            statements: HashMap::new(),
        })
    }
}

/// Run `f`, which blocks on the `postgres` client, from any thread.
///
/// The client drives each connection with a runtime of its own, which tokio refuses to start
/// on a thread that runs async tasks ("Cannot start a runtime from within a runtime"): the
/// server's. On such a thread of a multi-threaded runtime `f` runs in `block_in_place` (the
/// thread leaves the runtime while it blocks); on a single-threaded runtime's, on a thread of
/// its own. Elsewhere (the CLI, `spawn_blocking`) it just runs.
pub(crate) fn blocking<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Err(_) => f(),
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        Ok(_) => std::thread::scope(|s| {
            s.spawn(f)
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))
        }),
    }
}

/// A connection and the statements prepared on it.
pub(crate) struct Conn {
    /// Always there but while the connection is dropped (see `Drop`).
    client: Option<Client>,
    statements: HashMap<&'static str, Statement>,
}

impl Drop for Conn {
    /// Closing a connection blocks on the client's runtime too.
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            blocking(move || drop(client));
        }
    }
}

impl Conn {
    /// The client.
    pub(crate) fn client(&mut self) -> &mut Client {
        self.client
            .as_mut()
            .expect("a connection has its client until dropped")
    }

    /// Whether the connection is gone.
    pub(crate) fn is_closed(&self) -> bool {
        self.client.as_ref().is_none_or(Client::is_closed)
    }

    /// The statement for `sql`, prepared once per connection.
    fn statement(&mut self, sql: &'static str) -> Result<Statement, postgres::Error> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client().prepare(sql)?;
        self.statements.insert(sql, s.clone());
        Ok(s)
    }

    /// Run a query.
    pub(crate) fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, postgres::Error> {
        let s = self.statement(sql)?;
        self.client().query(&s, params)
    }

    /// Run a query that answers at most one row.
    pub(crate) fn query_opt(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, postgres::Error> {
        let s = self.statement(sql)?;
        self.client().query_opt(&s, params)
    }

    /// Run a statement; the number of rows it changed.
    pub(crate) fn execute(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        let s = self.statement(sql)?;
        self.client().execute(&s, params)
    }
}

/// The readers' connections: opened on demand, at most [`MAX_READERS`], each used by one read
/// at a time (a paged iterator takes one per page, so iterators never hold one between pages).
pub(crate) struct Readers {
    slots: Vec<Mutex<Option<Conn>>>,
}

impl Readers {
    pub(crate) fn new() -> Readers {
        Readers {
            slots: (0..MAX_READERS).map(|_| Mutex::new(None)).collect(),
        }
    }

    /// Run `f` on a reader connection: a free one if there is one, else wait for one. A
    /// read whose connection turns out to be gone (the server restarted, or ended it) is run
    /// once more on a new one: reads change nothing, so running one twice is harmless.
    pub(crate) fn with<T>(
        &self,
        target: &Target,
        doing: &str,
        f: impl FnMut(&mut Conn) -> Result<T, postgres::Error> + Send,
    ) -> Result<T, StoreError>
    where
        T: Send,
    {
        blocking(|| self.with_here(target, doing, f))
    }

    fn with_here<T>(
        &self,
        target: &Target,
        doing: &str,
        mut f: impl FnMut(&mut Conn) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        let mut guard = self.take();
        let mut retried = false;
        loop {
            if guard.as_ref().is_some_and(|c| c.is_closed()) {
                *guard = None;
            }
            let fresh = guard.is_none();
            if fresh {
                *guard = Some(target.connect()?);
            }
            let conn = guard.as_mut().expect("connected above");
            match f(conn) {
                Ok(v) => return Ok(v),
                Err(e) if e.is_closed() || conn.is_closed() => {
                    *guard = None;
                    if fresh || retried {
                        return Err(errors::failed(&target.shown, doing, &e));
                    }
                    tracing::debug!(store = %target.shown, "a reader connection was lost ({e}); reading again on a new one");
                    retried = true;
                }
                Err(e) => return Err(errors::failed(&target.shown, doing, &e)),
            }
        }
    }

    /// A slot: the first free one (an open connection before an empty slot), else wait on the
    /// first.
    fn take(&self) -> MutexGuard<'_, Option<Conn>> {
        let mut empty = None;
        for slot in &self.slots {
            let guard = match slot.try_lock() {
                Ok(guard) => guard,
                // A read that panicked left its connection; it is checked before use.
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => continue,
            };
            if guard.is_some() {
                return guard;
            }
            if empty.is_none() {
                empty = Some(guard);
            }
        }
        if let Some(guard) = empty {
            return guard;
        }
        // Every slot is in use: wait for one (they are held for one statement at a time).
        self.slots[0].lock().unwrap_or_else(|p| p.into_inner())
    }
}
