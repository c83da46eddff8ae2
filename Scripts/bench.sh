#!/usr/bin/env bash
# Benchmarks the service end to end and prints saga-bench's Markdown report.
#
#   Scripts/bench.sh                                # 500 orders, concurrency 16, tok_visa
#   Scripts/bench.sh --orders 2000 --concurrency 64 # arguments go to saga-bench (saga-bench --help)
#
# Starts its own stack in release mode on spare ports (BENCH_PORT, default 18080, and BENCH_PORT+10 for the
# sandbox): a local database on disk with durable commits, the provider sandbox and the service; runs
# saga-bench against it; stops everything. State is kept in .local/bench (replaced on every run).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/stack.sh"
cd "$ROOT"

ensure_system_packages
ensure_venv
trap stack_stop EXIT
trap 'exit 130' INT TERM

port="${BENCH_PORT:-18080}"
state="$LOCAL_DIR/bench"
rm -rf "$state"; mkdir -p "$state"
stack_build provider-sandbox order-saga saga-bench
stack_start_db bench --port 0 --data-dir "$state/db" --sync
stack_start_sandbox "$((port + 10))" "$state/sandbox" "$state/sandbox.log"
key="bench-operator-key"
stack_start_service "$port" "$state/service.log" API_KEYS="$key:operator" LOG_LEVEL=warning
log "benchmarking http://127.0.0.1:$port (service pid $SERVICE_PID)…"
"$STACK_BIN/saga-bench" --url "http://127.0.0.1:$port" --key "$key" --service-pid "$SERVICE_PID" "$@"
