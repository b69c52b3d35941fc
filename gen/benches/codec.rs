//! Benchmarks of the stored form and of the fold, over the events of a generated negotiation
//! (20,000 events: revisions, amendments, support, decisions, comments, phases, tags), made in
//! memory without a store:
//!
//! - `codec/encode`: each event to its stored bytes (JSON envelope, SHA-256 hash).
//! - `codec/decode`: the stored bytes back to events (what every read of the log pays).
//! - `codec/check`: decode and recompute the hash (what `verify` pays).
//! - `block/pack`, `block/unpack`: the log's blocks of sixteen stored events packed with zstd
//!   and unpacked again (what every append and every read of the log adds to the codec).
//! - `fold/document`: `DocumentState::fold` over the document's events (what a replay pays
//!   once the events are read).
//!
//! Throughput is in events, so the figures compare with the whole commands' events per second.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::collections::HashMap;
use std::time::Duration;
use travaux_core::{DocumentState, Hash, RecordedEvent, StreamId};
use travaux_gen::{Generator, Spec};
use travaux_store::{check, decode, encode, pack, unpack};

const EVENTS: u64 = 20_000;

/// The generated events as the store would record them: sequence numbers, stream versions and
/// the hash chain filled in. Returns each event with its stored bytes.
fn recorded() -> Vec<(RecordedEvent, Vec<u8>)> {
    let mut generator = Generator::new(&Spec::new(EVENTS)).expect("a valid spec");
    let mut versions: HashMap<StreamId, u64> = HashMap::new();
    let mut prev = Hash::default();
    let mut out = Vec::new();
    while let Some(batch) = generator.next_batch().expect("a batch") {
        for e in batch.events {
            let version = versions.entry(batch.stream).or_default();
            *version += 1;
            let (r, bytes) = encode(RecordedEvent {
                seq: out.len() as u64 + 1,
                id: e.id,
                stream: batch.stream,
                version: *version,
                recorded_at: e.recorded_at,
                actor: e.actor,
                schema: 0,
                prev_hash: prev,
                hash: Hash::default(),
                event: e.event,
            })
            .expect("encodes");
            prev = r.hash;
            out.push((r, bytes));
        }
    }
    out
}

fn bench_codec(c: &mut Criterion) {
    let events = recorded();
    let bytes: usize = events.iter().map(|(_, b)| b.len()).sum();
    eprintln!(
        "{} events, {} bytes stored, {} bytes per event on average",
        events.len(),
        bytes,
        bytes / events.len()
    );
    let mut group = c.benchmark_group("codec");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("encode", |b| {
        b.iter_batched(
            || events.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>(),
            |rs| {
                rs.into_iter()
                    .map(|r| encode(r).expect("encodes").1.len())
                    .sum::<usize>()
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("decode", |b| {
        b.iter(|| {
            events
                .iter()
                .map(|(_, bytes)| decode(bytes).expect("decodes").seq)
                .sum::<u64>()
        })
    });
    group.bench_function("check", |b| {
        b.iter(|| {
            events
                .iter()
                .filter(|(_, bytes)| check(bytes).expect("decodes").hash_matches)
                .count()
        })
    });
    group.finish();

    // The log's blocks as the store keeps them: sixteen stored events, each as its length and
    // its bytes, packed together.
    let blocks: Vec<Vec<u8>> = events
        .chunks(16)
        .map(|chunk| {
            let mut block = Vec::new();
            for (_, bytes) in chunk {
                block.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
                block.extend_from_slice(bytes);
            }
            block
        })
        .collect();
    let packed: Vec<Vec<u8>> = blocks.iter().map(|b| pack(b).expect("packs")).collect();
    eprintln!(
        "log blocks of 16: {} bytes packed for {} ({:.2} times smaller)",
        packed.iter().map(Vec::len).sum::<usize>(),
        blocks.iter().map(Vec::len).sum::<usize>(),
        blocks.iter().map(Vec::len).sum::<usize>() as f64
            / packed.iter().map(Vec::len).sum::<usize>() as f64
    );
    let mut group = c.benchmark_group("block");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("pack", |b| {
        b.iter(|| {
            blocks
                .iter()
                .map(|block| pack(block).expect("packs").len())
                .sum::<usize>()
        })
    });
    group.bench_function("unpack", |b| {
        b.iter(|| {
            packed
                .iter()
                .map(|p| unpack(p, "a block").expect("unpacks").len())
                .sum::<usize>()
        })
    });
    group.finish();

    let doc: Vec<RecordedEvent> = events
        .into_iter()
        .map(|(r, _)| r)
        .filter(|r| r.stream != StreamId::REGISTRY)
        .collect();
    let mut group = c.benchmark_group("fold");
    group.throughput(Throughput::Elements(doc.len() as u64));
    group.bench_function("document", |b| {
        b.iter(|| {
            let mut state = None;
            for e in &doc {
                DocumentState::fold(&mut state, e);
            }
            state.expect("a document").version
        })
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
        targets = bench_codec
    }
}
criterion_main!(group::benches);
