#!/usr/bin/env bash
# Runs the test suite against a fresh local MongoDB-wire server (in memory), then stops it.
#
#   Scripts/test.sh                 # everything: swift test, then quick crash and zombie runs and a short fuzzing run
#   Scripts/test.sh --filter Mongo  # arguments go to `swift test`, and only swift test runs
#
# Installs what is missing first (Debian packages, the Python virtual environment). With
# MONGODB_URI already set (say, a real mongod), it uses that deployment instead of starting one.
# The reliability runs start their own database, sandbox and service (debug builds) on free ports.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/stack.sh"
source "$(dirname "$0")/lib/reliability.sh"
cd "$ROOT"

ensure_system_packages
ensure_venv

if [ -z "${MONGODB_URI:-}" ]; then
    db_name="test-$$"
    eval "$(Scripts/dev-db.sh start --name "$db_name" --memory)"
    # The in-memory server keeps nothing worth keeping: its folder (a log) goes with it.
    trap 'Scripts/dev-db.sh stop --name "$db_name"; rm -rf "$LOCAL_DIR/db/$db_name"' EXIT
fi
export MONGODB_URI
log "testing against $MONGODB_URI"

swift build --build-tests
swift test --skip-build "$@"

if [ $# -eq 0 ]; then
    export BIN_DIR="$(swift build --show-bin-path)"
    log "quick crash run: 100 orders, 3 kills of the service (Scripts/crash-test.sh for the full run)"
    run_reliability_suite crash --orders 100 --concurrency 16 --kills 3
    log "short zombie run: 60 orders, 2 freezes of one of two instances (Scripts/zombie-test.sh for the full run)"
    run_reliability_suite zombie --orders 60 --freezes 2
    log "saga-bench engine smoke run (it works; figures are BENCHMARKS.md's, from release builds)"
    "$BIN_DIR/saga-bench" engine --seconds 2 --in-flight 64 --compensate >/dev/null 2>&1
    "$BIN_DIR/saga-bench" engine --seconds 2 --in-flight 64 2>/dev/null | tail -2
    log "Scripts/run.sh as a newcomer meets it: a refused configuration, two at once, a log file"
    Scripts/run-check.sh
    log "short fuzzing run of every endpoint (Scripts/hostile-test.sh for the full run)"
    run_reliability_suite hostile --max-examples 15
fi
