//! The generator without a store: determinism, sizes, the mix of a negotiation, the rules
//! every event obeys, the wording.

use std::collections::{BTreeMap, BTreeSet};

use travaux_core::{
    Agreement, ClauseId, ClauseOp, DocumentState, Event, Hash, Method, NewEvent, PhaseKind,
    RecordedEvent, Role, StreamId,
};

use crate::dice::Dice;
use crate::wording::{clause_text, reword, words};
use crate::{Batch, Generator, Spec};

fn all_events(spec: &Spec, prune: bool) -> Vec<Batch> {
    let mut g = Generator::with_pruning(spec, prune).expect("a generator");
    let mut out = Vec::new();
    while let Some(b) = g.next_batch().expect("a batch") {
        out.push(b);
    }
    out
}

fn payloads(batches: &[Batch]) -> Vec<&NewEvent> {
    batches.iter().flat_map(|b| &b.events).collect()
}

fn spec(events: u64, seed: u64) -> Spec {
    Spec {
        events,
        seed,
        ..Spec::default()
    }
}

#[test]
fn the_same_seed_gives_the_same_events_ids_and_times() {
    let a = all_events(&spec(4000, 7), true);
    let b = all_events(&spec(4000, 7), true);
    assert_eq!(a, b);
}

#[test]
fn different_seeds_give_different_histories() {
    let a = all_events(&spec(3000, 7), true);
    let b = all_events(&spec(3000, 8), true);
    let texts = |bs: &[Batch]| -> Vec<Event> {
        payloads(bs).into_iter().map(|e| e.event.clone()).collect()
    };
    assert_ne!(texts(&a), texts(&b));
}

#[test]
fn the_size_asked_is_reached_exactly() {
    for events in [400, 1001, 2500, 6789] {
        let batches = all_events(&spec(events, 3), true);
        assert_eq!(payloads(&batches).len() as u64, events, "{events} events");
    }
}

#[test]
fn pruning_the_working_state_changes_no_event() {
    let s = spec(8000, 11);
    assert_eq!(all_events(&s, true), all_events(&s, false));
}

#[test]
fn the_batch_size_changes_no_event() {
    let a = all_events(&spec(3000, 5), true);
    let b = all_events(
        &Spec {
            batch: 137,
            ..spec(3000, 5)
        },
        true,
    );
    assert_eq!(payloads(&a), payloads(&b));
    // Only a step of several events (a revision in parts) makes a batch run over.
    assert!(b.iter().all(|b| b.events.len() <= 137 + 5));
    assert!(b.len() > a.len());
}

#[test]
fn too_few_events_or_sizes_out_of_range_are_refused() {
    let e = Generator::new(&spec(10, 1)).err().expect("refused");
    assert!(e.to_string().contains("too few"), "{e}");
    for bad in [
        Spec {
            articles: 0,
            ..spec(1000, 1)
        },
        Spec {
            delegations: 1,
            ..spec(1000, 1)
        },
        Spec {
            batch: 0,
            ..spec(1000, 1)
        },
    ] {
        assert!(Generator::new(&bad).is_err(), "{bad:?}");
    }
}

#[test]
fn the_first_draft_has_articles_of_3_to_8_paragraphs_of_20_to_80_words() {
    let batches = all_events(&spec(1000, 2), true);
    let first = payloads(&batches)
        .into_iter()
        .find_map(|e| match &e.event {
            Event::RevisionIssued { ops, .. } => Some(ops.clone()),
            _ => None,
        })
        .expect("a first draft");
    let mut per_article: BTreeMap<ClauseId, usize> = BTreeMap::new();
    let mut articles = 0;
    for op in &first {
        let ClauseOp::Add {
            parent,
            heading,
            text,
            label,
            ..
        } = op
        else {
            panic!("a first draft only adds: {op:?}");
        };
        if heading.is_some() {
            articles += 1;
            continue;
        }
        let n = words(text);
        assert!((20..=80).contains(&n), "{label}: {n} words: {text}");
        if let Some(p) = parent {
            *per_article.entry(*p).or_default() += 1;
        }
    }
    assert_eq!(articles, 10);
    assert!(per_article.values().all(|n| (3..=8).contains(n)));
}

#[test]
fn a_history_has_the_mix_of_a_negotiation() {
    let batches = all_events(&spec(20_000, 1), true);
    let events = payloads(&batches);
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let mut outcomes: BTreeSet<&str> = BTreeSet::new();
    let mut changes: BTreeSet<&str> = BTreeSet::new();
    let (mut votes, mut relabels, mut moves, mut replies) = (0, 0, 0, 0);
    for e in &events {
        *kinds.entry(e.event.kind()).or_default() += 1;
        match &e.event {
            Event::DecisionRecorded {
                outcome, method, ..
            } => {
                outcomes.insert(outcome.name());
                votes += usize::from(matches!(method, Method::Vote { .. }));
            }
            Event::AmendmentProposed { change, .. } => {
                changes.insert(change.kind());
            }
            Event::RevisionIssued { ops, .. } => {
                for op in ops {
                    relabels += usize::from(matches!(op, ClauseOp::Relabel { .. }));
                    moves += usize::from(matches!(op, ClauseOp::Move { .. }));
                }
            }
            Event::CommentPosted { reply_to, .. } => {
                replies += usize::from(reply_to.is_some());
            }
            _ => {}
        }
    }
    let comments = kinds["comment_posted"];
    assert!(
        kinds.values().all(|n| *n <= comments),
        "comments are the largest share: {kinds:?}"
    );
    // Every kind of event but these: nobody loses a role, and the text is never adopted
    // (a generated document stays open to every command), so no reporting round on it;
    // visibility and tokens are for the server, not the negotiation; the store's first
    // participant administers it throughout; no one corrects a mistake.
    let absent = [
        "admin_granted",
        "admin_revoked",
        "role_revoked",
        "document_adopted",
        "report_submitted",
        "visibility_set",
        "token_issued",
        "token_revoked",
        "comment_retracted",
        "tag_withdrawn",
    ];
    for k in Event::KINDS {
        if !absent.contains(k) {
            assert!(kinds.contains_key(k), "no {k}: {kinds:?}");
        }
    }
    assert_eq!(
        outcomes,
        BTreeSet::from(["accepted", "accepted as modified", "rejected", "deferred"])
    );
    assert_eq!(
        changes,
        BTreeSet::from(["replace", "insert", "delete", "move", "alternative"])
    );
    assert!(votes > 0 && relabels > 0 && moves > 0 && replies > 0);
    assert!(kinds["revision_issued"] >= 5, "{kinds:?}");
    // Times move forward.
    assert!(events
        .windows(2)
        .all(|w| w[0].recorded_at <= w[1].recorded_at));
}

/// The document's events of a generated history, as the store would record them (hashes
/// aside).
fn recorded(batches: &[Batch]) -> Vec<RecordedEvent> {
    let mut seq = 0;
    let mut out: Vec<RecordedEvent> = Vec::new();
    for b in batches {
        for e in &b.events {
            seq += 1;
            if b.stream == StreamId::REGISTRY {
                continue;
            }
            out.push(RecordedEvent {
                seq,
                id: e.id,
                stream: b.stream,
                version: out.len() as u64 + 1,
                recorded_at: e.recorded_at,
                actor: e.actor,
                schema: e.event.schema(),
                prev_hash: Hash::default(),
                hash: Hash::default(),
                event: e.event.clone(),
            });
        }
    }
    out
}

#[test]
fn every_comment_falls_in_an_open_phase_that_takes_its_author() {
    let events = recorded(&all_events(&spec(20_000, 4), true));
    let mut state: Option<DocumentState> = None;
    let mut kinds = BTreeSet::new();
    let (mut answers, mut public) = (0, 0);
    for e in &events {
        if let Some(st) = &state {
            if let Event::CommentPosted {
                phase, question, ..
            } = &e.event
            {
                let p = st.phase(phase.expect("a phase")).expect("a known phase");
                let roles = &st.roles[&e.actor];
                assert!(p.is_open(), "{}: {}", e.seq, p.describe());
                assert!(p.admits_any(roles), "{}: {roles:?} in {:?}", e.seq, p.kind);
                answers += usize::from(question.is_some());
                public += usize::from(roles.contains(&Role::Public));
            }
            if let Event::PhaseOpened { kind, .. } = &e.event {
                // One phase at a time: the one before was closed first.
                assert_eq!(st.open_phases().count(), 0, "{}", e.seq);
                kinds.insert(*kind);
            }
        }
        DocumentState::fold(&mut state, e);
    }
    let st = state.expect("the document");
    assert!(st.process.phases.len() >= 20, "{}", st.process.phases.len());
    assert_eq!(st.process.phases[0].kind, PhaseKind::PublicHearing);
    assert!(kinds.contains(&PhaseKind::CommitteeSession), "{kinds:?}");
    assert!(
        kinds.contains(&PhaseKind::RegionalConsultation),
        "{kinds:?}"
    );
    assert!(
        answers > 0 && public > 0,
        "{answers} answers, {public} public comments"
    );
    // Brackets are resolved by an alternative or lifted; paragraphs are agreed, some
    // outright.
    let statuses: BTreeSet<&str> = st
        .process
        .brackets
        .values()
        .map(|b| b.status.name())
        .collect();
    assert!(
        statuses.contains("resolved") && statuses.contains("lifted"),
        "{statuses:?}"
    );
    let agreed: BTreeSet<Agreement> = events
        .iter()
        .filter_map(|e| match e.event {
            Event::AgreementRecorded { agreement, .. } => Some(agreement),
            _ => None,
        })
        .collect();
    assert_eq!(
        agreed,
        BTreeSet::from([
            Agreement::Open,
            Agreement::AgreedAdReferendum,
            Agreement::Agreed
        ])
    );
}

#[test]
fn a_rewording_changes_a_few_words() {
    let mut d = Dice::new(9);
    for _ in 0..500 {
        let text = clause_text(&mut d);
        let new = reword(&mut d, &text);
        assert_ne!(new, text);
        let n = words(&new);
        assert!((15..=95).contains(&n), "{n} words: {new}");
    }
}
