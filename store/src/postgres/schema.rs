//! The tables of a PostgreSQL store, made on first open, and what tells a travaux store from
//! another database.
//!
//! - `meta(key, value)`: `format` = [`FORMAT`]. A database whose `meta` says another format,
//!   or that has tables named like the store's without it, is refused.
//! - `events(seq, stream, version, id, request, prev_hash, hash, body)`: the log. `seq` is the
//!   primary key, `(stream, version)` and `id` are unique: the database itself refuses a
//!   second event at a place of the order, a stream version taken twice and an event id used
//!   twice. A statement trigger (`travaux_events_chain`: one set-based check of the rows an
//!   INSERT added) refuses an event that does not follow the one before it (the next
//!   sequence number, and its `prev_hash` the hash of the one before: the zero hash for the
//!   first), so the order stays gap-free and hash-chained whoever writes; another
//!   (`travaux_events_append_only`) refuses UPDATE, DELETE and TRUNCATE: the log is
//!   append-only.
//! - `head(one, seq, hash)`: one row, the last event's sequence number and hash (`0` and the
//!   zero hash when the log is empty), moved by every commit with a compare-and-set.
//! - `kv(k, v)`: the read models' ordered map (`bytea` compares bytewise, which is the key
//!   order the contract asks for).

use super::conn::{blocking, Conn, Target};
use super::errors;
use crate::StoreError;

/// The format of the tables this version writes.
pub const FORMAT: &str = "travaux-postgres/1";

/// The key of the transaction-scoped advisory lock writers take (`pg_advisory_xact_lock`):
/// "travaux" in ASCII. Advisory locks are per database, so stores in two databases of one
/// cluster do not wait for each other.
pub(crate) const WRITER_LOCK: i64 = 0x0074_7261_7661_7578;

/// The tables, functions and triggers, made in one transaction.
const CREATE: &str = r#"
CREATE TABLE IF NOT EXISTS meta (
    key text PRIMARY KEY,
    value text NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    seq bigint PRIMARY KEY CHECK (seq >= 1),
    stream uuid NOT NULL,
    version bigint NOT NULL CHECK (version >= 1),
    id uuid NOT NULL,
    request bytea NOT NULL CHECK (octet_length(request) = 32),
    prev_hash bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash bytea NOT NULL CHECK (octet_length(hash) = 32),
    body bytea NOT NULL,
    CONSTRAINT events_id_key UNIQUE (id),
    CONSTRAINT events_stream_version_key UNIQUE (stream, version)
);
CREATE TABLE IF NOT EXISTS head (
    one smallint PRIMARY KEY CHECK (one = 1),
    seq bigint NOT NULL CHECK (seq >= 0),
    hash bytea NOT NULL CHECK (octet_length(hash) = 32)
);
CREATE TABLE IF NOT EXISTS kv (
    k bytea PRIMARY KEY,
    v bytea NOT NULL
);
CREATE OR REPLACE FUNCTION travaux_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the events of a travaux store are never changed or removed (% refused)', TG_OP
        USING ERRCODE = 'TRV02';
END
$$;
CREATE OR REPLACE FUNCTION travaux_events_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    -- Every inserted event follows a stored one (or is the first) and holds its hash.
    SELECT n.seq, p.seq IS NULL AS missing INTO bad
    FROM inserted n LEFT JOIN events p ON p.seq = n.seq - 1
    WHERE CASE WHEN n.seq = 1 THEN n.prev_hash <> decode(repeat('00', 32), 'hex')
               ELSE p.seq IS NULL OR p.hash <> n.prev_hash END
    ORDER BY n.seq LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    ELSIF bad.missing THEN
        RAISE EXCEPTION 'event % does not follow the log: there is no event %', bad.seq, bad.seq - 1
            USING ERRCODE = 'TRV01';
    ELSE
        RAISE EXCEPTION 'event % does not continue the hash chain: its previous hash is not the hash of event %', bad.seq, bad.seq - 1
            USING ERRCODE = 'TRV01';
    END IF;
END
$$;
DROP TRIGGER IF EXISTS events_append_only ON events;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION travaux_events_append_only();
DROP TRIGGER IF EXISTS events_chain ON events;
CREATE TRIGGER events_chain AFTER INSERT ON events REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION travaux_events_chain();
INSERT INTO head (one, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'))
    ON CONFLICT (one) DO NOTHING;
"#;

/// The tables a store has: any of them without `meta` is another application's database.
const TABLES: [&str; 4] = ["meta", "events", "head", "kv"];

/// Whether to make the tables when the database has none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Create<'a> {
    /// Make them (`travaux init`), with these keys set (to nothing) in the read models: the
    /// markers that tell a new store's indexes complete.
    IfMissing(&'a [&'a [u8]]),
    /// Refuse a database without them (`StoreError::NoStore`).
    No,
}

/// Check that the database holds a travaux store of this format, making the tables first if
/// it has none and `create` says so; whether it made them. Runs under the writer lock, so two
/// processes creating a store in a new database at once make the tables once.
pub(crate) fn prepare(
    conn: &mut Conn,
    target: &Target,
    create: Create<'_>,
) -> Result<bool, StoreError> {
    let fail = |doing: &str, e: postgres::Error| errors::failed(&target.shown, doing, &e);
    let mut tx = conn
        .client()
        .transaction()
        .map_err(|e| fail("opening the store", e))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITER_LOCK])
        .map_err(|e| fail("opening the store", e))?;
    let present: Vec<String> = tx
        .query(
            "SELECT c.relname::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relname::text = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
             AND n.nspname = current_schema()",
            &[&TABLES.as_slice()],
        )
        .map_err(|e| fail("looking for the store's tables", e))?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let not_a_store = |why: String| {
        StoreError::NotAStore(std::path::PathBuf::from(format!(
            "the PostgreSQL database {} ({why})",
            target.shown
        )))
    };
    if present.iter().any(|t| t == "meta") {
        let format: Option<String> = tx
            .query_opt("SELECT value FROM meta WHERE key = 'format'", &[])
            .map_err(|e| fail("reading the store's format", e))?
            .map(|r| r.get(0));
        return match format.as_deref() {
            Some(FORMAT) => tx
                .commit()
                .map(|()| false)
                .map_err(|e| fail("opening the store", e)),
            Some(other) => Err(not_a_store(format!(
                "its tables are of format {other}, and this version of travaux reads {FORMAT}"
            ))),
            None => Err(not_a_store(
                "it has a table `meta` without a travaux format".into(),
            )),
        };
    }
    if !present.is_empty() {
        return Err(not_a_store(format!(
            "it has tables named {} but no travaux `meta`",
            present.join(", ")
        )));
    }
    let Create::IfMissing(markers) = create else {
        return Err(StoreError::NoStore(std::path::PathBuf::from(format!(
            "the PostgreSQL database {}",
            target.shown
        ))));
    };
    tx.batch_execute(CREATE)
        .map_err(|e| fail("making the store's tables", e))?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('format', $1)",
        &[&FORMAT],
    )
    .map_err(|e| fail("making the store's tables", e))?;
    tx.execute(
        "INSERT INTO kv (k, v) SELECT k, '' FROM unnest($1::bytea[]) AS m(k)",
        &[&markers],
    )
    .map_err(|e| fail("making the store's tables", e))?;
    tx.commit()
        .map_err(|e| fail("making the store's tables", e))?;
    tracing::info!(store = %target.shown, "made the tables of a new PostgreSQL store");
    Ok(true)
}

/// Remove a PostgreSQL store: its tables and functions, the log with them. Refuses a database
/// that does not hold a travaux store (so it never drops another application's tables).
pub fn drop_store(url: &str) -> Result<(), StoreError> {
    blocking(|| drop_store_here(url))
}

fn drop_store_here(url: &str) -> Result<(), StoreError> {
    let target = Target::parse(url)?;
    let mut conn = target.connect()?;
    prepare(&mut conn, &target, Create::No)?;
    conn.client()
        .batch_execute(
            "BEGIN;
             DROP TABLE IF EXISTS events, head, kv, meta;
             DROP FUNCTION IF EXISTS travaux_events_append_only(), travaux_events_chain();
             COMMIT;",
        )
        .map_err(|e| errors::failed(&target.shown, "dropping the store's tables", &e))
}

/// `url` with its database name replaced by `dbname` (the user, host, port and parameters
/// kept).
pub fn with_dbname(url: &str, dbname: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    let authority = before_query
        .split_once('/')
        .map_or(before_query, |(a, _)| a);
    match query {
        Some(q) => format!("{scheme}://{authority}/{dbname}?{q}"),
        None => format!("{scheme}://{authority}/{dbname}"),
    }
}

/// A database made for one test and dropped when it goes out of scope: `CREATE DATABASE
/// travaux_test_<random>` through the admin URL (a role that may create databases).
pub struct TestDatabase {
    admin: String,
    name: String,
    /// The URL of the new database.
    pub url: String,
}

impl TestDatabase {
    /// Make a fresh, empty database beside the admin URL's.
    pub fn create(admin_url: &str) -> Result<TestDatabase, StoreError> {
        blocking(|| TestDatabase::create_here(admin_url))
    }

    fn create_here(admin_url: &str) -> Result<TestDatabase, StoreError> {
        let target = Target::parse(admin_url)?;
        let mut conn = target.connect()?;
        let name = format!("travaux_test_{}", uuid::Uuid::new_v4().simple());
        conn.client()
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| errors::failed(&target.shown, "making a test database", &e))?;
        Ok(TestDatabase {
            url: with_dbname(admin_url, &name),
            admin: admin_url.to_string(),
            name,
        })
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let dropped = blocking(|| self.drop_here());
        if let Err(e) = dropped {
            tracing::warn!(database = %self.name, "test database left behind: {e}");
        }
    }
}

impl TestDatabase {
    fn drop_here(&self) -> Result<(), StoreError> {
        Target::parse(&self.admin)
            .and_then(|t| t.connect())
            .and_then(|mut c| {
                c.client()
                    .batch_execute(&format!(
                        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                        self.name
                    ))
                    .map_err(|e| errors::failed("the test cluster", "dropping a test database", &e))
            })
    }
}
