#!/usr/bin/env bash
# Check `travaux serve` against its own OpenAPI description with Schemathesis: every answer's
# status, content type, headers and body are those the description gives, no request is
# answered 5xx, and a method the description does not list for a path is answered 405 with
# `Allow`. Run by the test suite (tests/e2e/schemathesis.rs) with a bounded number of examples.
#
#   scripts/schemathesis.sh [TRAVAUX_BINARY]
#
# EXAMPLES (default 10) bounds the examples per operation; VENV (default
# target/schemathesis-venv) is where Schemathesis is installed, at the pinned version, with
# `python3 -m venv` and pip (PyPI must be reachable the first time); SEED makes a run repeatable.
set -euo pipefail
cd "$(dirname "$0")/.."
SCHEMATHESIS_VERSION=4.32.5
bin=${1:-target/debug/travaux}
examples=${EXAMPLES:-10}
venv=$(realpath -m "${VENV:-target/schemathesis-venv}")
seed=${SEED:-1}

if [[ ! -x "$venv/bin/schemathesis" ]] || ! "$venv/bin/schemathesis" --version | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "== installing schemathesis $SCHEMATHESIS_VERSION into $venv" >&2
  python3 -m venv "$venv"
  # Its dependencies at the versions it was last checked with (pip freeze of that virtualenv).
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    --constraint scripts/schemathesis-constraints.txt "schemathesis==$SCHEMATHESIS_VERSION" >&2
fi

work=$(mktemp -d)
pid=
cleanup() {
  if [[ -n "$pid" ]]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The example negotiation, and a token of its secretariat, who may write.
"$bin" --store "$work/store" demo --quiet >/dev/null
token=$("$bin" --store "$work/store" --json token issue secretariat | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
"$bin" --store "$work/store" serve --addr 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
for _ in $(seq 100); do
  grep -q '^listening on ' "$work/serve.out" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$work/serve.out")
[[ -n "$url" ]] || { echo "the server did not start:" >&2; cat "$work/serve.err" >&2; exit 1; }

# Requests name the example's document; the live event streams never end, so they are left
# out (tests/e2e/serve.rs checks them).
cat >"$work/schemathesis.toml" <<TOML
[parameters]
"path.doc" = "who-code"
TOML
status=0
(cd "$work" && "$venv/bin/schemathesis" run "$url/v1/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,unsupported_method,allow_header_conformance \
  --header "Authorization: Bearer $token" \
  --exclude-path-regex '/events$' \
  --max-examples "$examples" --seed "$seed" --workers 1 \
  --request-timeout 30 --no-color --suppress-health-check all) || status=$?
if ((status)); then
  echo "schemathesis found failures (exit $status); the server's log:" >&2
  tail -20 "$work/serve.err" >&2
fi
exit $status
