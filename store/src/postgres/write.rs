//! Writes: one transaction on the writer connection, under the cross-process advisory lock.

use std::collections::HashMap;
use std::sync::MutexGuard;

use travaux_core::{EventId, StreamId};
use uuid::Uuid;

use super::conn::{blocking, Conn};
use super::schema::WRITER_LOCK;
use super::{errors, read, PgEngine, Writer};
use crate::contract::{Batch, Head, Log, LogEntry};
use crate::StoreError;

/// At most this many rows go in one multi-row statement.
const ROWS_PER_STATEMENT: usize = 5_000;
/// At most about this many bytes go in one multi-row statement.
const BYTES_PER_STATEMENT: usize = 16 << 20;

/// The channel every commit notifies with the new head's sequence number.
pub const HEAD_CHANNEL: &str = "travaux_head";

fn lock(engine: &PgEngine) -> MutexGuard<'_, Writer> {
    engine.writer.lock().unwrap_or_else(|p| p.into_inner())
}

/// The writer connection, opened again if it broke.
fn connection<'w>(engine: &PgEngine, w: &'w mut Writer) -> Result<&'w mut Conn, StoreError> {
    if w.conn.as_ref().is_none_or(|c| c.is_closed()) {
        w.conn = None;
        w.open = false;
        w.conn = Some(engine.target.connect_writer()?);
    }
    Ok(w.conn.as_mut().expect("connected above"))
}

/// `BEGIN`, the writer lock, and the head as the database has it.
fn start(engine: &PgEngine, w: &mut Writer) -> Result<Head, StoreError> {
    if w.open {
        // A write that was neither committed nor aborted: roll it back first.
        rollback(w);
    }
    let fail = |e: postgres::Error| errors::failed(&engine.target.shown, "beginning a write", &e);
    let conn = connection(engine, w)?;
    if let Err(e) = conn.client().batch_execute("BEGIN") {
        if !(e.is_closed() || conn.is_closed()) {
            return Err(fail(e));
        }
        // The connection was gone (the server restarted, or ended it): nothing was begun, so
        // begin on a new one.
        tracing::debug!(store = %engine.target.shown, "the writer connection was lost ({e}); reconnecting");
        w.conn = None;
        connection(engine, w)?
            .client()
            .batch_execute("BEGIN")
            .map_err(fail)?;
    }
    w.open = true;
    let conn = w.conn.as_mut().expect("connected above");
    let head = conn
        .execute("SELECT pg_advisory_xact_lock($1)", &[&WRITER_LOCK])
        .and_then(|_| conn.query_opt("SELECT seq, hash FROM head WHERE one = 1", &[]));
    let head = match head {
        Ok(Some(row)) => read::head_of(&row),
        Ok(None) => Err(errors::corrupt(
            "the PostgreSQL store has no head row (table `head` is empty)",
        )),
        Err(e) => Err(fail(e)),
    };
    if head.is_err() {
        rollback(w);
    }
    head
}

/// `ROLLBACK` of the open write, if any. A connection that cannot roll back is dropped (the
/// server rolls back what it held).
fn rollback(w: &mut Writer) {
    if !w.open {
        return;
    }
    w.open = false;
    if let Some(conn) = w.conn.as_mut() {
        if let Err(e) = conn.client().batch_execute("ROLLBACK") {
            tracing::warn!("rolling back a PostgreSQL write failed ({e}); reconnecting");
            w.conn = None;
        }
    }
}

pub(super) fn begin(engine: &PgEngine) -> Result<Head, StoreError> {
    blocking(|| start(engine, &mut lock(engine)))
}

pub(super) fn abort(engine: &PgEngine) {
    blocking(|| rollback(&mut lock(engine)));
}

pub(super) fn commit(
    engine: &PgEngine,
    after: Head,
    events: &[LogEntry<'_>],
    batch: Batch,
) -> Result<(), StoreError> {
    blocking(|| commit_here(engine, after, events, &batch))
}

fn commit_here(
    engine: &PgEngine,
    after: Head,
    events: &[LogEntry<'_>],
    batch: &Batch,
) -> Result<(), StoreError> {
    let mut guard = lock(engine);
    let w = &mut *guard;
    if !w.open {
        // A commit without `begin_write` takes the lock all the same.
        start(engine, w)?;
    }
    let conn = w.conn.as_mut().expect("a write is open");
    if let Err(e) = write(engine, conn, after, events, batch) {
        rollback(w);
        return Err(match e {
            Refusal::Store(e) => e,
            Refusal::Postgres(e) => explain(engine, after, events, &e),
        });
    }
    w.open = false;
    if let Err(e) = conn.client().batch_execute("COMMIT") {
        if e.as_db_error().is_some() && !e.is_closed() {
            // The server refused the commit: it rolled the transaction back.
            return Err(errors::failed(
                &engine.target.shown,
                "committing a write",
                &e,
            ));
        }
        // The connection went during the COMMIT: it may or may not have happened.
        w.conn = None;
        return Err(StoreError::NotDurable(format!(
            "the connection to the PostgreSQL store at {} was lost during COMMIT: {}",
            engine.target.shown,
            errors::describe(&e)
        )));
    }
    Ok(())
}

/// Flush the WAL through every commit that returned (group commit): a durable commit of a
/// transaction that writes one WAL record (a transactional logical-decoding message, which
/// touches no table, so concurrent flushes do not wait for each other's locks) waits for the
/// WAL up to its own record, which comes after theirs.
pub(super) fn flush(engine: &PgEngine) -> Result<(), StoreError> {
    blocking(|| flush_here(engine))
}

fn flush_here(engine: &PgEngine) -> Result<(), StoreError> {
    let mut guard = engine.syncer.lock().unwrap_or_else(|p| p.into_inner());
    if guard.as_ref().is_none_or(|c| c.is_closed()) {
        *guard = Some(engine.target.connect()?);
    }
    let conn = guard.as_mut().expect("connected above");
    conn.client()
        .batch_execute("BEGIN; SELECT pg_logical_emit_message(true, 'travaux', 'sync'); COMMIT")
        .map_err(|e| {
            let _ = conn.client().batch_execute("ROLLBACK");
            StoreError::NotDurable(format!(
                "the PostgreSQL store at {} could not flush its log: {}",
                engine.target.shown,
                errors::describe(&e)
            ))
        })
}

/// Why a write was refused before its commit.
enum Refusal {
    Store(StoreError),
    Postgres(postgres::Error),
}

impl From<postgres::Error> for Refusal {
    fn from(e: postgres::Error) -> Self {
        Refusal::Postgres(e)
    }
}

/// The statements of a commit, in the open transaction.
fn write(
    engine: &PgEngine,
    conn: &mut Conn,
    after: Head,
    events: &[LogEntry<'_>],
    batch: &Batch,
) -> Result<(), Refusal> {
    if engine.grouped {
        // The flush is left to `sync`, outside the writer lock.
        conn.execute("SET LOCAL synchronous_commit = off", &[])?;
    }
    // The head first: if another writer moved it, nothing else is tried.
    let last = events.last().map_or(after, |e| Head {
        seq: e.seq,
        hash: e.hash,
    });
    let moved = conn.execute(
        "UPDATE head SET seq = $1, hash = $2 WHERE one = 1 AND seq = $3 AND hash = $4",
        &[
            &read::int(last.seq),
            &&last.hash.0[..],
            &read::int(after.seq),
            &&after.hash.0[..],
        ],
    )?;
    if moved == 0 {
        let now = conn
            .query_opt("SELECT seq, hash FROM head WHERE one = 1", &[])?
            .map(|row| read::head_of(&row))
            .transpose()
            .map_err(Refusal::Store)?
            .unwrap_or_default();
        return Err(Refusal::Store(head_moved(engine, after, now)));
    }
    for chunk in chunks(events, |e| e.bytes.len() + 150) {
        insert_events(conn, chunk)?;
    }
    apply(conn, batch)?;
    if !events.is_empty() {
        conn.execute(
            "SELECT pg_notify($1, $2)",
            &[&HEAD_CHANNEL, &last.seq.to_string()],
        )?;
    }
    Ok(())
}

/// Insert events with one statement.
fn insert_events(conn: &mut Conn, events: &[LogEntry<'_>]) -> Result<(), postgres::Error> {
    let seqs: Vec<i64> = events.iter().map(|e| read::int(e.seq)).collect();
    let streams: Vec<Uuid> = events.iter().map(|e| e.stream.0).collect();
    let versions: Vec<i64> = events.iter().map(|e| read::int(e.version)).collect();
    let ids: Vec<Uuid> = events.iter().map(|e| e.id.0).collect();
    let requests: Vec<&[u8]> = events.iter().map(|e| &e.request.0[..]).collect();
    let prevs: Vec<&[u8]> = events.iter().map(|e| &e.prev_hash.0[..]).collect();
    let hashes: Vec<&[u8]> = events.iter().map(|e| &e.hash.0[..]).collect();
    let bodies: Vec<&[u8]> = events.iter().map(|e| e.bytes).collect();
    conn.execute(
        "INSERT INTO events (seq, stream, version, id, request, prev_hash, hash, body) \
         SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bigint[], $4::uuid[], \
                              $5::bytea[], $6::bytea[], $7::bytea[], $8::bytea[])",
        &[
            &seqs, &streams, &versions, &ids, &requests, &prevs, &hashes, &bodies,
        ],
    )?;
    Ok(())
}

/// Apply the read models' writes: the last write of each key wins; removals with one
/// statement, the rest with one upsert per chunk.
fn apply(conn: &mut Conn, batch: &Batch) -> Result<(), postgres::Error> {
    let mut last: HashMap<&[u8], Option<&[u8]>> = HashMap::with_capacity(batch.ops.len());
    for (k, v) in &batch.ops {
        last.insert(k, v.as_deref());
    }
    let mut removed: Vec<&[u8]> = Vec::new();
    let mut set: Vec<(&[u8], &[u8])> = Vec::new();
    for (k, v) in last {
        match v {
            Some(v) => set.push((k, v)),
            None => removed.push(k),
        }
    }
    for chunk in chunks(&removed, |k| k.len() + 8) {
        conn.execute("DELETE FROM kv WHERE k = ANY($1::bytea[])", &[&chunk])?;
    }
    for chunk in chunks(&set, |(k, v)| k.len() + v.len() + 16) {
        let keys: Vec<&[u8]> = chunk.iter().map(|(k, _)| *k).collect();
        let values: Vec<&[u8]> = chunk.iter().map(|(_, v)| *v).collect();
        conn.execute(
            "INSERT INTO kv (k, v) SELECT * FROM unnest($1::bytea[], $2::bytea[]) \
             ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v",
            &[&keys, &values],
        )?;
    }
    Ok(())
}

/// `items` cut into runs of at most [`ROWS_PER_STATEMENT`] rows and about
/// [`BYTES_PER_STATEMENT`] bytes (`size` estimates a row's).
fn chunks<T>(items: &[T], size: impl Fn(&T) -> usize) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, item) in items.iter().enumerate() {
        let s = size(item);
        if i > start && (i - start >= ROWS_PER_STATEMENT || bytes + s > BYTES_PER_STATEMENT) {
            out.push(&items[start..i]);
            start = i;
            bytes = 0;
        }
        bytes += s;
    }
    if start < items.len() {
        out.push(&items[start..]);
    }
    out
}

/// The error for a head that another writer moved.
fn head_moved(engine: &PgEngine, after: Head, now: Head) -> StoreError {
    tracing::warn!(store = %engine.target.shown, expected = after.seq, actual = now.seq,
        "refused a write: another process appended to the log first");
    StoreError::Conflict {
        stream: "the log (another process appended to it first)".into(),
        expected: after.seq.to_string(),
        actual: now.seq,
    }
}

/// A statement of the write failed (and was rolled back): what the database refused, told as
/// the store's error.
fn explain(
    engine: &PgEngine,
    after: Head,
    events: &[LogEntry<'_>],
    e: &postgres::Error,
) -> StoreError {
    let Some(db) = errors::unique_violation(e) else {
        return errors::failed(&engine.target.shown, "writing", e);
    };
    let detail = db.detail().unwrap_or_default();
    match db.constraint() {
        Some("events_id_key") => {
            // "Key (id)=(…) already exists."
            let id = key_values(detail)
                .and_then(|v| Uuid::parse_str(v.trim()).ok())
                .map(EventId)
                .or_else(|| events.first().map(|e| e.id));
            match id {
                Some(id) => StoreError::DuplicateEventId(id),
                None => errors::failed(&engine.target.shown, "writing", e),
            }
        }
        Some("events_stream_version_key") => {
            // "Key (stream, version)=(…, 7) already exists."
            let parsed = key_values(detail).and_then(|v| {
                let (stream, version) = v.split_once(',')?;
                Some((
                    StreamId(Uuid::parse_str(stream.trim()).ok()?),
                    version.trim().parse::<u64>().ok()?,
                ))
            });
            match parsed {
                Some((stream, version)) => StoreError::Conflict {
                    stream: stream.to_string(),
                    expected: version.saturating_sub(1).to_string(),
                    actual: engine.stream_version(stream).unwrap_or(version),
                },
                None => errors::failed(&engine.target.shown, "writing", e),
            }
        }
        Some("events_pkey") => head_moved(
            engine,
            after,
            engine.head().unwrap_or(Head {
                seq: after.seq + 1,
                hash: after.hash,
            }),
        ),
        _ => errors::failed(&engine.target.shown, "writing", e),
    }
}

/// The values of a unique violation's detail: `Key (…)=(VALUES) already exists.`
fn key_values(detail: &str) -> Option<&str> {
    let start = detail.find(")=(")? + 3;
    let end = detail[start..].find(") already exists")? + start;
    Some(&detail[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cut_by_rows_and_bytes() {
        let items: Vec<usize> = vec![1; 12_000];
        let c = chunks(&items, |_| 1);
        assert_eq!(
            c.iter().map(|c| c.len()).collect::<Vec<_>>(),
            [5_000, 5_000, 2_000]
        );
        let big: Vec<usize> = vec![10 << 20; 3];
        assert_eq!(chunks(&big, |s| *s).len(), 3);
        assert!(chunks(&[] as &[usize], |_| 1).is_empty());
    }

    #[test]
    fn key_values_of_a_unique_violation() {
        assert_eq!(
            key_values("Key (stream, version)=(6f1c, 7) already exists."),
            Some("6f1c, 7")
        );
        assert_eq!(key_values("something else"), None);
    }
}
