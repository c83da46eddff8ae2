"""The order saga's shape on DBOS Transact (Python) over PostgreSQL, with a load driver.

A DBOS workflow of four steps, each a small durable effect in a business table of the same database:
reserve (a hold row and a conditional stock decrement, one transaction), charge (a payment row),
ship (a shipment row and the hold committed, one transaction), confirm (no database write). A failure
after reserve runs the compensations (refund, release) as steps too; the benchmark's happy path does not
take it, `--fail-every K` makes every K-th saga's shipment fail so that it does.

The driver starts --orders workflows with C in flight (DBOS.start_workflow, then handle.get_result()) for
each C in --concurrency, and measures sagas/s and start → result latency. It also counts what PostgreSQL
did per saga (statements from pg_stat_statements, commits from pg_stat_database) and checks the business
tables afterwards. JSON goes to --json, a Markdown summary to stdout. Scripts/bench-dbos.sh runs it against a
throwaway cluster.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from dbos import DBOS, DBOSConfig, SetWorkflowID

PRODUCTS = 16
engine: sa.Engine  # business tables' connection pool, set in main()
fail_every = 0


class ShipmentRefused(Exception):
    pass


def business_tx():
    return engine.begin()


@DBOS.step()
def reserve(order_id: str, product: int, qty: int) -> None:
    # The hold row makes the step idempotent: a re-run finds it and decrements nothing.
    with business_tx() as c:
        held = c.execute(sa.text(
            "INSERT INTO holds (order_id, product_id, qty) VALUES (:o, :p, :q) "
            "ON CONFLICT DO NOTHING RETURNING qty"), {"o": order_id, "p": product, "q": qty}).first()
        if held is None:
            return
        moved = c.execute(sa.text(
            "UPDATE products SET stock = stock - :q, reserved = reserved + :q WHERE id = :p AND stock >= :q"),
            {"p": product, "q": qty}).rowcount
        if moved != 1:
            raise RuntimeError(f"out of stock: product {product}")


@DBOS.step()
def charge(order_id: str, amount: int) -> str:
    with business_tx() as c:
        c.execute(sa.text(
            "INSERT INTO payments (order_id, amount, status) VALUES (:o, :a, 'captured') ON CONFLICT DO NOTHING"),
            {"o": order_id, "a": amount})
    return f"pay_{order_id}"


@DBOS.step()
def ship(order_id: str, seq: int) -> str:
    if fail_every and seq % fail_every == fail_every - 1:
        raise ShipmentRefused(order_id)
    with business_tx() as c:
        inserted = c.execute(sa.text(
            "INSERT INTO shipments (order_id) VALUES (:o) ON CONFLICT DO NOTHING"), {"o": order_id}).rowcount
        if inserted:
            c.execute(sa.text(
                "UPDATE products p SET reserved = p.reserved - h.qty, sold = p.sold + h.qty "
                "FROM holds h WHERE h.order_id = :o AND p.id = h.product_id"), {"o": order_id})
    return f"shp_{order_id}"


@DBOS.step()
def confirm(order_id: str) -> str:
    return f"confirmation queued for {order_id}"  # our service's e-mail is a provider call; no write here


@DBOS.step()
def refund(order_id: str) -> None:
    with business_tx() as c:
        c.execute(sa.text("UPDATE payments SET status = 'refunded' WHERE order_id = :o"), {"o": order_id})


@DBOS.step()
def release(order_id: str) -> None:
    with business_tx() as c:
        c.execute(sa.text(
            "WITH h AS (DELETE FROM holds WHERE order_id = :o RETURNING product_id, qty) "
            "UPDATE products p SET stock = p.stock + h.qty, reserved = p.reserved - h.qty "
            "FROM h WHERE p.id = h.product_id"), {"o": order_id})


@DBOS.workflow()
def order_saga(order_id: str, seq: int, product: int, qty: int, amount: int) -> str:
    reserve(order_id, product, qty)
    charged = False
    try:
        charge(order_id, amount)
        charged = True
        ship(order_id, seq)
    except Exception:
        if charged:
            refund(order_id)
        release(order_id)
        return "COMPENSATED"
    confirm(order_id)
    return "COMPLETED"


def setup_schema() -> None:
    with business_tx() as c:
        c.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
        c.execute(sa.text(
            "CREATE TABLE IF NOT EXISTS products (id int PRIMARY KEY, stock bigint NOT NULL, "
            "reserved bigint NOT NULL DEFAULT 0, sold bigint NOT NULL DEFAULT 0)"))
        c.execute(sa.text(
            "CREATE TABLE IF NOT EXISTS holds (order_id text PRIMARY KEY, product_id int NOT NULL, qty int NOT NULL)"))
        c.execute(sa.text(
            "CREATE TABLE IF NOT EXISTS payments (order_id text PRIMARY KEY, amount int NOT NULL, status text NOT NULL)"))
        c.execute(sa.text("CREATE TABLE IF NOT EXISTS shipments (order_id text PRIMARY KEY)"))
        c.execute(sa.text(
            "INSERT INTO products (id, stock) SELECT g, 1000000000 FROM generate_series(1, :n) g "
            "ON CONFLICT DO NOTHING"), {"n": PRODUCTS})


def db_counters() -> dict:
    """Statements run (pg_stat_statements, updated as each ends), write transactions (transaction ids handed
    out: each one a durable commit) and WAL bytes. pg_stat_database's xact_commit lags by up to seconds."""
    with engine.connect() as c:
        statements, xids, wal = c.execute(sa.text(
            "SELECT (SELECT coalesce(sum(calls), 0) FROM pg_stat_statements), "
            "pg_snapshot_xmax(pg_current_snapshot())::text::bigint, "
            "pg_current_wal_lsn() - '0/0'::pg_lsn")).one()
    return {"statements": int(statements), "write_transactions": int(xids), "wal_bytes": int(wal)}


def cpu_seconds(postmaster: int) -> dict:
    """CPU time of this process (DBOS, the driver) and of the PostgreSQL server: its postmaster with the
    children it has reaped, and its live children."""
    tick = os.sysconf("SC_CLK_TCK")
    server = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        if pid == postmaster:
            server += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
        elif ppid == postmaster:
            server += int(fields[11]) + int(fields[12])
    own = os.times()
    return {"client": own.user + own.system, "server": server / tick}


def top_statements(limit: int) -> list:
    with engine.connect() as c:
        rows = c.execute(sa.text(
            "SELECT calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) FROM pg_stat_statements "
            "ORDER BY calls DESC LIMIT :n"), {"n": limit}).all()
    return [{"calls": int(r[0]), "query": r[1]} for r in rows]


def reset_statements() -> None:
    with engine.connect() as c:
        c.execute(sa.text("SELECT pg_stat_statements_reset()"))
        c.commit()


def percentile(values: list, p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def run_level(run_id: str, orders: int, concurrency: int, postmaster: int) -> dict:
    latencies, outcomes, errors = [], {}, []
    lock = threading.Lock()
    next_seq = iter(range(orders))

    def worker() -> None:
        while True:
            with lock:
                seq = next(next_seq, None)
            if seq is None:
                return
            order_id = f"{run_id}-c{concurrency}-{seq}"
            t0 = time.perf_counter()
            try:
                with SetWorkflowID(order_id):
                    handle = DBOS.start_workflow(order_saga, order_id, seq, seq % PRODUCTS + 1, 1, 1999)
                outcome = handle.get_result()
            except Exception as e:  # counted and reported, never retried
                outcome = f"ERROR {type(e).__name__}"
                errors.append(repr(e))
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                outcomes[outcome] = outcomes.get(outcome, 0) + 1

    reset_statements()
    before, cpu_before = db_counters(), cpu_seconds(postmaster)
    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    after, cpu_after = db_counters(), cpu_seconds(postmaster)
    per_saga = {k: round((after[k] - before[k]) / orders, 2) for k in before}
    per_saga["statements"] = round((after["statements"] - before["statements"] - 1) / orders, 2)  # less our read
    return {
        "orders": orders, "concurrency": concurrency, "outcomes": outcomes, "errors": errors[:5],
        "seconds": round(wall, 3), "sagas_per_s": round(orders / wall, 1),
        "latency_ms": {"p50": round(percentile(latencies, 50) * 1000, 1),
                       "p99": round(percentile(latencies, 99) * 1000, 1),
                       "mean": round(statistics.mean(latencies) * 1000, 1),
                       "max": round(max(latencies) * 1000, 1)},
        "per_saga": per_saga,
        "cpu_ms_per_saga": {k: round((cpu_after[k] - cpu_before[k]) * 1000 / orders, 2) for k in cpu_before},
        "top_statements": top_statements(14),
    }


def check_books() -> dict:
    """The business tables must add up: every hold shipped or released, refunds only for compensated orders."""
    with engine.connect() as c:
        stock, reserved, sold = c.execute(sa.text(
            "SELECT sum(stock), sum(reserved), sum(sold) FROM products")).one()
        holds = c.execute(sa.text("SELECT count(*) FROM holds")).scalar()
        shipments = c.execute(sa.text("SELECT count(*) FROM shipments")).scalar()
        payments = dict(c.execute(sa.text("SELECT status, count(*) FROM payments GROUP BY status")).all())
    books = {"stock": int(stock), "reserved": int(reserved), "sold": int(sold), "holds": holds,
             "shipments": shipments, "payments": payments}
    books["ok"] = (int(reserved) == 0 and int(stock) + int(sold) == PRODUCTS * 1_000_000_000
                   and shipments == int(sold) and holds == shipments
                   and payments.get("captured", 0) == shipments)
    return books


def markdown(result: dict) -> str:
    lines = [f"DBOS {result['dbos_version']} on PostgreSQL {result['postgres_version']}, "
             f"system database pool {result['sys_db_pool_size']}, business pool {result['business_pool_size']}",
             "", "| concurrency | sagas | outcomes | sagas/s | latency p50 / p99 "
             "| per saga: statements / write transactions / WAL | CPU per saga: DBOS process / PostgreSQL |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in result["runs"]:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(r["outcomes"].items()))
        lines.append(f"| {r['concurrency']} | {r['orders']} | {outcomes} | {r['sagas_per_s']} | "
                     f"{r['latency_ms']['p50']} ms / {r['latency_ms']['p99']} ms | "
                     f"{r['per_saga']['statements']} / {r['per_saga']['write_transactions']} / "
                     f"{r['per_saga']['wal_bytes'] / 1024:.1f} KiB | "
                     f"{r['cpu_ms_per_saga']['client']} ms / {r['cpu_ms_per_saga']['server']} ms |")
    lines += ["", f"Books: {'consistent' if result['books']['ok'] else 'INCONSISTENT'} {result['books']}"]
    return "\n".join(lines)


def main() -> int:
    global engine, fail_every
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DBOS_BENCH_DATABASE_URL"),
                        help="postgresql+psycopg://USER@127.0.0.1:PORT/DB (default: $DBOS_BENCH_DATABASE_URL)")
    parser.add_argument("--orders", type=int, default=500, help="sagas per concurrency level (default 500)")
    parser.add_argument("--concurrency", default="1,64,200", help="comma-separated levels (default 1,64,200)")
    parser.add_argument("--orders-at-1", type=int, default=None, help="sagas for concurrency 1 (default: --orders)")
    parser.add_argument("--sys-db-pool-size", type=int, default=20, help="DBOS's system database pool (its default: 20)")
    parser.add_argument("--fail-every", type=int, default=0, help="every K-th saga's shipment fails (default: none)")
    parser.add_argument("--json", help="write the result here")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url or DBOS_BENCH_DATABASE_URL is required")
    levels = [int(c) for c in args.concurrency.split(",") if c.strip()]
    fail_every = args.fail_every

    business_pool = max(levels) + 4
    engine = sa.create_engine(args.database_url, pool_size=business_pool, max_overflow=0, pool_pre_ping=False)
    setup_schema()
    config: DBOSConfig = {"name": "order-saga-dbos", "system_database_url": args.database_url,
                          "sys_db_pool_size": args.sys_db_pool_size, "log_level": "WARNING",
                          "max_executor_threads": max(levels) + 8}
    DBOS(config=config)
    DBOS.launch()
    try:
        with engine.connect() as c:
            data_dir = c.execute(sa.text("SHOW data_directory")).scalar()
        with open(os.path.join(data_dir, "postmaster.pid")) as f:
            postmaster = int(f.readline())
        run_id = uuid.uuid4().hex[:8]
        runs = []
        for level in levels:
            orders = args.orders_at_1 if level == 1 and args.orders_at_1 else args.orders
            print(f"… {orders} sagas at concurrency {level}", file=sys.stderr, flush=True)
            runs.append(run_level(run_id, orders, level, postmaster))
        with engine.connect() as c:
            pg_version = c.execute(sa.text("SHOW server_version")).scalar()
            settings = dict(c.execute(sa.text(
                "SELECT name, setting FROM pg_settings WHERE name IN "
                "('fsync', 'synchronous_commit', 'wal_sync_method', 'max_connections', 'shared_buffers')")).all())
        from importlib.metadata import version
        result = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores",
                  "dbos_version": version("dbos"), "postgres_version": pg_version, "postgres_settings": settings,
                  "sys_db_pool_size": args.sys_db_pool_size, "business_pool_size": business_pool,
                  "fail_every": fail_every, "runs": runs, "books": check_books()}
    finally:
        DBOS.destroy()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    print(markdown(result))
    failed = any(k.startswith("ERROR") for r in result["runs"] for k in r["outcomes"])
    return 1 if failed or not result["books"]["ok"] else 0


if __name__ == "__main__":
    sys.exit(main())
