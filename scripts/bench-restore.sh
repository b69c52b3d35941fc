#!/usr/bin/env bash
# Time the backup and restore of a large store: `generate` EVENTS events (default 1,000,000)
# into a fresh store, then `export jsonl` of it to a file, `restore` of that file into a new
# store, and `verify` of the restored one; print each step's wall time, throughput (events/s,
# MB/s of export) and peak memory (/usr/bin/time -v, maximum resident set size), and check
# that the restored store has the same head and the same `log --json --all` as the original.
#
#   scripts/bench-restore.sh [EVENTS]          (default: 1000000)
#
# Run by hand, not in CI. Work files go to ${WORK:-/tmp/travaux-bench-restore} (about 3 GB at
# 1,000,000 events). TRAVAUX=path/to/travaux times that binary; else the release build of this
# tree.
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
work=${WORK:-/tmp/travaux-bench-restore}

if [ ! -x /usr/bin/time ]; then
  echo "installing time" >&2
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
if [ -n "${TRAVAUX:-}" ]; then
  travaux=$(realpath "$TRAVAUX")
else
  cargo build --release -q -p travaux-cli
  travaux=$PWD/target/release/travaux
fi

rm -rf "$work"
mkdir -p "$work"
orig=$work/original
copy=$work/restored
export_file=$work/export.jsonl

# step NAME COMMAND...: run, time, and print wall time and peak memory.
step() {
  local name=$1
  shift
  local started ended
  started=$(date +%s.%N)
  /usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" || {
    echo "$name failed: $(tail -c 500 "$work/$name.err")" >&2
    exit 1
  }
  ended=$(date +%s.%N)
  local secs rss
  secs=$(echo "$ended - $started" | bc -l)
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$name.time")
  printf '%-9s %8.1f s  %10.0f events/s  peak %6.0f MiB\n' "$name" "$secs" \
    "$(echo "$events / $secs" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
  eval "${name}_secs=$secs"
}

"$travaux" --store "$orig" init >/dev/null
step generate "$travaux" --store "$orig" generate --events "$events"
step export "$travaux" --store "$orig" export jsonl -o "$export_file"
bytes=$(stat -c %s "$export_file")
printf 'export: %.0f MB, %.1f MB/s\n' "$(echo "$bytes / 1000000" | bc -l)" \
  "$(echo "$bytes / 1000000 / $export_secs" | bc -l)"
step restore "$travaux" --store "$copy" restore "$export_file"
step verify "$travaux" --store "$copy" verify
printf 'store sizes: original %s, restored %s\n' "$(du -sh "$orig" | cut -f1)" "$(du -sh "$copy" | cut -f1)"

# The same record: head and the whole log as JSON.
a=$("$travaux" --store "$orig" --json verify | grep -E '"head_(seq|hash)"')
b=$("$travaux" --store "$copy" --json verify | grep -E '"head_(seq|hash)"')
[ "$a" = "$b" ] || { echo "the heads differ: $a / $b" >&2; exit 1; }
"$travaux" --store "$orig" --json log --all | sha256sum >"$work/orig.sum"
"$travaux" --store "$copy" --json log --all | sha256sum >"$work/copy.sum"
cmp -s "$work/orig.sum" "$work/copy.sum" || { echo "log --json --all differs" >&2; exit 1; }
echo "same head and same log --json --all"
