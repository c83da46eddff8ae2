#!/usr/bin/env bash
# Runs the order service locally with everything it needs; Ctrl-C stops all it started.
#
#   Scripts/run.sh          # database + provider sandbox + service
#   Scripts/run.sh --deps   # database + provider sandbox only; prints `export` lines for the service
#
# Installs what is missing first. Honours the service's environment variables (PORT, HOST, API_KEYS,
# APPROVAL_THRESHOLD, …; see README.md). A database is started only when MONGODB_URI is not set, and the
# sandbox only when none of PAYMENTS_URL, SHIPPING_URL, NOTIFY_URL is set. Data persists in .local/.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

mode="service"
case "${1:-}" in
    "") ;;
    --deps) mode="deps" ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) die "unknown option: $1 (use --deps or nothing)" ;;
esac

ensure_system_packages
ensure_venv

started_db=""; sandbox_pid=""; service_pid=""
cleanup() {
    trap - EXIT INT TERM
    [ -n "$service_pid" ] && stop_pid "$service_pid" 30
    [ -n "$sandbox_pid" ] && stop_pid "$sandbox_pid" 10
    [ -n "$started_db" ] && Scripts/dev-db.sh stop --name dev
    log "stopped."
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${MONGODB_URI:-}" ]; then
    eval "$(Scripts/dev-db.sh start --name dev --sync)"
    started_db=1
fi
export MONGODB_URI

products=(provider-sandbox)
[ "$mode" = "service" ] && products+=(order-saga)
log "building (release; the first build takes several minutes)…"
for product in "${products[@]}"; do
    swift build -c release --product "$product" >&2
done
bin="$(swift build -c release --show-bin-path)"

if [ -z "${PAYMENTS_URL:-}${SHIPPING_URL:-}${NOTIFY_URL:-}" ]; then
    export SANDBOX_PORT="${SANDBOX_PORT:-8090}"
    export SANDBOX_DATA_DIR="${SANDBOX_DATA_DIR:-$LOCAL_DIR/sandbox}"
    mkdir -p "$SANDBOX_DATA_DIR"
    "$bin/provider-sandbox" >"$LOCAL_DIR/sandbox.log" 2>&1 &
    sandbox_pid=$!
    wait_for_http "http://127.0.0.1:$SANDBOX_PORT/health" 30 || { cat "$LOCAL_DIR/sandbox.log" >&2; die "the provider sandbox did not start"; }
    log "provider sandbox on http://127.0.0.1:$SANDBOX_PORT (ledgers in $SANDBOX_DATA_DIR, log .local/sandbox.log)"
    export PAYMENTS_URL="http://127.0.0.1:$SANDBOX_PORT" SHIPPING_URL="http://127.0.0.1:$SANDBOX_PORT" NOTIFY_URL="http://127.0.0.1:$SANDBOX_PORT"
fi

if [ "$mode" = "deps" ]; then
    echo "export MONGODB_URI='$MONGODB_URI'"
    echo "export PAYMENTS_URL='$PAYMENTS_URL'"
    echo "export SHIPPING_URL='$SHIPPING_URL'"
    echo "export NOTIFY_URL='$NOTIFY_URL'"
    [ -n "${SANDBOX_PORT:-}" ] && echo "export SANDBOX_PORT='$SANDBOX_PORT'"
    log "dependencies are running; press Ctrl-C to stop them."
    while true; do sleep 3600 & wait $!; done
fi

if [ -z "${API_KEYS:-}" ]; then
    key_file="$LOCAL_DIR/dev-operator-key"
    [ -s "$key_file" ] || echo "dev-$(head -c 18 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9' | head -c 24)" > "$key_file"
    export API_KEYS="$(cat "$key_file"):operator"
fi
export PORT="${PORT:-8080}" HOST="${HOST:-127.0.0.1}"
"$bin/order-saga" &
service_pid=$!
wait_for_http "http://$HOST:$PORT/health/live" 120 || die "the service did not start"
key="${API_KEYS%%:*}"
cat >&2 <<TXT

order-saga is running:
  API        http://$HOST:$PORT/v1   (OpenAPI: http://$HOST:$PORT/openapi.yaml)
  health     http://$HOST:$PORT/health/ready      metrics: http://$HOST:$PORT/metrics
  sandbox    ${PAYMENTS_URL}/ledger/charges
  operator key (development): $key

  curl -H "Authorization: Bearer $key" http://$HOST:$PORT/v1/sagas/stats

Press Ctrl-C to stop everything.
TXT
wait "$service_pid"
