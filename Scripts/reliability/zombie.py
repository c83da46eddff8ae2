"""The parts of the zombie suite (run.py's ZombieSuite): timings, the workload, and what it reads from the store.

A zombie is an instance that stops for longer than its leases while it runs sagas (a long GC pause, a VM or
container frozen, a process paused by a debugger or SIGSTOP) and then carries on as if nothing happened: its
attempts in flight go on with their provider calls and business writes although another instance has taken their
sagas over in the meantime. The history is safe (every append is conditional on the lease owner and `seq`, so the
zombie's outcome is refused: "append conflict; another executor owns the saga"); the suite checks that whatever
business writes the zombie still makes before that cannot break an invariant either.
"""

import collections
import datetime
import json
import re
import time
import uuid

import pymongo

from .workload import MIX, Workload

# Every step and compensation with a timeout of its own (Sources/Orders/Saga/OrderSagaStep.swift; AwaitApproval
# is a signal wait, ruled by APPROVAL_TIMEOUT instead).
TIMED_STEPS = ("ReserveInventory", "ChargePayment", "CreateShipment", "SendConfirmation",
               "CancelShipment", "RefundPayment", "ReleaseInventory")

# Orders that may be cancelled shortly after placement without spoiling their scenario (approvals and refunds
# have their own decisions).
CANCELLABLE = {"visa", "flaky", "slow", "declined", "undeliverable", "scarce"}

HELD_LINE = re.compile(r'^saga_engine_held_sagas\{([^}]*)\}\s+(\S+)\s*$', re.M)
INSTANCE_LABEL = re.compile(r'instance="([^"]*)"')


def seconds(text):
    """The seconds in a duration written as the service reads it: `3s`, `500ms`, `2m`, or a plain number."""
    text = str(text).strip()
    for suffix, scale in (("ms", 0.001), ("h", 3600.0), ("m", 60.0), ("s", 1.0)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * scale
    return float(text)


class Timings:
    """Lease, polling and step timeouts of both instances, and the effective lease they make.

    The engine (Sources/SagaKit/Engine/SagaRunner.swift, `leaseAndDueTime`, and `leaseCovers` in
    SagaRunner+Attempt.swift) records a step's start with a lease of max(LEASE_DURATION, step timeout + renew
    interval), the renew interval being LEASE_DURATION / 3 (SagaEngine.Configuration); renewals set
    now + LEASE_DURATION, never less than what is held (`$max`). So a saga whose attempt started just before the
    freeze stays leased for up to that effective lease; the other instance may take it over one poll later.
    Freezes last 1.5 to 3 effective leases, so every lease the frozen instance held runs out during the freeze.
    """

    def __init__(self, lease, poll, step_timeout, latency):
        self.lease_text, self.poll_text, self.step_timeout_text = lease, poll, step_timeout
        self.lease = seconds(lease)
        self.poll = seconds(poll)
        self.step_timeout = seconds(step_timeout)
        self.renew = self.lease / 3
        self.effective = max(self.lease, self.step_timeout + self.renew)
        self.latency = latency
        if 1.5 * self.effective < self.effective + self.poll + 0.5:
            raise ValueError(f"POLL_INTERVAL {poll} is too long for leases of {self.effective:.2f}s: a freeze of "
                             "1.5 effective leases would end before the other instance polls")

    def service_env(self):
        env = {"LEASE_DURATION": self.lease_text, "POLL_INTERVAL": self.poll_text}
        for step in TIMED_STEPS:
            env[f"STEP_TIMEOUT_{step}"] = self.step_timeout_text
        return env

    def sandbox_env(self, seed):
        # tok_slow's first charge must still outlast ChargePayment's timeout (its point: a retry that gets the same
        # charge back), so its delay follows the step timeout.
        slow = int((self.step_timeout + 1.0) * 1000)
        return {"SANDBOX_LATENCY_MS": self.latency, "SANDBOX_SLOW_DELAY_MS": str(slow), "SANDBOX_SEED": str(seed)}

    def describe(self):
        return (f"LEASE_DURATION={self.lease_text} (renew every {self.renew:.2f}s), POLL_INTERVAL={self.poll_text}, "
                f"STEP_TIMEOUT_<every step and compensation>={self.step_timeout_text}, "
                f"SANDBOX_LATENCY_MS={self.latency}: effective lease max({self.lease:g}s, {self.step_timeout:g}s + "
                f"{self.renew:.2f}s) = {self.effective:.2f}s, so freezes last "
                f"{1.5 * self.effective:.1f}-{3 * self.effective:.1f}s")


def held_sagas(client, url):
    """(instance id, sagas held) from one instance's /metrics gauge `saga_engine_held_sagas`; (None, None) on failure."""
    answer = client.request("GET", "/metrics", url=url)
    if answer is None or answer.status != 200:
        return None, None
    for labels, value in HELD_LINE.findall(answer.body.decode(errors="replace")):
        instance = INSTANCE_LABEL.search(labels)
        try:
            return (instance.group(1) if instance else None), int(float(value))
        except ValueError:
            return None, None
    return None, None


def step_attempts(client, url):
    """{outcome: attempts} from one instance's `saga_step_attempts_total{step,outcome}` (empty on failure)."""
    answer = client.request("GET", "/metrics", url=url)
    totals = collections.Counter()
    if answer is None or answer.status != 200:
        return totals
    for labels, value in re.findall(r'^saga_step_attempts_total\{([^}]*)\}\s+(\S+)\s*$',
                                    answer.body.decode(errors="replace"), re.M):
        outcome = re.search(r'outcome="([^"]*)"', labels)
        try:
            totals[outcome.group(1) if outcome else "?"] += int(float(value))
        except ValueError:
            continue
    return totals


class Store:
    """What the suite reads from the history store and the business database (pymongo, read-only)."""

    def __init__(self, uri, history_db="saga_history", business_db="orders"):
        self.client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=10000)
        self.sagas = self.client[history_db].sagas
        self.business = self.client[business_db]

    def close(self):
        self.client.close()

    def leases(self, owner):
        """The sagas whose lease names `owner` (expired or not: nobody has taken them yet)."""
        fields = {"status": 1, "step": 1, "seq": 1, "leaseOwner": 1, "leaseUntil": 1}
        return list(self.sagas.find({"leaseOwner": owner}, fields))

    def owner_with_pid(self, pid):
        """The lease owner named `<host>-<pid>` (the engine's default instance id), or None."""
        for owner in self.sagas.distinct("leaseOwner"):
            if isinstance(owner, str) and owner.endswith(f"-{pid}"):
                return owner
        return None

    def snapshot(self, ids):
        fields = {"status": 1, "step": 1, "seq": 1, "leaseOwner": 1}
        return {doc["_id"]: doc for doc in self.sagas.find({"_id": {"$in": list(ids)}}, fields)}

    def events(self, saga_id):
        doc = self.sagas.find_one({"_id": saga_id}, {"events": 1, "status": 1})
        return doc.get("events", []) if doc else []


def interrupted_attempts(events):
    """The attempts a takeover recorded as interrupted (their executor stopped answering for its lease)."""
    found = []
    for event in events:
        if event.get("type") not in ("StepFailed", "CompensationFailed"):
            continue
        data = event.get("data") or {}
        error = data.get("error") or {}
        if isinstance(error, dict) and error.get("kind") == "AttemptInterrupted":
            found.append(event)
    return found


def clock(wall):
    """A wall-clock time as the service logs and histories show it (UTC, milliseconds)."""
    if wall is None:
        return "?"
    return datetime.datetime.fromtimestamp(wall, datetime.timezone.utc).strftime("%H:%M:%S.%f")[:-3]


def saga_log_lines(log_paths):
    """Every service log line that names a saga, by saga id (name of the instance first)."""
    lines = collections.defaultdict(list)
    for name, path in log_paths.items():
        try:
            with open(path, errors="replace") as handle:
                for line in handle:
                    for saga_id in re.findall(r"sagaId=(saga_[A-Za-z0-9]+)", line):
                        lines[saga_id].append(f"{name}: {line.strip()}")
        except OSError:
            continue
    return lines


def timeline(events):
    """A saga's history in one line: `seq type step#attempt [error] @time`."""
    parts = []
    for event in events:
        label = f"{event.get('seq')}:{event.get('type')}"
        if event.get("step"):
            label += f" {event['step']}"
        if event.get("attempt"):
            label += f"#{event['attempt']}"
        error = (event.get("data") or {}).get("error")
        if isinstance(error, dict) and error.get("kind"):
            label += f" [{error['kind']}]"
        at = event.get("at")
        if isinstance(at, datetime.datetime):
            label += f" @{at.strftime('%H:%M:%S.%f')[:-3]}"
        parts.append(label)
    return ", ".join(parts)


class Freeze:
    """One freeze: which instance, when, for how long, and what it held."""

    def __init__(self, number, name, pid, instance):
        self.number, self.name, self.pid, self.instance = number, name, pid, instance
        self.held_gauge = None  # the instance's saga_engine_held_sagas just before the SIGSTOP
        self.biased = False  # the gauge had reached --min-held
        self.leases = []  # saga documents leased to it, read while it was frozen
        self.taken_over = []  # of those, the ones the other instance moved on during the freeze
        self.started_wall = self.ended_wall = None
        self.length = 0.0
        self.state_frozen = self.state_resumed = "?"

    def steps(self):
        counts = collections.Counter(str(doc.get("step")) for doc in self.leases)
        return ", ".join(f"{step} {count}" for step, count in counts.most_common())

    def window(self):
        return f"{clock(self.started_wall)}-{clock(self.ended_wall)}"

    def as_dict(self):
        return {
            "number": self.number, "instance": self.name, "pid": self.pid, "instanceId": self.instance,
            "heldGauge": self.held_gauge, "biased": self.biased, "length": round(self.length, 2),
            "from": clock(self.started_wall), "to": clock(self.ended_wall),
            "leases": [{"sagaId": d["_id"], "status": d.get("status"), "step": d.get("step"), "seq": d.get("seq")}
                       for d in self.leases],
            "takenOver": self.taken_over,
        }


class ZombieWorkload(Workload):
    """The usual mix, with every order placed on a given instance, a share placed a second time on the other
    instance with the same Idempotency-Key and body (both answers must name the same order), and a share of
    running orders cancelled shortly after placement on either instance."""

    def configure(self, urls, names, cancel_share, double_share, pinned_limit=180.0):
        self.urls = list(urls)
        self.names = dict(zip(urls, names))
        self.cancel_share = cancel_share
        self.double_share = double_share
        self.pinned_limit = pinned_limit
        self.stats = collections.Counter()  # shared by every worker's copy (under self.lock)
        self.mismatches = []
        self.mix_random = self.random  # extra orders draw their scenario here (under self.lock)

    def extra_scenario(self):
        names = [name for name, _ in MIX]
        weights = [weight for _, weight in MIX]
        with self.lock:
            return self.mix_random.choices(names, weights)[0]

    def count(self, name, amount=1):
        with self.lock:
            self.stats[name] += amount

    def pinned(self, url, method, path, ok, body=None, headers=None):
        """Repeats a request to exactly one instance (a frozen one answers once continued) until `ok(answer)`."""
        deadline = time.monotonic() + self.pinned_limit
        while time.monotonic() < deadline:
            answer = self.client.request(method, path, body, headers, url=url)
            if answer is not None and ok(answer):
                return answer
            time.sleep(0.25)
        return None

    def run_order(self, scenario, index):
        key = f"rel-{uuid.uuid4()}"
        body = self.body(scenario, index)
        headers = {"Idempotency-Key": key}
        first = self.urls[index % len(self.urls)]
        second = self.urls[(index + 1) % len(self.urls)]
        answer = self.pinned(first, "POST", "/v1/orders", lambda a: a.status == 202, body=body, headers=headers)
        if answer is None:
            self.fail(f"order #{index} ({scenario}, key {key}) was never accepted by {self.names[first]}")
            return
        order_id = answer.json().get("orderId")
        with self.lock:
            self.placed[key] = {"orderId": order_id, "scenario": scenario, "items": body["items"],
                                "placedOn": self.names[first]}
        if self.random.random() < self.double_share:
            time.sleep(self.random.uniform(0.0, 1.5))
            again = self.pinned(second, "POST", "/v1/orders", lambda a: a.status == 202, body=body, headers=headers)
            self.count("doubles")
            if again is None:
                self.fail(f"the repeated placement of {order_id} (key {key}) on {self.names[second]} never got 202")
            else:
                other_id = again.json().get("orderId")
                replayed = {k.lower(): v for k, v in again.headers.items()}.get("idempotent-replayed")
                if replayed == "true":
                    self.count("doubles_replayed")
                if other_id != order_id:
                    message = (f"key {key}: {self.names[first]} answered {order_id}, {self.names[second]} answered "
                               f"{other_id} for the same Idempotency-Key and body")
                    with self.lock:
                        self.mismatches.append(message)
                    self.fail(message)
        if scenario in CANCELLABLE and self.random.random() < self.cancel_share:
            time.sleep(self.random.uniform(0.1, 3.0))
            url = self.random.choice(self.urls)
            answer = self.pinned(url, "POST", f"/v1/orders/{order_id}/cancel", lambda a: a.status in (202, 409))
            if answer is None:
                self.fail(f"cancel of {order_id} on {self.names[url]} never got 202 or 409")
            else:
                self.count("cancels")
                self.count(f"cancels_{answer.status}")
        self.follow_up(scenario, order_id)


def evidence(uri, freezes, orders_with_violations, log_paths, limit=12):
    """What the store and the service logs show about stock left wrong and about the orders named in violations,
    tied to the freezes.

    For each `moves.<orderId>` stock marker still `held` on a product once every saga is terminal, and each order a
    violation names: the saga's ending, the order's stock states per SKU, the freezes that caught the saga (their windows), its history
    with times, and what the service logs say about the saga (a frozen instance that continued logs "append
    conflict; another executor owns the saga" once its attempt, business writes done, fails to record its outcome).
    Returns (lines to log, a JSON-able report)."""
    store = Store(uri)
    logged = saga_log_lines(log_paths)
    by_number = {freeze.number: freeze for freeze in freezes}
    try:
        caught = {}
        for freeze in freezes:
            for doc in freeze.leases:
                caught.setdefault(doc["_id"], []).append(freeze.number)
        orders = {o["_id"]: o for o in store.business.orders.find({}, {"sagaId": 1, "items": 1})}
        products = list(store.business.products.find({}, {"moves": 1}))
        stock_states = {}
        for product in products:
            for order_id, move in (product.get("moves") or {}).items():
                stock_states.setdefault(order_id, []).append(f"{product['_id']} {move.get('state')}")
        lines, report = [], {"markers": [], "orders": []}

        def describe(order_id, why):
            order = orders.get(order_id)
            saga_id = order.get("sagaId") if order else None
            events = store.events(saga_id) if saga_id else []
            status = next((e["type"] for e in reversed(events) if e.get("type", "").startswith("Saga")
                           and e["type"] not in ("SagaStarted", "SagaCompensating")), "not terminal")
            reservation = ", ".join(stock_states.get(order_id, [])) or "no marker"
            items = ", ".join(f"{line['sku']}×{line['quantity']}" for line in (order or {}).get("items", []))
            frozen = [f"freeze {n} ({by_number[n].name} stopped {by_number[n].window()})"
                      for n in caught.get(saga_id, [])]
            entry = {"orderId": order_id, "why": why, "items": items, "sagaId": saga_id, "ending": status,
                     "reservation": reservation, "frozenIn": frozen,
                     "interrupted": len(interrupted_attempts(events)), "history": timeline(events),
                     "logs": logged.get(saga_id, [])}
            report["orders"].append(entry)
            return entry

        def text(entry):
            logs = "; ".join(entry["logs"][:3]) or "nothing"
            return (f"order of {entry['items']}; saga {entry['sagaId']} ended {entry['ending']}, reservation {entry['reservation']}, "
                    f"caught in {', '.join(entry['frozenIn']) or 'no freeze'}, {entry['interrupted']} interrupted "
                    f"attempt(s); history: {entry['history']}; service logs: {logs}")

        for product in products:
            for order_id, move in (product.get("moves") or {}).items():
                if move.get("state") != "held":
                    continue
                units = move.get("quantity")
                entry = describe(order_id, f"{product['_id']} still holds {units} for {order_id}")
                report["markers"].append({"sku": product["_id"], "state": "held", "orderId": order_id,
                                          "units": units})
                if len(lines) < limit:
                    lines.append(f"{entry['why']}: {text(entry)}")
        for order_id in sorted(orders_with_violations):
            entry = describe(order_id, "named in a violation")
            if len(lines) < limit:
                lines.append(f"{order_id}: {text(entry)}")
        return lines, report
    finally:
        store.close()


def write_report(path, freezes, timings, stats, report):
    with open(path, "w") as handle:
        json.dump({"timings": {"lease": timings.lease, "renew": timings.renew, "poll": timings.poll,
                               "stepTimeout": timings.step_timeout, "effectiveLease": timings.effective,
                               "latency": timings.latency},
                   "freezes": [freeze.as_dict() for freeze in freezes], "workload": dict(stats), **report},
                  handle, indent=2, default=str)

