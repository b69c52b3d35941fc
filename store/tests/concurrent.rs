//! One store shared by many threads, as `travaux serve` shares it: concurrent appends keep one
//! gap-free order and every stream's versions, an expected version is won exactly once, a
//! retry racing its original writes once, a reader can wait for the durable head to move; and
//! the token read model, written through the registry stream like any other write.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use travaux_core::{
    create_document, issue_token, register_participant, Acting, CommentNo, DocumentId, DomainError,
    Event, EventId, Hash, ParticipantId, ParticipantKind, Position, RecordedEvent, StreamId,
    Timestamp, TokenId,
};
use travaux_store::{fingerprint, Appended, Clock, Expected, Store, StoreError, TokenEntry, Write};
use uuid::Uuid;

/// What a server does with its one store: share it between threads.
#[test]
fn a_store_can_be_shared_between_threads() {
    fn shared<T: Send + Sync + 'static>() {}
    shared::<Store>();
    shared::<Arc<Store>>();
}

fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2010, 5, 19, 9, 0, 0).unwrap()
}

fn write(stream: StreamId, actor: ParticipantId, expected: Expected) -> Write {
    Write {
        stream,
        expected,
        actor,
        clock: Clock::Now(now()),
        event_id: EventId(Uuid::new_v4()),
        request: fingerprint(b"a request"),
    }
}

fn comment(no: u32) -> Event {
    Event::CommentPosted {
        question: None,
        phase: None,
        received: None,
        comment: CommentNo(no),
        clause: None,
        position: Position::Neutral,
        text: format!("Comment {no}: the text should say more about health workers."),
        reply_to: None,
    }
}

/// A store with one participant and one document.
struct Committee {
    _dir: common::Place,
    store: Arc<Store>,
    secretariat: ParticipantId,
    doc: DocumentId,
}

impl Committee {
    fn new() -> Self {
        let dir = common::place();
        let (store, _) = Store::create(&dir.location).unwrap();
        let secretariat = register(&store, "secretariat", ParticipantKind::Secretariat);
        let doc = DocumentId(Uuid::new_v4());
        store
            .execute(
                write(StreamId::document(doc), secretariat, Expected::NoStream),
                |dir, _| create_document(dir, secretariat, doc, "code", "Global Code"),
            )
            .unwrap();
        Committee {
            _dir: dir,
            store: Arc::new(store),
            secretariat,
            doc,
        }
    }

    fn stream(&self) -> StreamId {
        StreamId::document(self.doc)
    }

    fn version(&self) -> u64 {
        self.store.stream_version(self.stream()).unwrap()
    }

    fn all(&self) -> Vec<RecordedEvent> {
        self.store.events_from(1).collect::<Result<_, _>>().unwrap()
    }

    fn stream_events(&self) -> Vec<RecordedEvent> {
        self.store
            .stream(self.stream())
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// Append the next comment, numbered from the state `decide` sees.
    fn comment(&self, expected: Expected) -> Result<Appended, StoreError> {
        self.store.execute(
            write(self.stream(), self.secretariat, expected),
            |_, state| {
                let state = state.expect("the document exists");
                Ok(vec![comment(state.comments + 1)])
            },
        )
    }

    /// The whole log in order, gap-free from 1, chained, and `verify` content with it.
    fn assert_log_whole(&self) -> Vec<RecordedEvent> {
        let all = self.all();
        let seqs: Vec<u64> = all.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=all.len() as u64).collect::<Vec<_>>());
        let mut versions: HashMap<StreamId, u64> = HashMap::new();
        for e in &all {
            let v = versions.entry(e.stream).or_default();
            *v += 1;
            assert_eq!(
                e.version, *v,
                "stream {} has a gap at event {}",
                e.stream, e.seq
            );
        }
        let report = self.store.verify().unwrap();
        assert_eq!(report.problem, None);
        assert_eq!(report.head_seq, all.len() as u64);
        assert_eq!(self.store.head().0, all.len() as u64);
        assert_eq!(self.store.durable_head(), all.len() as u64);
        all
    }
}

fn register(store: &Store, handle: &str, kind: ParticipantKind) -> ParticipantId {
    let id = ParticipantId(Uuid::new_v4());
    store
        .execute(write(StreamId::REGISTRY, id, Expected::Any), |dir, _| {
            register_participant(dir, Acting::Owner, id, handle, handle, kind)
        })
        .unwrap();
    id
}

const THREADS: usize = 32;

#[test]
fn thirty_two_threads_appending_fifty_events_each_get_one_gap_free_order() {
    const EACH: usize = 50;
    let c = Committee::new();
    let before = c.store.head().0;
    let acknowledged = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for _ in 0..EACH {
                    let appended = c.comment(Expected::Any).unwrap();
                    assert!(!appended.duplicate);
                    let seq = appended.events[0].seq;
                    // Acknowledged means durable.
                    assert!(c.store.durable_head() >= seq);
                    acknowledged.lock().unwrap().push(seq);
                }
            });
        }
    });
    let mut acknowledged = acknowledged.into_inner().unwrap();
    acknowledged.sort_unstable();
    let total = (THREADS * EACH) as u64;
    assert_eq!(
        acknowledged,
        (before + 1..=before + total).collect::<Vec<_>>(),
        "every sequence number acknowledged exactly once"
    );
    let all = c.assert_log_whole();
    assert_eq!(all.len() as u64, before + total);
    let comments: Vec<&RecordedEvent> = all
        .iter()
        .filter(|e| matches!(e.event, Event::CommentPosted { .. }))
        .collect();
    assert_eq!(comments.len(), THREADS * EACH);
    // Each decision saw every append before it: the comments are numbered 1, 2, 3, ... in the
    // order of the log, with no number taken twice.
    for (i, e) in comments.iter().enumerate() {
        match &e.event {
            Event::CommentPosted { comment, .. } => assert_eq!(comment.0 as usize, i + 1),
            _ => unreachable!(),
        }
    }
    let stream = c.stream_events();
    let versions: Vec<u64> = stream.iter().map(|e| e.version).collect();
    assert_eq!(versions, (1..=stream.len() as u64).collect::<Vec<_>>());
    assert_eq!(c.version(), stream.len() as u64);
}

#[test]
fn with_expected_versions_each_round_has_one_winner_and_the_others_get_a_conflict() {
    const ROUNDS: usize = 15;
    let c = Committee::new();
    let start = Barrier::new(THREADS);
    let go = Barrier::new(THREADS);
    // (round, version read, outcome)
    let outcomes = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for round in 0..ROUNDS {
                    start.wait();
                    let v = c.version();
                    // Everyone has read the version before anyone writes.
                    go.wait();
                    let outcome = c.comment(Expected::Exact(v));
                    outcomes.lock().unwrap().push((round, v, outcome));
                }
            });
        }
    });
    let outcomes = outcomes.into_inner().unwrap();
    let first = c.version() - ROUNDS as u64;
    for round in 0..ROUNDS {
        let v = first + round as u64;
        let mut won = 0;
        for (_, read, outcome) in outcomes.iter().filter(|(r, ..)| *r == round) {
            assert_eq!(*read, v);
            match outcome {
                Ok(a) => {
                    won += 1;
                    assert_eq!(a.events[0].version, v + 1);
                }
                Err(StoreError::Conflict {
                    expected, actual, ..
                }) => {
                    assert_eq!(expected, &v.to_string());
                    assert_eq!(*actual, v + 1);
                }
                Err(e) => panic!("round {round}: {e}"),
            }
        }
        assert_eq!(won, 1, "round {round} has one winner");
    }
    c.assert_log_whole();
}

#[test]
fn writers_racing_with_expected_versions_win_every_version_exactly_once() {
    const WINS: usize = 10;
    let c = Committee::new();
    let before = c.version();
    let won = Mutex::new(Vec::new());
    let conflicts = Mutex::new(0u64);
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                let mut mine = 0;
                while mine < WINS {
                    let v = c.version();
                    match c.comment(Expected::Exact(v)) {
                        Ok(a) => {
                            assert_eq!(a.events[0].version, v + 1);
                            won.lock().unwrap().push(v + 1);
                            mine += 1;
                        }
                        Err(StoreError::Conflict { actual, .. }) => {
                            assert!(actual > v);
                            *conflicts.lock().unwrap() += 1;
                        }
                        Err(e) => panic!("{e}"),
                    }
                }
            });
        }
    });
    let mut won = won.into_inner().unwrap();
    won.sort_unstable();
    let total = (THREADS * WINS) as u64;
    assert_eq!(won, (before + 1..=before + total).collect::<Vec<_>>());
    assert_eq!(c.version(), before + total);
    // A conflict writes nothing: the stream holds the winners only.
    assert_eq!(c.stream_events().len() as u64, before + total);
    c.assert_log_whole();
}

#[test]
fn a_retry_racing_its_original_writes_once_and_every_caller_gets_the_same_events() {
    let c = Committee::new();
    let before = c.store.head().0;
    let w = write(c.stream(), c.secretariat, Expected::Any);
    let results = Mutex::new(Vec::new());
    let go = Barrier::new(8);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                go.wait();
                let a = c
                    .store
                    .execute(w, |_, state| Ok(vec![comment(state.unwrap().comments + 1)]))
                    .unwrap();
                results.lock().unwrap().push(a);
            });
        }
    });
    let results = results.into_inner().unwrap();
    assert_eq!(results.iter().filter(|a| !a.duplicate).count(), 1);
    for a in &results {
        assert_eq!(a.events, results[0].events);
        assert_eq!(a.events[0].seq, before + 1);
    }
    assert_eq!(c.store.head().0, before + 1);
    c.assert_log_whole();
}

#[test]
fn appends_from_spawned_threads_sharing_an_arc_are_all_durable_and_in_order() {
    let c = Committee::new();
    let before = c.store.head().0;
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let store = Arc::clone(&c.store);
            let actor = c.secretariat;
            std::thread::spawn(move || {
                // Each thread its own stream: a registry entry per thread.
                for n in 0..10 {
                    let id = ParticipantId(Uuid::new_v4());
                    let handle = format!("delegate-{t}-{n}");
                    let w = write(StreamId::REGISTRY, actor, Expected::Any);
                    store
                        .execute(w, |dir, _| {
                            register_participant(
                                dir,
                                Acting::Owner,
                                id,
                                &handle,
                                &handle,
                                ParticipantKind::MemberState,
                            )
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(c.store.head().0, before + 80);
    assert_eq!(c.store.participants().unwrap().len(), 81);
    c.assert_log_whole();
}

#[test]
fn a_reader_waiting_for_the_durable_head_wakes_on_an_append_from_another_thread() {
    let c = Committee::new();
    let head = c.store.durable_head();
    assert_eq!(head, c.store.head().0);
    // Nothing appended: the wait ends at its timeout with the head unchanged.
    assert_eq!(
        c.store.wait_for_durable(head, Duration::from_millis(20)),
        head
    );
    // Already past: no wait at all.
    assert_eq!(c.store.wait_for_durable(0, Duration::from_secs(600)), head);

    let long = Duration::from_secs(600);
    let ready = Barrier::new(2);
    let (woke_at, waited) = std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            ready.wait();
            let started = Instant::now();
            let durable = c.store.wait_for_durable(head, long);
            (durable, started.elapsed())
        });
        ready.wait();
        c.comment(Expected::Any).unwrap();
        waiter.join().unwrap()
    });
    assert_eq!(woke_at, head + 1);
    // Woken by the append, not by the timeout (this bounds no speed: the timeout is ten
    // minutes).
    assert!(waited < long);
    assert_eq!(c.store.durable_head(), head + 1);

    // Several readers following the log each see every event, up to the durable head only.
    let followers = 4;
    let appends = 30u64;
    let target = head + 1 + appends;
    let seen = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..followers {
            s.spawn(|| {
                let mut at = head + 1;
                let mut mine = Vec::new();
                while at < target {
                    let durable = c.store.wait_for_durable(at, long);
                    for e in c.store.events_from(at + 1) {
                        let e = e.unwrap();
                        if e.seq > durable {
                            break;
                        }
                        mine.push(e.seq);
                    }
                    at = durable;
                }
                seen.lock().unwrap().push(mine);
            });
        }
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..appends / 4 {
                    c.comment(Expected::Any).unwrap();
                }
            });
        }
        for _ in 0..appends % 4 {
            c.comment(Expected::Any).unwrap();
        }
    });
    for mine in seen.into_inner().unwrap() {
        assert_eq!(mine, (head + 2..=target).collect::<Vec<_>>());
    }
    c.assert_log_whole();
}

/// SHA-256 of a bearer token, as the server keeps it.
fn digest(token: &str) -> Hash {
    fingerprint(token.as_bytes())
}

fn issue(store: &Store, by: ParticipantId, to: ParticipantId, token: &str) -> TokenId {
    let id = TokenId(Uuid::new_v4());
    store
        .execute(write(StreamId::REGISTRY, by, Expected::Any), |dir, _| {
            Ok(vec![issue_token(
                dir,
                Acting::Owner,
                to,
                id,
                digest(token),
            )?])
        })
        .unwrap();
    id
}

fn revoke(store: &Store, by: ParticipantId, token: TokenId) {
    store
        .execute(write(StreamId::REGISTRY, by, Expected::Any), |_, _| {
            Ok(vec![Event::TokenRevoked { token }])
        })
        .unwrap();
}

type TokenView = (Vec<TokenEntry>, Vec<Option<(TokenId, ParticipantId)>>);

fn token_view(store: &Store, tokens: &[&str]) -> TokenView {
    (
        store.tokens().unwrap(),
        tokens
            .iter()
            .map(|t| store.token(&digest(t)).unwrap())
            .collect(),
    )
}

#[test]
fn tokens_are_issued_looked_up_by_digest_revoked_and_rebuilt_the_same() {
    let c = Committee::new();
    let store = &c.store;
    let sec = c.secretariat;
    let kenya = register(store, "kenya", ParticipantKind::MemberState);
    assert_eq!(store.tokens().unwrap(), []);
    assert_eq!(store.token(&digest("nothing")).unwrap(), None);

    let first = issue(store, sec, kenya, "kenya-token-1");
    let second = issue(store, sec, kenya, "kenya-token-2");
    let own = issue(store, sec, sec, "secretariat-token");
    assert_eq!(
        store.token(&digest("kenya-token-1")).unwrap(),
        Some((first, kenya))
    );
    assert_eq!(
        store.token(&digest("secretariat-token")).unwrap(),
        Some((own, sec))
    );
    assert_eq!(store.token(&digest("kenya-token-3")).unwrap(), None);

    revoke(store, sec, first);
    assert_eq!(store.token(&digest("kenya-token-1")).unwrap(), None);
    assert_eq!(
        store.token(&digest("kenya-token-2")).unwrap(),
        Some((second, kenya))
    );
    let listed = store.tokens().unwrap();
    let issued_at: Vec<Timestamp> = c
        .all()
        .iter()
        .filter(|e| matches!(e.event, Event::TokenIssued { .. }))
        .map(|e| e.recorded_at)
        .collect();
    assert_eq!(
        listed,
        vec![
            TokenEntry {
                token: first,
                participant: kenya,
                issued_at: issued_at[0],
                revoked: true,
            },
            TokenEntry {
                token: second,
                participant: kenya,
                issued_at: issued_at[1],
                revoked: false,
            },
            TokenEntry {
                token: own,
                participant: sec,
                issued_at: issued_at[2],
                revoked: false,
            },
        ],
        "every token, in the order issued, revoked or not"
    );

    // Revoking twice, or a token never issued, changes nothing.
    revoke(store, sec, first);
    revoke(store, sec, TokenId(Uuid::new_v4()));
    assert_eq!(store.tokens().unwrap(), listed);

    // Issued and revoked in one append: the revocation finds the token in the same batch.
    let batch_token = TokenId(Uuid::new_v4());
    store
        .execute(write(StreamId::REGISTRY, sec, Expected::Any), |dir, _| {
            Ok(vec![
                issue_token(
                    dir,
                    Acting::Owner,
                    kenya,
                    batch_token,
                    digest("short-lived"),
                )?,
                Event::TokenRevoked { token: batch_token },
            ])
        })
        .unwrap();
    assert_eq!(store.token(&digest("short-lived")).unwrap(), None);
    let last = store.tokens().unwrap().pop().unwrap();
    assert_eq!((last.token, last.revoked), (batch_token, true));

    // A token for no participant is refused, and nothing is written.
    let head = store.head().0;
    let stranger = ParticipantId(Uuid::new_v4());
    let refused = store.execute(write(StreamId::REGISTRY, sec, Expected::Any), |dir, _| {
        Ok(vec![issue_token(
            dir,
            Acting::Owner,
            stranger,
            TokenId(Uuid::new_v4()),
            digest("x"),
        )?])
    });
    assert!(matches!(
        refused,
        Err(StoreError::Domain(DomainError::UnknownParticipant(_)))
    ));
    assert_eq!(store.head().0, head);

    let names = [
        "kenya-token-1",
        "kenya-token-2",
        "secretariat-token",
        "short-lived",
        "x",
    ];
    let before = token_view(store, &names);
    // The token read models are caches: deleted and rebuilt from the log, the same answers.
    for prefix in [b't', b'T'] {
        let keys: Vec<_> = store
            .read_models()
            .scan_prefix(&[prefix])
            .map(|kv| kv.unwrap().0)
            .collect();
        assert!(!keys.is_empty());
        for k in keys {
            store.remove_read_model(&k).unwrap();
        }
    }
    assert_eq!(store.tokens().unwrap(), []);
    assert_eq!(store.token(&digest("kenya-token-2")).unwrap(), None);
    store.rebuild().unwrap();
    assert_eq!(token_view(store, &names), before);
    // And a rebuild of a whole store changes nothing either.
    store.rebuild().unwrap();
    assert_eq!(token_view(store, &names), before);
    c.assert_log_whole();
}

#[test]
fn tokens_issued_and_revoked_from_many_threads_are_all_accounted_for() {
    let c = Committee::new();
    let sec = c.secretariat;
    let issued = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for t in 0..8 {
            let issued = &issued;
            let store = &c.store;
            s.spawn(move || {
                for n in 0..10 {
                    let name = format!("token-{t}-{n}");
                    let id = issue(store, sec, sec, &name);
                    if n % 2 == 0 {
                        revoke(store, sec, id);
                    }
                    issued.lock().unwrap().push((name, id, n % 2 == 0));
                }
            });
        }
    });
    let issued = issued.into_inner().unwrap();
    let listed = c.store.tokens().unwrap();
    assert_eq!(listed.len(), issued.len());
    let ids: BTreeSet<TokenId> = listed.iter().map(|t| t.token).collect();
    assert_eq!(ids.len(), issued.len());
    for (name, id, revoked) in &issued {
        let entry = listed.iter().find(|t| t.token == *id).unwrap();
        assert_eq!(entry.revoked, *revoked);
        let found = c.store.token(&digest(name)).unwrap();
        assert_eq!(found, (!revoked).then_some((*id, sec)));
    }
    c.assert_log_whole();
}
