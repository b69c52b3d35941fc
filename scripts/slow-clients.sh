#!/usr/bin/env bash
# `travaux serve` against 3,000 slow clients (half-sent headers, slowloris).
#
#   scripts/slow-clients.sh [CONNECTIONS]
#
# Builds the release binary, makes a store with the example negotiation (`travaux demo`), and
# runs scripts/slow-clients.py: with CONNECTIONS (default 3000) connections holding half-sent
# headers, it reports the server's memory and open files, how long a normal request takes
# meanwhile, when the slow connections are closed, and how long SIGTERM takes — with the
# default limits, with --max-connections below the crowd, and with a header timeout longer
# than the shutdown deadline. Run by hand, not in CI; work files go to
# ${WORK:-/tmp/travaux-slow-clients}. Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${WORK:-/tmp/travaux-slow-clients}
cargo build --release -q -p travaux-cli
travaux=$PWD/target/release/travaux
rm -rf "$work"
mkdir -p "$work"
"$travaux" demo --store "$work/store" --quiet >/dev/null
python3 scripts/slow-clients.py "$travaux" "$work/store" "${1:-3000}"
