//! A store written by an earlier version (format `travaux/1`, one key per event in the log and
//! in each index) opens, is regrouped into blocks, and answers exactly as before.

use std::path::Path;

use travaux_core::{EventId, RecordedEvent, StreamId};
use travaux_store::generate::{generate, Spec};
use travaux_store::{Store, StoreError};

/// Open a store, or the error opening it gives. Within one process sled releases its file lock
/// from a background thread after the handle is dropped (spacejam/sled#1234): wait for it
/// rather than fail.
fn try_open(path: &Path) -> Result<Store, StoreError> {
    for _ in 0..100 {
        match Store::open(path) {
            Err(StoreError::Locked(_)) => std::thread::sleep(std::time::Duration::from_millis(20)),
            other => return other,
        }
    }
    panic!("the store stayed locked");
}

fn open(path: &Path) -> Store {
    try_open(path).unwrap()
}

/// A new store holding a generated history of `events` events.
fn generated(events: u64) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::create(dir.path()).unwrap();
    generate(&store, &Spec::new(events), &mut |_| {}).unwrap();
    (dir, store)
}

fn whole_log(store: &Store) -> Vec<RecordedEvent> {
    store.events_from(1).collect::<Result<_, _>>().unwrap()
}

fn keys(store: &Store, prefix: u8) -> usize {
    store.raw_tree().scan_prefix([prefix]).count()
}

/// Rewrite a store's log and indexes as format `travaux/1` kept them: `e` seq → stored event,
/// `s` stream ++ version → seq, `i` event id → seq ++ request fingerprint; the blocks removed.
/// The log's first `regrouped` blocks are left as blocks: a migration cut short after them.
fn downgrade_to_v1(store: &Store, regrouped: u64) {
    let tree = store.raw_tree();
    let mut batch = sled::Batch::default();
    for kv in tree.scan_prefix(b"E") {
        let (k, v) = kv.unwrap();
        let block = u64::from_be_bytes(k[1..9].try_into().unwrap());
        if block < regrouped {
            continue;
        }
        let mut seq = block * 8 + 1;
        let mut at = 0;
        while at < v.len() {
            let len = u32::from_be_bytes(v[at..at + 4].try_into().unwrap()) as usize;
            let mut old = vec![b'e'];
            old.extend_from_slice(&seq.to_be_bytes());
            batch.insert(old, &v[at + 4..at + 4 + len]);
            at += 4 + len;
            seq += 1;
        }
        batch.remove(k);
    }
    for kv in tree.scan_prefix(b"S") {
        let (k, v) = kv.unwrap();
        let first = u64::from_be_bytes(k[17..25].try_into().unwrap()) * 256 + 1;
        for (i, seq) in v.chunks_exact(8).enumerate() {
            let mut old = vec![b's'];
            old.extend_from_slice(&k[1..17]);
            old.extend_from_slice(&(first + i as u64).to_be_bytes());
            batch.insert(old, seq);
        }
        batch.remove(k);
    }
    for kv in tree.scan_prefix(b"I") {
        let (k, v) = kv.unwrap();
        for entry in v.chunks_exact(56) {
            let mut old = vec![b'i'];
            old.extend_from_slice(&entry[..16]);
            batch.insert(old, &entry[16..]);
        }
        batch.remove(k);
    }
    batch.insert(&b"mformat"[..], &b"travaux/1"[..]);
    tree.apply_batch(batch).unwrap();
    tree.flush().unwrap();
}

struct Answers {
    log: Vec<RecordedEvent>,
    streams: Vec<Vec<RecordedEvent>>,
    versions: Vec<u64>,
    retried: Vec<Option<Vec<RecordedEvent>>>,
}

fn answers(store: &Store, streams: &[StreamId], ids: &[EventId]) -> Answers {
    Answers {
        log: whole_log(store),
        streams: streams
            .iter()
            .map(|s| store.stream(*s).collect::<Result<_, _>>().unwrap())
            .collect(),
        versions: streams
            .iter()
            .map(|s| store.stream_version(*s).unwrap())
            .collect(),
        retried: ids
            .iter()
            .map(|id| store.recorded(*id).unwrap().map(|(events, _)| events))
            .collect(),
    }
}

#[test]
fn a_store_of_the_earlier_format_is_migrated_and_answers_the_same() {
    migrated_answers_the_same(0);
}

#[test]
fn a_migration_cut_short_in_the_log_goes_on_where_it_stopped() {
    migrated_answers_the_same(50);
}

fn migrated_answers_the_same(regrouped: u64) {
    let (dir, store) = generated(1_500);
    let doc = store.documents().unwrap()[0].id;
    let streams = [StreamId::REGISTRY, StreamId::document(doc)];
    let log = whole_log(&store);
    // Every 97th event's id, and one id never used.
    let mut ids: Vec<EventId> = log.iter().step_by(97).map(|e| e.id).collect();
    ids.push(EventId(uuid::Uuid::from_u128(42)));
    let before = answers(&store, &streams, &ids);
    assert!(
        before.versions[1] > 1_000,
        "the document's stream spans several blocks of 256 versions"
    );
    assert!(before.retried.iter().filter(|r| r.is_some()).count() > 10);
    assert!(before.retried.last().unwrap().is_none());

    downgrade_to_v1(&store, regrouped);
    assert_eq!(
        keys(&store, b'e') + keys(&store, b's') + keys(&store, b'i'),
        3 * log.len() - 8 * regrouped as usize
    );
    assert_eq!(keys(&store, b'E'), regrouped as usize);
    assert_eq!(keys(&store, b'S') + keys(&store, b'I'), 0);
    drop(store);

    let store = open(dir.path());
    assert_eq!(
        keys(&store, b's') + keys(&store, b'i'),
        0,
        "old entries removed"
    );
    assert!(keys(&store, b'S') < log.len() / 100, "a few blocks");
    assert_eq!(
        store.raw_tree().get(b"mformat").unwrap().as_deref(),
        Some(&b"travaux/3"[..])
    );
    let after = answers(&store, &streams, &ids);
    assert_eq!(after.log, before.log);
    assert_eq!(after.streams, before.streams);
    assert_eq!(after.versions, before.versions);
    assert_eq!(after.retried, before.retried);
    assert_eq!(store.verify().unwrap().problem, None);
    assert_eq!(store.verify().unwrap().events, log.len() as u64);
}

#[test]
fn entries_of_the_earlier_format_left_by_a_migration_cut_short_are_removed() {
    let (dir, store) = generated(300);
    let before = whole_log(&store);
    // The blocked indexes are complete and the format is new: only the removal of the old
    // entries was cut short.
    store
        .raw_tree()
        .insert(b"s-left-over", &7u64.to_be_bytes())
        .unwrap();
    store.raw_tree().flush().unwrap();
    drop(store);
    let store = open(dir.path());
    assert_eq!(keys(&store, b's'), 0);
    let after = whole_log(&store);
    assert_eq!(after, before);
    assert_eq!(store.verify().unwrap().problem, None);
}

#[test]
fn a_store_of_the_one_commit_format_with_index_entries_left_over_is_migrated() {
    // Format `travaux/2` (one commit): the indexes in blocks, the log one key per event, and
    // perhaps `s`/`i` entries its own migration had not yet removed.
    let (dir, store) = generated(600);
    let log = whole_log(&store);
    let tree = store.raw_tree();
    let (s_blocks, i_buckets): (Vec<_>, Vec<_>) = (
        tree.scan_prefix(b"S").map(|kv| kv.unwrap()).collect(),
        tree.scan_prefix(b"I").map(|kv| kv.unwrap()).collect(),
    );
    downgrade_to_v1(&store, 0);
    let tree = store.raw_tree();
    let mut batch = sled::Batch::default();
    for (k, v) in s_blocks.into_iter().chain(i_buckets) {
        batch.insert(k, v);
    }
    // Keep a few old index entries as left over; remove the rest.
    for (n, kv) in tree
        .scan_prefix(b"s")
        .chain(tree.scan_prefix(b"i"))
        .enumerate()
    {
        if n % 50 != 0 {
            batch.remove(kv.unwrap().0);
        }
    }
    batch.insert(&b"mformat"[..], &b"travaux/2"[..]);
    tree.apply_batch(batch).unwrap();
    tree.flush().unwrap();
    assert!(keys(&store, b's') > 0 && keys(&store, b'i') > 0);
    drop(store);

    let store = open(dir.path());
    assert_eq!(
        keys(&store, b'e') + keys(&store, b's') + keys(&store, b'i'),
        0
    );
    let after = whole_log(&store);
    assert_eq!(after, log);
    assert_eq!(
        store.verify().unwrap().problem,
        None,
        "no entry indexed twice"
    );
    assert!(store.recorded(log[10].id).unwrap().is_some());
}

#[test]
fn a_damaged_store_of_the_earlier_format_is_refused_and_left_as_it_was() {
    let (dir, store) = generated(300);
    downgrade_to_v1(&store, 0);
    let mut missing = vec![b'e'];
    missing.extend_from_slice(&200u64.to_be_bytes());
    store.raw_tree().remove(missing).unwrap();
    store.raw_tree().flush().unwrap();
    let count =
        |store: &Store| ["e", "s", "i", "E", "S", "I"].map(|p| keys(store, p.as_bytes()[0]));
    let before = count(&store);
    drop(store);
    let err = try_open(dir.path())
        .err()
        .expect("a damaged log is refused");
    assert!(err.to_string().contains("event 200 is missing"), "{err}");
    // Nothing was written: the store is as the earlier version left it.
    let db = loop {
        match sled::open(dir.path()) {
            Ok(db) => break db,
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    };
    assert_eq!(
        db.get(b"mformat").unwrap().as_deref(),
        Some(&b"travaux/1"[..])
    );
    let after = ["e", "s", "i", "E", "S", "I"].map(|p| db.scan_prefix(p.as_bytes()).count());
    assert_eq!(after, before);
}

#[test]
fn a_reader_of_the_log_stops_at_a_block_that_is_not_full_and_verify_names_it() {
    let (_dir, store) = generated(300);
    // Drop the last event of block 2 (events 17 to 24): a short block in the middle, as a
    // reader would see the last block while appends fill it and begin the next.
    let key = [&b"E"[..], &2u64.to_be_bytes()].concat();
    let block = store.raw_tree().get(&key).unwrap().unwrap().to_vec();
    let mut at = 0;
    for _ in 0..7 {
        at += 4 + u32::from_be_bytes(block[at..at + 4].try_into().unwrap()) as usize;
    }
    store.raw_tree().insert(&key, &block[..at]).unwrap();
    let read: Vec<u64> = store.events_from(1).map(|e| e.unwrap().seq).collect();
    assert_eq!(
        read,
        (1..=23).collect::<Vec<_>>(),
        "an unbroken run of the log"
    );
    let problem = store
        .verify()
        .unwrap()
        .problem
        .expect("verify finds the gap");
    assert_eq!(problem.seq, 24, "{}", problem.message);
}
