"""The invariants of CONTRACT.md, checked against the business database, the history store and the sandbox's ledgers.

For every order, after the system is quiet: the saga is terminal; a COMPLETED order has exactly one successful
charge, one shipment, one confirmation; a COMPENSATED, CANCELLED or REFUNDED order has charges minus refunds
equal to zero and its stock back, and no shipment left created; for every product, stock + reserved equals the
stock put in minus what completed orders took, and reserved is 0. Also: every order the client was told about
exists once, and every stored order has a saga.
"""

from collections import defaultdict
from decimal import Decimal

import pymongo

from .api import get_json

SHOWN = {"RUNNING": "RUNNING", "WAITING": "AWAITING_APPROVAL", "COMPENSATING": "COMPENSATING",
         "COMPLETED": "COMPLETED", "COMPENSATED": "COMPENSATED", "CANCELLED": "CANCELLED", "STUCK": "STUCK",
         "REVERTED": "REFUNDED"}
TERMINAL = {"COMPLETED", "COMPENSATED", "CANCELLED", "REFUNDED"}


def saga_statuses(uri, history_db="saga_history"):
    """Status (in the API's words) of every saga, by saga id."""
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=10000)
    try:
        return {doc["_id"]: SHOWN.get(doc["status"], doc["status"])
                for doc in client[history_db].sagas.find({}, {"status": 1})}
    finally:
        client.close()


def check(uri, sandbox_url, initial_stock, placed, business_db="orders", history_db="saga_history"):
    """Returns (number of orders, list of violation descriptions)."""
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=10000)
    violations = []
    try:
        orders = list(client[business_db].orders.find({}))
        products = {doc["_id"]: doc for doc in client[business_db].products.find({})}
        statuses = saga_statuses(uri, history_db)
    finally:
        client.close()

    by_order = defaultdict(lambda: {"charges": [], "shipments": [], "messages": []})
    for ledger in ("charges", "shipments", "messages"):
        for entry in get_json(f"{sandbox_url}/ledger/{ledger}")["items"]:
            by_order[entry["orderId"]][ledger].append(entry)

    stored_ids = {order["_id"] for order in orders}
    for key, info in placed.items():
        if info["orderId"] not in stored_ids:
            violations.append(f"order {info['orderId']} (key {key}) was accepted but is not stored")
    keys = defaultdict(list)
    for order in orders:
        if order.get("idempotencyKey"):
            keys[(order["customerId"], order["idempotencyKey"])].append(order["_id"])
    for key, ids in keys.items():
        if len(ids) > 1:
            violations.append(f"idempotency key {key} created {len(ids)} orders")

    taken = defaultdict(int)
    for order in orders:
        order_id = order["_id"]
        status = statuses.get(order["sagaId"])
        ledgers = by_order[order_id]
        if status is None:
            violations.append(f"{order_id}: stored order without a saga")
            continue
        if status not in TERMINAL:
            violations.append(f"{order_id}: saga is {status}, not terminal")
            continue
        succeeded = [entry for entry in ledgers["charges"] if entry["status"] == "succeeded"]
        charges = [entry for entry in succeeded if entry["kind"] == "charge"]
        refunds = [entry for entry in succeeded if entry["kind"] == "refund"]
        created = [entry for entry in ledgers["shipments"] if entry["status"] == "created"]
        if status == "COMPLETED":
            if len(charges) != 1 or refunds:
                violations.append(f"{order_id}: COMPLETED with {len(charges)} charges and {len(refunds)} refunds")
            if len(ledgers["shipments"]) != 1 or len(created) != 1:
                violations.append(f"{order_id}: COMPLETED with shipments {[s['status'] for s in ledgers['shipments']]}")
            confirmations = [m for m in ledgers["messages"] if m["template"] == "order-confirmation"]
            if len(confirmations) != 1:
                violations.append(f"{order_id}: COMPLETED with {len(confirmations)} confirmations")
            for line in order["items"]:
                taken[line["sku"]] += line["quantity"]
        else:
            net = sum(Decimal(e["amount"]) for e in charges) - sum(Decimal(e["amount"]) for e in refunds)
            if net != 0:
                violations.append(f"{order_id}: {status} but charges minus refunds is {net}")
            if created:
                violations.append(f"{order_id}: {status} but a shipment is still created")
        if len(charges) > 1:
            violations.append(f"{order_id}: charged {len(charges)} times")

    for sku, initial in initial_stock.items():
        product = products.get(sku)
        if product is None:
            violations.append(f"product {sku} is missing")
            continue
        if product["reserved"] != 0:
            violations.append(f"product {sku}: reserved is {product['reserved']}, not 0")
        if product["stock"] + product["reserved"] != initial - taken[sku]:
            violations.append(
                f"product {sku}: stock {product['stock']} + reserved {product['reserved']} != "
                f"{initial} put in - {taken[sku]} taken by completed orders")
        if product["stock"] < 0:
            violations.append(f"product {sku}: negative stock {product['stock']}")
    return len(orders), violations
