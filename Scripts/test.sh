#!/usr/bin/env bash
# Runs the test suite against a fresh local MongoDB-wire server (in memory), then stops it.
#
#   Scripts/test.sh                 # everything
#   Scripts/test.sh --filter Mongo  # arguments go to `swift test`
#
# Installs what is missing first (Debian packages, the Python virtual environment). With
# MONGODB_URI already set (say, a real mongod), it uses that deployment instead of starting one.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

ensure_system_packages
ensure_venv

if [ -z "${MONGODB_URI:-}" ]; then
    db_name="test-$$"
    eval "$(Scripts/dev-db.sh start --name "$db_name" --memory)"
    trap 'Scripts/dev-db.sh stop --name "$db_name"' EXIT
fi
export MONGODB_URI
log "testing against $MONGODB_URI"

swift build --build-tests
swift test --skip-build "$@"
