"""The order mix of the reliability suites: mostly plain orders, plus every sandbox test input, approvals,
cancellations and refunds. Each order is driven to its end by one worker, retrying through outages with the
same Idempotency-Key."""

import random
import threading
import time
import uuid

TERMINAL = {"COMPLETED", "COMPENSATED", "CANCELLED", "REFUNDED"}

# (scenario, weight)
MIX = [
    ("visa", 52), ("flaky", 8), ("slow", 6), ("declined", 7), ("undeliverable", 7), ("scarce", 6),
    ("approve", 4), ("reject", 3), ("cancel_waiting", 3), ("cancel_running", 2), ("refund", 2),
]


class Workload:
    def __init__(self, client, orders, seed, log):
        self.client = client
        self.orders = orders
        self.random = random.Random(seed)
        self.log = log
        self.lock = threading.Lock()
        self.placed = {}  # idempotency key → {"orderId", "scenario", "items"}
        self.failures = []  # placements or decisions that never succeeded
        self.skus = [f"REL-{index}" for index in range(8)]
        self.scarce_sku = "REL-SCARCE"
        self.initial_stock = {}
        self.finished = []  # one entry per order driven to its end (shared by every worker)

    def prepare_catalog(self):
        stock = {sku: self.orders * 3 for sku in self.skus}
        stock[self.scarce_sku] = max(3, self.orders // 40)
        for sku, units in stock.items():
            body = {"sku": sku, "name": f"Item {sku}", "price": {"amount": "19.99", "currency": "USD"}, "stock": units}
            answer = self.client.until("POST", "/v1/products", lambda a: a.status == 200, body=body)
            if answer is None:
                raise RuntimeError(f"could not create product {sku}")
            self.initial_stock[sku] = units
        big = {"sku": "REL-BIG", "name": "Approval item", "price": {"amount": "1500.00", "currency": "USD"},
               "stock": self.orders}
        if self.client.until("POST", "/v1/products", lambda a: a.status == 200, body=big) is None:
            raise RuntimeError("could not create product REL-BIG")
        self.initial_stock["REL-BIG"] = self.orders

    def plan(self):
        names = [name for name, _ in MIX]
        weights = [weight for _, weight in MIX]
        return [self.random.choices(names, weights)[0] for _ in range(self.orders)]

    def body(self, scenario, index):
        token = {"flaky": "tok_flaky", "slow": "tok_slow", "declined": "tok_chargeDeclined"}.get(scenario, "tok_visa")
        postal = "00000" if scenario == "undeliverable" else "12345"
        if scenario in ("approve", "reject", "cancel_waiting"):
            items = [{"sku": "REL-BIG", "quantity": 1}]
        elif scenario == "scarce":
            items = [{"sku": self.scarce_sku, "quantity": 1}]
        else:
            picked = self.random.sample(self.skus, self.random.randint(1, 3))
            items = [{"sku": sku, "quantity": self.random.randint(1, 3)} for sku in picked]
        return {
            "customerId": f"rel-{index % 50}", "items": items, "paymentToken": token,
            "shippingAddress": {"name": "Reliability", "line1": "1 Main St", "city": "Springfield",
                                "postalCode": postal, "country": "US"},
        }

    def run_order(self, scenario, index):
        key = f"rel-{uuid.uuid4()}"
        body = self.body(scenario, index)
        headers = {"Idempotency-Key": key}
        answer = self.client.until("POST", "/v1/orders", lambda a: a.status == 202, body=body, headers=headers)
        if answer is None:
            self.fail(f"order #{index} ({scenario}) was never accepted")
            return
        order_id = answer.json()["orderId"]
        with self.lock:
            self.placed[key] = {"orderId": order_id, "scenario": scenario, "items": body["items"]}
        self.follow_up(scenario, order_id)

    def follow_up(self, scenario, order_id):
        """What the driver does with a placed order: decide approvals, cancel, refund; then counts it as finished."""
        if scenario in ("approve", "reject", "cancel_waiting"):
            self.wait_status(order_id, {"AWAITING_APPROVAL"} | TERMINAL)
            action = {"approve": "approve", "reject": "reject", "cancel_waiting": "cancel"}[scenario]
            self.decide(order_id, action, ok={202, 409})
        elif scenario == "cancel_running":
            time.sleep(self.random.uniform(0, 0.05))
            self.decide(order_id, "cancel", ok={202, 409})
        elif scenario == "refund":
            status = self.wait_status(order_id, TERMINAL)
            if status == "COMPLETED":
                self.decide(order_id, "refund", ok={202})
        with self.lock:
            self.finished.append(order_id)

    @property
    def progress(self):
        """How many orders were driven to their end."""
        return len(self.finished)

    def decide(self, order_id, action, ok):
        answer = self.client.until("POST", f"/v1/orders/{order_id}/{action}", lambda a: a.status in ok)
        if answer is None:
            self.fail(f"{action} of {order_id} never got an answer in {sorted(ok)}")

    def wait_status(self, order_id, statuses, limit=240):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            answer = self.client.request("GET", f"/v1/orders/{order_id}")
            if answer is not None and answer.status == 200:
                status = answer.json().get("saga", {}).get("status")
                if status in statuses:
                    return status
            time.sleep(0.2)
        self.fail(f"{order_id} did not reach {sorted(statuses)}")
        return None

    def fail(self, message):
        with self.lock:
            self.failures.append(message)
        self.log(f"workload failure: {message}")
