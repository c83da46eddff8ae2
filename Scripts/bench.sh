#!/usr/bin/env bash
# Benchmarks the service end to end and prints saga-bench's Markdown report; writes the figures to
# .local/bench/result-<time>-*.json and a plot (latency CDF per concurrency, throughput over time) beside them.
#
#   Scripts/bench.sh                                # 500 orders, concurrency 16, tok_visa
#   Scripts/bench.sh --orders 2000 --concurrency 64 # arguments go to saga-bench service (saga-bench service --help)
#   Scripts/bench.sh --suite                        # concurrency 1, 64 and 256 (500 orders each), an open-loop run
#                                                   # at 64 for the command mix, then the ceiling for that mix
#   Scripts/bench.sh --suite --orders 1000          # the same with other saga-bench service arguments
#   Scripts/bench.sh --orders 10000 --rss-checkpoints 1000,10000   # service memory over 10,000 orders
#   Scripts/bench.sh --seed 100000 --concurrency 64 # the same on a database already holding 100,000 orders and
#                                                   # sagas (copies of 200 warm-up orders, Scripts/bench/seed.py)
#
# Starts its own stack in release mode on spare ports (BENCH_PORT, default 18080, and BENCH_PORT+10 for the
# sandbox): a local database on disk with durable commits, the provider sandbox and the service; runs
# saga-bench against it (with --suite also `saga-bench ceiling` against the same database, for the command mix
# an open-loop run measured: without the event streams the closed loop holds, whose reads would count); stops
# everything. The stack's state is kept in .local/bench/stack (replaced on every
# run); results and plots stay in .local/bench. The plot needs matplotlib, which goes into .local/venv.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/stack.sh"
cd "$ROOT"

suite=""
seed=""
service_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --suite) suite="yes" ;;
        --seed) [ $# -ge 2 ] || die "--seed needs a number of orders"; seed="$2"; shift ;;
        *) service_args+=("$1") ;;
    esac
    shift
done
if [ -n "$suite" ]; then
    for argument in "${service_args[@]}"; do
        [ "$argument" = "--concurrency" ] && die "--suite runs concurrency 1, 64 and 256: leave --concurrency out"
    done
    user_args=("${service_args[@]}")
    service_args+=(--concurrency 1,64,256)
fi

ensure_system_packages
ensure_venv
trap stack_stop EXIT
trap 'exit 130' INT TERM

port="${BENCH_PORT:-18080}"
results="$LOCAL_DIR/bench"
state="$results/stack"
rm -rf "$state" "$results/db" "$results/sandbox"; mkdir -p "$state"  # (db, sandbox: where earlier versions kept them)
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
stack_build provider-sandbox order-saga saga-bench
stack_start_db bench --port 0 --data-dir "$state/db" --sync
database_pid="$(cat "$LOCAL_DIR/db/bench/pid")"
stack_start_sandbox "$((port + 10))" "$state/sandbox" "$state/sandbox.log"
key="bench-operator-key"
# Each saga-bench worker holds one event stream open: allow far more than the largest concurrency.
stack_start_service "$port" "$state/service.log" API_KEYS="$key:operator" LOG_LEVEL=warning STREAMS_PER_KEY=2048
if [ -n "$seed" ]; then
    log "warming up with 200 orders, then copying them into $seed orders and sagas…"
    "$STACK_BIN/saga-bench" service --url "http://127.0.0.1:$port" --key "$key" --orders 200 --concurrency 64 \
        --open-loop >/dev/null
    "$VENV_DIR/bin/python" Scripts/bench/seed.py --uri "$MONGODB_URI" --orders "$seed"
fi
log "benchmarking http://127.0.0.1:$port (service pid $SERVICE_PID)…"
"$STACK_BIN/saga-bench" service --url "http://127.0.0.1:$port" --key "$key" --service-pid "$SERVICE_PID" \
    --database-pid "$database_pid" --json "$results/result-$stamp-service.json" "${service_args[@]}"
outputs=("$results/result-$stamp-service.json")
if [ -n "$suite" ]; then
    log "an open-loop run at concurrency 64 (no event streams) for the service's command mix…"
    "$STACK_BIN/saga-bench" service --url "http://127.0.0.1:$port" --key "$key" --service-pid "$SERVICE_PID" \
        --database-pid "$database_pid" --json "$results/result-$stamp-open-loop.json" "${user_args[@]}" --concurrency 64 --open-loop
    log "measuring the database's ceiling (saga-bench ceiling) for that mix…"
    "$STACK_BIN/saga-bench" ceiling --mongodb-uri "$MONGODB_URI" --mix-from "$results/result-$stamp-open-loop.json" \
        --json "$results/result-$stamp-ceiling.json"
    outputs+=("$results/result-$stamp-open-loop.json" "$results/result-$stamp-ceiling.json")
fi

if ! "$VENV_DIR/bin/python" -c 'import matplotlib' 2>/dev/null; then
    log "installing matplotlib into .local/venv (for the plot)"
    "$VENV_DIR/bin/pip" install -q --disable-pip-version-check 'matplotlib>=3.8,<4' || log "matplotlib did not install"
fi
if "$VENV_DIR/bin/python" Scripts/bench/plot.py "$results/result-$stamp.png" "${outputs[@]}" >/dev/null; then
    log "results: ${outputs[*]}; plot: $results/result-$stamp.png"
else
    log "results: ${outputs[*]} (the plot failed)"
fi
