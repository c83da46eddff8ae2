#!/usr/bin/env bash
# SIGKILLs the service at random moments (at least 10 times, some while sagas compensate) during 500 orders
# at concurrency 16, restarting it each time, then checks every invariant of CONTRACT.md.
#
#   Scripts/crash-test.sh                                # the full run
#   Scripts/crash-test.sh --orders 100 --kills 3         # the quick run CI does
#
# Uses release binaries (built if needed), or those in BIN_DIR. Prints a last line such as
# `orders=500 violations=0` and exits non-zero on any violation. Logs and data stay in .local/reliability/.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/stack.sh"
source "$(dirname "$0")/lib/reliability.sh"
cd "$ROOT"
run_reliability_suite crash "$@"
