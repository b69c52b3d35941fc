#!/usr/bin/env bash
# Time the import of a real-sized code: 2,500 sections, about 1.5 MB, in the shape a German
# civil code is published in (`# Title`, `## Buch`, `### Abschnitt`, `#### § N Title`,
# paragraphs `(1) …`, points `1. …`; made by scripts/gen-code.py, fixed seed), imported as one
# revision into a fresh store: wall time (median of hyperfine's runs) and peak memory
# (/usr/bin/time -v, maximum resident set size, of one more run).
#
#   scripts/bench-import.sh [SECTIONS]          (default: 2500)
#
# Run by hand, not in CI. Work files go to ${WORK:-/tmp/travaux-bench-import}; RUNS=N runs (5).
# FLAT=1 writes every section as `## § N — Title` (no books, divisions or points): the shape the
# importer read before it read every heading level.
set -euo pipefail
cd "$(dirname "$0")/.."
sections=${1:-2500}
work=${WORK:-/tmp/travaux-bench-import}
runs=${RUNS:-5}

if ! command -v hyperfine >/dev/null; then
  echo "installing hyperfine" >&2
  apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null
fi
if [ ! -x /usr/bin/time ]; then
  echo "installing time" >&2
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
# TRAVAUX=path/to/travaux times that binary; else the release build of this tree.
if [ -n "${TRAVAUX:-}" ]; then
  travaux=$(realpath "$TRAVAUX")
else
  cargo build --release -q -p travaux-cli
  travaux=$PWD/target/release/travaux
fi

rm -rf "$work"
mkdir -p "$work"
python3 scripts/gen-code.py --sections "$sections" --versions 1 ${FLAT:+--flat} "$work/drafts"
draft=$work/drafts/v1.md
store=$work/store

# A fresh store with a secretariat and the document, the draft not yet imported.
cat >"$work/prepare.sh" <<EOF
#!/usr/bin/env bash
set -euo pipefail
rm -rf "$store"
t="$travaux --store $store"
\$t init >/dev/null
\$t participant add sec --name Secretariat --kind secretariat >/dev/null
\$t --as sec doc new bgb --title "Bürgerliches Gesetzbuch" >/dev/null
sync
EOF
chmod +x "$work/prepare.sh"
import="$travaux --store $store --as sec --doc bgb import $draft --revision v1"

printf 'draft: %s bytes, %s sections\n' "$(wc -c <"$draft")" "$(grep -Ec '^#+ § ' "$draft")"
"$work/prepare.sh"
if ! $import >/dev/null 2>"$work/err"; then
  echo "the import fails: $(head -c 500 "$work/err")" >&2
  exit 1
fi
json=$work/hyperfine.json
hyperfine --style none --runs "$runs" --prepare "$work/prepare.sh" --export-json "$json" -- "$import" >/dev/null
"$work/prepare.sh"
/usr/bin/time -v $import >"$work/import.out" 2>"$work/time.txt"
python3 - "$json" "$work/time.txt" "$work/import.out" <<'EOF'
import json, re, sys
r = json.load(open(sys.argv[1]))["results"][0]
t = open(sys.argv[2]).read()
peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
print(f"import: median {r['median'] * 1000:.0f} ms (min {r['min'] * 1000:.0f}, max {r['max'] * 1000:.0f}, {len(r['times'])} runs)")
print(f"peak memory: {peak / 1024:.1f} MiB (maximum resident set size)")
print("recorded:", open(sys.argv[3]).read().strip().splitlines()[-1][:200])
EOF
