#!/usr/bin/env bash
# Tests the operator console (/console) in a real headless Chromium against the real stack, on spare ports:
#
#   Scripts/console-test.sh     # uses BIN_DIR's executables when set (CI: the debug build), else builds debug
#
# Starts an in-memory local database (dev-db.sh, name "console"), the provider sandbox and the service (an operator
# and a viewer key, APPROVAL_THRESHOLD=100.00), then runs Scripts/console/test_console.py with selenium: sign-in,
# a new order going live to COMPLETED, a tok_flaky saga's retries on the timeline, an approval and a refund from
# the page, STUCK sagas (the mailer refused through a relay) retried from the page and in a batch, the catalog,
# dark mode, a viewer without buttons (and the API's 403), nothing in the browser's log. Saves
# screenshots to docs/console/ (SCREENSHOT_DIR to change). Installs Debian's chromium and chromium-driver and
# the Python requirements when missing. Prints `console checks: N passed, 0 failed`; exits non-zero on failure.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/stack.sh"
cd "$ROOT"

ensure_system_packages
ensure_apt_packages chromium chromium-driver
ensure_venv

work="$LOCAL_DIR/console-test"
rm -rf "$work"; mkdir -p "$work"
db_started=""
cleanup() {
    stack_stop
    if [ -n "$db_started" ]; then
        Scripts/dev-db.sh stop --name console
        rm -rf "$LOCAL_DIR/db/console"
    fi
}
trap cleanup EXIT

if [ -n "${BIN_DIR:-}" ]; then
    STACK_BIN="$BIN_DIR"
else
    log "building the service and the sandbox (debug; log in .local/console-test/build.log)…"
    swift build --product order-saga >"$work/build.log" 2>&1 </dev/null \
        && swift build --product provider-sandbox >>"$work/build.log" 2>&1 </dev/null \
        || { tail -40 "$work/build.log" >&2; die "the build failed"; }
    STACK_BIN="$(swift build --show-bin-path)"
fi

if Scripts/dev-db.sh status --name console >/dev/null 2>&1; then
    die "a local database named 'console' is already running (another console-test?); stop it with Scripts/dev-db.sh stop --name console"
fi
db_started="yes"
eval "$(Scripts/dev-db.sh start --name console --memory)"
export MONGODB_URI

port=$((20000 + RANDOM % 20000))
operator_key="console-operator-$RANDOM$RANDOM"
viewer_key="console-viewer-$RANDOM$RANDOM"
stack_start_sandbox "$((port + 1))" "$work/sandbox" "$work/sandbox.log"
# The mailer's calls go through the test's relay (on port + 2), which can refuse them to leave sagas STUCK.
stack_start_service "$port" "$work/service.log" API_KEYS="$operator_key:operator,$viewer_key:viewer" \
    APPROVAL_THRESHOLD=100.00 NOTIFY_URL="http://127.0.0.1:$((port + 2))" STEP_MAX_ATTEMPTS_SendConfirmation=2 \
    LOG_LEVEL=warning MONGODB_DATABASE=console_orders HISTORY_DATABASE=console_history
log "console test against http://127.0.0.1:$port/console (logs in .local/console-test/)"

CONSOLE_URL="http://127.0.0.1:$port" OPERATOR_KEY="$operator_key" VIEWER_KEY="$viewer_key" \
    SANDBOX_URL="$PAYMENTS_URL" MAILER_RELAY_PORT="$((port + 2))" \
    SCREENSHOT_DIR="${SCREENSHOT_DIR:-$ROOT/docs/console}" PYTHONDONTWRITEBYTECODE=1 \
    "$VENV_DIR/bin/python" Scripts/console/test_console.py
