//! A store written by an earlier version opens, is regrouped into this version's format, and
//! answers exactly as before:
//!
//! - `travaux/1`: one key per event in the log (`e`) and in each index (`s`, `i`);
//! - `travaux/2` (one commit): the log one key per event, the indexes in blocks;
//! - `travaux/3`: the log in unpacked blocks of eight events (`E`), the per-clause index one
//!   key per clause and event (`k`), the text changes unpacked (`x`);
//! - `travaux/4`: the same log, amendments one key each (`a`);
//!
//! and a migration cut short, by this version or the one before, goes on where it stopped.

use std::path::Path;

use travaux_core::{ClauseId, DocumentId, DocumentState, EventId, RecordedEvent, StreamId};
use travaux_gen::{generate, Spec};
use travaux_store::{decode, pack, unpack, Store, StoreError};

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

fn format(store: &Store) -> Vec<u8> {
    store.raw_tree().get(b"mformat").unwrap().unwrap().to_vec()
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_be_bytes(bytes[at..at + 8].try_into().unwrap())
}

/// Rewrite a store's log as earlier formats kept it: events up to `packed` (a whole number of
/// this version's blocks of sixteen) stay in packed blocks, as a migration cut short after them
/// leaves them; those up to `unpacked` go into unpacked blocks of eight (`E`, block × 8 + 1
/// on, each event as its length ++ its bytes; the last may be short), as `travaux/3` kept
/// them; the rest one key each
/// (`e` seq → stored event), as `travaux/1` and `travaux/2` kept them.
fn downgrade_log(store: &Store, packed: u64, unpacked: u64) {
    assert_eq!(packed % 16, 0);
    let records: Vec<(u64, Vec<u8>)> = store.stored_records().map(Result::unwrap).collect();
    let tree = store.raw_tree();
    let mut batch = sled::Batch::default();
    for kv in tree.scan_prefix(b"L") {
        let (k, _) = kv.unwrap();
        if u64_at(&k, 1) * 16 >= packed {
            batch.remove(k);
        }
    }
    let mut blocks: std::collections::BTreeMap<u64, Vec<u8>> = Default::default();
    for (seq, bytes) in records.into_iter().filter(|(seq, _)| *seq > packed) {
        if seq <= unpacked {
            let block = blocks.entry((seq - 1) / 8).or_default();
            block.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
            block.extend_from_slice(&bytes);
        } else {
            batch.insert([&b"e"[..], &seq.to_be_bytes()].concat(), bytes);
        }
    }
    for (block, value) in blocks {
        batch.insert([&b"E"[..], &block.to_be_bytes()].concat(), value);
    }
    tree.apply_batch(batch).unwrap();
}

/// Rewrite the stream and id indexes as `travaux/1` kept them: `s` stream ++ version → seq, `i`
/// event id → seq ++ request fingerprint; the blocks removed.
fn downgrade_indexes(store: &Store) {
    let tree = store.raw_tree();
    let mut batch = sled::Batch::default();
    for kv in tree.scan_prefix(b"S") {
        let (k, v) = kv.unwrap();
        let first = u64_at(&k, 17) * 256 + 1;
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
    tree.apply_batch(batch).unwrap();
}

/// Amendments one per key (`a`, document, number), packed as in their block, as `travaux/4` and
/// earlier formats kept them (this one keeps them eight to a key: `A`, marker
/// `mamendment-blocks`).
fn downgrade_amendments(store: &Store) {
    let tree = store.raw_tree();
    let mut batch = sled::Batch::default();
    for kv in tree.scan_prefix(b"A") {
        let (k, v) = kv.unwrap();
        let first = u32::from_be_bytes(k[17..21].try_into().unwrap()) * 8 + 1;
        let mut at = 0;
        let mut no = first;
        while at < v.len() {
            let len = u32::from_be_bytes(v[at..at + 4].try_into().unwrap()) as usize;
            if len > 0 {
                let one = &v[at + 4..at + 4 + len];
                batch.insert([&b"a"[..], &k[1..17], &no.to_be_bytes()].concat(), one);
            }
            at += 4 + len;
            no += 1;
        }
        batch.remove(k);
    }
    batch.remove(&b"mamendment-blocks"[..]);
    tree.apply_batch(batch).unwrap();
}

/// Rewrite the per-clause index and the text changes as `travaux/3` kept them: `k` document ++
/// clause ++ seq (empty), `x` document ++ seq → the stored event, one key each, unpacked; their
/// markers too; and the amendments as `downgrade_amendments` does.
fn downgrade_read_models(store: &Store) {
    downgrade_amendments(store);
    let tree = store.raw_tree();
    let mut batch = sled::Batch::default();
    for kv in tree.scan_prefix(b"K") {
        let (k, v) = kv.unwrap();
        for seq in v.chunks_exact(8) {
            batch.insert([&b"k"[..], &k[1..33], seq].concat(), &[][..]);
        }
        batch.remove(k);
    }
    for kv in tree.scan_prefix(b"X") {
        let (k, v) = kv.unwrap();
        let block = unpack(&v, "a block of copies").unwrap();
        let mut at = 0;
        while at < block.len() {
            let len = u32::from_be_bytes(block[at..at + 4].try_into().unwrap()) as usize;
            let stored = &block[at + 4..at + 4 + len];
            let seq = decode(stored).unwrap().seq;
            batch.insert([&b"x"[..], &k[1..17], &seq.to_be_bytes()].concat(), stored);
            at += 4 + len;
        }
        batch.remove(k);
    }
    batch.remove(&b"mclause-blocks"[..]);
    batch.remove(&b"mtext-blocks"[..]);
    batch.insert(&b"mclause-index"[..], &[][..]);
    batch.insert(&b"mtext-index"[..], &[][..]);
    tree.apply_batch(batch).unwrap();
}

fn mark(store: &Store, format: &[u8]) {
    store.raw_tree().insert(b"mformat", format).unwrap();
    store.raw_tree().flush().unwrap();
}

struct Answers {
    /// The document with every amendment.
    head: DocumentState,
    log: Vec<RecordedEvent>,
    streams: Vec<Vec<RecordedEvent>>,
    versions: Vec<u64>,
    retried: Vec<Option<Vec<RecordedEvent>>>,
    text_changes: Vec<u64>,
    clause_histories: Vec<Vec<u64>>,
}

fn answers(store: &Store, streams: &[StreamId], ids: &[EventId], clauses: &[ClauseId]) -> Answers {
    let doc = DocumentId(streams[1].0);
    let head = store.head().0;
    Answers {
        head: store.document(doc).unwrap().unwrap(),
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
        text_changes: store
            .text_events(doc)
            .unwrap()
            .map(|e| e.unwrap().seq)
            .collect(),
        clause_histories: clauses
            .iter()
            .map(|c| {
                store
                    .clause_events(doc, *c, head)
                    .unwrap()
                    .iter()
                    .map(|e| e.seq)
                    .collect()
            })
            .collect(),
    }
}

/// Generate a history, take its answers, rewrite it as an earlier version left it (`earlier`),
/// open it again, and check that the answers are the same and the store of this version's
/// format, with nothing of the earlier one left.
fn migrated_answers_the_same(earlier: impl FnOnce(&Store, usize)) {
    let (dir, store) = generated(1_500);
    let doc = store.documents().unwrap()[0].id;
    let streams = [StreamId::REGISTRY, StreamId::document(doc)];
    let log = whole_log(&store);
    // Every 97th event's id, and one id never used.
    let mut ids: Vec<EventId> = log.iter().step_by(97).map(|e| e.id).collect();
    ids.push(EventId(uuid::Uuid::from_u128(42)));
    let clauses: Vec<ClauseId> = store
        .document(doc)
        .unwrap()
        .unwrap()
        .outline()
        .iter()
        .map(|(_, c)| c.id)
        .collect();
    let before = answers(&store, &streams, &ids, &clauses);
    assert!(
        before.versions[1] > 1_000,
        "the document's stream spans several blocks of 256 versions"
    );
    assert!(before.retried.iter().filter(|r| r.is_some()).count() > 10);
    assert!(before.retried.last().unwrap().is_none());
    assert!(before.text_changes.len() > 20);
    assert!(before.clause_histories.iter().any(|h| h.len() > 5));

    earlier(&store, log.len());
    drop(store);

    let store = open(dir.path());
    assert_eq!(format(&store), b"travaux/5");
    for prefix in [b'e', b'E', b's', b'i', b'k', b'x', b'a'] {
        assert_eq!(keys(&store, prefix), 0, "{} entries left", prefix as char);
    }
    for marker in [&b"mclause-index"[..], b"mtext-index"] {
        assert!(!store.raw_tree().contains_key(marker).unwrap());
    }
    for marker in [
        &b"mclause-blocks"[..],
        b"mtext-blocks",
        b"mamendment-blocks",
    ] {
        assert!(store.raw_tree().contains_key(marker).unwrap());
    }
    assert_eq!(
        keys(&store, b'A'),
        (before.head.amendments_proposed as usize).div_ceil(8),
        "amendments eight to a key"
    );
    assert!(
        keys(&store, b'L') <= log.len() / 16 + 1,
        "blocks of sixteen"
    );
    assert!(keys(&store, b'S') < log.len() / 100, "a few blocks");
    let after = answers(&store, &streams, &ids, &clauses);
    assert!(
        after.head == before.head,
        "the document with every amendment"
    );
    assert_eq!(after.log, before.log);
    assert_eq!(after.streams, before.streams);
    assert_eq!(after.versions, before.versions);
    assert_eq!(after.retried, before.retried);
    assert_eq!(after.text_changes, before.text_changes);
    assert_eq!(after.clause_histories, before.clause_histories);
    assert_eq!(store.verify().unwrap().problem, None);
    assert_eq!(store.verify().unwrap().events, log.len() as u64);
}

#[test]
fn a_store_of_the_format_with_amendments_one_to_a_key_is_rebuilt_and_answers_the_same() {
    migrated_answers_the_same(|store, _| {
        downgrade_amendments(store);
        assert!(keys(store, b'a') > 10);
        assert_eq!(keys(store, b'A'), 0);
        mark(store, b"travaux/4");
    });
}

#[test]
fn a_store_marked_with_the_format_before_is_rebuilt_whatever_its_markers_say() {
    // A development version kept amendments eight to a key under `travaux/4`; an older binary
    // may then have written one-to-a-key amendments beside them, leaving the blocks stale.
    migrated_answers_the_same(|store, _| {
        downgrade_amendments(store);
        store
            .raw_tree()
            .insert(b"mamendment-blocks", &[][..])
            .unwrap();
        mark(store, b"travaux/4");
    });
}

#[test]
fn a_store_of_the_first_format_is_migrated_and_answers_the_same() {
    migrated_answers_the_same(|store, events| {
        downgrade_log(store, 0, 0);
        downgrade_indexes(store);
        downgrade_read_models(store);
        assert_eq!(
            keys(store, b'e') + keys(store, b's') + keys(store, b'i'),
            3 * events
        );
        assert_eq!(keys(store, b'L') + keys(store, b'S') + keys(store, b'I'), 0);
        mark(store, b"travaux/1");
    });
}

#[test]
fn a_store_of_the_format_before_this_one_is_migrated_and_answers_the_same() {
    migrated_answers_the_same(|store, events| {
        downgrade_log(store, 0, events as u64);
        downgrade_read_models(store);
        assert_eq!(keys(store, b'E'), events.div_ceil(8));
        assert_eq!(keys(store, b'e'), 0);
        assert!(keys(store, b'k') > 100 && keys(store, b'x') > 20);
        mark(store, b"travaux/3");
    });
}

#[test]
fn a_migration_cut_short_in_the_log_goes_on_where_it_stopped() {
    migrated_answers_the_same(|store, events| {
        downgrade_log(store, 800, 1_200);
        downgrade_read_models(store);
        assert_eq!(keys(store, b'L'), 50);
        assert_eq!(keys(store, b'E'), 50);
        assert_eq!(keys(store, b'e'), events - 1_200);
        mark(store, b"travaux/4-migrating-from-3");
    });
}

#[test]
fn a_migration_cut_short_by_the_version_before_goes_on() {
    // The version of format `travaux/3` regrouped a `travaux/1` store into unpacked blocks of
    // eight, and stopped after 400 events: its blocks, then the rest one key per event, the
    // indexes not yet copied.
    migrated_answers_the_same(|store, _| {
        downgrade_log(store, 0, 400);
        downgrade_indexes(store);
        downgrade_read_models(store);
        assert_eq!(keys(store, b'E'), 50);
        mark(store, b"travaux/3-migrating-from-1");
    });
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
    downgrade_log(&store, 0, 0);
    downgrade_indexes(&store);
    downgrade_read_models(&store);
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
fn a_damaged_store_of_an_earlier_format_is_refused_and_left_as_it_was() {
    for (format, unpacked) in [(&b"travaux/1"[..], 0), (b"travaux/3", 296)] {
        let (dir, store) = generated(300);
        downgrade_log(&store, 0, unpacked);
        if unpacked == 0 {
            downgrade_indexes(&store);
        }
        // Event 200 goes missing: from the `e` entries, or from its block of eight.
        if unpacked == 0 {
            store
                .raw_tree()
                .remove([&b"e"[..], &200u64.to_be_bytes()].concat())
                .unwrap();
        } else {
            store
                .raw_tree()
                .remove([&b"E"[..], &(199u64 / 8).to_be_bytes()].concat())
                .unwrap();
        }
        mark(&store, format);
        let prefixes = ["e", "s", "i", "E", "L", "S", "I", "K", "X"];
        let before = prefixes.map(|p| keys(&store, p.as_bytes()[0]));
        drop(store);
        let err = try_open(dir.path())
            .err()
            .expect("a damaged log is refused");
        assert!(
            err.to_string().contains("event 193 is missing")
                || err.to_string().contains("event 200 is missing"),
            "{err}"
        );
        // Nothing was written: the store is as the earlier version left it.
        let db = loop {
            match sled::open(dir.path()) {
                Ok(db) => break db,
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        };
        assert_eq!(db.get(b"mformat").unwrap().as_deref(), Some(format));
        let after = prefixes.map(|p| db.scan_prefix(p.as_bytes()).count());
        assert_eq!(after, before);
    }
}

#[test]
fn a_reader_of_the_log_stops_at_a_block_that_is_not_full_and_verify_names_it() {
    let (_dir, store) = generated(300);
    // Drop the last event of block 2 (events 33 to 48): a short block in the middle, as a
    // reader would see the last block while appends fill it and begin the next.
    let key = [&b"L"[..], &2u64.to_be_bytes()].concat();
    let stored = store.raw_tree().get(&key).unwrap().unwrap();
    let block = unpack(&stored, "block 2").unwrap();
    let mut at = 0;
    for _ in 0..15 {
        at += 4 + u32::from_be_bytes(block[at..at + 4].try_into().unwrap()) as usize;
    }
    store
        .raw_tree()
        .insert(&key, pack(&block[..at]).unwrap())
        .unwrap();
    let read: Vec<u64> = store.events_from(1).map(|e| e.unwrap().seq).collect();
    assert_eq!(
        read,
        (1..=47).collect::<Vec<_>>(),
        "an unbroken run of the log"
    );
    let problem = store
        .verify()
        .unwrap()
        .problem
        .expect("verify finds the gap");
    assert_eq!(problem.seq, 48, "{}", problem.message);
}

#[test]
fn a_log_block_that_does_not_unpack_is_reported_by_verify() {
    let (_dir, store) = generated(300);
    let key = [&b"L"[..], &3u64.to_be_bytes()].concat();
    let mut stored = store.raw_tree().get(&key).unwrap().unwrap().to_vec();
    let n = stored.len();
    stored[n / 2] ^= 0x5a;
    store.raw_tree().insert(&key, stored).unwrap();
    let problem = store
        .verify()
        .unwrap()
        .problem
        .expect("verify finds the damage");
    assert_eq!(problem.seq, 49, "{}", problem.message);
    assert!(
        problem.message.contains("does not unpack"),
        "{}",
        problem.message
    );
}
