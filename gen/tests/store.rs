//! The generator writing into a store: a generated store verifies, its read model is its fold,
//! the same spec gives the same log; a store that already holds events is refused.

use travaux_core::{Change, Directory, RecordedEvent};
use travaux_gen::{generate, Spec, SLUG};
use travaux_store::Store;

fn spec(events: u64, seed: u64) -> Spec {
    Spec {
        events,
        seed,
        ..Spec::default()
    }
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (store, _) = Store::create(&dir.path().join("store")).expect("a store");
    (dir, store)
}

#[test]
fn a_generated_store_verifies_and_its_read_model_is_its_fold() {
    let (_d1, one) = temp_store();
    let (_d2, two) = temp_store();
    let s = spec(3000, 7);
    let mut seen = Vec::new();
    let summary = generate(&one, &s, &mut |n| seen.push(n)).expect("generated");
    assert_eq!(summary.events, 3000);
    assert_eq!(seen.last(), Some(&3000));
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    let report = one.verify().expect("verify");
    assert_eq!(report.problem, None);
    assert_eq!(report.head_seq, 3000);
    assert_eq!(report.head_hash, summary.head_hash);

    let entry = one.document_by_slug(SLUG).expect("the document");
    let read_model = one.document(entry.id).expect("read").expect("exists");
    let folded = one
        .replay_document(entry.id, travaux_core::Cut::Head)
        .expect("fold")
        .expect("exists");
    assert_eq!(read_model, folded);
    assert_eq!(folded.comments, summary.comments);
    assert_eq!(folded.tags.len(), summary.tags.len());
    assert!(summary.decisions > 0 && summary.amendments > 0);
    // The history holds the process around the text too: phases opened and closed,
    // questions, paragraphs agreed, words bracketed and alternatives to them.
    for k in [
        "phase_opened",
        "phase_closed",
        "question_posed",
        "agreement_recorded",
        "text_bracketed",
    ] {
        assert!(summary.kinds.contains_key(k), "no {k}: {:?}", summary.kinds);
    }
    let p = &folded.process;
    assert!(p.phases.len() >= 3 && !p.questions.is_empty() && !p.brackets.is_empty());
    assert!(p
        .phases
        .iter()
        .any(|ph| ph.comments > 0 && !ph.participants.is_empty()));
    assert!(p.questions.values().any(|q| !q.answers.is_empty()));
    assert!(folded
        .amendments
        .values()
        .any(|a| matches!(a.change, Change::Alternative { .. })));
    // Rebuilt from the log, the read model is the same.
    assert_eq!(one.rebuild().expect("rebuild"), 3000);
    assert_eq!(
        one.document(entry.id).expect("read").expect("exists"),
        folded
    );

    let again = generate(&two, &s, &mut |_| {}).expect("generated");
    assert_eq!(again, summary);
    let a: Vec<RecordedEvent> = one.events_from(1).map(Result::unwrap).collect();
    let b: Vec<RecordedEvent> = two.events_from(1).map(Result::unwrap).collect();
    assert_eq!(a, b);
}

#[test]
fn a_store_that_holds_events_is_refused_and_left_alone() {
    let (_d, store) = temp_store();
    generate(&store, &spec(500, 1), &mut |_| {}).expect("generated");
    let before = store.head();
    let e = generate(&store, &spec(500, 2), &mut |_| {}).expect_err("refused");
    assert!(e.to_string().contains("empty store"), "{e}");
    assert_eq!(store.head(), before);
}
