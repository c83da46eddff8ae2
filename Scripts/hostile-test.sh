#!/usr/bin/env bash
# Fuzzes every endpoint of openapi.yaml with schemathesis against the real service: no 5xx, no crash, every
# answer as documented. (The table of inputs a fuzzer rarely finds — huge bodies, deep nesting, invalid UTF-8,
# NUL bytes, slow clients, a thousand headers — runs in `swift test` as HostileInputTests.)
#
#   Scripts/hostile-test.sh                      # 100 cases per operation
#   Scripts/hostile-test.sh --max-examples 10    # the short run CI does
#
# Uses release binaries (built if needed), or those in BIN_DIR. Prints a last line such as
# `operations=12 failures=0 crashed=0 violations=0` and exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/stack.sh"
source "$(dirname "$0")/lib/reliability.sh"
cd "$ROOT"
run_reliability_suite hostile "$@"
