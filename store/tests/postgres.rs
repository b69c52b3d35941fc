//! The PostgreSQL engine against a real server, through the contract's traits.
//!
//! `TRAVAUX_TEST_POSTGRES` names a role that may create databases (`.ci/run` starts a
//! throw-away cluster with `scripts/pg-test-cluster.sh` and sets it); each test makes a
//! database of its own and drops it. Without it, each test prints a notice and passes (and
//! fails under CI, where `.ci/run` always sets it).
//!
//! `cargo test --release -p travaux-store --test postgres measure -- --ignored --nocapture`
//! prints what a durable commit costs.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use travaux_core::{EventId, Hash, StreamId};
use travaux_store::contract::{Batch, Engine, Head, Log, LogEntry, Reading, Tree};
use travaux_store::postgres::{drop_store, with_dbname, PgEngine, TestDatabase};
use travaux_store::StoreError;
use uuid::Uuid;

/// The admin URL of the test cluster, or `None` (with a notice) when there is none.
fn admin(test: &str) -> Option<String> {
    match std::env::var("TRAVAUX_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            // CI starts a cluster: a run there without one has lost its PostgreSQL tests.
            assert!(
                std::env::var_os("CI").is_none(),
                "TRAVAUX_TEST_POSTGRES is not set under CI: .ci/run starts a cluster for {test}"
            );
            eprintln!("skipping {test}: TRAVAUX_TEST_POSTGRES is not set (scripts/pg-test-cluster.sh starts a cluster)");
            None
        }
    }
}

/// A fresh database and the engine on it.
fn fresh(test: &str) -> Option<(TestDatabase, PgEngine)> {
    let admin = admin(test)?;
    let db = TestDatabase::create(&admin).expect("create a test database");
    let (engine, created) = PgEngine::create(&db.url, &[]).expect("create the store");
    assert!(created);
    Some((db, engine))
}

/// An event as a test writes it.
#[derive(Clone, Debug)]
struct Ev {
    seq: u64,
    stream: StreamId,
    version: u64,
    id: EventId,
    prev: Hash,
    hash: Hash,
    body: Vec<u8>,
}

impl Ev {
    fn entry(&self) -> LogEntry<'_> {
        LogEntry {
            seq: self.seq,
            stream: self.stream,
            version: self.version,
            id: self.id,
            request: Hash([7; 32]),
            prev_hash: self.prev,
            hash: self.hash,
            bytes: &self.body,
        }
    }
}

fn entries(evs: &[Ev]) -> Vec<LogEntry<'_>> {
    evs.iter().map(Ev::entry).collect()
}

/// A hash that depends on the previous one and the body.
fn chain_hash(prev: Hash, body: &[u8]) -> Hash {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(prev.0);
    h.update(body);
    Hash(h.finalize().into())
}

/// `n` events following `head`, in `stream` from version `version + 1`.
fn follow(head: Head, stream: StreamId, version: u64, n: u64, tag: &str) -> Vec<Ev> {
    let mut prev = head.hash;
    (1..=n)
        .map(|i| {
            let body = format!("{{\"tag\":\"{tag}\",\"n\":{i}}}").into_bytes();
            let hash = chain_hash(prev, &body);
            let ev = Ev {
                seq: head.seq + i,
                stream,
                version: version + i,
                id: EventId(Uuid::new_v4()),
                prev,
                hash,
                body,
            };
            prev = hash;
            ev
        })
        .collect()
}

fn last_head(evs: &[Ev]) -> Head {
    let e = evs.last().unwrap();
    Head {
        seq: e.seq,
        hash: e.hash,
    }
}

fn stream() -> StreamId {
    StreamId(Uuid::new_v4())
}

/// Every stored event's body, in order.
fn bodies(engine: &PgEngine, from: u64, reading: Reading) -> Vec<(u64, Vec<u8>)> {
    engine
        .events_from(from, reading)
        .map(|e| {
            let e = e.unwrap();
            (e.seq, e.bytes().to_vec())
        })
        .collect()
}

fn entries_of(it: travaux_store::contract::Entries<'_>) -> Vec<(Vec<u8>, Vec<u8>)> {
    it.map(|e| e.unwrap()).collect()
}

#[test]
fn the_map_orders_keys_bytewise_and_scans_as_a_btreemap_does() {
    let Some((_db, engine)) = fresh("the_map_orders_keys_bytewise") else {
        return;
    };
    let keys: Vec<Vec<u8>> = vec![
        vec![0x00],
        vec![0x01],
        vec![0x01, 0x00],
        vec![0x01, 0x7f],
        vec![0x01, 0x80],
        vec![0x01, 0xff],
        vec![0x01, 0xff, 0xff],
        vec![0x02],
        vec![0x02, 0x00],
        vec![0x7f, 0xff],
        vec![0x80],
        vec![0xfe, 0xff],
        vec![0xff],
        vec![0xff, 0x00],
        vec![0xff, 0xff],
        vec![0xff, 0xff, 0x01],
        b"doc/\xe9t\xe9".to_vec(),
    ];
    let mut model = BTreeMap::new();
    let mut batch = Batch::default();
    for (i, k) in keys.iter().enumerate() {
        batch.insert(k, format!("v{i}"));
        model.insert(k.clone(), format!("v{i}").into_bytes());
    }
    // A later write of a key wins, a removal after an insert removes.
    batch.insert([0x01, 0x80], "second");
    model.insert(vec![0x01, 0x80], b"second".to_vec());
    batch.insert([0x03], "gone");
    batch.remove([0x03]);
    let head = engine.begin_write().unwrap().unwrap();
    assert_eq!(head, Head::default(), "a new store's head is zero");
    engine.commit(head, &[], batch).unwrap();

    let all: Vec<_> = model.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    assert_eq!(entries_of(engine.range(&[], &[0xff; 8])), all);
    for prefix in [
        &[][..],
        &[0x01],
        &[0x01, 0xff],
        &[0x02],
        &[0xff],
        &[0xff, 0xff],
        &[0x04],
    ] {
        let want: Vec<_> = all
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .cloned()
            .collect();
        assert_eq!(
            entries_of(engine.scan_prefix(prefix)),
            want,
            "scan_prefix {prefix:02x?}"
        );
        assert_eq!(
            engine.last_with_prefix(prefix).unwrap(),
            want.last().cloned(),
            "last_with_prefix {prefix:02x?} (the key after the prefix, if stored, is not in it)"
        );
    }
    for (from, to) in [
        (&[0x01][..], &[0x02][..]),
        (&[0x01, 0x00], &[0x01, 0xff]),
        (&[0x02], &[0x01]),
        (&[0x80], &[0xff, 0xff]),
        (&[0x05], &[0x06]),
    ] {
        let want: Vec<_> = model
            .range(from.to_vec()..)
            .take_while(|(k, _)| k.as_slice() <= to)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(
            entries_of(engine.range(from, to)),
            want,
            "range {from:02x?}..={to:02x?}"
        );
        assert_eq!(
            engine.last_in_range(from, to).unwrap(),
            want.last().cloned(),
            "last_in_range {from:02x?}..={to:02x?}"
        );
    }
    assert_eq!(engine.get(&[0x01, 0x80]).unwrap(), Some(b"second".to_vec()));
    assert_eq!(engine.get(&[0x03]).unwrap(), None);
    assert!(engine.contains_key(&[0xff, 0xff]).unwrap());
    assert!(!engine.contains_key(&[0xff, 0xff, 0xff]).unwrap());

    // Removals in a later commit.
    let mut batch = Batch::default();
    batch.remove([0x01]);
    batch.remove([0xff, 0xff, 0x01]);
    batch.remove([0x42]); // absent: nothing to do
    let head = engine.begin_write().unwrap().unwrap();
    engine.commit(head, &[], batch).unwrap();
    assert_eq!(engine.get(&[0x01]).unwrap(), None);
    assert_eq!(
        engine.last_with_prefix(&[0xff]).unwrap().unwrap().0,
        vec![0xff, 0xff]
    );
}

#[test]
fn scans_page_through_more_entries_than_a_page_in_order() {
    let Some((_db, engine)) = fresh("scans_page_through_more_entries") else {
        return;
    };
    // 2,500 keys under one prefix (more than two pages), 10 outside it on both sides.
    let mut batch = Batch::default();
    let mut want = Vec::new();
    for i in 0..2_500u32 {
        let key = [b"p/".as_slice(), &i.to_be_bytes()].concat();
        batch.insert(&key, i.to_le_bytes());
        want.push((key, i.to_le_bytes().to_vec()));
    }
    for i in 0..10u8 {
        batch.insert([b'o', i], "x");
        batch.insert([b'q', i], "x");
    }
    let head = engine.begin_write().unwrap().unwrap();
    engine.commit(head, &[], batch).unwrap();
    assert_eq!(entries_of(engine.scan_prefix(b"p/")), want);
    let mid = [b"p/".as_slice(), &1_000u32.to_be_bytes()].concat();
    let end = [b"p/".as_slice(), &2_200u32.to_be_bytes()].concat();
    assert_eq!(entries_of(engine.range(&mid, &end)), want[1_000..=2_200]);
    // An iterator left half-read holds no connection: many at once do not block the reads.
    let mut open: Vec<_> = (0..10).map(|_| engine.scan_prefix(b"p/")).collect();
    for it in &mut open {
        assert!(it.next().unwrap().is_ok());
    }
    assert_eq!(engine.get(&want[7].0).unwrap(), Some(want[7].1.clone()));
}

#[test]
fn the_log_reads_back_in_order_by_seq_stream_and_id() {
    let Some((_db, engine)) = fresh("the_log_reads_back") else {
        return;
    };
    let (a, b) = (stream(), stream());
    let head = engine.begin_write().unwrap().unwrap();
    let first = follow(head, a, 0, 3, "a");
    engine
        .commit(head, &entries(&first), Batch::default())
        .unwrap();
    let head = engine.begin_write().unwrap().unwrap();
    assert_eq!(head, last_head(&first), "begin_write returns the head");
    let second = follow(head, b, 0, 2, "b");
    engine
        .commit(head, &entries(&second), Batch::default())
        .unwrap();
    let head = engine.begin_write().unwrap().unwrap();
    let third = follow(head, a, 3, 1_500, "a");
    engine
        .commit(head, &entries(&third), Batch::default())
        .unwrap();
    let all: Vec<Ev> = [first.clone(), second.clone(), third.clone()].concat();

    assert_eq!(engine.head().unwrap(), last_head(&third));
    let want: Vec<_> = all.iter().map(|e| (e.seq, e.body.clone())).collect();
    assert_eq!(bodies(&engine, 1, Reading::Prefix), want);
    assert_eq!(bodies(&engine, 0, Reading::Whole), want);
    assert_eq!(bodies(&engine, 4, Reading::Whole), want[3..]);
    assert!(bodies(&engine, 1_506, Reading::Prefix).is_empty());
    let last = engine.last_event().unwrap().unwrap();
    assert_eq!(
        (last.seq, last.bytes()),
        (1_505, &third.last().unwrap().body[..])
    );

    // By sequence number: forward (in blocks), backward, past the end.
    let mut reader = engine.reader();
    for e in all.iter().take(1_200) {
        assert_eq!(reader.event(e.seq).unwrap().unwrap().bytes(), &e.body[..]);
    }
    for seq in [1_505, 3, 900, 1] {
        let got = reader.event(seq).unwrap().unwrap();
        assert_eq!(
            (got.seq, got.bytes()),
            (seq, &all[seq as usize - 1].body[..])
        );
    }
    assert!(reader.event(1_506).unwrap().is_none());
    drop(reader);

    assert_eq!(engine.stream_version(a).unwrap(), 1_503);
    assert_eq!(engine.stream_version(b).unwrap(), 2);
    assert_eq!(engine.stream_version(stream()).unwrap(), 0);
    let seqs: Vec<_> = engine.stream_seqs(b, 1, 2).map(|r| r.unwrap()).collect();
    assert_eq!(seqs, [(1, 4), (2, 5)]);
    let seqs: Vec<_> = engine
        .stream_seqs(a, 2, u64::MAX)
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(seqs.len(), 1_502);
    assert_eq!(seqs[..3], [(2, 2), (3, 3), (4, 6)]);
    assert_eq!(seqs.last(), Some(&(1_503, 1_505)));
    assert_eq!(
        engine.by_id(second[1].id).unwrap(),
        Some((5, Hash([7; 32])))
    );
    assert_eq!(engine.by_id(EventId(Uuid::new_v4())).unwrap(), None);
}

/// What the store holds: its head, how many events, the read models' entries.
type Holds = (Head, usize, Vec<(Vec<u8>, Vec<u8>)>);

/// What the store holds, to check that a refused commit wrote nothing.
fn snapshot(engine: &PgEngine) -> Holds {
    (
        engine.head().unwrap(),
        engine.events_from(1, Reading::Whole).count(),
        entries_of(engine.scan_prefix(&[])),
    )
}

/// A store with one commit of two events and a key.
fn seeded(engine: &PgEngine) -> (StreamId, Vec<Ev>) {
    let s = stream();
    let head = engine.begin_write().unwrap().unwrap();
    let evs = follow(head, s, 0, 2, "seed");
    let mut batch = Batch::default();
    batch.insert("doc", "v1");
    engine.commit(head, &entries(&evs), batch).unwrap();
    (s, evs)
}

#[test]
fn a_duplicate_event_id_refuses_the_whole_commit() {
    let Some((_db, engine)) = fresh("a_duplicate_event_id_refuses") else {
        return;
    };
    let (s, seed) = seeded(&engine);
    let before = snapshot(&engine);
    let head = engine.begin_write().unwrap().unwrap();
    let mut evs = follow(head, s, 2, 3, "dup");
    evs[2].id = seed[0].id;
    let mut batch = Batch::default();
    batch.insert("doc", "v2");
    batch.insert("new", "x");
    let err = engine.commit(head, &entries(&evs), batch).unwrap_err();
    assert!(
        matches!(err, StoreError::DuplicateEventId(id) if id == seed[0].id),
        "{err}"
    );
    assert_eq!(
        snapshot(&engine),
        before,
        "nothing of the commit is written"
    );
    // The engine writes again after a refusal.
    let head = engine.begin_write().unwrap().unwrap();
    let evs = follow(head, s, 2, 1, "after");
    engine
        .commit(head, &entries(&evs), Batch::default())
        .unwrap();
    assert_eq!(engine.head().unwrap(), last_head(&evs));
}

#[test]
fn a_stream_version_already_taken_is_a_conflict_and_writes_nothing() {
    let Some((_db, engine)) = fresh("a_stream_version_already_taken") else {
        return;
    };
    let (s, _) = seeded(&engine);
    let before = snapshot(&engine);
    let head = engine.begin_write().unwrap().unwrap();
    // Version 2 of the stream is taken.
    let evs = follow(head, s, 1, 1, "stale");
    let mut batch = Batch::default();
    batch.insert("doc", "v2");
    let err = engine.commit(head, &entries(&evs), batch).unwrap_err();
    match &err {
        StoreError::Conflict {
            stream,
            expected,
            actual,
        } => {
            assert_eq!(stream, &s.to_string());
            assert_eq!(expected, "1");
            assert_eq!(*actual, 2);
        }
        other => panic!("not a conflict: {other}"),
    }
    assert_eq!(snapshot(&engine), before);
}

#[test]
fn a_stale_head_is_refused_and_writes_nothing() {
    let Some((_db, engine)) = fresh("a_stale_head_is_refused") else {
        return;
    };
    let (s, seed) = seeded(&engine);
    let before = snapshot(&engine);
    // A writer that believes the log ends at its first event.
    let stale = Head {
        seq: 1,
        hash: seed[0].hash,
    };
    engine.begin_write().unwrap();
    let evs = follow(stale, s, 2, 1, "stale");
    let mut batch = Batch::default();
    batch.insert("doc", "v2");
    let err = engine.commit(stale, &entries(&evs), batch).unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { actual: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("another process"), "{err}");
    // The right sequence number with the wrong hash is stale too.
    engine.begin_write().unwrap();
    let forged = Head {
        seq: 2,
        hash: Hash([1; 32]),
    };
    let evs = follow(forged, s, 2, 1, "forged");
    let err = engine
        .commit(forged, &entries(&evs), Batch::default())
        .unwrap_err();
    assert!(matches!(&err, StoreError::Conflict { .. }), "{err}");
    assert_eq!(snapshot(&engine), before);
}

#[test]
fn the_database_refuses_a_gap_or_a_broken_chain_and_any_change_to_the_log() {
    let Some((db, engine)) = fresh("the_database_refuses_a_gap") else {
        return;
    };
    let (s, seed) = seeded(&engine);
    let before = snapshot(&engine);
    let head = engine.begin_write().unwrap().unwrap();
    let mut broken = follow(head, s, 2, 2, "broken");
    broken[1].prev = Hash([9; 32]);
    let err = engine
        .commit(head, &entries(&broken), Batch::default())
        .unwrap_err();
    assert!(err.to_string().contains("hash chain"), "{err}");
    assert_eq!(snapshot(&engine), before);

    // Straight to the database, past the engine: no event changed, removed or out of order.
    let mut client = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    for sql in [
        "UPDATE events SET body = '\\x00' WHERE seq = 1",
        "DELETE FROM events WHERE seq = 2",
        "TRUNCATE events",
    ] {
        let err = client.batch_execute(sql).unwrap_err();
        let msg = err.as_db_error().unwrap().message().to_string();
        assert!(msg.contains("never changed or removed"), "{sql}: {msg}");
    }
    let insert = |client: &mut postgres::Client, seq: i64, hash: &[u8]| {
        let err = client
            .execute(
                "INSERT INTO events VALUES ($1, $2, 3, $3, $4, $5, $4, '\\x02')",
                &[&seq, &s.0, &Uuid::new_v4(), &hash, &&seed[1].hash.0[..]],
            )
            .unwrap_err();
        err.as_db_error().unwrap().message().to_string()
    };
    let msg = insert(&mut client, 4, &[1; 32]);
    assert!(msg.contains("does not follow the log"), "{msg}");
    let msg = insert(&mut client, 3, &[1; 31]);
    assert!(
        msg.contains("check constraint"),
        "a hash is 32 bytes: {msg}"
    );
    assert_eq!(snapshot(&engine), before);
}

#[test]
fn engines_in_several_threads_take_turns_and_every_commit_lands_once() {
    let Some(admin) = admin("engines_take_turns") else {
        return;
    };
    several_writers(&admin, false);
}

#[test]
fn with_group_commit_every_commit_lands_once_too() {
    let Some(admin) = admin("with_group_commit") else {
        return;
    };
    several_writers(&admin, true);
}

/// Writers in threads, each with an engine of its own (as several processes would have),
/// then check the log: every event once, gap-free, chained.
fn several_writers(admin: &str, grouped: bool) {
    let db = TestDatabase::create(admin).unwrap();
    const WRITERS: usize = 4;
    const COMMITS: usize = 40;
    let written: Vec<Vec<EventId>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|w| {
                let url = db.url.clone();
                scope.spawn(move || {
                    // Each writer its own engine (as another process would), its own stream.
                    let (engine, _) = PgEngine::create(&url, &[]).unwrap();
                    let engine = engine.group_commit(grouped);
                    let s = stream();
                    let mut ids = Vec::new();
                    for i in 0..COMMITS {
                        let head = engine.begin_write().unwrap().unwrap();
                        let version = engine.stream_version(s).unwrap();
                        let n = 1 + (i % 3) as u64;
                        let evs = follow(head, s, version, n, &format!("w{w}"));
                        let mut batch = Batch::default();
                        batch.insert(format!("count/{w}"), (version + n).to_string());
                        engine.commit(head, &entries(&evs), batch).unwrap();
                        engine.sync(last_head(&evs)).unwrap();
                        ids.extend(evs.iter().map(|e| e.id));
                    }
                    ids
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let engine = PgEngine::open(&db.url).unwrap();
    let stored: Vec<_> = engine
        .events_from(1, Reading::Whole)
        .map(|e| e.unwrap())
        .collect();
    let total: usize = written.iter().map(Vec::len).sum();
    assert_eq!(stored.len(), total, "every event stored once");
    let seqs: Vec<u64> = stored.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=total as u64).collect::<Vec<_>>(), "gap-free");
    let mut seen = HashSet::new();
    for ids in &written {
        for id in ids {
            assert!(seen.insert(*id));
            assert!(engine.by_id(*id).unwrap().is_some(), "{id} stored");
        }
    }
    // The chain holds from the first event to the head.
    let mut prev = Hash::default();
    let mut client = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    for row in client
        .query("SELECT prev_hash, hash, body FROM events ORDER BY seq", &[])
        .unwrap()
    {
        let (p, h, body): (Vec<u8>, Vec<u8>, Vec<u8>) = (row.get(0), row.get(1), row.get(2));
        assert_eq!(p, prev.0);
        assert_eq!(h, chain_hash(prev, &body).0);
        prev = Hash(h.try_into().unwrap());
    }
    assert_eq!(engine.head().unwrap().hash, prev);
    for (w, ids) in written.iter().enumerate() {
        assert_eq!(
            engine.get(format!("count/{w}").as_bytes()).unwrap(),
            Some(ids.len().to_string().into_bytes())
        );
    }
}

#[test]
fn a_listener_wakes_when_another_engine_appends() {
    let Some((db, engine)) = fresh("a_listener_wakes") else {
        return;
    };
    let mut listener = engine.listen().unwrap();
    // Nothing appended: it waits its time out and answers the head as it is.
    let t = Instant::now();
    assert_eq!(
        listener
            .wait_past(0, Duration::from_millis(300))
            .unwrap()
            .seq,
        0
    );
    assert!(t.elapsed() >= Duration::from_millis(300));
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let other = PgEngine::create(&db.url, &[]).unwrap().0;
            std::thread::sleep(Duration::from_millis(300));
            seeded(&other);
        });
        let t = Instant::now();
        let head = listener.wait_past(0, Duration::from_secs(20)).unwrap();
        assert_eq!(head.seq, 2, "woken by the other engine's commit");
        assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    });
    // Past a head already there, it answers at once.
    let t = Instant::now();
    assert_eq!(
        listener.wait_past(1, Duration::from_secs(20)).unwrap().seq,
        2
    );
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[test]
fn connections_the_server_ended_are_opened_again() {
    let Some((db, engine)) = fresh("connections_the_server_ended") else {
        return;
    };
    let (s, _) = seeded(&engine);
    assert_eq!(engine.get(b"doc").unwrap(), Some(b"v1".to_vec()));
    // The server ends every connection of the store (as a restart would).
    let mut admin = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    let ended = admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap();
    assert!(
        ended >= 2,
        "the writer and a reader were connected ({ended})"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(engine.get(b"doc").unwrap(), Some(b"v1".to_vec()));
    assert_eq!(engine.stream_version(s).unwrap(), 2);
    let head = engine.begin_write().unwrap().unwrap();
    let evs = follow(head, s, 2, 1, "after");
    engine
        .commit(head, &entries(&evs), Batch::default())
        .unwrap();
    assert_eq!(engine.head().unwrap(), last_head(&evs));
}

#[test]
fn the_engine_runs_on_the_threads_of_an_async_runtime() {
    let Some((db, engine)) = fresh("the_engine_runs_on_the_threads_of_an_async_runtime") else {
        return;
    };
    // The server calls the store from its runtime's threads, where the postgres client may not
    // start its own runtime: the engine steps out of it (or, on a single-threaded runtime, onto
    // a thread of its own), opening, writing, reading and closing alike.
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let single = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for (n, runtime) in [multi, single].into_iter().enumerate() {
        let url = db.url.clone();
        let engine = &engine;
        runtime.block_on(async move {
            let other = PgEngine::open(&url).unwrap();
            let head = other.begin_write().unwrap().unwrap();
            let evs = follow(head, stream(), 0, 2, "async");
            let mut batch = Batch::default();
            batch.insert(format!("async/{n}"), "yes");
            other.commit(head, &entries(&evs), batch).unwrap();
            other.sync(last_head(&evs)).unwrap();
            assert_eq!(other.head().unwrap(), last_head(&evs));
            let mut listener = other.listen().unwrap();
            assert_eq!(
                listener.wait_past(0, Duration::from_secs(5)).unwrap().seq,
                head.seq + 2
            );
            drop(listener);
            drop(other);
            assert_eq!(
                engine.get(format!("async/{n}").as_bytes()).unwrap(),
                Some(b"yes".to_vec())
            );
            assert_eq!(
                engine.events_from(1, Reading::Prefix).count() as u64,
                head.seq + 2
            );
        });
    }
}

#[test]
fn a_database_that_is_not_a_store_is_refused_and_drop_store_removes_one() {
    let Some(admin) = admin("a_database_that_is_not_a_store") else {
        return;
    };
    let db = TestDatabase::create(&admin).unwrap();
    // An empty database is no store unless asked to make one.
    let err = PgEngine::open(&db.url).unwrap_err();
    assert!(matches!(err, StoreError::NoStore(_)), "{err}");
    assert!(err.to_string().contains(db.name()), "{err}");

    let mut client = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    client
        .batch_execute("CREATE TABLE events (id serial primary key, what text)")
        .unwrap();
    let err = PgEngine::create(&db.url, &[]).unwrap_err();
    assert!(matches!(err, StoreError::NotAStore(_)), "{err}");
    let err = PgEngine::open(&db.url).unwrap_err();
    assert!(matches!(err, StoreError::NotAStore(_)), "{err}");
    assert!(err.to_string().contains("events"), "{err}");
    assert!(
        drop_store(&db.url).is_err(),
        "drop_store leaves others' tables alone"
    );
    client.batch_execute("DROP TABLE events").unwrap();

    // A store, with its markers; created once; then a later format.
    let (engine, created) = PgEngine::create(&db.url, &[b"mark/a", b"mark/b"]).unwrap();
    assert!(created);
    assert_eq!(engine.get(b"mark/a").unwrap(), Some(vec![]));
    assert!(engine.contains_key(b"mark/b").unwrap());
    seeded(&engine);
    drop(engine);
    let (engine, created) = PgEngine::create(&db.url, &[b"mark/c"]).unwrap();
    assert!(!created, "a store is there already");
    assert!(!engine.contains_key(b"mark/c").unwrap());
    drop(engine);
    let engine = PgEngine::open(&db.url).unwrap();
    assert_eq!(engine.head().unwrap().seq, 2, "reopened, the log is there");
    assert_eq!(engine.shared_head().unwrap(), Some(engine.head().unwrap()));
    assert_eq!(engine.index_entries().unwrap(), (2, 2));
    assert_eq!(engine.name(), "postgres");
    drop(engine);
    client
        .batch_execute("UPDATE meta SET value = 'travaux-postgres/99' WHERE key = 'format'")
        .unwrap();
    let err = PgEngine::open(&db.url).unwrap_err();
    assert!(err.to_string().contains("travaux-postgres/99"), "{err}");
    client
        .batch_execute("UPDATE meta SET value = 'travaux-postgres/1' WHERE key = 'format'")
        .unwrap();

    drop_store(&db.url).unwrap();
    let err = PgEngine::open(&db.url).unwrap_err();
    assert!(matches!(err, StoreError::NoStore(_)), "{err}");
    let (engine, _) = PgEngine::create(&db.url, &[]).unwrap();
    assert_eq!(
        engine.head().unwrap(),
        Head::default(),
        "a new, empty store"
    );
}

#[test]
fn a_server_that_cannot_be_reached_is_named_without_its_password() {
    let Some(admin) = admin("a_server_that_cannot_be_reached") else {
        return;
    };
    // A port nothing listens on (bound, then closed).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://alice:s3cret@127.0.0.1:{port}/committee");
    let err = PgEngine::open(&url).unwrap_err().to_string();
    assert!(
        err.contains(&format!("postgres://alice:***@127.0.0.1:{port}/committee")),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
    assert!(err.contains("cannot connect"), "{err}");
    // A database that does not exist, on a server that does.
    let url = with_dbname(&admin, "travaux_no_such_database");
    let err = PgEngine::open(&url).unwrap_err().to_string();
    assert!(err.contains("travaux_no_such_database"), "{err}");
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn with_dbname_keeps_everything_but_the_database() {
    assert_eq!(
        with_dbname("postgres://u:p@h:5432/old?sslmode=disable", "new"),
        "postgres://u:p@h:5432/new?sslmode=disable"
    );
    assert_eq!(with_dbname("postgresql://h", "new"), "postgresql://h/new");
}

/// Durable commit latency and batched throughput on this machine (run in release, by hand).
#[test]
#[ignore = "a measurement: cargo test --release --test postgres measure -- --ignored --nocapture"]
fn measure() {
    let Some((db, engine)) = fresh("measure") else {
        return;
    };
    let s = stream();
    let mut version = 0;
    let mut commit = |n: u64, kv: usize| -> Duration {
        let t = Instant::now();
        let head = engine.begin_write().unwrap().unwrap();
        let evs = follow(head, s, version, n, "measure");
        let mut batch = Batch::default();
        for i in 0..kv {
            batch.insert(format!("kv/{}/{i}", head.seq), [0u8; 200]);
        }
        engine.commit(head, &entries(&evs), batch).unwrap();
        version += n;
        t.elapsed()
    };
    let stats = |name: &str, mut d: Vec<Duration>, per: u64| {
        d.sort();
        let total: Duration = d.iter().sum();
        println!(
            "{name}: median {:?}, p99 {:?}, {:.0} events/s",
            d[d.len() / 2],
            d[d.len() * 99 / 100],
            (per as f64 * d.len() as f64) / total.as_secs_f64()
        );
    };
    for _ in 0..20 {
        commit(1, 4);
    }
    stats(
        "single append (1 event, 4 read-model writes)",
        (0..300).map(|_| commit(1, 4)).collect(),
        1,
    );
    stats(
        "batched appends (1,000 events, 1,000 read-model writes)",
        (0..20).map(|_| commit(1_000, 1_000)).collect(),
        1_000,
    );
    stats(
        "rebuild-sized batch (10,000 read-model writes, no event)",
        (0..10).map(|_| commit(0, 10_000)).collect(),
        0,
    );
    // What the writer lock and the chain trigger cost, on their own.
    let mut client = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    let time = |client: &mut postgres::Client, sql: &str| {
        let t = Instant::now();
        for _ in 0..300 {
            client.batch_execute(sql).unwrap();
        }
        t.elapsed() / 300
    };
    let lock = time(
        &mut client,
        "BEGIN; SELECT pg_advisory_xact_lock(1); SELECT seq FROM head; ROLLBACK",
    );
    let bare = time(&mut client, "BEGIN; SELECT seq FROM head; ROLLBACK");
    println!("begin + lock + head: {lock:?}; begin + head without the lock: {bare:?}");
    client
        .batch_execute("ALTER TABLE events DISABLE TRIGGER events_chain")
        .unwrap();
    stats(
        "batched appends without the chain trigger",
        (0..20).map(|_| commit(1_000, 1_000)).collect(),
        1_000,
    );
    client
        .batch_execute("ALTER TABLE events ENABLE TRIGGER events_chain")
        .unwrap();
    let t = Instant::now();
    let n = engine.events_from(1, Reading::Prefix).count();
    println!("read {n} events in {:?}", t.elapsed());
    // Writers in several engines (as several servers would be) appending one event at a time,
    // each commit flushed (the default) or with group commit.
    for (writers, grouped) in [
        (1, false),
        (4, false),
        (16, false),
        (1, true),
        (4, true),
        (16, true),
    ] {
        let t = Instant::now();
        let per = 60;
        std::thread::scope(|scope| {
            for _ in 0..writers {
                scope.spawn(|| {
                    let engine = PgEngine::open(&db.url).unwrap().group_commit(grouped);
                    let s = stream();
                    for v in 0..per {
                        let head = engine.begin_write().unwrap().unwrap();
                        let evs = follow(head, s, v, 1, "w");
                        engine
                            .commit(head, &entries(&evs), Batch::default())
                            .unwrap();
                        engine.sync(last_head(&evs)).unwrap();
                    }
                });
            }
        });
        let total = writers * per;
        println!(
            "{writers} engines appending one event at a time (group commit {grouped}): {:.0} appends/s",
            total as f64 / t.elapsed().as_secs_f64()
        );
    }
}
