//! Benchmark of import planning on a code the size of a civil code: about 1.5 MB of text in
//! 2,500 sections (5 books of 10 chapters of 50 §), each § with a heading and 2 to 5
//! paragraphs `(1)` … `(5)`, words drawn from a Zipf-like vocabulary of 5,000 words.
//!
//! Planned: the code against an empty document (a first import), against itself (nothing to
//! do), and a next version against the previous one: 25 new sections inserted (every § after
//! them renumbered), 10 removed, 5% of the paragraphs reworded by a word, 1% rewritten, a
//! chapter moved to another book; and, the worst case for matching, every paragraph reworded
//! by a word (nothing found by exact wording).
//!
//! Run with `cargo bench -p travaux-core --bench import`.

use std::hint::black_box;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use travaux_core::import::{plan_revision, Draft, DraftClause};
use travaux_core::{
    ClauseId, ClauseKind, DocumentId, DocumentState, Event, EventId, Hash, ParticipantId,
    RecordedEvent, StreamId,
};
use uuid::Uuid;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }

    /// A word of a 5,000-word vocabulary, the frequent ones far more often (about Zipf).
    fn word(&mut self) -> String {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        let rank = (5000f64.powf(u)) as usize;
        format!("w{rank}")
    }

    fn words(&mut self, n: usize) -> String {
        (0..n).map(|_| self.word()).collect::<Vec<_>>().join(" ")
    }
}

fn clause(
    kind: ClauseKind,
    label: String,
    heading: Option<String>,
    text: String,
    children: Vec<DraftClause>,
) -> DraftClause {
    DraftClause {
        label,
        heading,
        text,
        kind: Some(kind),
        notes: Vec::new(),
        children,
        line: 0,
    }
}

/// A section: its heading and its paragraphs' texts.
#[derive(Clone)]
struct Section {
    heading: String,
    paragraphs: Vec<String>,
}

/// Books of chapters of sections.
type Code = Vec<Vec<Vec<Section>>>;

fn code(rng: &mut Rng) -> Code {
    (0..5)
        .map(|_| {
            (0..10)
                .map(|_| {
                    (0..50)
                        .map(|_| Section {
                            heading: rng.words(4),
                            paragraphs: (0..2 + rng.next() % 4).map(|_| rng.words(35)).collect(),
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// The next version: sections inserted and removed, paragraphs reworded, a chapter moved.
fn revise(mut code: Code, rng: &mut Rng) -> Code {
    for _ in 0..25 {
        let (b, c) = (rng.next() % 5, rng.next() % 10);
        let at = rng.next() % 50;
        let section = Section {
            heading: rng.words(4),
            paragraphs: (0..2 + rng.next() % 4).map(|_| rng.words(35)).collect(),
        };
        code[b][c].insert(at, section);
    }
    for _ in 0..10 {
        let (b, c) = (rng.next() % 5, rng.next() % 10);
        let at = rng.next() % code[b][c].len();
        code[b][c].remove(at);
    }
    for book in &mut code {
        for chapter in book.iter_mut() {
            for section in chapter.iter_mut() {
                for p in &mut section.paragraphs {
                    match rng.next() % 100 {
                        0..5 => {
                            let mut ws: Vec<String> = p.split(' ').map(String::from).collect();
                            let k = rng.next() % ws.len();
                            ws[k] = rng.word();
                            *p = ws.join(" ");
                        }
                        5 => *p = rng.words(35),
                        _ => {}
                    }
                }
            }
        }
    }
    let chapter = code[1].remove(3);
    code[3].insert(0, chapter);
    code
}

/// Every paragraph reworded by one word: nothing is found by exact wording.
fn reword_all(mut code: Code, rng: &mut Rng) -> Code {
    for p in code
        .iter_mut()
        .flatten()
        .flatten()
        .flat_map(|s| &mut s.paragraphs)
    {
        let mut ws: Vec<String> = p.split(' ').map(String::from).collect();
        let k = rng.next() % ws.len();
        ws[k] = rng.word();
        *p = ws.join(" ");
    }
    code
}

fn draft(code: &Code) -> Draft {
    let mut no = 0;
    let clauses = code
        .iter()
        .enumerate()
        .map(|(b, book)| {
            let chapters = book
                .iter()
                .enumerate()
                .map(|(c, chapter)| {
                    let sections = chapter
                        .iter()
                        .map(|s| {
                            no += 1;
                            let paragraphs = s
                                .paragraphs
                                .iter()
                                .enumerate()
                                .map(|(k, t)| {
                                    clause(
                                        ClauseKind::Paragraph,
                                        format!("({})", k + 1),
                                        None,
                                        t.clone(),
                                        vec![],
                                    )
                                })
                                .collect();
                            clause(
                                ClauseKind::Article,
                                format!("§ {no}"),
                                Some(s.heading.clone()),
                                String::new(),
                                paragraphs,
                            )
                        })
                        .collect();
                    clause(
                        ClauseKind::Chapter,
                        format!("Chapter {}", c + 1),
                        None,
                        String::new(),
                        sections,
                    )
                })
                .collect();
            clause(
                ClauseKind::Book,
                format!("Book {}", b + 1),
                None,
                String::new(),
                chapters,
            )
        })
        .collect();
    Draft {
        title: None,
        meta: Default::default(),
        clauses,
        warnings: Vec::new(),
    }
}

fn bytes(d: &Draft) -> usize {
    fn walk(cs: &[DraftClause]) -> usize {
        cs.iter()
            .map(|c| {
                c.label.len()
                    + c.heading.as_ref().map_or(0, String::len)
                    + c.text.len()
                    + 8
                    + walk(&c.children)
            })
            .sum()
    }
    walk(&d.clauses)
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

fn created() -> RecordedEvent {
    event(
        1,
        Event::DocumentCreated {
            document: DocumentId(Uuid::from_u128(1)),
            slug: "code".into(),
            title: "Code".into(),
        },
    )
}

/// The document holding a draft, imported into an empty one.
fn document(d: &Draft) -> DocumentState {
    let empty = DocumentState::replay(&[created()]).expect("a document");
    let mut next = 10u128;
    let plan = plan_revision(&empty, d, &mut || {
        next += 1;
        ClauseId(Uuid::from_u128(next))
    });
    let events = [
        created(),
        event(
            2,
            Event::RevisionIssued {
                title: None,
                revision: 1,
                label: None,
                ops: plan.ops,
            },
        ),
    ];
    DocumentState::replay(&events).expect("a document")
}

fn bench(c: &mut Criterion) {
    let mut rng = Rng(42);
    let old = code(&mut rng);
    let new = revise(old.clone(), &mut rng);
    let all = reword_all(old.clone(), &mut rng);
    let (old_draft, new_draft, all_draft) = (draft(&old), draft(&new), draft(&all));
    let empty = DocumentState::replay(&[created()]).expect("a document");
    let doc = document(&old_draft);
    let fresh = &mut || ClauseId(Uuid::nil());
    let summary = plan_revision(&doc, &new_draft, fresh).summary();
    eprintln!(
        "code: {} clauses, {} bytes; next version: {} bytes, {summary:?}",
        doc.clause_count(),
        bytes(&old_draft),
        bytes(&new_draft),
    );
    let summary = plan_revision(&doc, &all_draft, fresh).summary();
    eprintln!("every paragraph reworded: {summary:?}");

    let mut g = c.benchmark_group("import_code_2500_sections");
    g.sample_size(10);
    g.bench_function("first_import", |b| {
        b.iter(|| plan_revision(black_box(&empty), black_box(&old_draft), fresh))
    });
    g.bench_function("same_version", |b| {
        b.iter(|| plan_revision(black_box(&doc), black_box(&old_draft), fresh))
    });
    g.bench_function("next_version", |b| {
        b.iter(|| plan_revision(black_box(&doc), black_box(&new_draft), fresh))
    });
    g.bench_function("every_paragraph_reworded", |b| {
        b.iter(|| plan_revision(black_box(&doc), black_box(&all_draft), fresh))
    });
    g.finish();
}

/// The benchmark group (a module, as `criterion_group!` writes an undocumented function).
mod group {
    use super::*;

    criterion_group!(benches, bench);
}
criterion_main!(group::benches);
