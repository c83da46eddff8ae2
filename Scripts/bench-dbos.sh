#!/usr/bin/env bash
# Runs the order saga's shape on DBOS over PostgreSQL (Scripts/bench/dbos_saga.py), for BENCHMARKS.md's comparison.
#
#   Scripts/bench-dbos.sh                                   # 500 sagas at 64 and 200, 50 at 1, then the insert ceiling
#   Scripts/bench-dbos.sh --orders 200 --concurrency 1,16   # any count and levels
#   Scripts/bench-dbos.sh --smoke                           # 10 sagas at concurrency 2 (2 compensated): it works
#
# Options: --orders N, --orders-at-1 N (default 50), --concurrency LIST (default 1,64,200), --no-ceiling, --smoke,
# --sys-db-pool-size N (DBOS's connection pool to its system tables; default 20, DBOS's own default).
# Installs what is missing (Debian's postgresql, dbos into .local/venv), starts a throwaway cluster in .local/pg-bench
# on a free port, 127.0.0.1 only, durable (fsync, synchronous_commit on), as the current user (as `postgres` when
# that is root: PostgreSQL refuses to run as root), and removes it on any exit. After the sagas, pgbench measures
# the cluster's single-row insert rate (one insert per transaction) at the same concurrencies, as a ceiling.
# Results: .local/bench-dbos/*.json (the path is printed); the Markdown summary on stdout.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
orders=500; orders_at_1=50; levels="1,64,200"; ceiling=1; fail_every=0; pool=20; kind=""
while [ $# -gt 0 ]; do
    case "$1" in
        --orders) orders="$2"; shift 2 ;;
        --orders-at-1) orders_at_1="$2"; shift 2 ;;
        --concurrency) levels="$2"; shift 2 ;;
        --no-ceiling) ceiling=0; shift ;;
        --sys-db-pool-size) pool="$2"; shift 2 ;;
        --smoke) orders=10; orders_at_1=10; levels="2"; ceiling=0; fail_every=5; kind="-smoke"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done

PG_BIN=/usr/lib/postgresql/15/bin
ensure_apt_packages postgresql python3-venv
ensure_venv "$ROOT/Scripts/bench/requirements-dbos.txt"

# The server's programs run as the current user, or as `postgres` when we are root.
pg_user="$(id -un)"; [ "$(id -u)" -eq 0 ] && pg_user=postgres
as_pg() { if [ "$pg_user" = "$(id -un)" ]; then "$@"; else runuser -u "$pg_user" -- "$@"; fi; }

state="$LOCAL_DIR/pg-bench"; out_dir="$LOCAL_DIR/bench-dbos"
sock="$(mktemp -d /tmp/pg-bench.XXXXXX)"
bench_pid=""
cleanup() {
    stop_pid "$bench_pid" 20
    [ -f "$state/data/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$state/data" -m fast -w -t 30 stop >/dev/null || true
    rm -rf "$state" "$sock"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$state"; mkdir -p "$state" "$out_dir"
chown "$pg_user" "$state" "$sock"
port="$("$VENV_DIR/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_pg "$PG_BIN/initdb" -D "$state/data" -U bench --auth=trust -E UTF8 --no-instructions >"$state/initdb.log"
cat >>"$state/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
fsync = on
synchronous_commit = on
max_connections = 300
shared_buffers = 256MB
shared_preload_libraries = 'pg_stat_statements'
EOF
as_pg "$PG_BIN/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 -o "-p $port -k $sock" start >/dev/null
as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U bench saga
log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in .local/pg-bench, removed on exit)"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"; json="$out_dir/dbos-$stamp$kind.json"
# In the background, so that a signal reaches the trap at once (bash defers traps until a foreground child ends).
"$VENV_DIR/bin/python" Scripts/bench/dbos_saga.py --database-url "postgresql+psycopg://bench@127.0.0.1:$port/saga" \
    --orders "$orders" --orders-at-1 "$orders_at_1" --concurrency "$levels" --fail-every "$fail_every" \
    --sys-db-pool-size "$pool" --json "$json" &
bench_pid=$!
wait "$bench_pid"
bench_pid=""
log "result: $json"

if [ "$ceiling" = 1 ]; then
    # A single-row insert per transaction, committed durably, with C clients: what the cluster gives at most.
    psql_bench() { "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U bench -d saga "$@"; }
    psql_bench -c "CREATE TABLE ceiling (id bigserial PRIMARY KEY, order_id text NOT NULL, amount int NOT NULL)"
    printf "INSERT INTO ceiling (order_id, amount) VALUES ('ord-' || :client_id, 1999);\n" >"$state/insert.sql"
    echo; echo "PostgreSQL single-row durable inserts (pgbench, 10 s each):"; echo
    echo "| clients | inserts/s | latency avg |"; echo "| --- | --- | --- |"
    ceiling_json="$out_dir/ceiling-$stamp.json"; entries=()
    for c in ${levels//,/ }; do
        out="$("$PG_BIN/pgbench" -n -h 127.0.0.1 -p "$port" -U bench -c "$c" -j 2 -T 10 -f "$state/insert.sql" saga 2>&1)"
        tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")"
        lat="$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")"
        printf '| %s | %.0f | %s ms |\n' "$c" "${tps:-0}" "${lat:-?}"
        entries+=("{\"clients\": $c, \"inserts_per_s\": ${tps:-null}, \"latency_avg_ms\": ${lat:-null}}")
    done
    (IFS=,; echo "[${entries[*]}]") >"$ceiling_json"
    log "ceiling: $ceiling_json"
fi
