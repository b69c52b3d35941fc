#!/usr/bin/env bash
# Load-test `travaux serve` with a real HTTP load generator (wrk).
#
#   scripts/bench-server.sh
#
# Builds the release binary, makes a store with the example negotiation (`travaux demo`),
# issues a token to k-boateng (a member of the public, who may comment in the demo's open
# review phase P8), starts `travaux serve` on a loopback port, and measures with wrk:
#   - reads:  GET $READ_PATH (default: the document's text, /v1/documents/who-code) or, when
#             the server has no such route, POST /v1/exec `show`;
#   - writes: POST /v1/exec `comment --clause 5.4 …`, each a durable append;
# at 1, 10 and 100 concurrent connections, DURATION each (default 10s), and prints requests/s
# with p50 and p99 latency. Then stops the server (SIGTERM) and verifies the log.
# wrk is installed from Debian's packages when missing. Run by hand, not in CI; work files go
# to ${WORK:-/tmp/travaux-bench-server}. Traffic goes to 127.0.0.1 only.
# STORE=postgres://…/DB runs the same on a PostgreSQL database instead of a directory (an empty
# database, or one the script may fill: its travaux tables are dropped first).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-/tmp/travaux-bench-server}
duration=${DURATION:-10s}
read -r -a clients <<<"${CLIENTS:-1 10 100}"

if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
cargo build --release -q -p travaux-cli
travaux=$PWD/target/release/travaux

rm -rf "$work"
mkdir -p "$work"
store=${STORE:-$work/store}
if [[ $store == postgres://* || $store == postgresql://* ]]; then
  psql -q "$store" -c 'DROP TABLE IF EXISTS events, head, kv, meta CASCADE' >/dev/null
fi
"$travaux" demo --store "$store" --quiet >/dev/null
token=$("$travaux" --store "$store" --json token issue k-boateng |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

"$travaux" --store "$store" serve --addr 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
stop() {
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap stop EXIT
url=
for _ in $(seq 1 100); do
  url=$(grep -o 'http://[^ ]*' "$work/serve.out" | head -n 1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "travaux serve did not say where it listens:" >&2
  cat "$work/serve.err" >&2
  exit 1
fi
events=$(TRAVAUX_TOKEN=$token "$travaux" --server "$url" --doc who-code --json log |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
echo "travaux serve at $url: the demo store, $events events of who-code" >&2

# The read: a typed route if the server has it, else `show` through /v1/exec.
read_path=${READ_PATH:-/v1/documents/who-code}
if curl -sf -o /dev/null -H "Authorization: Bearer $token" "$url$read_path"; then
  read_method=GET
  read_body=
  read_what="GET $read_path"
else
  read_method=POST
  read_path=/v1/exec
  read_body='{"argv": ["show", "--doc", "who-code"], "json": true, "files": {}}'
  read_what="POST /v1/exec show --json"
fi
write_body='{"argv": ["comment", "--doc", "who-code", "--clause", "5.4", "A comment from the load test."], "json": true, "files": {}}'

# A wrk script: the request, and a summary line that is easy to parse.
lua() {
  local method=$1 body=$2
  cat <<EOF
wrk.method = "$method"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = [[$body]]
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %.3f %.3f %.3f %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, errors))
end
EOF
}
lua "$read_method" "$read_body" >"$work/read.lua"
lua POST "$write_body" >"$work/write.lua"

run() {
  local script=$1 path=$2 c=$3 threads=2
  [ "$c" -lt 2 ] && threads=1
  wrk -t"$threads" -c"$c" -d"$duration" --timeout 30s -s "$script" "$url$path" |
    awk '/^RESULT/ { print $2, $3, $4, $5, $6 }'
}

printf '%-8s %-8s %10s %12s %10s %10s %8s\n' what clients requests 'requests/s' 'p50 ms' 'p99 ms' errors
for kind in reads writes; do
  for c in "${clients[@]}"; do
    if [ "$kind" = reads ]; then
      read -r n rps p50 p99 errors < <(run "$work/read.lua" "$read_path" "$c")
    else
      read -r n rps p50 p99 errors < <(run "$work/write.lua" /v1/exec "$c")
    fi
    printf '%-8s %-8s %10s %12s %10s %10s %8s\n' "$kind" "$c" "$n" "$rps" "$p50" "$p99" "$errors"
  done
done
echo "reads: $read_what; writes: POST /v1/exec comment (durable append); $duration each, wrk on 127.0.0.1, $(nproc) cores" >&2

stop
trap - EXIT
"$travaux" --store "$store" verify >&2
