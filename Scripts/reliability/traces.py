"""The traces suite: one trace per saga across a crash, over both OTLP/HTTP encodings.

For each of `http/json` and `http/protobuf`, against the real binaries and a local OTLP receiver: an order placed
with a known `traceparent` waits for approval; the service is killed (SIGKILL) and started again; the approval on the
new process completes it. Then every span of the saga must be in the caller's trace, each step's attempt exactly once
(the restart repeats nothing), the provider calls must carry that trace (the sandbox logs their `traceparent`), and
the service's log lines written inside a span must carry its trace id.
"""

import base64
import http.server
import json
import os
import secrets
import threading
import time

from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

from .api import Client
from .stack import Stack, free_port

STEPS = ("ReserveInventory", "ChargePayment", "CreateShipment", "SendConfirmation")


class Receiver:
    """An OTLP/HTTP trace receiver on 127.0.0.1 that keeps every span as {traceId, spanId, parentSpanId, name,
    attributes}, whichever encoding it came in."""

    def __init__(self):
        self.spans = []
        self.lock = threading.Lock()
        self.encodings = set()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                kind = self.headers.get("Content-Type", "")
                try:
                    spans = receiver.parse(body, kind)
                except Exception as error:  # a malformed export is a finding
                    self.send_response(400)
                    self.end_headers()
                    self.wfile.write(str(error).encode())
                    return
                with receiver.lock:
                    receiver.spans.extend(spans)
                    receiver.encodings.add(kind.split(";")[0])
                self.send_response(200)
                self.send_header("Content-Type", kind.split(";")[0] or "application/json")
                answer = b"{}" if "json" in kind else trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.server.shutdown()

    @staticmethod
    def hex_id(text):
        """An id of an OTLP/JSON export as hex: the specification's hex, or the protobuf JSON mapping's base64 (what
        swift-otel writes)."""
        text = text or ""
        if text and all(c in "0123456789abcdefABCDEF" for c in text) and len(text) in (16, 32):
            return text.lower()
        return base64.b64decode(text).hex() if text else ""

    @staticmethod
    def parse(body, kind):
        spans = []
        if "json" in kind:
            for resource in json.loads(body).get("resourceSpans", []):
                for scope in resource.get("scopeSpans", []):
                    for span in scope.get("spans", []):
                        attributes = {}
                        for attribute in span.get("attributes", []):
                            value = attribute.get("value", {})
                            attributes[attribute["key"]] = next(iter(value.values()), None) if value else None
                        spans.append({"traceId": Receiver.hex_id(span["traceId"]),
                                      "spanId": Receiver.hex_id(span["spanId"]),
                                      "parentSpanId": Receiver.hex_id(span.get("parentSpanId")), "name": span["name"],
                                      "attributes": attributes})
        else:
            request = trace_service_pb2.ExportTraceServiceRequest()
            request.ParseFromString(body)
            for resource in request.resource_spans:
                for scope in resource.scope_spans:
                    for span in scope.spans:
                        attributes = {}
                        for attribute in span.attributes:
                            field = attribute.value.WhichOneof("value")
                            attributes[attribute.key] = getattr(attribute.value, field) if field else None
                        spans.append({"traceId": span.trace_id.hex(), "spanId": span.span_id.hex(),
                                      "parentSpanId": span.parent_span_id.hex(), "name": span.name,
                                      "attributes": attributes})
        return spans

    def saga_spans(self, saga_id):
        with self.lock:
            return [span for span in self.spans if span["attributes"].get("saga.id") == saga_id]

    def wait_for(self, predicate, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if predicate(list(self.spans)):
                    return True
            time.sleep(0.1)
        return False


class TracesSuite:
    default_orders = 1

    def __init__(self, args):
        self.args = args
        self.violations = []

    def log(self, message):
        print(f"[traces] {message}", flush=True)

    def check(self, condition, message):
        if not condition:
            self.violations.append(message)
            self.log(f"VIOLATION {message}")

    def run(self):
        for encoding in ("http/json", "http/protobuf"):
            self.run_one(encoding)
        print(f"encodings=2 violations={len(self.violations)}", flush=True)
        return 0 if not self.violations else 1

    def run_one(self, encoding):
        receiver = Receiver()
        state_dir = os.path.join(self.args.state_dir, encoding.replace("/", "-"))
        stack = Stack(state_dir, self.args.bin_dir, sandbox_env={"SANDBOX_LATENCY_MS": "0"}, service_env={
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url, "OTEL_EXPORTER_OTLP_PROTOCOL": encoding,
            "OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_SERVICE_NAME": "order-saga-traces",
            "APPROVAL_THRESHOLD": "100.00", "LOG_LEVEL": "debug"})
        try:
            stack.start()
            service = stack.services["svc-1"]
            client = Client([service.url], stack.operator_key)
            product = {"sku": "TRACE-1", "name": "Traced", "price": {"amount": "150.00", "currency": "USD"},
                       "stock": 10}
            self.check(client.request("POST", "/v1/products", product).status == 200, "the product was not put")
            trace_id, parent_id = secrets.token_hex(16), secrets.token_hex(8)
            order = {"customerId": "c-trace", "items": [{"sku": "TRACE-1", "quantity": 1}], "paymentToken": "tok_visa",
                     "shippingAddress": {"name": "Ada", "line1": "1 Main St", "city": "Springfield",
                                         "postalCode": "12345", "country": "US"}}
            placed = client.request("POST", "/v1/orders", order, headers={"traceparent": f"00-{trace_id}-{parent_id}-01"})
            self.check(placed.status == 202, f"{encoding}: placing answered {placed.status}")
            order_id, saga_id = placed.json()["orderId"], placed.json()["sagaId"]
            waiting = client.until("GET", f"/v1/orders/{order_id}",
                                   lambda a: a.status == 200 and a.json()["saga"]["status"] == "AWAITING_APPROVAL",
                                   deadline=time.monotonic() + 60)
            self.check(waiting is not None, f"{encoding}: the order never waited for approval")
            exported = receiver.wait_for(lambda spans: any(
                s["name"] == "ReserveInventory" and s["attributes"].get("saga.id") == saga_id for s in spans))
            self.check(exported, f"{encoding}: the ReserveInventory span was not exported before the kill")

            service.kill()
            service = stack.restart("svc-1")
            client.set_urls([service.url])
            approved = client.until("POST", f"/v1/orders/{order_id}/approve", lambda a: a.status == 202,
                                    body={"reason": "traced"}, deadline=time.monotonic() + 60)
            self.check(approved is not None, f"{encoding}: the approval was refused")
            done = client.until("GET", f"/v1/orders/{order_id}",
                                lambda a: a.status == 200 and a.json()["saga"]["status"] == "COMPLETED",
                                deadline=time.monotonic() + 60)
            self.check(done is not None, f"{encoding}: the order did not complete after the restart")
            receiver.wait_for(lambda spans: any(
                s["name"] == "SendConfirmation" and s["attributes"].get("saga.id") == saga_id for s in spans))
            time.sleep(0.5)

            spans = receiver.saga_spans(saga_id)
            self.check({s["traceId"] for s in spans} == {trace_id},
                       f"{encoding}: the saga's spans are in traces {sorted({s['traceId'] for s in spans})}, "
                       f"not only the caller's {trace_id}")
            for step in STEPS:
                attempts = [s for s in spans if s["name"] == step]
                self.check(len(attempts) == 1, f"{encoding}: {step} has {len(attempts)} spans, expected one")
                for span in attempts:
                    attributes = span["attributes"]
                    self.check(attributes.get("order.id") == order_id and str(attributes.get("saga.attempt")) == "1"
                               and attributes.get("saga.outcome") == "StepCompleted",
                               f"{encoding}: {step}'s attributes are {attributes}")
            starts = [s for s in spans if s["name"].startswith("saga ")]
            self.check(len(starts) == 1, f"{encoding}: {len(starts)} saga start spans")
            with receiver.lock:
                by_id = {s["spanId"]: s for s in receiver.spans}
            request_span = by_id.get(starts[0]["parentSpanId"]) if starts else None
            self.check(request_span is not None and request_span["parentSpanId"] == parent_id,
                       f"{encoding}: the saga's start is not a child of the request span continuing the caller's")
            self.check(encoding.split("/")[1] in "".join(receiver.encodings),
                       f"{encoding}: the exports came as {receiver.encodings}")
            with open(os.path.join(state_dir, "sandbox.log"), errors="replace") as handle:
                sandbox_log = handle.read()
            self.check(f"00-{trace_id}-" in sandbox_log, f"{encoding}: the sandbox logged no call in the trace")
            service_log = ""
            for name in os.listdir(state_dir):
                if name.startswith("svc-1") and name.endswith(".log"):
                    with open(os.path.join(state_dir, name), errors="replace") as handle:
                        service_log += handle.read()
            self.check(trace_id in service_log, f"{encoding}: no service log line carries the trace id")
            self.log(f"{encoding}: {len(spans)} spans of saga {saga_id} in trace {trace_id}")
        finally:
            stack.stop()
            receiver.stop()
