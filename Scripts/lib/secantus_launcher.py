"""Runs SecantusDB (a MongoDB-wire server) on loopback until SIGTERM or SIGINT.

Started by Scripts/dev-db.sh; not meant to be run by hand. Binds the given port
(0 picks a free one), writes the bound port to --port-file once it accepts
connections, and stops cleanly (flushing storage) on SIGTERM.
"""
import argparse
import os
import signal
import sys
import threading

from secantus import SecantusDBServer


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--storage", default=":memory:", help="':memory:' or a folder")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--sync-on-commit", action="store_true")
    args = parser.parse_args()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    server = SecantusDBServer(
        host="127.0.0.1",
        port=args.port,
        storage_path=args.storage,
        # None: never drop an idle client (the default closes them after 300 s,
        # which breaks a pooled driver's idle connections).
        client_idle_timeout_s=None,
        sync_on_commit=args.sync_on_commit,
    )
    server.start()
    host, port = server.address
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.replace(tmp, args.port_file)
    print(f"secantusdb listening on {host}:{port} storage={args.storage}", flush=True)

    stop.wait()
    server.stop()
    print("secantusdb stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
