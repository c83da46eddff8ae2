"""The operator console in a real headless Chromium, against the real service, sandbox and database.

    CONSOLE_URL=http://127.0.0.1:8080 OPERATOR_KEY=… VIEWER_KEY=… SANDBOX_URL=http://127.0.0.1:8090 \
        MAILER_RELAY_PORT=8092 python Scripts/console/test_console.py

Started by Scripts/console-test.sh, which brings up the stack (with a low APPROVAL_THRESHOLD, two attempts for a
confirmation, and NOTIFY_URL on the mailer relay this test runs at MAILER_RELAY_PORT) and passes these
variables; SCREENSHOT_DIR (default docs/console) receives the screenshots of the main views (and failure.png when the
run breaks off). Prints one line per check and `console checks: N passed, M failed`; exits non-zero on any failure.
Every wait is bounded.
"""

import http.server
import json
import os
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
import uuid

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["CONSOLE_URL"].rstrip("/")
OPERATOR_KEY = os.environ["OPERATOR_KEY"]
VIEWER_KEY = os.environ["VIEWER_KEY"]
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "docs", "console"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
WAIT = float(os.environ.get("CONSOLE_WAIT_SECONDS", "45"))
# The mailer relay: the service's NOTIFY_URL points here, and the relay passes calls on to the sandbox, or refuses
# them with 503 while `MAILER_DOWN` is set (so a confirmation exhausts its attempts and its saga goes STUCK).
SANDBOX_URL = os.environ["SANDBOX_URL"].rstrip("/")
RELAY_PORT = int(os.environ["MAILER_RELAY_PORT"])
MAILER_DOWN = threading.Event()

ADDRESS = {"name": "Ada", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US"}

passed = 0
failed = 0


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        log(f"ok: {name}")
    else:
        failed += 1
        log(f"FAILED: {name}{f' ({detail})' if detail else ''}")
    return condition


# MARK: The API, straight


def call(method, path, key=OPERATOR_KEY, body=None, headers=None):
    """One API call; returns (status, headers, parsed JSON or text)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            status, answer_headers, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, raw = error.code, error.headers, error.read()
    try:
        return status, answer_headers, json.loads(raw) if raw else None
    except ValueError:
        return status, answer_headers, raw.decode(errors="replace")


def put_product(sku, name, amount, stock):
    status, _, answer = call("POST", "/v1/products", body={
        "sku": sku, "name": name, "price": {"amount": amount, "currency": "USD"}, "stock": stock})
    assert status == 200, (status, answer)


def place(sku, quantity=1, token="tok_visa", customer="c-console", postal_code="12345"):
    status, _, answer = call("POST", "/v1/orders", headers={"Idempotency-Key": f"console-{uuid.uuid4()}"}, body={
        "customerId": customer, "items": [{"sku": sku, "quantity": quantity}], "paymentToken": token,
        "shippingAddress": {**ADDRESS, "postalCode": postal_code}})
    assert status == 202, (status, answer)
    return answer["orderId"]


def saga_status(order_id):
    _, _, answer = call("GET", f"/v1/orders/{order_id}")
    return (answer or {}).get("saga", {}).get("status")


def wait_api(description, predicate, limit=WAIT):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    log(f"gave up waiting for {description} after {limit:.0f} s")
    return False


class MailerRelay(http.server.BaseHTTPRequestHandler):
    """Passes the service's mailer calls on to the sandbox, or answers 503 while MAILER_DOWN is set."""

    def relay(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if MAILER_DOWN.is_set():
            status, headers, answer = 503, {"Content-Type": "text/plain"}, b"mailer down (console test)"
        else:
            request = urllib.request.Request(SANDBOX_URL + self.path, data=body or None, method=self.command)
            for name, value in self.headers.items():
                if name.lower() not in ("host", "content-length", "connection"):
                    request.add_header(name, value)
            try:
                with urllib.request.urlopen(request, timeout=15) as response:
                    status, headers, answer = response.status, dict(response.headers), response.read()
            except urllib.error.HTTPError as error:
                status, headers, answer = error.code, dict(error.headers), error.read()
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = do_PUT = relay

    def log_message(self, *arguments):
        pass


def start_relay():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", RELAY_PORT), MailerRelay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# MARK: The browser


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1440,1000",
                     "--disable-gpu", "--no-first-run", "--disable-extensions", "--lang=en-US"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    return driver


def until(driver, description, condition, limit=WAIT):
    """Waits (bounded) until `condition(driver)` is truthy; returns its value, or None after recording a failure."""
    try:
        return WebDriverWait(driver, limit, poll_frequency=0.2).until(lambda d: condition(d))
    except TimeoutException:
        check(description, False, f"not within {limit:.0f} s")
        return None


def css(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def row_status(driver, order_id):
    """The status of an order's row in the sagas table, or None (read in the page: rows are redrawn live)."""
    return driver.execute_script(
        "const row = document.querySelector(`#sagas-table tbody tr[data-order-id=\"${arguments[0]}\"]`);"
        "return row ? row.dataset.status : null;", order_id)


def saga_badge(driver):
    """The status badge of the saga shown, as the API spells it, or None."""
    return driver.execute_script(
        "const badge = document.querySelector('.saga-header .status-line .badge');"
        "return badge ? badge.textContent.trim().replaceAll(' ', '_') : null;")


def text_of(driver, selector):
    """The text of the first element matching `selector`, or "" (read in the page)."""
    return driver.execute_script(
        "const element = document.querySelector(arguments[0]); return element ? element.textContent : '';", selector)


def chip_counts(driver):
    """The filter chips' counts by label ("All", "Needs attention", "AWAITING APPROVAL" as "AWAITING_APPROVAL", …)."""
    return driver.execute_script("""
        const counts = {};
        for (const chip of document.querySelectorAll('.chips .chip')) {
          const label = chip.querySelector('.chip-label').textContent.trim();
          counts[/^[A-Z ]+$/.test(label) ? label.replaceAll(' ', '_') : label] =
            Number(chip.querySelector('.chip-count').textContent);
        }
        return counts;""")


def sign_in(driver, key):
    driver.get(f"{BASE}/console")
    field = until(driver, "the sign-in form shows", lambda d: next(iter(css(d, "#api-key")), None))
    if field is None:
        return False
    until(driver, "the key field is visible", lambda d: field.is_displayed())
    field.send_keys(key)
    field.send_keys(Keys.ENTER)
    return until(driver, "signed in (the role is shown)", lambda d: css(d, "#role") and d.find_element(
        By.ID, "role").text.strip()) is not None


def open_order(driver, order_id):
    driver.execute_script("location.hash = arguments[0]", f"#/orders/{order_id}")
    return until(driver, f"order {order_id} opens", lambda d: saga_badge(d)) is not None


def confirm_dialog(driver, reason):
    dialog = until(driver, "the confirmation dialog opens", lambda d: next(
        (element for element in css(d, "dialog.confirm") if element.get_attribute("open") is not None), None))
    if dialog is None:
        return False
    if reason:
        dialog.find_element(By.CSS_SELECTOR, "textarea").send_keys(reason)
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    return until(driver, "the dialog closes", lambda d: not css(d, "dialog.confirm")) is not None


def screenshot(driver, name):
    os.makedirs(SCREENSHOTS, exist_ok=True)
    path = os.path.join(SCREENSHOTS, name)
    driver.save_screenshot(path)
    log(f"screenshot {os.path.relpath(path)}")


def console_errors(driver):
    """The browser log's errors since the last call: script errors, CSP violations, and failed requests alike
    (nothing this test does in the page should be refused)."""
    entries = driver.get_log("browser")
    for entry in entries:
        if entry.get("level") in ("SEVERE", "WARNING"):
            log(f"browser log: {entry.get('level')} {entry.get('source')}: {entry.get('message')}")
    return [entry for entry in entries if entry.get("level") == "SEVERE"]


# MARK: The checks


def check_static_files():
    status, headers, body = call("GET", "/console", key=None)
    check("GET /console answers 200 without a key", status == 200, status)
    check("...as HTML", (headers.get("Content-Type") or "").startswith("text/html"), headers.get("Content-Type"))
    policy = headers.get("Content-Security-Policy") or ""
    check("...with a strict Content-Security-Policy (scripts from this origin only, nothing inline)",
          "script-src 'self'" in policy and "unsafe-inline" not in policy and "default-src 'none'" in policy, policy)
    check("...and no inline script in the page", "<script>" not in str(body) and "<script type=\"module\">" not in str(body))
    status, headers, _ = call("GET", "/console/app.js", key=None)
    check("the console's modules are JavaScript", status == 200 and "javascript" in (headers.get("Content-Type") or ""),
          (status, headers.get("Content-Type")))
    status, headers, _ = call("GET", "/console/console.css", key=None)
    check("its stylesheet is CSS", status == 200 and (headers.get("Content-Type") or "").startswith("text/css"),
          (status, headers.get("Content-Type")))
    status, _, _ = call("GET", "/console/nothing-here.js", key=None)
    check("a missing console file is 404", status == 404, status)
    status, _, _ = call("GET", "/v1/sagas/stats", key=None)
    check("the API still needs a key", status == 401, status)


def check_event_parser(driver):
    """The page's SSE parser, fed a stream cut into 3-character chunks: ids, types, comments, CRLF, multi-line data."""
    parsed = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        import('/console/event-stream.js').then(({ SseParser }) => {
          const events = [], comments = [];
          const parser = new SseParser({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c) });
          const text = ': keep-alive\\n\\nid: 7\\nevent: SagaChanged\\ndata: {"a":1}\\n\\n'
            + 'id: 8\\r\\nevent: Reset\\r\\ndata: {}\\r\\n\\r\\ndata: one\\ndata: two\\n\\nevent: empty\\n\\nretry: 1500\\ndata: cut';
          for (let i = 0; i < text.length; i += 3) parser.push(text.slice(i, i + 3));
          done({ events, comments, retry: parser.retry, lastEventId: parser.lastEventId });
        }, (error) => done({ error: String(error) }));
    """)
    check("the page's SSE parser reads ids, event types, comments, CRLF and multi-line data", parsed == {
        "events": [{"id": "7", "event": "SagaChanged", "data": '{"a":1}'}, {"id": "8", "event": "Reset", "data": "{}"},
                   {"id": "8", "event": "message", "data": "one\ntwo"}],
        "comments": ["keep-alive"], "retry": 1500, "lastEventId": "8"}, parsed)


def check_resume(driver, order_id):
    """The page's event stream resumes after `Last-Event-ID` and stops when the server ends a finished saga's stream."""
    answer = driver.execute_async_script("""
        const [orderId, done] = [arguments[0], arguments[arguments.length - 1]];
        import('/console/event-stream.js').then(({ EventStream }) => {
          const seqs = [];
          const stream = new EventStream({
            url: `/v1/orders/${orderId}/events`, lastEventId: '3', isFinished: () => true,
            headers: { Authorization: `Bearer ${sessionStorage.getItem('order-saga.console.key')}` },
            onEvent: (event) => seqs.push(JSON.parse(event.data).seq),
            onState: (state) => { if (state === 'ended') done({ seqs, lastEventId: stream.lastEventId }); },
          });
          stream.start();
        }, (error) => done({ error: String(error) }));
    """, order_id)
    _, _, saga = call("GET", f"/v1/orders/{order_id}/saga")
    last = saga["history"][-1]["seq"]
    check("the page's event stream resumes after Last-Event-ID and ends with the saga",
          answer.get("seqs") == list(range(4, last + 1)) and answer.get("lastEventId") == str(last), answer)


def run(driver):
    check_static_files()
    put_product("CONSOLE-MUG", "Console mug", "10.00", 1000)
    put_product("CONSOLE-DESK", "Standing desk", "400.00", 50)

    driver.get(f"{BASE}/console")
    field = until(driver, "the sign-in form shows", lambda d: next(iter(css(d, "#api-key")), None))
    if field:
        field.send_keys("not-a-key-of-this-service")
        field.send_keys(Keys.ENTER)
        check("an unknown key is refused in the page, with the API's detail", until(
            driver, "the sign-in error", lambda d: "not valid" in text_of(d, "#sign-in-error")) is not None,
            text_of(driver, "#sign-in-error"))
        refused = console_errors(driver)
        check("...its only trace in the browser's log is the 401", all(
            "401" in entry.get("message", "") for entry in refused), refused)
    check("the operator signs in", sign_in(driver, OPERATOR_KEY))
    check("the key stays in sessionStorage only", driver.execute_script(
        "return Object.values(sessionStorage).includes(arguments[0]) && !Object.values(localStorage).includes(arguments[0])"
        " && !document.cookie.includes(arguments[0])", OPERATOR_KEY))
    check_event_parser(driver)
    until(driver, "the sagas table shows", lambda d: css(d, "#sagas-table"))
    until(driver, "the status chips show", lambda d: len(css(d, ".chips .chip")) >= 9)
    until(driver, "the list is live", lambda d: d.find_element(By.ID, "live-state").get_attribute("data-state") == "live")

    # A new order appears in the list and goes live to COMPLETED, without a reload.
    driver.execute_script("window.__notReloaded = true")
    completed = place("CONSOLE-MUG", 2)
    check("a placed order appears in the list without a reload",
          until(driver, "the new order's row appears", lambda d: row_status(d, completed)) is not None)
    check("...and turns COMPLETED live", until(driver, "the row turns COMPLETED",
                                               lambda d: row_status(d, completed) == "COMPLETED") is not None)
    check("...with no reload of the page", driver.execute_script("return window.__notReloaded === true"))

    flaky = place("CONSOLE-MUG", 1, token="tok_flaky")
    approval = place("CONSOLE-DESK", 1)
    declined = place("CONSOLE-MUG", 1, token="tok_chargeDeclined")
    wait_api("the flaky order to complete", lambda: saga_status(flaky) == "COMPLETED")
    wait_api("the large order to wait for approval", lambda: saga_status(approval) == "AWAITING_APPROVAL")
    wait_api("the declined order to be compensated", lambda: saga_status(declined) == "COMPENSATED")
    undeliverable = place("CONSOLE-MUG", 3, customer="c-elsewhere", postal_code="00000")
    cancelled = place("CONSOLE-DESK", 2, customer="c-elsewhere")
    wait_api("the second large order to wait", lambda: saga_status(cancelled) == "AWAITING_APPROVAL")
    call("POST", f"/v1/orders/{cancelled}/cancel", body={"reason": "the customer changed their mind"})
    wait_api("the undeliverable order to be compensated", lambda: saga_status(undeliverable) == "COMPENSATED")
    wait_api("the cancelled order to end", lambda: saga_status(cancelled) == "CANCELLED")
    until(driver, "the list shows the cancelled order", lambda d: row_status(d, cancelled) == "CANCELLED")
    until(driver, "the list shows the waiting order", lambda d: row_status(d, approval) == "AWAITING_APPROVAL")
    check("the chips follow live: 'All' counts every saga, COMPLETED and CANCELLED theirs", until(
        driver, "the chips' counts", lambda d: chip_counts(d).get("All") == 6 and chip_counts(d).get("COMPLETED") == 2
        and chip_counts(d).get("CANCELLED") == 1 and chip_counts(d).get("Needs attention") == 1) is not None,
        chip_counts(driver))
    screenshot(driver, "sagas.png")

    # The needs-attention view gathers the waiting order.
    driver.execute_script("location.hash = '#/sagas?view=attention'")
    check("'needs attention' lists the order waiting for approval",
          until(driver, "the attention view lists it", lambda d: row_status(d, approval) == "AWAITING_APPROVAL") is not None)

    # Search by customer id.
    driver.execute_script("location.hash = '#/sagas'")
    search = until(driver, "the search field shows", lambda d: next(iter(css(d, "#saga-search")), None))
    if search:
        search.send_keys("c-console")
        search.send_keys(Keys.ENTER)
        check("searching a customer id lists that customer's sagas", until(
            driver, "the customer's list", lambda d: "customer=c-console" in d.current_url
            and row_status(d, completed) == "COMPLETED") is not None)
        search = until(driver, "the search field shows again", lambda d: next(iter(css(d, "#saga-search")), None))
        if search:
            search.clear()
            search.send_keys(declined)
            search.send_keys(Keys.ENTER)
            check("searching an order id opens that order", until(
                driver, "the order found", lambda d: d.current_url.endswith(f"#/orders/{declined}")
                and saga_badge(d) == "COMPENSATED") is not None, driver.current_url)

    check_resume(driver, flaky)

    # The flaky charge's retries on the timeline.
    check("the tok_flaky order opens", open_order(driver, flaky))
    until(driver, "the flaky saga shows COMPLETED", lambda d: saga_badge(d) == "COMPLETED")
    charge = '.tl-row[data-step="ChargePayment"] .tl-seg'
    failures = until(driver, "the timeline shows the failed charge attempts", lambda d: len(
        css(d, f'{charge}[data-kind="attempt"][data-outcome="failed"]')) >= 2 and css(d, f'{charge}[data-outcome="failed"]'))
    check("the timeline shows ChargePayment's two failed attempts", failures is not None)
    check("...the waits before each retry", len(css(driver, f'{charge}[data-kind="retry"]')) >= 2,
          len(css(driver, f'{charge}[data-kind="retry"]')))
    succeeded = [element.get_attribute("data-attempt")
                 for element in css(driver, f'{charge}[data-kind="attempt"][data-outcome="ok"]')]
    check("...and a later attempt (the third, unless the machine is slow) succeeding",
          len(succeeded) == 1 and int(succeeded[0]) >= 3, succeeded)
    titles = [element.get_attribute("title") for element in css(driver, f'{charge}[data-outcome="failed"]')]
    check("...each with its duration and error on hover", all(" ms" in t or " s" in t for t in titles) and titles, titles)
    check("the history table lists the StepFailed events",
          len(css(driver, '#history-table tr[data-type="StepFailed"]')) >= 2)
    business = text_of(driver, ".business")
    check("the payment and shipment records are shown", "Not shown" not in business and "None yet" not in business,
          business[:300])
    check("a completed saga offers no approve or retry", not css(driver, "#action-approve, #action-retry"))
    screenshot(driver, "saga-timeline.png")

    # Approve the large order from the page.
    check("the order above the threshold opens", open_order(driver, approval))
    until(driver, "it shows AWAITING_APPROVAL", lambda d: saga_badge(d) == "AWAITING_APPROVAL")
    card = until(driver, "the running step's card shows", lambda d: next(
        (element for element in css(d, ".running-step") if element.is_displayed()), None))
    check("the running step's card names AwaitApproval", card is not None and "AwaitApproval" in card.text)
    screenshot(driver, "saga-approval.png")
    button = until(driver, "the approve button shows", lambda d: next(iter(css(d, "#action-approve")), None))
    if button:
        button.click()
        confirm_dialog(driver, "checked with the customer by phone")
        check("approving from the page completes the order live",
              until(driver, "the saga turns COMPLETED", lambda d: saga_badge(d) == "COMPLETED", limit=WAIT) is not None)
        check("the approval's reason is in the history", until(
            driver, "the reason in the history",
            lambda d: "checked with the customer by phone" in text_of(d, "#history-table")) is not None)

    # Refund a completed order from the page; Escape dismisses the dialog first.
    check("the completed order opens", open_order(driver, completed))
    button = until(driver, "the refund button shows", lambda d: next(iter(css(d, "#action-refund")), None))
    if button:
        button.click()
        until(driver, "the dialog opens", lambda d: css(d, "dialog.confirm[open]"))
        driver.find_element(By.CSS_SELECTOR, "dialog.confirm textarea").send_keys(Keys.ESCAPE)
        check("Escape closes the dialog and sends nothing", until(
            driver, "the dialog closes on Escape", lambda d: not css(d, "dialog.confirm")) is not None
            and saga_status(completed) == "COMPLETED")
        driver.find_element(By.ID, "action-refund").click()
        confirm_dialog(driver, "")
        check("refunding from the page ends the order REFUNDED, live",
              until(driver, "the saga turns REFUNDED", lambda d: saga_badge(d) == "REFUNDED") is not None)
        check("...and the service agrees", wait_api("REFUNDED", lambda: saga_status(completed) == "REFUNDED", 10))

    # Two confirmations that cannot be sent: STUCK; one retried from its page, the other by the batch retry.
    MAILER_DOWN.set()
    stuck = [place("CONSOLE-MUG", 1, customer="c-stuck") for _ in range(2)]
    stuck_now = wait_api("both sagas to go STUCK", lambda: all(saga_status(o) == "STUCK" for o in stuck))
    MAILER_DOWN.clear()
    check("a confirmation that keeps failing leaves its saga STUCK", stuck_now)
    check("the STUCK saga opens", open_order(driver, stuck[0]))
    until(driver, "it shows STUCK", lambda d: saga_badge(d) == "STUCK")
    check("its running step's card says attempt 2 of 2 and the last error", until(
        driver, "the card's attempt", lambda d: "attempt 2 of 2" in text_of(d, ".running-step")
        and "503" in text_of(d, ".running-step")) is not None, text_of(driver, ".running-step"))
    check("the timeline shows it stuck, waiting for an operator",
          until(driver, "the stuck segment", lambda d: css(d, '.tl-seg[data-kind="stuck"]')) is not None)
    check("a STUCK saga offers retry and refund", until(
        driver, "the retry button", lambda d: css(d, "#action-retry") and css(d, "#action-refund")) is not None)
    screenshot(driver, "saga-stuck.png")
    driver.find_element(By.ID, "action-retry").click()
    confirm_dialog(driver, "the mailer is back")
    check("retrying from the page completes it, live",
          until(driver, "the retried saga turns COMPLETED", lambda d: saga_badge(d) == "COMPLETED") is not None)
    driver.execute_script("location.hash = '#/sagas?status=STUCK'")
    until(driver, "the STUCK list shows the other", lambda d: row_status(d, stuck[1]) == "STUCK")
    batch = until(driver, "the batch retry button", lambda d: next(
        (b for b in css(d, "button") if b.is_displayed() and "Retry every STUCK" in b.text), None))
    if batch:
        batch.click()
        confirm_dialog(driver, "")
        check("the batch retry reports what it retried", until(
            driver, "the batch's report", lambda d: "Retried 1 saga" in text_of(d, ".message")) is not None,
            text_of(driver, ".message"))
        check("...and the saga completes", wait_api("the batch-retried saga", lambda: saga_status(stuck[1]) == "COMPLETED"))

    # An action the state does not allow shows the API's problem detail in the page.
    status, _, _ = call("POST", f"/v1/orders/{declined}/refund")
    check("(the API refuses to refund a compensated order)", status == 409, status)

    # The catalog, and a product saved from the page.
    driver.execute_script("location.hash = '#/catalog'")
    until(driver, "the catalog lists the products", lambda d: css(d, '#products-table tr[data-sku="CONSOLE-MUG"]'))
    mug = css(driver, '#products-table tr[data-sku="CONSOLE-MUG"]')
    check("the catalog shows stock and reserved", bool(mug) and len(mug[0].find_elements(By.TAG_NAME, "td")) >= 5)
    form = until(driver, "the product form shows", lambda d: next(iter(css(d, "#product-form")), None))
    if form:
        for field, value in (("sku", "CONSOLE-LAMP"), ("name", "Desk lamp"), ("amount", "24.90")):
            driver.find_element(By.ID, f"product-{field}").send_keys(value)
        stock = driver.find_element(By.ID, "product-stock")
        stock.clear()
        stock.send_keys("12")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        check("a product saved from the page appears in the table", until(
            driver, "the new product's row", lambda d: css(d, '#products-table tr[data-sku="CONSOLE-LAMP"]')) is not None)
        _, _, lamp = call("GET", "/v1/products/CONSOLE-LAMP")
        check("...and in the catalog", (lamp or {}).get("stock") == 12, lamp)
    screenshot(driver, "catalog.png")

    # Dark mode follows prefers-color-scheme.
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    open_order(driver, flaky)
    until(driver, "the timeline shows", lambda d: css(d, ".tl-seg"))
    background = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
    check("dark mode darkens the page", background.replace(" ", "") in ("rgb(17,20,24)",), background)
    screenshot(driver, "saga-timeline-dark.png")
    driver.execute_script("location.hash = '#/sagas'")
    until(driver, "the list shows in dark mode", lambda d: row_status(d, flaky))
    screenshot(driver, "sagas-dark.png")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "light"}]})

    errors = console_errors(driver)
    check("no JavaScript or other errors in the browser's log (operator)", not errors, errors)

    # A viewer: reads everything, sees no buttons or forms, and the API refuses its changes.
    viewer_waits = place("CONSOLE-DESK", 1)
    wait_api("the viewer's order to wait for approval", lambda: saga_status(viewer_waits) == "AWAITING_APPROVAL")
    driver.find_element(By.ID, "sign-out").click()
    check("the viewer signs in", sign_in(driver, VIEWER_KEY))
    check("...as a viewer", "viewer" in driver.find_element(By.ID, "role").text, driver.find_element(By.ID, "role").text)
    until(driver, "the viewer sees the list", lambda d: row_status(d, viewer_waits) == "AWAITING_APPROVAL")
    check("the viewer sees no batch retry", not any(b.is_displayed() for b in css(
        driver, "button") if "Retry every" in b.text))
    open_order(driver, viewer_waits)
    until(driver, "the viewer sees the saga", lambda d: saga_badge(d) == "AWAITING_APPROVAL")
    time.sleep(0.5)
    check("a viewer sees no action buttons", not css(driver, ".actions button"),
          [b.text for b in css(driver, ".actions button")])
    driver.execute_script("location.hash = '#/catalog'")
    until(driver, "the viewer sees the catalog", lambda d: css(d, '#products-table tr[data-sku="CONSOLE-MUG"]'))
    check("a viewer sees no product form or edit buttons", not css(driver, "#product-form, #products-table button"))
    status, _, answer = call("POST", f"/v1/orders/{viewer_waits}/approve", key=VIEWER_KEY, body={"reason": "try"})
    check("the API refuses the viewer's approve (403)", status == 403, (status, answer))
    status, _, answer = call("POST", "/v1/products", key=VIEWER_KEY, body={
        "sku": "CONSOLE-X", "name": "x", "price": {"amount": "1.00", "currency": "USD"}, "stock": 1})
    check("...and its product write (403)", status == 403, (status, answer))
    check("the viewer's saga is still waiting", saga_status(viewer_waits) == "AWAITING_APPROVAL")
    call("POST", f"/v1/orders/{viewer_waits}/reject", body={"reason": "console test clean-up"})

    errors = console_errors(driver)
    check("no JavaScript or other errors in the browser's log (viewer)", not errors, errors)


def main():
    relay = start_relay()
    driver = browser()
    try:
        run(driver)
    except Exception:  # noqa: BLE001 - a crash of the test is a failure with its trace, and the browser still closes
        traceback.print_exc()
        check("the test ran to its end", False)
        try:
            screenshot(driver, "failure.png")
        except Exception:  # noqa: BLE001 - a browser that went away takes no screenshot
            pass
    finally:
        driver.quit()
        relay.shutdown()
    print(f"console checks: {passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
