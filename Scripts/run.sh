#!/usr/bin/env bash
# Runs the order service locally with everything it needs; Ctrl-C stops all it started.
#
#   Scripts/run.sh          # database + provider sandbox + service
#   Scripts/run.sh --deps   # database + provider sandbox only; prints `export` lines for the service
#
# Installs what is missing first. Honours the service's environment variables (PORT, HOST, API_KEYS,
# APPROVAL_THRESHOLD, …; see README.md). A database is started only when MONGODB_URI is not set, and the
# sandbox only when none of PAYMENTS_URL, SHIPPING_URL, NOTIFY_URL is set. A database or sandbox that another
# run.sh already started is used and left running; only what this one started is stopped. Data persists in
# .local/; the build's output goes to .local/build.log.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/stack.sh"
cd "$ROOT"

mode="service"
case "${1:-}" in
    "") ;;
    --deps) mode="deps" ;;
    -h|--help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    *) die "unknown option: $1 (use --deps or nothing)" ;;
esac

if [ "$mode" = "service" ]; then
    holder="$(listener_pid "${PORT:-8080}")"
    [ -z "$holder" ] || die "something already listens on port ${PORT:-8080} (pid $holder): another run.sh's order-saga? Stop it, or set PORT"
fi

ensure_system_packages
ensure_venv

sleeper=""
trap '[ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null || true; stack_stop; log "stopped."' EXIT
trap 'exit 130' INT TERM

[ -n "${MONGODB_URI:-}" ] || stack_start_db dev --sync
export MONGODB_URI

products=(provider-sandbox)
[ "$mode" = "service" ] && products+=(order-saga)
stack_build "${products[@]}"

if [ -z "${PAYMENTS_URL:-}${SHIPPING_URL:-}${NOTIFY_URL:-}" ]; then
    sandbox_port="${SANDBOX_PORT:-8090}"
    if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$sandbox_port/health" 2>/dev/null; then
        export PAYMENTS_URL="http://127.0.0.1:$sandbox_port" SHIPPING_URL="http://127.0.0.1:$sandbox_port" \
            NOTIFY_URL="http://127.0.0.1:$sandbox_port" SANDBOX_PORT="$sandbox_port"
        log "using the provider sandbox already running on $PAYMENTS_URL (it stays running when this stops)"
    else
        holder="$(listener_pid "$sandbox_port")"
        [ -z "$holder" ] || die "port $sandbox_port is taken (pid $holder) by something that is not the sandbox; set SANDBOX_PORT"
        stack_start_sandbox "$sandbox_port" "${SANDBOX_DATA_DIR:-$LOCAL_DIR/sandbox}" "$LOCAL_DIR/sandbox.log"
        log "provider sandbox on $PAYMENTS_URL (ledgers in ${SANDBOX_DATA_DIR:-.local/sandbox}, log .local/sandbox.log)"
    fi
fi

if [ "$mode" = "deps" ]; then
    echo "export MONGODB_URI='$MONGODB_URI'"
    echo "export PAYMENTS_URL='$PAYMENTS_URL'"
    echo "export SHIPPING_URL='$SHIPPING_URL'"
    echo "export NOTIFY_URL='$NOTIFY_URL'"
    [ -n "${SANDBOX_PORT:-}" ] && echo "export SANDBOX_PORT='$SANDBOX_PORT'"
    log "dependencies are running; press Ctrl-C to stop them."
    while true; do
        sleep 3600 &
        sleeper=$!
        wait "$sleeper"
    done
fi

# Only the generated development key is ever printed; keys given in API_KEYS stay out of the output.
if [ -z "${API_KEYS:-}" ]; then
    key_file="$LOCAL_DIR/dev-operator-key"
    [ -s "$key_file" ] || echo "dev-$(head -c 18 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9' | head -c 24)" > "$key_file"
    export API_KEYS="$(cat "$key_file"):operator"
    key="$(cat "$key_file")"
    key_line="operator key (development): $key   (also in .local/dev-operator-key)"
else
    key='$KEY'
    key_line="API keys: those in API_KEYS (not printed)"
fi
export PORT="${PORT:-8080}" HOST="${HOST:-127.0.0.1}"
stack_start_service "$PORT" -
cat >&2 <<TXT

order-saga is running:
  API        http://$HOST:$PORT/v1   (OpenAPI: http://$HOST:$PORT/openapi.yaml)
  console    http://$HOST:$PORT/console   (sign in with an API key)
  health     http://$HOST:$PORT/health/ready      metrics: http://$HOST:$PORT/metrics
  sandbox    ${PAYMENTS_URL}/ledger/charges
  $key_line

  curl -H "Authorization: Bearer $key" http://$HOST:$PORT/v1/sagas/stats
  ORDER_SAGA_URL=http://$HOST:$PORT ORDER_SAGA_KEY=$key ${STACK_BIN#"$ROOT"/}/order-saga sagas list

Press Ctrl-C to stop everything.
TXT
wait "$SERVICE_PID"
