# Shared helpers for the scripts in Scripts/. Source it; it defines functions and one environment setting.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL_DIR="$ROOT/.local"
VENV_DIR="$LOCAL_DIR/venv"

# Debian's libmongoc keeps statistics counters in /dev/shm/mongoc-<pid>, a file a killed process leaves behind (the
# reliability suites SIGKILL services by the dozen), and a later process given the same pid then warns on stderr.
# Nothing here reads those counters: every process the scripts start does without them.
export MONGOC_DISABLE_SHM="${MONGOC_DISABLE_SHM:-1}"

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Runs a command as root, through sudo when we are not root.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root to run: $*"
    fi
}

# Installs the given Debian packages, only those absent.
ensure_apt_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    log "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
        as_root apt-get update -q >/dev/null
        as_root apt-get install -y -q "${missing[@]}" >/dev/null
    }
}

# Installs the Debian packages the build and the scripts need, only those absent.
ensure_system_packages() {
    ensure_apt_packages libmongoc-dev libbson-dev pkg-config python3-venv curl
}

# Creates the scripts' Python virtual environment and installs a requirements file into it
# (default Scripts/requirements.txt), again only when that file changed since its last install.
ensure_venv() {
    local requirements="${1:-$ROOT/Scripts/requirements.txt}" stamp want
    stamp="$VENV_DIR/.requirements.sha256"
    [ $# -gt 0 ] && stamp="$VENV_DIR/.$(basename "$requirements").sha256"
    want="$(sha256sum "$requirements" | cut -d' ' -f1)"
    if [ -x "$VENV_DIR/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    mkdir -p "$LOCAL_DIR"
    if [ ! -x "$VENV_DIR/bin/python" ]; then
        log "creating the Python virtual environment in .local/venv"
        python3 -m venv "$VENV_DIR" 2>/dev/null || {
            rm -rf "$VENV_DIR"
            /usr/bin/python3 -m venv "$VENV_DIR"
        }
    fi
    log "installing Python requirements (${requirements#"$ROOT/"})"
    "$VENV_DIR/bin/pip" install -q --disable-pip-version-check -r "$requirements"
    echo "$want" > "$stamp"
}

# Waits until an HTTP URL answers 2xx, for at most $2 seconds (default 60).
wait_for_http() {
    local url="$1" limit="${2:-60}" i
    for ((i = 0; i < limit * 10; i++)); do
        curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# True when the process with this pid is alive.
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# Sends SIGTERM to a pid, waits up to $2 seconds (default 15), then SIGKILL.
stop_pid() {
    local pid="$1" limit="${2:-15}" i
    alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < limit * 10; i++)); do
        alive "$pid" || return 0
        sleep 0.1
    done
    log "pid $pid did not stop in ${limit}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
}
