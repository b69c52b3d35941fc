//! Benchmarks of the Travaux event log on sled.
//!
//! - `append/durable_one_by_one`: one event per append, each flushed and fsynced before it is
//!   acknowledged: the cost of one durable write.
//! - `append/batched_1000`: 1,000 events per append, one durable flush per batch.
//! - `append_concurrent/{1,8,32}_threads`: that many threads sharing one store, each appending
//!   single comments to one document as fast as it can, each append durable before it returns:
//!   appends per second as concurrency grows (concurrent appends share fsyncs).
//! - `show_at/100k`: a document of 100 clauses whose stream holds 100,000 events (a first
//!   revision, then amendments, support, decisions and mostly comments), shown half-way
//!   (`document_at` replays half the stream), at its head by a full replay, and from its read
//!   model; `append_to_100k`: one durable comment appended to it as it is, and one decided as
//!   a command (`execute`).
//!
//! - `generated`: with `TRAVAUX_BENCH_STORE` naming a store made by `travaux generate` (say of
//!   1,000,000 events), on a copy of it: one durable command decided against it
//!   (`durable_one_command`), and batches of 1,000 comments appended to it, each batch durable
//!   (`batched_1000`). Without the variable, this group is left out.
//!
//! With `TRAVAUX_BENCH_POSTGRES` naming a PostgreSQL server (an admin URL, such as the one
//! `scripts/pg-test-cluster.sh start` prints), every store but the generated one's is a fresh
//! database on it instead of a directory: the same benchmarks, on the other engine.
//!
//! Short measurement times and ten samples keep `cargo bench -p travaux-store` to a few
//! minutes on two cores.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use tempfile::TempDir;
use travaux_core::{decide, Command, PhaseKind, Window};
use travaux_core::{
    AmendmentNo, Change, ClauseId, ClauseOp, CommentNo, Cut, DocumentId, Event, EventId, Method,
    NewEvent, Outcome, ParticipantId, ParticipantKind, Position, Role, StreamId, Timestamp,
};
use travaux_store::{fingerprint, Clock, Expected, Store, Write};
use uuid::Uuid;

/// A store with one document, and what makes its next events.
struct Bench {
    _dir: TempDir,
    store: Store,
    /// The database the store is in, on PostgreSQL: dropped after the store.
    _database: Option<travaux_store::postgres::TestDatabase>,
    doc: DocumentId,
    secretariat: ParticipantId,
    m: Maker,
}

/// Makes events: a clock that moves a second per event, and the next comment number.
struct Maker {
    second: i64,
    comments: u32,
}

impl Bench {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let database = std::env::var("TRAVAUX_BENCH_POSTGRES").ok().map(|server| {
            travaux_store::postgres::TestDatabase::create(&server).expect("a database")
        });
        let location = match &database {
            Some(db) => travaux_store::Location::Postgres(db.url.clone()),
            None => travaux_store::Location::Dir(dir.path().to_path_buf()),
        };
        let (store, _) = Store::create(location).expect("a new store");
        let mut b = Bench {
            _dir: dir,
            store,
            _database: database,
            doc: DocumentId(Uuid::new_v4()),
            secretariat: ParticipantId(Uuid::new_v4()),
            m: Maker {
                second: 0,
                comments: 0,
            },
        };
        let sec = b.secretariat;
        let registered = b.m.event(
            sec,
            Event::ParticipantRegistered {
                participant: sec,
                handle: "secretariat".into(),
                name: "Secretariat".into(),
                kind: ParticipantKind::Secretariat,
            },
        );
        b.store
            .append(StreamId::REGISTRY, Expected::NoStream, vec![registered])
            .expect("registered");
        let created = vec![
            b.m.event(
                sec,
                Event::DocumentCreated {
                    document: b.doc,
                    slug: "code".into(),
                    title: "Global Code of Practice".into(),
                },
            ),
            b.m.event(
                sec,
                Event::RoleGranted {
                    participant: sec,
                    role: Role::Secretariat,
                },
            ),
        ];
        b.store
            .append(b.stream(), Expected::NoStream, created)
            .expect("created");
        b
    }

    fn stream(&self) -> StreamId {
        StreamId::document(self.doc)
    }
}

impl Maker {
    fn now(&mut self) -> Timestamp {
        self.second += 1;
        Utc.with_ymd_and_hms(2010, 5, 19, 9, 0, 0).unwrap() + chrono::Duration::seconds(self.second)
    }

    fn event(&mut self, actor: ParticipantId, event: Event) -> NewEvent {
        NewEvent {
            id: EventId(Uuid::new_v4()),
            recorded_at: self.now(),
            actor,
            event,
        }
    }

    fn comment(&mut self, actor: ParticipantId, clause: Option<ClauseId>) -> NewEvent {
        self.comments += 1;
        let n = self.comments;
        let event = Event::CommentPosted {
            question: None,
            phase: None,
            received: None,
            comment: CommentNo(n),
            clause,
            position: [Position::Support, Position::Oppose, Position::Neutral][n as usize % 3],
            text: format!(
                "Comment {n}: the obligations of destination countries towards source countries \
                 should be stated more clearly, with reference to the health workforce."
            ),
            reply_to: (n % 4 == 3).then(|| CommentNo(n - 1)),
        };
        self.event(actor, event)
    }
}

fn bench_appends(c: &mut Criterion) {
    let mut group = c.benchmark_group("append");

    let mut one = Bench::new();
    let sec = one.secretariat;
    group.throughput(Throughput::Elements(1));
    group.bench_function("durable_one_by_one", |b| {
        b.iter(|| {
            let e = one.m.comment(sec, None);
            let stream = one.stream();
            one.store
                .append(stream, Expected::Any, vec![e])
                .expect("appended")
        })
    });
    drop(one);

    let mut many = Bench::new();
    let sec = many.secretariat;
    group.throughput(Throughput::Elements(1000));
    group.bench_function("batched_1000", |b| {
        b.iter_batched(
            || {
                (0..1000)
                    .map(|_| many.m.comment(sec, None))
                    .collect::<Vec<_>>()
            },
            |events| {
                many.store
                    .append(StreamId::document(many.doc), Expected::Any, events)
                    .expect("appended")
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// Appends per second from 1, 8 and 32 threads sharing one store, each appending single
/// comments (every append durable before it returns).
fn bench_concurrent_appends(c: &mut Criterion) {
    let mut group = c.benchmark_group("append_concurrent");
    group.throughput(Throughput::Elements(1));
    for threads in [1u64, 8, 32] {
        let b = Bench::new();
        let sec = b.secretariat;
        let stream = b.stream();
        // One time for every event: threads race, and the log refuses time going back.
        let time = Utc.with_ymd_and_hms(2011, 1, 1, 9, 0, 0).unwrap();
        let comments = AtomicU32::new(0);
        group.bench_function(format!("{threads}_threads"), |bench| {
            bench.iter_custom(|iters| {
                let per_thread = iters.div_ceil(threads).max(1);
                let started = Instant::now();
                std::thread::scope(|s| {
                    for _ in 0..threads {
                        s.spawn(|| {
                            for _ in 0..per_thread {
                                let n = comments.fetch_add(1, Ordering::Relaxed) + 1;
                                let e = NewEvent {
                                    id: EventId(Uuid::new_v4()),
                                    recorded_at: time,
                                    actor: sec,
                                    event: comment_event(n),
                                };
                                b.store
                                    .append(stream, Expected::Any, vec![e])
                                    .expect("appended");
                            }
                        });
                    }
                });
                // The time of `iters` appends, from the time of the ones made.
                started
                    .elapsed()
                    .mul_f64(iters as f64 / (per_thread * threads) as f64)
            })
        });
    }
    group.finish();
}

/// A comment numbered `n`.
fn comment_event(n: u32) -> Event {
    Event::CommentPosted {
        question: None,
        phase: None,
        received: None,
        comment: CommentNo(n),
        clause: None,
        position: Position::Neutral,
        text: format!(
            "Comment {n}: the obligations of destination countries towards source countries \
             should be stated more clearly, with reference to the health workforce."
        ),
        reply_to: None,
    }
}

/// Build a document of 100 clauses with 100,000 events in its stream, appended in batches of
/// 1,000.
fn big_document() -> Bench {
    const EVENTS: u64 = 100_000;
    let started = Instant::now();
    let mut b = Bench::new();
    let sec = b.secretariat;
    let chair = ParticipantId(Uuid::new_v4());
    let delegates: Vec<ParticipantId> = (0..20).map(|_| ParticipantId(Uuid::new_v4())).collect();
    let mut registry = Vec::new();
    for (i, p) in std::iter::once(&chair).chain(&delegates).enumerate() {
        let e = b.m.event(
            *p,
            Event::ParticipantRegistered {
                participant: *p,
                handle: format!("delegation-{i}"),
                name: format!("Delegation {i}"),
                kind: ParticipantKind::MemberState,
            },
        );
        registry.push(e);
    }
    b.store
        .append(StreamId::REGISTRY, Expected::Any, registry)
        .expect("registered");

    // Ten articles of nine paragraphs, plus the ten articles themselves: 100 clauses.
    let mut ops = Vec::new();
    let mut paragraphs = Vec::new();
    let mut previous_article = None;
    for a in 1..=10 {
        let article = ClauseId(Uuid::new_v4());
        ops.push(ClauseOp::Add {
            kind: None,
            notes: Vec::new(),
            clause: article,
            parent: None,
            after: previous_article,
            label: format!("Article {a}"),
            heading: Some(format!("Heading of article {a}")),
            text: String::new(),
        });
        previous_article = Some(article);
        let mut previous = None;
        for p in 1..=9 {
            let clause = ClauseId(Uuid::new_v4());
            ops.push(ClauseOp::Add {
                kind: None,
                notes: Vec::new(),
                clause,
                parent: Some(article),
                after: previous,
                label: format!("{a}.{p}"),
                heading: None,
                text: format!(
                    "{a}.{p} Member States should take effective measures to ensure that the \
                     international recruitment of health personnel is conducted ethically."
                ),
            });
            previous = Some(clause);
            paragraphs.push(clause);
        }
    }
    let mut batch = vec![b.m.event(
        sec,
        Event::RevisionIssued {
            title: None,
            revision: 1,
            label: Some("first draft".into()),
            ops,
        },
    )];
    for p in std::iter::once(&chair).chain(&delegates) {
        let role = if *p == chair {
            Role::Chair
        } else {
            Role::Delegate
        };
        let e = b.m.event(
            sec,
            Event::RoleGranted {
                participant: *p,
                role,
            },
        );
        batch.push(e);
    }

    // Then, in every ten events: an amendment, a supporter, a decision, and seven comments.
    let mut version = b.store.stream_version(b.stream()).expect("version");
    let mut amendments = 0u32;
    let mut i = 0usize;
    while version + (batch.len() as u64) < EVENTS {
        let delegate = delegates[i % delegates.len()];
        let clause = paragraphs[i % paragraphs.len()];
        let e = match i % 10 {
            0 => {
                amendments += 1;
                b.m.event(
                    delegate,
                    Event::AmendmentProposed {
                        amendment: AmendmentNo(amendments),
                        change: Change::Replace {
                            clause,
                            text: format!(
                                "Amended text {amendments}: Member States should endeavour to \
                                 assist source countries, as appropriate."
                            ),
                        },
                        rationale: Some("To reflect the discussion in the committee.".into()),
                    },
                )
            }
            1 => b.m.event(
                delegates[(i + 1) % delegates.len()],
                Event::AmendmentSupported {
                    amendment: AmendmentNo(amendments),
                },
            ),
            2 => {
                let accepted = amendments % 2 == 1;
                let ops = if accepted {
                    vec![ClauseOp::Reword {
                        kind: None,
                        notes: Vec::new(),
                        clause: paragraphs[(i - 2) % paragraphs.len()],
                        heading: None,
                        text: format!(
                            "Amended text {amendments}: Member States should endeavour to \
                             assist source countries, as appropriate."
                        ),
                    }]
                } else {
                    Vec::new()
                };
                b.m.event(
                    chair,
                    Event::DecisionRecorded {
                        amendment: AmendmentNo(amendments),
                        outcome: if accepted {
                            Outcome::Accepted
                        } else {
                            Outcome::Rejected
                        },
                        method: Method::Consensus,
                        ops,
                    },
                )
            }
            _ => b.m.comment(delegate, Some(clause)),
        };
        batch.push(e);
        i += 1;
        if batch.len() == 1000 {
            let n = batch.len() as u64;
            let stream = b.stream();
            b.store
                .append(stream, Expected::Exact(version), std::mem::take(&mut batch))
                .expect("appended");
            version += n;
        }
    }
    if !batch.is_empty() {
        let stream = b.stream();
        b.store
            .append(stream, Expected::Exact(version), batch)
            .expect("appended");
    }
    let state = b.store.document(b.doc).expect("read").expect("document");
    let read_model = serde_json::to_vec(&state).expect("json").len();
    eprintln!(
        "show_at/100k: built {} events in the document's stream ({} in the log) in {:.1} s; \
         {} clauses, {} amendments, {} comments; read model {} KiB; store {} MiB on disk, \
         {} files in blobs/",
        state.version,
        b.store.head().0,
        started.elapsed().as_secs_f64(),
        state.clause_count(),
        state.amendments.len(),
        state.comments,
        read_model / 1024,
        disk_usage(b._dir.path()) / (1024 * 1024),
        std::fs::read_dir(b._dir.path().join("blobs"))
            .map(|d| d.count())
            .unwrap_or(0),
    );
    b
}

fn disk_usage(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => disk_usage(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn bench_show(c: &mut Criterion) {
    let mut b = big_document();
    let head = b.store.head().0;
    let mut group = c.benchmark_group("show_at/100k");
    // A replay takes a large part of a second: one iteration per sample.
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("document_at_half", |bench| {
        bench.iter(|| {
            b.store
                .document_at(b.doc, Cut::Seq(head / 2))
                .expect("read")
        })
    });
    group.bench_function("replay_head", |bench| {
        bench.iter(|| {
            b.store
                .replay_document(b.doc, Cut::Seq(head))
                .expect("read")
        })
    });
    group.bench_function("read_model", |bench| {
        bench.iter(|| b.store.document(b.doc).expect("read"))
    });
    group.finish();

    // What one durable append costs once the document is this large: the store reads and
    // rewrites the document's whole read model with every append.
    let mut group = c.benchmark_group("append_to_100k");
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(1));
    let sec = b.secretariat;
    group.bench_function("durable_one_comment", |bench| {
        bench.iter(|| {
            let e = b.m.comment(sec, None);
            let stream = b.stream();
            b.store
                .append(stream, Expected::Any, vec![e])
                .expect("appended")
        })
    });
    // The same through `decide`, as a command (and a server's request) runs: the store reads
    // the document with its open amendments, not all 10,000.
    let write = |b: &mut Bench| command_write(b.stream(), sec, &mut b.m);
    let session = Command::OpenPhase {
        kind: PhaseKind::CommitteeSession,
        name: "Session".into(),
        window: Window::default(),
        admits: None,
    };
    let w = write(&mut b);
    b.store
        .execute(w, |dir, s| {
            decide(s.expect("the document"), sec, dir, session.clone())
        })
        .expect("a session opens");
    group.bench_function("durable_one_command", |bench| {
        bench.iter(|| {
            let w = write(&mut b);
            let cmd = Command::PostComment {
                clause: None,
                position: Position::Neutral,
                text: "The text should say who pays for training.".into(),
                reply_to: None,
            };
            b.store
                .execute(w, |dir, s| {
                    decide(s.expect("the document"), sec, dir, cmd.clone())
                })
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    group.finish();
}

/// The write of one command by `actor` to `stream`, now, with a fresh event id.
fn command_write(stream: StreamId, actor: ParticipantId, m: &mut Maker) -> Write {
    Write {
        stream,
        expected: Expected::Any,
        actor,
        clock: Clock::Now(m.now()),
        event_id: EventId(Uuid::new_v4()),
        request: fingerprint(b"bench"),
    }
}

/// Copy a directory's files and folders, one level of folders deep (a sled store: `db`,
/// `conf`, `snap.*`, `blobs/`).
fn copy_store(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a directory");
    for entry in std::fs::read_dir(from).expect("a store to copy") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a type").is_dir() {
            copy_store(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copied");
        }
    }
}

fn bench_generated(c: &mut Criterion) {
    let Some(source) = std::env::var_os("TRAVAUX_BENCH_STORE") else {
        eprintln!("generated: set TRAVAUX_BENCH_STORE to a generated store to bench on it");
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    copy_store(Path::new(&source), dir.path());
    let store = Store::open(dir.path()).expect("the copied store opens");
    let head = store.head().0;
    let doc = store.documents().expect("documents")[0].id;
    let sec = travaux_core::Directory::participant_by_handle(&store, "secretariat")
        .expect("a generated store has a secretariat")
        .id;
    let stream = StreamId::document(doc);
    let last = store.event(head).expect("the last event").recorded_at;
    let mut m = Maker {
        second: (last - Utc.with_ymd_and_hms(2010, 5, 19, 9, 0, 0).unwrap()).num_seconds() + 1,
        comments: 10_000_000,
    };
    let write = |m: &mut Maker| command_write(stream, sec, m);
    let session = Command::OpenPhase {
        kind: PhaseKind::CommitteeSession,
        name: "Bench session".into(),
        window: Window::default(),
        admits: None,
    };
    store
        .execute(write(&mut m), |dir, s| {
            decide(s.expect("the document"), sec, dir, session.clone())
        })
        .expect("a session opens");
    let mut group = c.benchmark_group(format!("generated_{head}"));
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(1));
    group.bench_function("durable_one_command", |bench| {
        bench.iter(|| {
            let cmd = Command::PostComment {
                clause: None,
                position: Position::Neutral,
                text: "The text should say who pays for training.".into(),
                reply_to: None,
            };
            store
                .execute(write(&mut m), |dir, s| {
                    decide(s.expect("the document"), sec, dir, cmd.clone())
                })
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    group.throughput(Throughput::Elements(1_000));
    group.bench_function("batched_1000", |bench| {
        bench.iter_batched(
            || (0..1_000).map(|_| m.comment(sec, None)).collect::<Vec<_>>(),
            |events| {
                store
                    .append(stream, Expected::Any, events)
                    .expect("appended")
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// The group, in a module of its own: the function `criterion_group!` makes is then private.
mod group {
    use super::*;

    criterion_group! {
        name = benches;
        config = Criterion::default()
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4));
        targets = bench_appends, bench_concurrent_appends, bench_show, bench_generated
    }
}
criterion_main!(group::benches);
