#!/usr/bin/env bash
# Compare Travaux with git on the same generated history, whole processes as a user runs them.
#
#   scripts/compare-with-git.sh [EVENTS...]        (default: 10000 100000)
#
# For each size: generate a history (fixed seed) into a fresh store, export it to git with
# `travaux export git`, compact the store (`travaux compact`: sled keeps the old copies of what
# was rewritten until then), then time each question both ways with hyperfine (installed from
# Debian's packages when missing) and print the medians and the ratio Travaux/git, and the
# disk each takes (the store as generated, then compacted).
# Run by hand, not in CI. Work files go to ${WORK:-/tmp/travaux-compare}; with KEEP=1 a store and
# repository already there from an earlier run (same size, same seed) are timed again as they are.
# QUESTIONS=3,4 times only those rows (1 text at a tag … 5 whole history).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(10000 100000); fi
work=${WORK:-/tmp/travaux-compare}
runs=${RUNS:-10}

if ! command -v hyperfine >/dev/null; then
  echo "installing hyperfine" >&2
  apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null
fi
cargo build --release -q -p travaux-cli
travaux=$PWD/target/release/travaux

# median seconds of a command, by hyperfine
median() {
  local json
  json=$(mktemp)
  hyperfine --style none --warmup 1 --runs "$runs" --export-json "$json" -- "$1" >/dev/null 2>&1
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['median'])" "$json"
  rm -f "$json"
}

printf '%-10s %-28s %12s %12s %8s\n' events question travaux_ms git_ms ratio
for n in "${sizes[@]}"; do
  store=$work/store-$n
  repo=$work/git-$n
  if [ "${KEEP:-0}" != 1 ] || [ ! -d "$store" ] || [ ! -d "$repo" ]; then
    rm -rf "$store" "$repo"
    mkdir -p "$work"
    "$travaux" --store "$store" init >/dev/null
    "$travaux" --store "$store" generate --events "$n" --seed 1 >/dev/null
    du -shL "$store" | sed "s/^/$n disk as generated: /"
    "$travaux" --store "$store" export git "$repo" >/dev/null
    "$travaux" --store "$store" compact >/dev/null
    # What was just written is on its way to the disk: let it get there before timing.
    sync
  fi
  t="$travaux --store $store"
  file=$(git -C "$repo" ls-tree --name-only HEAD | head -1)
  tags=($("$travaux" --store "$store" --json tag | python3 -c "import json,sys; d=json.load(sys.stdin); print(' '.join(sorted(d, key=d.get)))"))
  first=${tags[0]}
  last=${tags[${#tags[@]}-1]}
  gfirst=$(git -C "$repo" tag --sort=creatordate | head -1)
  glast=$(git -C "$repo" tag --sort=creatordate | tail -1)
  # the clause most amended: blame it both ways (git: the lines it occupies now)
  clause=$("$travaux" --store "$store" --json amend list --all | python3 -c "
import json,sys,collections
c=collections.Counter(a['change'].get('clause') for a in json.load(sys.stdin) if a['change'].get('clause'))
print(c.most_common(1)[0][0][:8])")
  # the line the clause's text starts on in the exported Markdown
  line=$("$travaux" --store "$store" --json show --clause "$clause" | python3 -c "
import json,subprocess,sys
text=json.load(sys.stdin)['clauses'][0]['text'].split(chr(10))[0][:40]
md=subprocess.run(['git','-C',sys.argv[1],'show','HEAD:'+sys.argv[2]],capture_output=True,text=True).stdout
print(next(i for i,l in enumerate(md.split(chr(10)),1) if text in l))" "$repo" "$file")
  phrase="to the extent possible"
  row=0
  while IFS='|' read -r question ours theirs; do
    row=$((row + 1))
    case ",${QUESTIONS:-1,2,3,4,5}," in *",$row,"*) ;; *) continue ;; esac
    a=$(median "$ours")
    b=$(median "$theirs")
    python3 -c "import sys; n,q,a,b=sys.argv[1:]; a,b=float(a),float(b); print(f'{n:<10} {q:<28} {a*1000:12.1f} {b*1000:12.1f} {a/b:8.2f}')" "$n" "$question" "$a" "$b"
  done <<EOT
text at a tag|$t show --at $last --format markdown|git -C $repo show $glast:$file
word diff between two tags|$t diff $first $last --color never|git -C $repo diff --word-diff $gfirst $glast
blame of a clause|$t blame $clause|git -C $repo blame -L $line,+3 HEAD -- $file
when a phrase changed|$t log -S '$phrase'|git -C $repo log -S '$phrase' --oneline
whole history with changes|$t replay --color never|git -C $repo log -p
EOT
  du -shL "$store" "$repo" | sed "s/^/$n disk: /"
  "$travaux" --store "$store" --json verify | python3 -c "
import json,sys
print(sys.argv[1], 'payload (the events as stored, before packing):', json.load(sys.stdin)['bytes'] // 2**20, 'MiB')" "$n"
done
