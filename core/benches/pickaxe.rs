//! Benchmark of pickaxe: not written yet.

fn main() {}
