#!/usr/bin/env bash
# Runs the sandbox with SANDBOX_FAILURE_RATE=0.3 and added latency: every order still ends terminal, the
# invariants hold, and retries show in the sagas' histories and in the metrics.
#
#   Scripts/fault-test.sh [--orders 500 --failure-rate 0.3]
#
# Uses release binaries (built if needed), or those in BIN_DIR. Prints a last line such as
# `orders=500 violations=0` and exits non-zero on any violation. Logs and data stay in .local/reliability/.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/stack.sh"
source "$(dirname "$0")/lib/reliability.sh"
cd "$ROOT"
run_reliability_suite faults "$@"
