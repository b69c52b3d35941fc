//! A command is decided against the document with its open amendments, and any closed one it
//! names read when it asks: the answer is the same as against the document with every
//! amendment, refusals included.

mod common;

use travaux_core::{
    decide, AmendmentNo, AmendmentStatus, BracketStatus, Command, DocumentState, Method, Outcome,
    ParticipantId, Role, StreamId,
};
use travaux_gen::{generate, Spec};
use travaux_store::{fingerprint, Clock, Expected, Store, StoreError, Write};

fn holder(head: &DocumentState, role: Role) -> ParticipantId {
    *head
        .roles
        .iter()
        .find(|(_, roles)| roles.contains(&role))
        .unwrap_or_else(|| panic!("nobody holds {role:?}"))
        .0
}

/// A new store with a generated history, and its document.
fn generated(spec: &Spec) -> (common::Place, Store, travaux_core::DocumentId) {
    let dir = common::place();
    let (store, _) = Store::create(&dir.location).unwrap();
    generate(&store, spec, &mut |_| {}).unwrap();
    let doc = store.documents().unwrap()[0].id;
    (dir, store, doc)
}

#[test]
fn commands_answer_as_against_every_amendment() {
    let spec = Spec {
        events: 4_000,
        seed: 5,
        ..Spec::default()
    };
    let (_dir, store, doc) = generated(&spec);
    let head = store.document(doc).unwrap().unwrap();
    let (chair, delegate) = (holder(&head, Role::Chair), holder(&head, Role::Delegate));
    let proposed = head.amendments_proposed;
    let closed = head
        .amendments
        .values()
        .filter(|a| !a.status.is_open())
        .count();
    assert!(closed > 20, "the history has decided amendments: {closed}");

    let open: Vec<AmendmentNo> = head
        .amendments
        .values()
        .filter(|a| a.status.is_open())
        .map(|a| a.no)
        .collect();
    assert!(!open.is_empty(), "the history ends with amendments open");
    let mut numbers: Vec<AmendmentNo> = (1..=proposed + 1).step_by(5).map(AmendmentNo).collect();
    numbers.extend(&open);
    // No amendment is numbered 0 (they count from 1, eight to a read model's key).
    numbers.push(AmendmentNo(0));
    assert_eq!(store.amendment(doc, AmendmentNo(0)).unwrap(), None);

    let (mut written, mut refused) = (0, 0);
    let adopt = || Command::Adopt {
        symbol: "WHA99.1".into(),
        method: Method::Consensus,
    };
    let mut commands: Vec<(ParticipantId, Command)> = vec![(chair, adopt())];
    // Lifting a bracket rejects its open alternatives: amendments no command names.
    let lifted_with_alternatives = head
        .process
        .brackets
        .values()
        .filter(|b| b.status == BracketStatus::Open && head.alternatives(b.no).next().is_some())
        .count();
    assert!(
        lifted_with_alternatives > 0,
        "no open bracket has alternatives"
    );
    commands.extend(
        head.process
            .brackets
            .values()
            .filter(|b| b.status == BracketStatus::Open)
            .map(|b| {
                let lift = Command::LiftBracket {
                    bracket: b.no,
                    method: Method::Consensus,
                };
                (chair, lift)
            }),
    );
    for no in numbers {
        let proposer = head.amendments.get(&no).map_or(delegate, |a| a.proposer);
        let decision = |outcome, reopen| Command::RecordDecision {
            amendment: no,
            outcome,
            method: Method::Consensus,
            reopen,
        };
        commands.extend([
            (delegate, Command::SupportAmendment(no)),
            (delegate, Command::OpposeAmendment(no)),
            (chair, decision(Outcome::Rejected, false)),
            (chair, decision(Outcome::Accepted, true)),
            (proposer, Command::WithdrawAmendment(no)),
        ]);
    }
    // Adoption is refused while amendments are open, whichever the command reads.
    commands.push((chair, adopt()));
    for (actor, cmd) in commands {
        let every = store.document(doc).unwrap().unwrap();
        let expected = decide(&every, actor, &store, cmd.clone());
        let w = Write {
            stream: StreamId::document(doc),
            expected: Expected::Any,
            actor,
            clock: Clock::Now(chrono::Utc::now()),
            event_id: travaux_core::EventId(uuid::Uuid::new_v4()),
            request: fingerprint(format!("{cmd:?}").as_bytes()),
        };
        let got = store.execute(w, |dir, s| decide(s.unwrap(), actor, dir, cmd.clone()));
        match (expected, got) {
            (Ok(events), Ok(appended)) => {
                let stored: Vec<_> = appended.events.into_iter().map(|e| e.event).collect();
                assert_eq!(stored, events, "{cmd:?}");
                written += 1;
            }
            (Err(want), Err(StoreError::Domain(got))) => {
                assert_eq!(got, want, "{cmd:?}");
                refused += 1;
            }
            (want, got) => panic!("{cmd:?}: expected {want:?}, got {got:?}"),
        }
    }
    assert!(
        written > open.len() && refused > 100,
        "{written} written, {refused} refused"
    );
    // What was written folds as the plain replay does.
    assert_eq!(
        store.document(doc).unwrap(),
        store.replay_document(doc, travaux_core::Cut::Head).unwrap()
    );
}

/// The read model of a decided amendment is gone (a damaged cache): a command naming it is
/// answered from the stream, as before, not told the amendment does not exist.
#[test]
fn a_missing_amendment_read_model_is_replaced_by_the_stream() {
    let (_dir, store, doc) = generated(&Spec::new(3_000));
    let head = store.document(doc).unwrap().unwrap();
    let chair = holder(&head, Role::Chair);
    let decided = head
        .amendments
        .values()
        .find(|a| !a.status.is_open())
        .expect("a decided amendment")
        .no;
    // Amendments are kept eight to a key (`A`, document, block): the block goes.
    let mut key = vec![b'A'];
    key.extend_from_slice(doc.0.as_bytes());
    key.extend_from_slice(&((decided.0 - 1) / 8).to_be_bytes());
    assert!(store.remove_read_model(&key).unwrap().is_some());
    let cmd = Command::RecordDecision {
        amendment: decided,
        outcome: Outcome::Rejected,
        method: Method::Consensus,
        reopen: false,
    };
    let w = Write {
        stream: StreamId::document(doc),
        expected: Expected::Any,
        actor: chair,
        clock: Clock::Now(chrono::Utc::now()),
        event_id: travaux_core::EventId(uuid::Uuid::new_v4()),
        request: fingerprint(b"decide again"),
    };
    let err = store
        .execute(w, |dir, s| decide(s.unwrap(), chair, dir, cmd.clone()))
        .unwrap_err();
    assert!(err.to_string().contains("already decided"), "{err}");
}

/// `log` tells the fate of a decided or withdrawn amendment from the event that closed it,
/// without reading the amendment: that status must be the amendment's at the head.
#[test]
fn a_decision_or_withdrawal_that_closes_an_amendment_gives_its_status_at_the_head() {
    let (_dir, store, doc) = generated(&Spec::new(6_000));
    let (mut sealed, mut deferred) = (0, 0);
    let mut withdrawn = 0;
    for e in store.stream(StreamId::document(doc)) {
        let e = e.unwrap();
        let Some(no) = e.event.amendment() else {
            continue;
        };
        let at_head = store
            .amendment(doc, no)
            .unwrap()
            .expect("the amendment")
            .status;
        match AmendmentStatus::sealed_by(&e) {
            Some(status) => {
                sealed += 1;
                withdrawn += usize::from(matches!(status, AmendmentStatus::Withdrawn { .. }));
                assert_eq!(status, at_head, "event {} on {no}", e.seq);
            }
            None => {
                deferred += usize::from(AmendmentStatus::given_by(&e).is_some());
                // An event that does not close its amendment does not say its fate: the
                // amendment was open after it, and may still be.
                if let AmendmentStatus::Decided { seq, .. } | AmendmentStatus::Withdrawn { seq } =
                    at_head
                {
                    assert!(seq > e.seq, "event {} on {no}, closed at {seq}", e.seq);
                }
            }
        }
    }
    assert!(
        sealed > 50 && withdrawn > 0,
        "{sealed} closing events, {withdrawn} withdrawals"
    );
    assert!(deferred > 0, "the history defers some amendments");
}
