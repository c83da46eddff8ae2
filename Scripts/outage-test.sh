#!/usr/bin/env bash
# Stops the database for about 10 s mid-run and starts it again on the same data: the service stays up and
# answers 503 with Retry-After meanwhile; afterwards every saga finishes and every invariant holds.
#
#   Scripts/outage-test.sh [--orders 500 --outage-seconds 10]
#
# Uses release binaries (built if needed), or those in BIN_DIR. Prints a last line such as
# `orders=500 violations=0` and exits non-zero on any violation. Logs and data stay in .local/reliability/.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/stack.sh"
source "$(dirname "$0")/lib/reliability.sh"
cd "$ROOT"
run_reliability_suite outage "$@"
