#!/usr/bin/env bash
# Checks Scripts/run.sh as a newcomer meets it, on spare ports:
#
#   Scripts/run-check.sh      # uses BIN_DIR's executables when set (CI: the debug build), else builds release
#
# 1. a run.sh whose service refuses its configuration stops at once and shows the service's error;
# 2. with one run.sh up, a second one on the same port says so at once and stops nothing of the first;
# 3. a second run.sh on another port shares the first one's database and sandbox, and stopping it leaves them;
# 4. the first run.sh's output, written to a file, has whole lines: the service's and the script's own;
# 5. the console's address is in the banner, and /console answers 200 with HTML.
# Prints `run.sh checks: N passed, 0 failed` and exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

work="$(mktemp -d "${TMPDIR:-/tmp}/run-check.XXXXXX")"
base="${RUN_CHECK_PORT:-18380}"
export SANDBOX_PORT=$((base + 10)) SANDBOX_DATA_DIR="$work/sandbox" PAYMENTS_URL= SHIPPING_URL= NOTIFY_URL=
unset MONGODB_URI API_KEYS
passed=0; failed=0
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 300); do alive "$pid" || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
check() {
    if eval "$2"; then passed=$((passed + 1)); log "ok: $1"; else failed=$((failed + 1)); log "FAILED: $1"; fi
}
ready() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/health/ready" 2>/dev/null; }
# Waits (at most $2 seconds) until process $1 has exited; true when it has.
exited() { local i; for ((i = 0; i < $2 * 10; i++)); do alive "$1" || return 0; sleep 0.1; done; return 1; }

# 1. A configuration the service refuses ends the start at once, with the service's own error.
PORT=$base API_KEYS="not a key list" Scripts/run.sh >"$work/refused.log" 2>&1 &
refused=$!; pids+=("$refused")
check "a refused configuration stops run.sh within 60 s" "exited $refused 60"
check "...and shows the service's error naming API_KEYS" "grep -q 'API_KEYS' '$work/refused.log'"
check "...and no 'is running' banner" "! grep -q 'order-saga is running' '$work/refused.log'"

# 2. The first run.sh, its output to a file (service and script writing to the same file).
PORT=$base Scripts/run.sh >"$work/first.log" 2>&1 &
first=$!; pids+=("$first")
for _ in $(seq 1 1800); do grep -q "order-saga is running" "$work/first.log" && break; alive "$first" || break; sleep 0.1; done
check "the first run.sh is up" "ready $base"
check "...its banner names the console" "grep -q '^  console    http://127.0.0.1:$base/console' '$work/first.log'"
check "...and /console answers 200 with HTML, no key needed" \
    "curl -fsS -D '$work/console.headers' -o '$work/console.html' http://127.0.0.1:$base/console \
        && grep -qi '^content-type: text/html' '$work/console.headers' && grep -qi '<!doctype html>' '$work/console.html'"

PORT=$base Scripts/run.sh >"$work/second.log" 2>&1 &
second=$!; pids+=("$second")
check "a second run.sh on the same port stops within 30 s" "exited $second 30"
check "...saying what holds the port" "grep -q 'already listens on port $base' '$work/second.log'"
check "...and the first service still answers (its database and sandbox untouched)" "ready $base"

# 3. Another instance on another port shares the database and the sandbox; stopping it stops neither.
PORT=$((base + 1)) Scripts/run.sh >"$work/third.log" 2>&1 &
third=$!; pids+=("$third")
for _ in $(seq 1 1800); do ready $((base + 1)) && break; alive "$third" || break; sleep 0.1; done
check "a run.sh on another port starts beside the first" "ready $((base + 1))"
check "...using the running database" "grep -q 'using the local database' '$work/third.log'"
check "...and the running sandbox" "grep -q 'using the provider sandbox already running' '$work/third.log'"
kill -TERM "$third"
check "...and stops on SIGTERM (what Ctrl-C sends it on a terminal is handled the same way)" "exited $third 60"
check "the first service still answers after the other stopped" "ready $base"
check "...and its sandbox too" "curl -fsS -o /dev/null http://127.0.0.1:$SANDBOX_PORT/health"

# 4. The first run.sh's log: the service's lines are there, whole.
kill -TERM "$first"
check "the first run.sh stops on SIGTERM" "exited $first 60"
check "the service's own start-up lines are in the file" "grep -q '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T.*order-saga' '$work/first.log'"
check "no line has a log line's start in its middle (nothing overwritten)" \
    "! grep -q '.[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9][+-Z]' '$work/first.log'"
check "the banner is whole" "grep -q '^  API        http://127.0.0.1:$base/v1' '$work/first.log'"

echo "run.sh checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
