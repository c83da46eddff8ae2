# Starting and stopping the local stack (database, provider sandbox, service) for run.sh, bench.sh and the
# reliability suites. Source after common.sh. Functions set and export the variables the service reads.

STACK_BIN=""
STACK_DB_NAMES=()
STACK_PIDS=()

# Builds products in release mode and sets STACK_BIN to where they are.
stack_build() {
    log "building $* (release; the first build takes several minutes)…"
    for product in "$@"; do swift build -c release --product "$product" >&2; done
    STACK_BIN="$(swift build -c release --show-bin-path)"
}

# Starts a local database NAME (extra dev-db.sh options follow) and exports MONGODB_URI.
stack_start_db() {
    local name="$1"; shift
    eval "$(Scripts/dev-db.sh start --name "$name" "$@")"
    export MONGODB_URI
    STACK_DB_NAMES+=("$name")
}

# Starts the provider sandbox on PORT with its ledgers in DATA_DIR, logging to LOG; exports the provider URLs.
# Extra NAME=value arguments are passed to it as environment (SANDBOX_FAILURE_RATE=0.3, …).
stack_start_sandbox() {
    local port="$1" data_dir="$2" log_file="$3"; shift 3
    mkdir -p "$data_dir"
    env SANDBOX_PORT="$port" SANDBOX_DATA_DIR="$data_dir" "$@" "$STACK_BIN/provider-sandbox" >"$log_file" 2>&1 &
    SANDBOX_PID=$!
    STACK_PIDS+=("$SANDBOX_PID")
    wait_for_http "http://127.0.0.1:$port/health" 30 || { cat "$log_file" >&2; die "the provider sandbox did not start"; }
    export PAYMENTS_URL="http://127.0.0.1:$port" SHIPPING_URL="http://127.0.0.1:$port" NOTIFY_URL="http://127.0.0.1:$port"
    export SANDBOX_PORT="$port"
}

# Starts the service on PORT, logging to LOG, and waits until it is ready; sets SERVICE_PID.
# Extra NAME=value arguments are passed to it as environment.
stack_start_service() {
    local port="$1" log_file="$2"; shift 2
    env PORT="$port" "$@" "$STACK_BIN/order-saga" >>"$log_file" 2>&1 &
    SERVICE_PID=$!
    STACK_PIDS+=("$SERVICE_PID")
    wait_for_http "http://127.0.0.1:$port/health/ready" 120 || { tail -20 "$log_file" >&2; die "the service did not become ready"; }
}

# Stops every process and database this script started (newest first).
stack_stop() {
    local index
    for ((index = ${#STACK_PIDS[@]} - 1; index >= 0; index--)); do stop_pid "${STACK_PIDS[$index]}" 30; done
    STACK_PIDS=()
    for name in "${STACK_DB_NAMES[@]}"; do Scripts/dev-db.sh stop --name "$name"; done
    STACK_DB_NAMES=()
}
