//! Benchmark of blame: not written yet.

fn main() {}
