#!/usr/bin/env bash
# Compare Travaux with git on the history of a real-sized text: a 2,500-section code of about
# 1.5 MB in 20 versions (scripts/gen-code.py: each version rewords a dozen sections and inserts
# one; v7 adds the phrase searched for; v12 inserts § 312a and renumbers §§ 312a–312i to
# 312c–312k; v16 repeals three sections), imported as 20 revisions (`import vN.md --revision
# vN`) and committed as 20 commits of one file (tagged v1 … v20). Then, side by side in one
# run, each question both ways, whole processes as a user runs them (hyperfine's median):
#
#   the text at v10                     travaux show --at v10         git show v10:code.md
#   what changed from v5 to v15         travaux diff v5 v15           git diff v5 v15
#   when a phrase came in               travaux log -S PHRASE         git log -S PHRASE
#   who wrote a section                 travaux blame '§ 100'         git blame -L (its lines)
#
#   scripts/compare-real-text.sh [SECTIONS]       (default: 2500)
#
# Run by hand, not in CI. Work files go to ${WORK:-/tmp/travaux-real-text}; RUNS=N runs each
# (10); KEEP=1 times a store and repository already there again. FLAT=1 writes every section
# as `## § N — Title` (no books, divisions or points): the shape the importer read before it
# read every heading level.
set -euo pipefail
cd "$(dirname "$0")/.."
sections=${1:-2500}
work=${WORK:-/tmp/travaux-real-text}
runs=${RUNS:-10}
versions=20
phrase="nach Maßgabe der Durchführungsverordnung"

if ! command -v hyperfine >/dev/null; then
  echo "installing hyperfine" >&2
  apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null
fi
# TRAVAUX=path/to/travaux times that binary; else the release build of this tree.
if [ -n "${TRAVAUX:-}" ]; then
  travaux=$(realpath "$TRAVAUX")
else
  cargo build --release -q -p travaux-cli
  travaux=$PWD/target/release/travaux
fi
store=$work/store
repo=$work/git
t="$travaux --store $store --doc bgb"

if [ "${KEEP:-0}" != 1 ] || [ ! -d "$store" ] || [ ! -d "$repo" ]; then
  rm -rf "$work"
  mkdir -p "$work"
  python3 scripts/gen-code.py --sections "$sections" --versions "$versions" ${FLAT:+--flat} "$work/drafts"
  $t init >/dev/null
  $t participant add sec --name Secretariat --kind secretariat >/dev/null
  $t --as sec doc new bgb --title "Bürgerliches Gesetzbuch" >/dev/null
  git init -q "$repo"
  git -C "$repo" config user.name Secretariat
  git -C "$repo" config user.email secretariat@example.org
  labels_are_points=
  for v in $(seq 1 "$versions"); do
    $t --as sec import "$work/drafts/v$v.md" --revision "v$v" >/dev/null
    # A revision label is a point (issue 18); where it is not yet, a tag of the same name is.
    if [ -z "$labels_are_points" ]; then
      if $t show --at v1 >/dev/null 2>&1; then labels_are_points=yes; else labels_are_points=no; fi
    fi
    if [ "$labels_are_points" = no ]; then $t --as sec tag "v$v" >/dev/null; fi
    cp "$work/drafts/v$v.md" "$repo/code.md"
    git -C "$repo" add code.md
    git -C "$repo" commit -q -m "v$v"
    git -C "$repo" tag "v$v"
  done
  $travaux --store "$store" compact >/dev/null
  git -C "$repo" gc -q
  sync
fi

# The lines § 100 occupies in the last version, for git blame -L: its heading to the next.
lines=$(python3 - "$repo/code.md" <<'EOF'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
start = next(i for i, l in enumerate(lines, 1) if re.match(r"^#+ § 100( |$)", l))
end = next((i - 1 for i, l in enumerate(lines, 1) if i > start and l.startswith("#")), len(lines))
print(f"{start},{end}")
EOF
)

# The clause to blame: § 100 (before the importer split a heading's label from its title, the
# label was the whole heading: that is blamed then).
section=$($t --json show | python3 -c '
import json, sys
def walk(cs):
    for c in cs:
        yield c
        yield from walk(c.get("children") or [])
print(next(c["label"] for c in walk(json.load(sys.stdin)["clauses"])
           if c["label"] == "§ 100" or c["label"].startswith("§ 100 ")))')

# median seconds of a command, by hyperfine
median() {
  local json
  json=$(mktemp)
  hyperfine --style none --warmup 1 --runs "$runs" --export-json "$json" -- "$1" >/dev/null 2>&1
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['median'])" "$json"
  rm -f "$json"
}

printf 'draft v1: %s bytes; v%s: %s bytes; %s events\n' "$(wc -c <"$work/drafts/v1.md")" "$versions" \
  "$(wc -c <"$work/drafts/v$versions.md")" \
  "$($travaux --store "$store" --json verify | python3 -c 'import json,sys; print(json.load(sys.stdin)["head_seq"])')"
printf '%-28s %12s %12s %8s\n' question travaux_ms git_ms ratio
while IFS='|' read -r question ours theirs; do
  # Both answer, or the row says which does not.
  for cmd in "$ours" "$theirs"; do
    if ! sh -c "$cmd" >/dev/null 2>"$work/err"; then
      echo "$question: \`$cmd\` failed: $(head -c 300 "$work/err")" >&2
      continue 2
    fi
  done
  a=$(median "$ours")
  b=$(median "$theirs")
  python3 -c "import sys; q,a,b=sys.argv[1:]; a,b=float(a),float(b); print(f'{q:<28} {a*1000:12.1f} {b*1000:12.1f} {a/b:8.2f}')" "$question" "$a" "$b"
done <<EOT
text at v10|$t show --at v10 --format markdown|git -C $repo show v10:code.md
diff v5 to v15|$t diff v5 v15 --color never|git -C $repo diff v5 v15
when a phrase came in|$t log -S '$phrase'|git -C $repo log -S '$phrase' --oneline
blame of § 100|$t blame '$section'|git -C $repo blame -L $lines v$versions -- code.md
EOT
du -shL "$store" "$repo" | sed 's/^/disk: /'
