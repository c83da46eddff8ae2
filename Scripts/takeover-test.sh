#!/usr/bin/env bash
# Runs two service instances on one store, kills one for good mid-run, and checks that the other finishes
# every saga after the leases expire, then every invariant of CONTRACT.md.
#
#   Scripts/takeover-test.sh [--orders 500 --concurrency 16]
#
# Uses release binaries (built if needed), or those in BIN_DIR. Prints a last line such as
# `orders=500 violations=0` and exits non-zero on any violation. Logs and data stay in .local/reliability/.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/stack.sh"
source "$(dirname "$0")/lib/reliability.sh"
cd "$ROOT"
run_reliability_suite takeover "$@"
