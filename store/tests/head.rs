//! A document at its head. Its read model (`d`) is rewritten only once the stream has gone some
//! events past it, a read folds the events after it, and the writer starts each write from the
//! document its last write left: whichever way it is reached, the head is the plain fold of the
//! stream.

mod common;

use travaux_core::{BracketStatus, Cut, DocumentId, DocumentState, StreamId};
use travaux_gen::{Generator, Spec};
use travaux_store::{unpack, Store};

/// The version a document's read model holds, read from the store's own key (`d`).
fn read_model_version(store: &Store, doc: DocumentId) -> u64 {
    let mut packed = Vec::new();
    for kv in store
        .read_models()
        .scan_prefix(&[&[b'd'][..], doc.0.as_bytes()].concat())
    {
        packed.extend_from_slice(&kv.unwrap().1);
    }
    let json = unpack(&packed, "the document's read model").unwrap();
    let state: DocumentState = serde_json::from_slice(&json).unwrap();
    state.version
}

/// The document at its head, read every way the store reads it, equals `plain`, the fold of
/// its stream.
/// (Compared with `==`: a failure names the version, not two whole documents.)
fn check_head(store: &Store, doc: DocumentId, plain: &DocumentState) {
    assert!(
        store.document(doc).unwrap().as_ref() == Some(plain),
        "the document with every amendment differs from the fold at version {}",
        plain.version
    );
    assert!(
        store.document_at(doc, Cut::Head).unwrap()
            == Some(plain.clone().with_open_amendments_only()),
        "the view (open amendments only) differs from the fold at version {}",
        plain.version
    );
}

#[test]
fn the_head_read_or_kept_is_the_plain_fold_whatever_the_appends() {
    // Small appends leave the read model behind the head most of the time, so that reads fold
    // the events after it; larger ones rewrite it with every append.
    for (seed, batch) in [(21, 1), (22, 5), (23, 300)] {
        let dir = common::place();
        let (store, _) = Store::create(&dir.location).unwrap();
        let mut generator = Generator::new(&Spec {
            events: 2_500,
            seed,
            batch,
            ..Spec::default()
        })
        .unwrap();
        let (mut plain, mut trailing, mut appends) = (None, 0, 0);
        while let Some(b) = generator.next_batch().unwrap() {
            let appended = store.append(b.stream, b.expected, b.events).unwrap();
            if b.stream == StreamId::REGISTRY {
                continue;
            }
            for e in &appended.events {
                DocumentState::fold(&mut plain, e);
            }
            let plain = plain.as_ref().expect("the document was created");
            appends += 1;
            if appends % 4 == 0 || batch > 1 {
                check_head(&store, plain.id, plain);
                if read_model_version(&store, plain.id) < plain.version {
                    trailing += 1;
                }
            }
        }
        let plain = plain.expect("a document was generated");
        assert_eq!(
            store.replay_document(plain.id, Cut::Head).unwrap().as_ref(),
            Some(&plain),
            "the fold of what the appends returned is the stream's"
        );
        check_head(&store, plain.id, &plain);
        if batch < 64 {
            assert!(
                trailing > appends / 10,
                "batches of {batch}: the read model trailed the head at {trailing} of {appends} appends"
            );
        }
        // Decisions on alternatives resolved brackets: what folding the events after the read
        // model must look up an amendment for.
        assert!(
            plain
                .process
                .brackets
                .values()
                .any(|b| matches!(b.status, BracketStatus::Resolved { .. })),
            "seed {seed}: no bracket was resolved"
        );
    }
}

#[test]
fn a_store_reopened_reads_its_head_from_the_read_model_and_the_events_after_it() {
    let dir = common::place();
    let (store, _) = Store::create(&dir.location).unwrap();
    let spec = Spec {
        events: 1_000,
        seed: 8,
        batch: 3,
        ..Spec::default()
    };
    travaux_gen::generate(&store, &spec, &mut |_| {}).unwrap();
    let doc = store.documents().unwrap()[0].id;
    let plain = store.replay_document(doc, Cut::Head).unwrap().unwrap();
    check_head(&store, doc, &plain);
    drop(store);
    let store = loop {
        match Store::open(&dir.location) {
            Err(travaux_store::StoreError::Locked(_)) => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            other => break other.unwrap(),
        }
    };
    assert!(
        read_model_version(&store, doc) < plain.version,
        "the read model trails the head (1,000 events in appends of 3)"
    );
    check_head(&store, doc, &plain);
}

/// Readers of the head racing a writer (as `travaux serve`'s are) each read the plain fold at
/// some version, amendments included: the read model, the events after it, the amendments and
/// the index of open ones are read one after the other, and a read during which an append
/// moved the stream is made again.
#[test]
fn readers_of_the_head_racing_appends_read_the_fold_at_some_version() {
    let dir = common::place();
    let (store, _) = Store::create(&dir.location).unwrap();
    let mut generator = Generator::new(&Spec {
        events: 1_500,
        seed: 31,
        batch: 1,
        ..Spec::default()
    })
    .unwrap();
    let mut doc = None;
    // The registry and the document's first events, before the readers start.
    while doc.is_none() {
        let b = generator.next_batch().unwrap().expect("a batch");
        store.append(b.stream, b.expected, b.events).unwrap();
        if b.stream != StreamId::REGISTRY {
            doc = Some(DocumentId(b.stream.0));
        }
    }
    let doc = doc.expect("a document");
    let done = std::sync::atomic::AtomicBool::new(false);
    // Reads made so far by every reader: the writer waits for one now and then, so that the
    // reads race the appends however slow a read is (on a loaded machine, or a database).
    let read_so_far = std::sync::atomic::AtomicUsize::new(0);
    let (reads, amended) = std::thread::scope(|s| {
        let readers: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let (mut reads, mut amended, mut last) = (0, 0, 0);
                    while !done.load(std::sync::atomic::Ordering::Relaxed) {
                        let every = store.document(doc).unwrap().expect("the document");
                        let view = store.document_at(doc, Cut::Head).unwrap().expect("a view");
                        for head in [&every, &view] {
                            assert!(head.version >= last, "a read went back");
                            last = head.version;
                        }
                        let plain = |seq| store.replay_document(doc, Cut::Seq(seq)).unwrap();
                        assert!(
                            plain(every.seq).as_ref() == Some(&every),
                            "the head with every amendment at version {} is not the fold",
                            every.version
                        );
                        assert!(
                            plain(view.seq).map(DocumentState::with_open_amendments_only)
                                == Some(view),
                            "the view at its version is not the fold"
                        );
                        reads += 1;
                        read_so_far.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if !every.amendments.is_empty() {
                            amended += 1;
                        }
                    }
                    (reads, amended)
                })
            })
            .collect();
        let mut appended = 0;
        while let Some(b) = generator.next_batch().unwrap() {
            store.append(b.stream, b.expected, b.events).unwrap();
            appended += 1;
            if appended % 25 == 0 {
                let seen = read_so_far.load(std::sync::atomic::Ordering::Relaxed);
                let waited = std::time::Instant::now();
                while read_so_far.load(std::sync::atomic::Ordering::Relaxed) == seen
                    && waited.elapsed() < std::time::Duration::from_secs(30)
                {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
            }
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        readers
            .into_iter()
            .map(|r| r.join().unwrap())
            .fold((0, 0), |(a, b), (c, d)| (a + c, b + d))
    });
    assert!(
        reads > 20,
        "the readers read as the appends went on: {reads}"
    );
    assert!(amended > 10, "reads with amendments: {amended} of {reads}");
}
