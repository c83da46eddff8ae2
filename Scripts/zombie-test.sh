#!/usr/bin/env bash
# Runs two service instances on one store with short leases and, at random moments while one of them holds sagas
# mid-step, freezes that instance's whole process group (SIGSTOP) for 1.5 to 3 effective leases, so the other takes
# its sagas over, then continues it (SIGCONT): a zombie whose attempts in flight finish their provider calls and
# business writes for sagas it no longer owns. Beside the usual order mix, a share of orders is placed a second time
# on the other instance with the same Idempotency-Key (both answers must name one order) and a share is cancelled
# while running, on either instance. At the end every invariant of CONTRACT.md is checked.
#
#   Scripts/zombie-test.sh                               # the full run: 300 orders, 6 freezes
#   Scripts/zombie-test.sh --orders 60 --freezes 2       # a short run (CI)
#   Scripts/zombie-test.sh --lease 3s --step-timeout 3s --latency 300-1200 --min-held 16   # the default timings
#
# Orders beyond --orders are placed while the freeze plan is not complete (bounded by --freeze-deadline).
# Uses release binaries (built if needed), or those in BIN_DIR. Prints a last line such as
# `orders=300 freezes=6 held_at_freezes=… taken_over=… doubles=… cancels=… extra_orders=… violations=0` and exits
# non-zero on any violation or saga not terminal. Logs, data and .local/reliability/zombie/zombie-report.json
# (each freeze, the sagas it caught, evidence for stock left wrong) stay in .local/reliability/zombie/.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/stack.sh"
source "$(dirname "$0")/lib/reliability.sh"
cd "$ROOT"
run_reliability_suite zombie "$@"
