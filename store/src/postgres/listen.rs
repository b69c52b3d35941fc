//! Waiting for the log's head to move, whichever process moved it: every commit that appends
//! runs `pg_notify('travaux_head', seq)`, delivered when it commits, so a listener wakes once
//! the new events are durable and readable (a server's live event stream, fed by the appends
//! of other servers on the same database).

use std::time::{Duration, Instant};

use postgres::fallible_iterator::FallibleIterator;

use super::conn::{blocking, Conn, Target};
use super::write::HEAD_CHANNEL;
use super::{errors, read, PgEngine};
use crate::contract::Head;
use crate::StoreError;

/// A connection that listens for the head's moves (see [`PgEngine::listen`]). It owns its
/// connection: a server keeps one in the thread that feeds its event streams.
pub struct HeadListener {
    target: Target,
    conn: Option<Conn>,
}

impl PgEngine {
    /// A listener for the head's moves, on a connection of its own.
    pub fn listen(&self) -> Result<HeadListener, StoreError> {
        let mut listener = HeadListener {
            target: self.target.clone(),
            conn: None,
        };
        blocking(|| listener.connection().map(|_| ()))?;
        Ok(listener)
    }
}

impl HeadListener {
    /// The connection, listening (opened again if it broke: the head is read after `LISTEN`,
    /// so no move is missed).
    fn connection(&mut self) -> Result<&mut Conn, StoreError> {
        if self.conn.as_ref().is_none_or(|c| c.is_closed()) {
            self.conn = None;
            let mut conn = self.target.connect()?;
            conn.client()
                .batch_execute(&format!("LISTEN {HEAD_CHANNEL}"))
                .map_err(|e| errors::failed(&self.target.shown, "listening for appends", &e))?;
            self.conn = Some(conn);
        }
        Ok(self.conn.as_mut().expect("connected above"))
    }

    /// The head, once it is past `seq`; or the head as it is when `timeout` has passed.
    pub fn wait_past(&mut self, seq: u64, timeout: Duration) -> Result<Head, StoreError> {
        blocking(|| self.wait_here(seq, timeout))
    }

    fn wait_here(&mut self, seq: u64, timeout: Duration) -> Result<Head, StoreError> {
        let deadline = Instant::now() + timeout;
        loop {
            let shown = self.target.shown.clone();
            let fail = |e: postgres::Error| errors::failed(&shown, "waiting for appends", &e);
            let conn = self.connection()?;
            // What was notified so far is covered by the head read next.
            conn.client()
                .notifications()
                .iter()
                .for_each(|_| Ok(()))
                .map_err(fail)?;
            let head = conn
                .query_opt("SELECT seq, hash FROM head WHERE one = 1", &[])
                .map_err(fail)?
                .map(|row| read::head_of(&row))
                .transpose()?
                .unwrap_or_default();
            let now = Instant::now();
            if head.seq > seq || now >= deadline {
                return Ok(head);
            }
            // Woken by a notification, or by the timeout: read the head again.
            conn.client()
                .notifications()
                .timeout_iter(deadline - now)
                .next()
                .map_err(fail)?;
        }
    }
}
