//! Benchmark of diff: not written yet.

fn main() {}
