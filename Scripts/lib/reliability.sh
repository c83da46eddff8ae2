# Runs one reliability suite (Scripts/reliability/run.py) on release binaries, or on BIN_DIR's when set.
# Usage from a wrapper: run_reliability_suite SUITE [options for run.py...]

run_reliability_suite() {
    local suite="$1"; shift
    ensure_system_packages
    ensure_venv
    local bin_dir="${BIN_DIR:-}"
    if [ -z "$bin_dir" ]; then
        stack_build provider-sandbox order-saga
        bin_dir="$STACK_BIN"
    fi
    # No __pycache__ folders in the source tree.
    (cd "$ROOT/Scripts" && PYTHONDONTWRITEBYTECODE=1 "$VENV_DIR/bin/python" -m reliability.run "$suite" --bin-dir "$bin_dir" "$@")
}
