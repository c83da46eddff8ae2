#!/usr/bin/env bash
# Runs the test suite against a fresh local MongoDB-wire server (in memory), then stops it.
#
#   Scripts/test.sh                 # everything: swift test, quick crash and zombie runs, the console in a headless
#                                   # Chromium, and a short fuzzing run
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

db_name=""
cleanup() {
    stack_stop
    if [ -n "$db_name" ]; then
        Scripts/dev-db.sh stop --name "$db_name"
        # The in-memory server keeps nothing worth keeping: its folder (a log) goes with it.
        rm -rf "$LOCAL_DIR/db/$db_name"
    fi
}
trap cleanup EXIT
if [ -z "${MONGODB_URI:-}" ]; then
    db_name="test-$$"
    eval "$(Scripts/dev-db.sh start --name "$db_name" --memory)"
fi
export MONGODB_URI
log "testing against $MONGODB_URI"

swift build --build-tests
# Swift Testing runs every test at once by default: a hundred in-process services then share one database server
# and two cores, and on a slow machine their requests time out. Eight at a time keeps each one's latency bounded
# (and the run is faster: on one core shared with a busy loop, 53 s against 64–68 s); set it to override.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-8}"
# The variable is experimental: a toolchain whose Swift Testing no longer reads it runs everything at once again.
testing_library="$(dirname "$(readlink -f "$(command -v swift)")")/../lib/swift/linux/libTesting.so"
if [ -f "$testing_library" ] && ! grep -q SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH "$testing_library"; then
    log "warning: this toolchain's Swift Testing ignores SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH; every test runs at once"
fi
if [ $# -eq 0 ]; then
    # The interleaving suite keeps the database server at full load for minutes. Run alone, after the rest, it
    # leaves the latency-bound tests (HTTP deadlines, real-time engines) a server and a CPU that are not saturated,
    # which on a slow machine is the difference between passing and timing out.
    swift test --skip-build --skip InventoryInterleavingTests
    log "the inventory interleaving suite (thousands of random schedules), alone on the database"
    swift test --skip-build --filter InventoryInterleavingTests
else
    swift test --skip-build "$@"
fi

# Runs saga-bench service (two concurrencies, event streams, command split, memory checkpoint) against a debug
# stack on the test database, then saga-bench ceiling briefly for the mix it measured; checks the result files.
bench_smoke() {
    local port=$((20000 + RANDOM % 20000)) dir="$LOCAL_DIR/bench-smoke" key="smoke-operator-key"
    rm -rf "$dir"; mkdir -p "$dir"
    STACK_BIN="$BIN_DIR"
    stack_start_sandbox "$((port + 1))" "$dir/sandbox" "$dir/sandbox.log"
    stack_start_service "$port" "$dir/service.log" API_KEYS="$key:operator" LOG_LEVEL=warning STREAMS_PER_KEY=8 \
        MONGODB_DATABASE="smoke_orders_$$" HISTORY_DATABASE="smoke_history_$$"
    MONGODB_DATABASE="smoke_orders_$$" HISTORY_DATABASE="smoke_history_$$" "$BIN_DIR/saga-bench" service \
        --url "http://127.0.0.1:$port" --key "$key" --service-pid "$SERVICE_PID" --orders 12 --concurrency 1,4 \
        --rss-checkpoints 6 --timeout 120 --json "$dir/service.json" | tail -4
    MONGODB_DATABASE="smoke_orders_$$" HISTORY_DATABASE="smoke_history_$$" "$BIN_DIR/saga-bench" service \
        --url "http://127.0.0.1:$port" --key "$key" --orders 8 --concurrency 4 --open-loop --timeout 120 \
        --json "$dir/open-loop.json" >/dev/null
    "$BIN_DIR/saga-bench" ceiling --seconds 0.3 --workers 2 --batch-sizes 1,4 --mix-from "$dir/open-loop.json" \
        --json "$dir/ceiling.json" 2>/dev/null | tail -1
    stack_stop
    "$VENV_DIR/bin/python" - "$dir/service.json" "$dir/open-loop.json" "$dir/ceiling.json" <<'PY'
import json, sys
service = json.load(open(sys.argv[1]))["service"]
open_loop = json.load(open(sys.argv[2]))["service"][0]
ceiling = json.load(open(sys.argv[3]))["ceiling"]
assert open_loop["placed"] == 8 and open_loop["outcomes"] == {"COMPLETED": 8}, open_loop
assert open_loop["peakStreams"] == 0 and open_loop["businessCommandsPerSaga"] > 0, open_loop
assert [run["concurrency"] for run in service] == [1, 4], service
for run in service:
    assert run["placed"] == 12 and run["outcomes"] == {"COMPLETED": 12}, run
    assert len(run["clientSagaLatenciesMs"]) == 12 and sum(run["completionsPerSecond"]) == 12, run
    assert 1 <= run["peakStreams"] <= run["concurrency"], run
    assert run["businessCommandsPerSaga"] > 0 and run["historyCommandsPerSaga"] > 0, run
    assert run["bothCommandsPerSaga"] > 0, run  # the steps' writes go with their records
    assert run["memoryCheckpoints"][0]["orders"] == 6, run
    assert len(run["statsReadsMs"]) == 4 and all(ms > 0 for ms in run["statsReadsMs"]), run
assert ceiling["ceiling"]["sagasPerSecond"] > 0 and all(rate["operations"] > 0 for rate in ceiling["rates"]), ceiling
assert all(rate["misses"] == 0 for rate in ceiling["rates"]), ceiling  # every compare-and-set found its document
PY
}

if [ $# -eq 0 ]; then
    export BIN_DIR="$(swift build --show-bin-path)"
    log "quick crash run: 100 orders, 3 kills of the service (Scripts/crash-test.sh for the full run)"
    run_reliability_suite crash --orders 100 --concurrency 16 --kills 3
    log "short zombie run: 60 orders, 2 freezes of one of two instances (Scripts/zombie-test.sh for the full run)"
    run_reliability_suite zombie --orders 60 --freezes 2
    log "traces: one trace per saga across a kill, over OTLP http/json and http/protobuf (Scripts/trace-test.sh)"
    run_reliability_suite traces
    log "saga-bench engine smoke run (it works; figures are BENCHMARKS.md's, from release builds)"
    "$BIN_DIR/saga-bench" engine --seconds 2 --in-flight 64 --compensate >/dev/null 2>&1
    "$BIN_DIR/saga-bench" engine --seconds 2 --in-flight 64 2>/dev/null | tail -2
    log "saga-bench service and ceiling smoke runs (they work, and the result files carry the command split)"
    bench_smoke
    log "DBOS comparison smoke run: 10 sagas on a throwaway PostgreSQL (Scripts/bench-dbos.sh for the real run)"
    Scripts/bench-dbos.sh --smoke >/dev/null
    log "Scripts/run.sh as a newcomer meets it: a refused configuration, two at once, a log file"
    Scripts/run-check.sh
    log "the operator console in a real headless Chromium (Scripts/console-test.sh, which also renews docs/console)"
    SCREENSHOT_DIR="$LOCAL_DIR/console-test-screenshots" Scripts/console-test.sh
    log "short fuzzing run of every endpoint (Scripts/hostile-test.sh for the full run)"
    run_reliability_suite hostile --max-examples 15
fi
