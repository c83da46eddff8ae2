"""Fills the service's databases with copies of the orders and sagas already there, for benchmarks on a big database.

    seed.py --uri "$MONGODB_URI" --orders 100000 [--database orders] [--history-database saga_history]

Every order, its saga, payment and shipment found in the databases serve as templates: each copy gets a new id
(the template's time part, a counter in the random part) written everywhere the template's id appears (order and saga
ids, list keys, saga inputs), so the copies are valid documents the service can list, count and read. Copies go in
unordered batches of 1,000; nothing is removed.
"""

import argparse
import sys
import time

from pymongo import MongoClient
from pymongo.errors import BulkWriteError

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
SUFFIX = 26
RANDOM_PART = 16


def encode(counter: int) -> str:
    """The counter as RANDOM_PART base32 characters."""
    characters = []
    for _ in range(RANDOM_PART):
        characters.append(ALPHABET[counter % 32])
        counter //= 32
    return "".join(reversed(characters))


def rewrite(value, old: str, new: str):
    """`value` with every occurrence of `old` in its strings and keys replaced by `new`."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {key.replace(old, new): rewrite(item, old, new) for key, item in value.items()}
    if isinstance(value, list):
        return [rewrite(item, old, new) for item in value]
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uri", required=True)
    parser.add_argument("--orders", type=int, required=True, help="how many orders (and sagas) to add")
    parser.add_argument("--database", default="orders")
    parser.add_argument("--history-database", default="saga_history")
    arguments = parser.parse_args()

    client = MongoClient(arguments.uri)
    business, history = client[arguments.database], client[arguments.history_database]
    templates = []
    for order in business.orders.find():
        suffix = order["_id"][len("ord_"):]
        saga = history.sagas.find_one({"_id": "saga_" + suffix})
        if saga is None or saga.get("leaseOwner") is not None or saga.get("dueAt") is not None:
            continue
        templates.append((
            suffix, order, saga, business.payments.find_one({"_id": order["_id"]}),
            business.shipments.find_one({"_id": order["_id"]})))
    if not templates:
        print("seed.py: no finished order with its saga to copy; run some orders first", file=sys.stderr)
        return 1

    started, counter = time.monotonic(), 0
    while counter < arguments.orders:
        batches = {"orders": [], "sagas": [], "payments": [], "shipments": []}
        for _ in range(min(1000, arguments.orders - counter)):
            suffix, order, saga, payment, shipment = templates[counter % len(templates)]
            counter += 1
            new = suffix[: SUFFIX - RANDOM_PART] + encode(counter)
            order_copy = rewrite(order, suffix, new)
            order_copy.pop("idempotencyKey", None)
            order_copy.pop("idempotencyScope", None)
            order_copy.pop("sagaStartPending", None)
            batches["orders"].append(order_copy)
            batches["sagas"].append(rewrite(saga, suffix, new))
            if payment is not None:
                batches["payments"].append(rewrite(payment, suffix, new))
            if shipment is not None:
                batches["shipments"].append(rewrite(shipment, suffix, new))
        for name, documents in batches.items():
            if not documents:
                continue
            collection = history.sagas if name == "sagas" else business[name]
            try:
                collection.insert_many(documents, ordered=False)
            except BulkWriteError as error:
                # A copy already present (a repeated seed) is fine; anything else is not.
                if any(item["code"] != 11000 for item in error.details.get("writeErrors", [])):
                    raise
        print(f"seed.py: {counter} of {arguments.orders} orders copied ({time.monotonic() - started:.0f} s)",
              file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
