//! Benchmark of blame: a clause of about 60 words amended 1,000 times (each accepted
//! amendment rewords one to three words), with 99 other clauses beside it. Measures the fold
//! of the whole stream (attribution carried forward, one exact word diff per accepted
//! amendment) and the per-query cost of blaming the clause and summarising the text.

use std::hint::black_box;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use travaux_core::blame::{self, Blame};
use travaux_core::{
    AmendmentNo, Change, ClauseId, ClauseOp, DocumentId, Event, EventId, Method, Outcome,
    ParticipantId, RecordedEvent, StreamId,
};
use uuid::Uuid;

const WORDS: &[&str] = &[
    "Member",
    "States",
    "should",
    "shall",
    "may",
    "encourage",
    "discourage",
    "recruitment",
    "health",
    "personnel",
    "source",
    "destination",
    "countries",
    "developing",
    "assistance",
    "technical",
    "financial",
    "compensation",
    "mutual",
    "benefits",
    "strengthen",
    "systems",
    "workforce",
    "training",
    "education",
    "retention",
    "ethical",
    "voluntary",
    "cooperation",
    "bilateral",
    "agreements",
    "critical",
    "shortages",
    "migrant",
    "rights",
    "employment",
];

/// A deterministic generator (xorshift), so that every run benchmarks the same history.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn sentence(&mut self, n: usize) -> Vec<&'static str> {
        (0..n).map(|_| WORDS[self.below(WORDS.len())]).collect()
    }
}

fn text(words: &[&str]) -> String {
    let mut s = words.join(" ");
    s.push('.');
    s
}

/// The stream: a document, a first revision of 100 clauses, then 1,000 amendments to clause 0,
/// each proposed by one of 20 delegations and accepted (one in four as modified).
fn history() -> (Vec<RecordedEvent>, ClauseId) {
    let doc = Uuid::from_u128(7);
    let secretariat = ParticipantId(Uuid::from_u128(1));
    let chair = ParticipantId(Uuid::from_u128(2));
    let clause = |i: usize| ClauseId(Uuid::from_u128(1_000 + i as u128));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut events = Vec::new();
    let mut push = |actor, event| {
        let n = events.len() as u64 + 1;
        events.push(RecordedEvent {
            seq: n,
            id: EventId(Uuid::from_u128(1_000_000 + n as u128)),
            stream: StreamId(doc),
            version: n,
            recorded_at: Utc.timestamp_opt(1_200_000_000 + n as i64, 0).unwrap(),
            actor,
            schema: 1,
            prev_hash: Default::default(),
            hash: Default::default(),
            event,
        });
    };
    push(
        secretariat,
        Event::DocumentCreated {
            document: DocumentId(doc),
            slug: "code".into(),
            title: "Code".into(),
        },
    );
    let mut words = rng.sentence(60);
    let ops = (0..100)
        .map(|i| ClauseOp::Add {
            kind: None,
            notes: Vec::new(),
            clause: clause(i),
            parent: None,
            after: (i > 0).then(|| clause(i - 1)),
            label: format!("{}", i + 1),
            heading: None,
            text: if i == 0 {
                text(&words)
            } else {
                text(&rng.sentence(60))
            },
        })
        .collect();
    push(
        secretariat,
        Event::RevisionIssued {
            title: None,
            revision: 1,
            label: Some("first draft".into()),
            ops,
        },
    );
    for a in 1..=1_000u32 {
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(words.len());
            words[at] = WORDS[rng.below(WORDS.len())];
        }
        let wording = text(&words);
        let proposer = ParticipantId(Uuid::from_u128(100 + rng.below(20) as u128));
        push(
            proposer,
            Event::AmendmentProposed {
                amendment: AmendmentNo(a),
                change: Change::Replace {
                    clause: clause(0),
                    text: wording.clone(),
                },
                rationale: None,
            },
        );
        let outcome = if a % 4 == 0 {
            Outcome::AcceptedAsModified {
                text: wording.clone(),
            }
        } else {
            Outcome::Accepted
        };
        push(
            chair,
            Event::DecisionRecorded {
                amendment: AmendmentNo(a),
                outcome,
                method: Method::Consensus,
                ops: vec![ClauseOp::Reword {
                    kind: None,
                    notes: Vec::new(),
                    clause: clause(0),
                    heading: None,
                    text: wording,
                }],
            },
        );
    }
    (events, clause(0))
}

fn benches(c: &mut Criterion) {
    let (events, clause) = history();
    let state: Blame = blame::fold(&events);
    let runs = blame::blame(&state, clause).expect("the clause is live");
    eprintln!(
        "{} events; the clause has {} runs from {} amendments and the draft",
        events.len(),
        runs.len(),
        {
            let mut seqs: Vec<u64> = runs.iter().map(|r| r.origin.seq).collect();
            seqs.sort_unstable();
            seqs.dedup();
            seqs.len()
        }
    );
    c.bench_function("blame: fold 1,000 accepted amendments to one clause", |b| {
        b.iter(|| blame::fold(black_box(&events)))
    });
    c.bench_function("blame: runs of the clause (per query)", |b| {
        b.iter(|| blame::blame(black_box(&state), clause).map(|r| r.len()))
    });
    c.bench_function("blame: summary of 100 clauses by author (per query)", |b| {
        b.iter(|| black_box(&state).by_author().len())
    });
}

/// The group, in a module of its own: the function `criterion_group!` makes is then private.
mod group {
    use super::*;

    criterion_group!(blame_benches, benches);
}
criterion_main!(group::blame_benches);
