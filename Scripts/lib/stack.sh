# Starting and stopping the local stack (database, provider sandbox, service) for run.sh, bench.sh and the
# reliability suites. Source after common.sh. Functions set and export the variables the service reads.

STACK_BIN=""
STACK_DB_NAMES=()
STACK_PIDS=()

# Builds the release executables (PRODUCTS are the ones the caller needs; one build makes them all) and sets
# STACK_BIN to where they are; with BIN_DIR set, uses the executables there instead. Quiet unless the build fails: its output goes to .local/build.log, never to a
# terminal, so the compiler's flags are the same whether the script's output is a terminal or a file (a change
# of flags would rebuild everything).
stack_build() {
    local build_log="$LOCAL_DIR/build.log" wanted product
    if [ -n "${BIN_DIR:-}" ]; then
        STACK_BIN="$BIN_DIR"  # executables built already (the checks in CI use the debug build)
        return 0
    fi
    mkdir -p "$LOCAL_DIR"
    STACK_BIN="$(swift build -c release --show-bin-path 2>/dev/null)"
    wanted=""
    for product in "$@"; do [ -x "$STACK_BIN/$product" ] || wanted="yes"; done
    if [ -n "$wanted" ]; then
        log "building the release executables (the first build takes about 7 minutes on 2 cores; log in .local/build.log)…"
    else
        log "bringing the release build up to date (log in .local/build.log)…"
    fi
    if ! swift build -c release >"$build_log" 2>&1 </dev/null; then
        tail -40 "$build_log" >&2
        die "the build failed (whole log: .local/build.log)"
    fi
}

# Starts a local database NAME (extra dev-db.sh options follow) and exports MONGODB_URI. A database NAME already
# running (another run.sh, say) is used as it is and left running when this script stops.
stack_start_db() {
    local name="$1"; shift
    local status
    if status="$(Scripts/dev-db.sh status --name "$name" 2>/dev/null)"; then
        eval "$status"
        export MONGODB_URI
        log "using the local database '$name' that is already running (it stays running when this stops)"
        return 0
    fi
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

# Starts the service on PORT, logging to LOG ("-": to this script's own standard error, shared rather than
# reopened, so lines from both never overwrite each other in a file), and waits until it is ready; sets
# SERVICE_PID. A service that exits while starting (a configuration it refuses, a port in use) ends the wait at
# once. Extra NAME=value arguments are passed to it as environment.
stack_start_service() {
    local port="$1" log_file="$2" i; shift 2
    if [ "$log_file" = "-" ]; then
        env PORT="$port" "$@" "$STACK_BIN/order-saga" 1>&2 &
    else
        env PORT="$port" "$@" "$STACK_BIN/order-saga" >>"$log_file" 2>&1 &
    fi
    SERVICE_PID=$!
    STACK_PIDS+=("$SERVICE_PID")
    for ((i = 0; i < 1200; i++)); do
        if ! alive "$SERVICE_PID"; then
            [ "$log_file" = "-" ] || tail -20 "$log_file" >&2
            die "the service exited while starting (its error is above)"
        fi
        curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/health/ready" 2>/dev/null && return 0
        sleep 0.1
    done
    [ "$log_file" = "-" ] || tail -20 "$log_file" >&2
    die "the service did not become ready within 2 minutes"
}

# The pid of the process listening on TCP PORT on this machine, or nothing.
listener_pid() {
    local port="$1" inode pid
    inode="$(awk -v port="$(printf '%04X' "$port")" '$4 == "0A" { split($2, a, ":"); if (a[2] == port) { print $10; exit } }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null)"
    [ -n "$inode" ] || return 0
    for pid in /proc/[0-9]*; do
        if ls -l "$pid/fd" 2>/dev/null | grep -q "socket:\[$inode\]"; then echo "${pid#/proc/}"; return 0; fi
    done
    echo "?"
}

# Stops every process and database this script started (newest first).
stack_stop() {
    local index
    for ((index = ${#STACK_PIDS[@]} - 1; index >= 0; index--)); do stop_pid "${STACK_PIDS[$index]}" 30; done
    STACK_PIDS=()
    for name in "${STACK_DB_NAMES[@]}"; do Scripts/dev-db.sh stop --name "$name"; done
    STACK_DB_NAMES=()
}
