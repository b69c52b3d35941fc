#!/usr/bin/env bash
# The whole test suite, on both engines:
#
#   scripts/test.sh
#
# 1. `cargo test --workspace`: every crate's tests and the end-to-end suite, on sled;
# 2. the store's tests again on PostgreSQL (`TRAVAUX_STORE_TEST_ENGINE=postgres`: tests about
#    sled's own files stay on sled);
# 3. the end-to-end suite again on PostgreSQL (`TRAVAUX_E2E_ENGINE=postgres`: each scenario's
#    store is a fresh database), less the scenarios listed in POSTGRES_SKIPS below, each with
#    its reason.
#
# The PostgreSQL passes run against a throw-away cluster that scripts/pg-test-cluster.sh starts
# (and stops when this script ends), unless TRAVAUX_TEST_POSTGRES already names a server. It
# needs a PostgreSQL server installed (Debian's postgresql); `bash .ci/run` installs it and the
# other tools the tests need (GNU patch, pandoc, unzip, xmllint, chromium) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Scenarios of the end-to-end suite that are about a sled store's directory, so have no
# PostgreSQL counterpart (cargo test's --skip takes a substring of the test's name).
POSTGRES_SKIPS=(
  # They damage sled's own files (its blocks, its anchor) and check what `verify` and `open`
  # make of it; a database's log is guarded by its constraints and triggers, tested in
  # store/tests/postgres.rs.
  tamper::
  # The local socket (server.sock) and server.json live in a store's directory; a database has
  # none, and every process reaches it itself.
  local_server::
  client::a_store_held_by_a_server_names_it
  # sled admits one process; a database is shared by several by design (tested by
  # engines::two_servers_on_one_database_order_fifty_writers_once).
  concurrency::a_second_process_is_told_the_store_is_in_use
  # `demo` replaces a directory it made earlier; into a database it writes only if it is empty.
  demo::demo_replaces_an_earlier_demo_but_not_another_directory
  # The permissions of a store's directory.
  input_checks::a_store_the_user_may_not_write_names_its_path_owner_and_the_permission_needed
  # `compact` rewrites sled's files; a database compacts itself (VACUUM) and `compact` says so
  # (checked in command_line::verify_rebuild_and_compact_show_progress_on_a_terminal_only).
  read_model::compacting_the_store_changes_no_answer
  backup::checkpoints_and_the_key_survive_compaction
  # The fixture of the first release's format is a sled store's directory (a database's
  # tables are made by the version that opens it, `travaux-postgres/1`).
  store_format::
)

cluster=
stop_cluster() {
  if [[ -n $cluster ]]; then
    scripts/pg-test-cluster.sh stop "$cluster"
  fi
}
trap stop_cluster EXIT
if [[ -z ${TRAVAUX_TEST_POSTGRES:-} ]]; then
  cluster=$(mktemp -d /tmp/travaux-pg.XXXXXX) # under /tmp: the postgres user must reach it
  echo "== starting a throw-away PostgreSQL cluster in $cluster"
  TRAVAUX_TEST_POSTGRES=$(scripts/pg-test-cluster.sh start "$cluster")
fi
export TRAVAUX_TEST_POSTGRES

echo "== cargo test --workspace (sled)"
cargo test --workspace --locked
echo "== the store's tests on PostgreSQL"
TRAVAUX_STORE_TEST_ENGINE=postgres cargo test -p travaux-store --locked
echo "== the end-to-end suite on PostgreSQL (skipped: ${POSTGRES_SKIPS[*]})"
skips=()
for s in "${POSTGRES_SKIPS[@]}"; do
  skips+=(--skip "$s")
done
TRAVAUX_E2E_ENGINE=postgres cargo test -p travaux-cli --test e2e --locked -- "${skips[@]}"
