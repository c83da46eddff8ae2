#!/usr/bin/env bash
# One trace per saga across a crash, over both OTLP/HTTP encodings (http/json and http/protobuf): an order placed with
# a known traceparent waits for approval, the service is killed and restarted, the approval completes it; every span
# of the saga must be in the caller's trace, each step once, the provider calls and log lines in it too.
#
#   Scripts/trace-test.sh
#
# Uses release binaries (built if needed), or those in BIN_DIR. Prints a last line such as
# `encodings=2 violations=0` and exits non-zero on any violation.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/stack.sh"
source "$(dirname "$0")/lib/reliability.sh"
cd "$ROOT"
run_reliability_suite traces "$@"
