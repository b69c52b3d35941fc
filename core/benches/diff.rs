//! Benchmark of diff: two versions of a 3,000-word text, about 11% of the words changed, diffed
//! by words, by lines, and clause by clause as documents (`diff_documents`, words inside the
//! changed clauses).
//!
//! Run with `cargo bench -p travaux-core --bench diff`.

use std::hint::black_box;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use travaux_core::diff::{diff_documents, diff_text, Granularity};
use travaux_core::{
    ClauseId, ClauseOp, DocumentId, DocumentState, Event, EventId, Hash, ParticipantId,
    RecordedEvent, StreamId,
};
use uuid::Uuid;

const VOCABULARY: &[&str] = &[
    "health",
    "personnel",
    "Member",
    "States",
    "should",
    "recruit",
    "source",
    "countries",
    "workforce",
    "ethical",
    "data",
    "Code",
    "training",
    "migration",
    "rights",
    "developing",
    "international",
    "assistance",
    "technical",
    "financial",
    "systems",
    "retention",
    "the",
    "of",
    "and",
    "to",
    "in",
    "with",
    "for",
    "strengthen",
    "policies",
    "practices",
];

/// 30 paragraphs of 100 words (3,000 words); in the second version about 11% of the words are
/// replaced, in runs of one to three words.
fn versions() -> (Vec<String>, Vec<String>) {
    let mut x: u64 = 42;
    let mut next = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as usize
    };
    let mut old = Vec::new();
    let mut new = Vec::new();
    for _ in 0..30 {
        let words: Vec<&str> = (0..100)
            .map(|_| VOCABULARY[next() % VOCABULARY.len()])
            .collect();
        let mut changed = words.clone();
        let mut i = 0;
        while i < changed.len() {
            // A run starts at about 1 word in 17; runs average 2 words: ~11% changed.
            if next() % 17 == 0 {
                for _ in 0..(1 + next() % 3) {
                    if i < changed.len() {
                        changed[i] = ["assist", "encourage", "consider", "voluntary"][next() % 4];
                        i += 1;
                    }
                }
            } else {
                i += 1;
            }
        }
        old.push(format!("{}.", words.join(" ")));
        new.push(format!("{}.", changed.join(" ")));
    }
    (old, new)
}

fn event(seq: u64, event: Event) -> RecordedEvent {
    RecordedEvent {
        seq,
        id: EventId(Uuid::from_u128(seq as u128)),
        stream: StreamId::document(DocumentId(Uuid::from_u128(1))),
        version: seq,
        recorded_at: Utc.timestamp_opt(1_200_000_000 + seq as i64, 0).unwrap(),
        actor: ParticipantId(Uuid::from_u128(2)),
        schema: 1,
        prev_hash: Hash::default(),
        hash: Hash::default(),
        event,
    }
}

/// A document of three articles of ten paragraphs each, with these paragraph texts.
fn document(paragraphs: &[String]) -> DocumentState {
    let id = |n: u128| ClauseId(Uuid::from_u128(1000 + n));
    let mut ops = Vec::new();
    for a in 0..3u128 {
        ops.push(ClauseOp::Add {
            kind: None,
            notes: Vec::new(),
            clause: id(a * 100),
            parent: None,
            after: (a > 0).then(|| id((a - 1) * 100)),
            label: format!("Article {}", a + 1),
            heading: Some("Heading".into()),
            text: String::new(),
        });
        for k in 0..10u128 {
            ops.push(ClauseOp::Add {
                kind: None,
                notes: Vec::new(),
                clause: id(a * 100 + k + 1),
                parent: Some(id(a * 100)),
                after: (k > 0).then(|| id(a * 100 + k)),
                label: format!("{}.{}", a + 1, k + 1),
                heading: None,
                text: paragraphs[(a * 10 + k) as usize].clone(),
            });
        }
    }
    let events = [
        event(
            1,
            Event::DocumentCreated {
                document: DocumentId(Uuid::from_u128(1)),
                slug: "bench".into(),
                title: "Bench".into(),
            },
        ),
        event(
            2,
            Event::RevisionIssued {
                title: None,
                revision: 1,
                label: None,
                ops,
            },
        ),
    ];
    DocumentState::replay(&events).expect("a document")
}

fn bench(c: &mut Criterion) {
    let (old, new) = versions();
    let (old_text, new_text) = (old.join(" "), new.join(" "));
    let (old_lines, new_lines) = (old.join("\n") + "\n", new.join("\n") + "\n");
    let (old_doc, new_doc) = (document(&old), document(&new));
    let changed = diff_text(&old_text, &new_text, Granularity::Words, None);
    let (ins, del) = changed.word_counts();
    eprintln!(
        "3,000 words: {ins} inserted, {del} deleted ({:.1}% changed)",
        100.0 * del as f64 / 3000.0
    );

    let mut g = c.benchmark_group("diff_3000_words_11pct");
    g.bench_function("words", |b| {
        b.iter(|| {
            diff_text(
                black_box(&old_text),
                black_box(&new_text),
                Granularity::Words,
                None,
            )
        })
    });
    g.bench_function("lines", |b| {
        b.iter(|| {
            diff_text(
                black_box(&old_lines),
                black_box(&new_lines),
                Granularity::Lines,
                None,
            )
        })
    });
    g.bench_function("document_words", |b| {
        b.iter(|| {
            diff_documents(
                black_box(&old_doc),
                black_box(&new_doc),
                None,
                Granularity::Words,
                None,
            )
        })
    });
    g.finish();
}

/// The group, in a module of its own: the function `criterion_group!` makes is then private.
mod group {
    use super::*;

    criterion_group!(benches, bench);
}
criterion_main!(group::benches);
