//! Snapshots: a view at any point read from the nearest snapshot and the events after it is
//! the same as the plain fold of the log up to that point.

mod common;

use proptest::prelude::*;
use travaux_core::{Cut, DocumentState, StreamId};
use travaux_gen::{generate, Spec};
use travaux_store::Store;

/// A generated history of 6,000 events in batches of 700, so snapshots fall inside batches of
/// appends as well as at their ends.
fn history() -> (common::Place, Store) {
    generated(6_000, 11, 700)
}

/// A new store holding a generated history of `events` events appended in batches of `batch`.
fn generated(events: u64, seed: u64, batch: usize) -> (common::Place, Store) {
    let dir = common::place();
    let (store, _) = Store::create(&dir.location).unwrap();
    let spec = Spec {
        events,
        seed,
        batch,
        ..Spec::default()
    };
    generate(&store, &spec, &mut |_| {}).unwrap();
    (dir, store)
}

/// How many snapshots the store holds.
fn snapshots(store: &Store) -> usize {
    store.read_models().scan_prefix(b"N").count()
}

fn plain(store: &Store, doc: travaux_core::DocumentId, cut: Cut) -> Option<DocumentState> {
    store
        .replay_document(doc, cut)
        .unwrap()
        .map(DocumentState::with_open_amendments_only)
}

#[test]
fn views_from_snapshots_equal_the_plain_fold_at_every_kind_of_point() {
    let (_dir, store) = history();
    let doc = store.documents().unwrap()[0].id;
    let events: Vec<_> = store
        .stream(StreamId::document(doc))
        .collect::<Result<_, _>>()
        .unwrap();
    let check = |cut: Cut| {
        assert_eq!(
            store.document_at(doc, cut).unwrap(),
            plain(&store, doc, cut),
            "{cut:?}"
        );
    };
    assert!(
        snapshots(&store) >= 5,
        "snapshots were written as the log grew"
    );
    // The history holds the process around the text too, so the views compared hold phases,
    // questions, brackets and agreement.
    let head = store.document(doc).unwrap().unwrap();
    assert!(head.process.phases.len() >= 4, "{:?}", head.process.phases);
    assert!(!head.process.questions.is_empty() && !head.process.brackets.is_empty());
    for kind in ["phase_closed", "agreement_recorded", "text_bracketed"] {
        assert!(
            events.iter().any(|e| e.event.kind() == kind),
            "no {kind} in the history"
        );
    }
    // Around every multiple of the snapshot interval, and at the ends.
    for e in events.iter().step_by(331).chain(events.last()) {
        check(Cut::Seq(e.seq));
        check(Cut::Seq(e.seq.saturating_sub(1)));
        check(Cut::Time(e.recorded_at));
    }
    check(Cut::Seq(0));
    // After rebuilding every cache, still the same.
    store.rebuild().unwrap();
    assert!(snapshots(&store) >= 5, "rebuild writes snapshots again");
    for e in events.iter().step_by(211) {
        check(Cut::Seq(e.seq));
    }
}

thread_local! {
    static HISTORY: (common::Place, Store) = history();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    /// A walk told only some events (as `log -S` and `replay --from` are) sees, before each, the
    /// document of the plain fold up to the event before it, whether it jumped over a stretch
    /// from a snapshot, folded it, or was handed the events it passed.
    #[test]
    fn a_walk_sees_before_each_event_what_the_fold_sees(
        picks in proptest::collection::btree_set(1u64..6_000, 1..40),
        fold_told in any::<bool>(),
    ) {
        HISTORY.with(|(_, store)| {
            let doc = store.documents().unwrap()[0].id;
            let mut walk = store.walk(doc);
            for e in store.stream(StreamId::document(doc)) {
                let e = e.unwrap();
                if !picks.contains(&e.version) {
                    if !fold_told {
                        walk.pass(&e);
                    }
                    continue;
                }
                let before = walk.before(&e).unwrap();
                prop_assert_eq!(
                    before.clone().map(DocumentState::with_open_amendments_only),
                    plain(store, doc, Cut::Seq(e.seq - 1)),
                    "before event {} (version {})", e.seq, e.version
                );
                if fold_told {
                    DocumentState::fold(before, &e);
                }
            }
            Ok(())
        })?;
    }

    #[test]
    fn the_fast_path_and_the_fold_agree_at_random_points(picks in proptest::collection::vec(0u64..6_100, 1..8)) {
        HISTORY.with(|(_, store)| {
            let doc = store.documents().unwrap()[0].id;
            for seq in &picks {
                let cut = Cut::Seq(*seq);
                prop_assert_eq!(store.document_at(doc, cut).unwrap(), plain(store, doc, cut));
            }
            Ok(())
        })?;
    }
}

#[test]
fn a_clause_history_from_the_index_blames_as_the_whole_stream_does() {
    use travaux_core::blame::{blame, fold, Blame};
    let (_dir, store) = history();
    let doc = store.documents().unwrap()[0].id;
    let head = store.document(doc).unwrap().unwrap();
    let events: Vec<_> = store
        .stream(StreamId::document(doc))
        .collect::<Result<_, _>>()
        .unwrap();
    let whole = fold(&events);
    let check = |store: &Store| {
        for (_, clause) in head.outline() {
            let mut one = Blame::default();
            for e in store.clause_events(doc, clause.id, head.seq).unwrap() {
                one.apply(&e);
            }
            assert_eq!(
                blame(&one, clause.id),
                blame(&whole, clause.id),
                "clause {}",
                clause.label
            );
        }
    };
    check(&store);
    // A store without the index (made before it existed) reads the whole stream instead.
    store.remove_read_model(b"mclause-blocks").unwrap();
    check(&store);
    store.rebuild().unwrap();
    check(&store);
}

#[test]
fn the_history_of_several_clauses_is_the_union_of_theirs() {
    let (_dir, store) = history();
    let doc = store.documents().unwrap()[0].id;
    let head = store.document(doc).unwrap().unwrap();
    let check = |store: &Store| {
        let mut checked = 0;
        for root in head.roots() {
            let clauses = head.subtree(*root);
            for seq in [head.seq, head.seq / 2] {
                let mut expected: Vec<u64> = clauses
                    .iter()
                    .flat_map(|c| store.clause_events(doc, *c, seq).unwrap())
                    .map(|e| e.seq)
                    .collect();
                expected.sort_unstable();
                expected.dedup();
                let merged: Vec<u64> = store
                    .clauses_events(doc, &clauses, seq)
                    .unwrap()
                    .iter()
                    .map(|e| e.seq)
                    .collect();
                assert_eq!(merged, expected, "{} clauses up to {seq}", clauses.len());
                checked += usize::from(clauses.len() > 1 && !merged.is_empty());
            }
        }
        assert!(
            checked > 0,
            "some clause with clauses under it has a history"
        );
    };
    check(&store);
    store.remove_read_model(b"mclause-blocks").unwrap();
    check(&store);
}

#[test]
fn the_text_changes_from_the_index_are_those_of_the_whole_stream() {
    let (_dir, store) = history();
    let doc = store.documents().unwrap()[0].id;
    let plain: Vec<u64> = store
        .stream(StreamId::document(doc))
        .map(Result::unwrap)
        .filter(|e| !e.event.ops().is_empty())
        .map(|e| e.seq)
        .collect();
    assert!(plain.len() > 100, "{} text changes", plain.len());
    let indexed = |store: &Store| -> Vec<u64> {
        store
            .text_events(doc)
            .unwrap()
            .map(|e| e.unwrap().seq)
            .collect()
    };
    assert_eq!(indexed(&store), plain);
    // A store without the index (made before it existed) reads the whole stream instead.
    store.remove_read_model(b"mtext-blocks").unwrap();
    store
        .remove_read_model(&[&[b'X'][..], doc.0.as_bytes(), &0u32.to_be_bytes()].concat())
        .unwrap();
    assert_eq!(indexed(&store), plain);
    store.rebuild().unwrap();
    assert_eq!(indexed(&store), plain);
}

#[test]
fn every_tag_set_at_the_head_has_its_snapshot() {
    let (_dir, store) = history();
    let doc = store.documents().unwrap()[0].id;
    let snapshot_at = |seq: u64| {
        let key = [&[b'N'][..], doc.0.as_bytes(), &seq.to_be_bytes()].concat();
        store.read_models().contains_key(&key).unwrap()
    };
    let events: Vec<_> = store
        .stream(StreamId::document(doc))
        .collect::<Result<_, _>>()
        .unwrap();
    let mut tagged = 0;
    for pair in events.windows(2) {
        if let travaux_core::Event::TagSet { seq, .. } = &pair[1].event {
            if *seq == pair[0].seq {
                tagged += 1;
                assert!(snapshot_at(*seq), "no snapshot at the tag on event {seq}");
            }
        }
    }
    assert!(tagged >= 3, "{tagged} tags at the head");
    store.rebuild().unwrap();
    for pair in events.windows(2) {
        if let travaux_core::Event::TagSet { seq, .. } = &pair[1].event {
            if *seq == pair[0].seq {
                assert!(
                    snapshot_at(*seq),
                    "rebuild wrote no snapshot at the tag on event {seq}"
                );
            }
        }
    }
}

/// The snapshots a store holds: (sequence number, the stored bytes of the snapshot).
fn snapshot_entries(store: &Store) -> Vec<(u64, Vec<u8>)> {
    let seq = |k: &[u8]| u64::from_be_bytes(k[17..25].try_into().unwrap());
    let mut entries: Vec<(u64, Vec<u8>)> = Vec::new();
    for kv in store.read_models().scan_prefix(b"n") {
        let (k, v) = kv.unwrap();
        match entries.last_mut() {
            Some((s, bytes)) if *s == seq(&k) => bytes.extend_from_slice(&v),
            _ => entries.push((seq(&k), v.to_vec())),
        }
    }
    entries
}

#[test]
fn appends_in_batches_larger_than_the_snapshot_interval_snapshot_as_a_rebuild_does() {
    // Batches of 2,500 events: before, an append wrote one snapshot at the end of a batch that
    // crossed a multiple of 1,000, so a view could fold 2,499 events; a bulk import, a quarter
    // of the generator's default batch, left 5,000 between snapshots.
    let (_dir, store) = generated(9_000, 5, 2_500);
    let doc = store.documents().unwrap()[0].id;
    let versions: std::collections::BTreeMap<u64, u64> = store
        .stream(StreamId::document(doc))
        .map(|e| e.map(|e| (e.seq, e.version)))
        .collect::<Result<_, _>>()
        .unwrap();
    let appended = snapshot_entries(&store);
    let mut at: Vec<u64> = appended.iter().map(|(s, _)| versions[s]).collect();
    at.push(versions.values().copied().max().unwrap());
    for gap in at.windows(2) {
        assert!(
            gap[1] - gap[0] <= 1_000,
            "stream events {}..{} have no snapshot between them",
            gap[0],
            gap[1]
        );
    }
    assert!(appended.len() >= 8, "{} snapshots", appended.len());
    store.rebuild().unwrap();
    let rebuilt = snapshot_entries(&store);
    let seqs = |e: &[(u64, Vec<u8>)]| e.iter().map(|(s, _)| *s).collect::<Vec<_>>();
    assert_eq!(seqs(&appended), seqs(&rebuilt), "the same points");
    for ((seq, a), (_, b)) in appended.iter().zip(&rebuilt) {
        let a: DocumentState =
            serde_json::from_slice(&travaux_store::unpack(a, "a snapshot").unwrap()).unwrap();
        let b: DocumentState =
            serde_json::from_slice(&travaux_store::unpack(b, "a snapshot").unwrap()).unwrap();
        assert_eq!(a, b, "the snapshot after event {seq}");
    }
}
