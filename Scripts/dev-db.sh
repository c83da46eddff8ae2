#!/usr/bin/env bash
# Starts, stops and reports on the local MongoDB-wire server (SecantusDB) on 127.0.0.1.
#
#   Scripts/dev-db.sh start  [--name NAME] [--port PORT] [--memory | --data-dir DIR] [--sync]
#   Scripts/dev-db.sh stop   [--name NAME]
#   Scripts/dev-db.sh status [--name NAME]
#
# NAME (default "dev") keeps several servers apart; each has its state in .local/db/NAME.
# Storage is on disk in .local/db/NAME/data unless --memory or --data-dir is given.
# PORT 0 (the default for --memory) picks a free port; otherwise 27117.
# `start` prints `export MONGODB_URI=...` on stdout, so `eval "$(Scripts/dev-db.sh start)"` works.
# Idle connections are never dropped; `stop` shuts the server down cleanly and removes
# every temporary file it made.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

command="${1:-status}"; shift || true
name="dev"; port=""; storage="disk"; data_dir=""; sync_flag=""
while [ $# -gt 0 ]; do
    case "$1" in
        --name) name="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --memory) storage="memory"; shift ;;
        --data-dir) data_dir="$2"; shift 2 ;;
        --sync) sync_flag="--sync-on-commit"; shift ;;
        *) die "unknown option: $1" ;;
    esac
done

state="$LOCAL_DIR/db/$name"
pid_file="$state/pid"; port_file="$state/port"; log_file="$state/server.log"

# Retryable writes are off for this server: it scans every retryable-write record it keeps (30 minutes' worth)
# under one global lock on each write, which slows everything down as a run goes on. The service never relies
# on them (its writes are conditional or keyed, and retried by the engine with the same keys); against a
# real mongod, leave them on.
uri_for() { echo "mongodb://127.0.0.1:$1/?replicaSet=secantus&retryWrites=false"; }
current_pid() { cat "$pid_file" 2>/dev/null || true; }

case "$command" in
start)
    if alive "$(current_pid)" && [ -s "$port_file" ]; then
        log "local database '$name' already running (pid $(current_pid))"
        echo "export MONGODB_URI='$(uri_for "$(cat "$port_file")")'"
        exit 0
    fi
    ensure_system_packages
    ensure_venv
    mkdir -p "$state"
    rm -f "$port_file" "$pid_file"
    if [ "$storage" = "memory" ]; then
        target=":memory:"; : "${port:=0}"
    else
        target="${data_dir:-$state/data}"; : "${port:=27117}"
        mkdir -p "$target"
    fi
    # In-memory storage still writes WiredTiger scratch files under TMPDIR; keep them in
    # a folder this script owns, so `stop` (or the next start after a kill -9) removes them.
    rm -rf "$state/tmp"; mkdir -p "$state/tmp"
    TMPDIR="$state/tmp" "$VENV_DIR/bin/python" "$ROOT/Scripts/lib/secantus_launcher.py" \
        --port "$port" --storage "$target" --port-file "$port_file" $sync_flag \
        >"$log_file" 2>&1 &
    echo $! > "$pid_file"
    for ((i = 0; i < 600; i++)); do
        [ -s "$port_file" ] && break
        alive "$(current_pid)" || { cat "$log_file" >&2; die "local database '$name' failed to start"; }
        sleep 0.1
    done
    [ -s "$port_file" ] || die "local database '$name' did not start within 60 s (log: $log_file)"
    log "local database '$name' running on 127.0.0.1:$(cat "$port_file") (pid $(current_pid), storage $target)"
    echo "export MONGODB_URI='$(uri_for "$(cat "$port_file")")'"
    ;;
stop)
    pid="$(current_pid)"
    if alive "$pid"; then
        stop_pid "$pid" 20
        log "local database '$name' stopped"
    else
        log "local database '$name' is not running"
    fi
    rm -rf "$state/tmp" "$pid_file" "$port_file"
    ;;
status)
    if alive "$(current_pid)" && [ -s "$port_file" ]; then
        log "local database '$name' running (pid $(current_pid))"
        echo "export MONGODB_URI='$(uri_for "$(cat "$port_file")")'"
    else
        log "local database '$name' is not running"
        exit 1
    fi
    ;;
*) die "usage: Scripts/dev-db.sh start|stop|status [--name NAME] [--port PORT] [--memory | --data-dir DIR] [--sync]" ;;
esac
