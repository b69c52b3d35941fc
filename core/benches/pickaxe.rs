//! Benchmark of pickaxe (`log -S`): a document log of 100,000 events on a 100-clause text,
//! built in memory with the core API: one revision issuing the text, then a realistic mix of
//! comments, amendments (proposed, supported, opposed) and decisions, a third of which accept
//! a new wording, and a revision every 10,000 events rewording a tenth of the text.
//!
//! Run with `cargo bench -p travaux-core --bench pickaxe`.

use chrono::{TimeZone, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use travaux_core::pickaxe::{pickaxe, Needle};
use travaux_core::{
    AmendmentNo, Change, ClauseId, ClauseOp, CommentNo, DocumentId, Event, EventId, Hash, Method,
    Outcome, ParticipantId, Position, RecordedEvent, StreamId,
};
use uuid::Uuid;

const EVENTS: usize = 100_000;
const CLAUSES: usize = 100;

const WORDS: &[&str] = &[
    "Member",
    "States",
    "should",
    "shall",
    "health",
    "personnel",
    "recruitment",
    "source",
    "destination",
    "countries",
    "technical",
    "financial",
    "assistance",
    "compensation",
    "developing",
    "workforce",
    "ethical",
    "international",
    "the",
    "of",
    "and",
    "to",
];

/// A small deterministic generator (no randomness in the benchmark's input).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize
    }

    fn text(&mut self, words: usize) -> String {
        let mut s = String::new();
        for i in 0..words {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(WORDS[self.next() % WORDS.len()]);
        }
        s.push('.');
        s
    }
}

fn clause(i: usize) -> ClauseId {
    ClauseId(Uuid::from_u128(1_000_000 + i as u128))
}

fn recorded(seq: u64, event: Event) -> RecordedEvent {
    RecordedEvent {
        seq,
        id: EventId(Uuid::from_u128(seq as u128)),
        stream: StreamId(Uuid::from_u128(1)),
        version: seq,
        recorded_at: Utc.timestamp_opt(1_200_000_000 + seq as i64, 0).unwrap(),
        actor: ParticipantId(Uuid::from_u128(2 + seq as u128 % 20)),
        schema: event.schema(),
        prev_hash: Hash::default(),
        hash: Hash::default(),
        event,
    }
}

fn log() -> Vec<RecordedEvent> {
    let mut rng = Lcg(42);
    let mut events = vec![recorded(
        1,
        Event::DocumentCreated {
            document: DocumentId(Uuid::from_u128(1)),
            slug: "code".into(),
            title: "Global Code".into(),
        },
    )];
    let ops = (0..CLAUSES)
        .map(|i| ClauseOp::Add {
            kind: None,
            notes: Vec::new(),
            clause: clause(i),
            parent: None,
            after: i.checked_sub(1).map(clause),
            label: format!("{}", i + 1),
            heading: None,
            text: rng.text(60),
        })
        .collect();
    events.push(recorded(
        2,
        Event::RevisionIssued {
            title: None,
            revision: 1,
            label: None,
            ops,
        },
    ));
    let (mut amendments, mut comments, mut revisions) = (0u32, 0u32, 1u32);
    while events.len() < EVENTS {
        let seq = events.len() as u64 + 1;
        let roll = rng.next() % 100;
        let event = if seq.is_multiple_of(10_000) {
            revisions += 1;
            Event::RevisionIssued {
                title: None,
                revision: revisions,
                label: None,
                ops: (0..CLAUSES / 10)
                    .map(|_| ClauseOp::Reword {
                        kind: None,
                        notes: Vec::new(),
                        clause: clause(rng.next() % CLAUSES),
                        heading: None,
                        text: rng.text(60),
                    })
                    .collect(),
            }
        } else if roll < 60 || amendments == 0 {
            comments += 1;
            Event::CommentPosted {
                question: None,
                phase: None,
                received: None,
                comment: CommentNo(comments),
                clause: Some(clause(rng.next() % CLAUSES)),
                position: Position::Support,
                text: rng.text(40),
                reply_to: None,
            }
        } else if roll < 75 {
            amendments += 1;
            Event::AmendmentProposed {
                amendment: AmendmentNo(amendments),
                change: Change::Replace {
                    clause: clause(rng.next() % CLAUSES),
                    text: rng.text(60),
                },
                rationale: Some(rng.text(20)),
            }
        } else if roll < 90 {
            let amendment = AmendmentNo(1 + (rng.next() % amendments as usize) as u32);
            if roll < 83 {
                Event::AmendmentSupported { amendment }
            } else {
                Event::AmendmentOpposed { amendment }
            }
        } else {
            let amendment = AmendmentNo(1 + (rng.next() % amendments as usize) as u32);
            let accepted = rng.next().is_multiple_of(3);
            Event::DecisionRecorded {
                amendment,
                outcome: if accepted {
                    Outcome::Accepted
                } else {
                    Outcome::Rejected
                },
                method: Method::Consensus,
                ops: if accepted {
                    vec![ClauseOp::Reword {
                        kind: None,
                        notes: Vec::new(),
                        clause: clause(rng.next() % CLAUSES),
                        heading: None,
                        text: rng.text(60),
                    }]
                } else {
                    Vec::new()
                },
            }
        };
        events.push(recorded(seq, event));
    }
    events
}

fn bench(c: &mut Criterion) {
    let events = log();
    let needle = Needle::new("technical assistance", false).expect("a phrase");
    let hits = pickaxe(&events, &needle).len();
    eprintln!(
        "pickaxe: {} events, {hits} change the count of \"technical assistance\"",
        events.len()
    );
    let mut group = c.benchmark_group("pickaxe");
    group.sample_size(20);
    group.bench_function("log -S over 100,000 events (100 clauses)", |b| {
        b.iter(|| pickaxe(black_box(&events), &needle))
    });
    let ignoring = Needle::new("Technical Assistance", true).expect("a phrase");
    group.bench_function("log -S --ignore-case over 100,000 events", |b| {
        b.iter(|| pickaxe(black_box(&events), &ignoring))
    });
    group.finish();
}

/// The group, in a module of its own: the function `criterion_group!` makes is then private.
mod group {
    use super::*;

    criterion_group!(benches, bench);
}
criterion_main!(group::benches);
