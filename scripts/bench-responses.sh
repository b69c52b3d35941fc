#!/usr/bin/env bash
# Time `responses import` of N answers to one question (default 10,000 and 100,000), into a
# fresh store holding the WHO-style hearing (a question, a public hearing held and closed):
# wall time and peak memory (/usr/bin/time) of one run each, and of a second run of the same
# file (everything already there). Two files per size: answers from 100 registered members of
# the public ("old"), and answers each from a new respondent registered on the fly ("new").
#
#   scripts/bench-responses.sh [N ...]
#
# Run by hand, not in CI. Work files go to ${WORK:-/tmp/travaux-bench-responses}; BATCH=N sets
# --batch (1000).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-/tmp/travaux-bench-responses}
batch=${BATCH:-1000}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
cargo build --release -q -p travaux-cli
travaux=$(realpath target/release/travaux)
mkdir -p "$work"
cd "$work"
cat > draft.md <<'MD'
# Code of Practice

## 1 Scope

1.1 The Code applies to recruitment.
MD
cat > setup.travaux <<'SCRIPT'
--date 2008-08-01 participant add secretariat --name "WHO Secretariat" --kind secretariat
--as secretariat --date 2008-08-02 doc new who-code --title "Code of Practice"
--as secretariat --date 2008-08-03 import draft.md --revision D1
--as secretariat --date 2008-08-04 question "Should the Code cover recruitment agencies?"
--as secretariat --date 2008-09-01 phase open public-hearing "Web-based public hearing"
--as secretariat --date 2008-10-15 phase close P1
SCRIPT
{ echo "handle,kind,name"; for i in $(seq 0 99); do echo "r$i,public,Respondent $i"; done; } > people.csv

export_of() { # N POOL new|old
  python3 - "$@" <<'PY'
import sys
n, pool, new = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "new"
print("respondent,kind,name,question,position,text,received")
for i in range(n):
    day = 1 + (i * 37) % 40
    d = f"2008-09-{day:02d}" if day <= 30 else f"2008-10-{day - 30:02d}"
    kind, name = ("public", f"Respondent {i % pool}") if new else ("", "")
    pos = ["support", "oppose", "neutral"][i % 3]
    print(f"r{i % pool},{kind},{name},Q1,{pos},\"Answer {i}: agencies should be covered.\",{d} {i % 24:02d}:{i % 60:02d}")
PY
}

for n in "${sizes[@]}"; do
  for who in old new; do
    pool=100; [ "$who" = new ] && pool=$n
    export_of "$n" "$pool" "$who" > "answers-$who-$n.csv"
    rm -rf store
    "$travaux" --store store init > /dev/null
    "$travaux" --store store run setup.travaux > /dev/null
    if [ "$who" = old ]; then
      "$travaux" --store store --as secretariat --date 2008-10-16 participant import people.csv > /dev/null
      "$travaux" --store store --as secretariat --date 2008-10-16 role grant --every public public > /dev/null
    fi
    for run in first again; do
      /usr/bin/time -f "$n answers ($who respondents), $run run: %e s, peak %M KB" \
        "$travaux" --store store --as secretariat --date 2008-10-20 responses import \
        "answers-$who-$n.csv" --batch "$batch" > /dev/null
    done
    du -sh store | sed "s/^/store after $n ($who): /"
  done
done
