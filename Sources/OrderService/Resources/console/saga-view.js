// One saga (`#/orders/{orderId}`): the order and its saga's header, the actions its state allows, the running
// step's card, the timeline, the payment and shipment records, and the history as a table and as JSON — all
// kept live from `GET /v1/orders/{orderId}/events` until the saga ends.

import { ApiError, segment } from "./api.js";
import { confirmAction } from "./confirm-dialog.js";
import {
  TERMINAL, dash, elapsed, formatClock, formatDuration, formatMoney, formatTime, h, replaceChildren, statusBadge,
} from "./dom.js";
import { EventStream } from "./event-stream.js";
import { describeActor, renderTimeline } from "./timeline.js";

/** The actions, when the saga's status allows each and which permission it needs. */
const ACTIONS = [
  { name: "approve", label: "Approve", statuses: ["AWAITING_APPROVAL"], permission: "sagas.approve",
    body: "The order goes on to be charged and shipped." },
  { name: "reject", label: "Reject", statuses: ["AWAITING_APPROVAL"], permission: "sagas.approve", danger: true,
    body: "The order is compensated: its stock is released." },
  { name: "cancel", label: "Cancel", statuses: ["RUNNING", "AWAITING_APPROVAL"], permission: "sagas.cancel",
    danger: true, body: "The saga stops and undoes what was done; it ends CANCELLED." },
  { name: "refund", label: "Refund", statuses: ["COMPLETED", "STUCK"], permission: "sagas.refund", danger: true,
    body: "A completed order: the shipment is cancelled, the payment refunded and the goods returned to stock. "
      + "A stuck one: its compensation is tried again." },
  { name: "retry", label: "Retry", statuses: ["STUCK"], permission: "sagas.retry",
    body: "The step or compensation the saga gave up on is tried again, with a fresh attempt budget." },
];

/** How long after an action the view keeps listening for its effect on a saga that looked finished. */
const ACTION_EFFECT_WINDOW = 30_000;

/** The one-saga view. */
export class SagaView {
  constructor({ api, session, setLive }, params, orderId) {
    this.api = api;
    this.session = session;
    this.setLive = setLive;
    this.orderId = orderId;
    this.order = null;
    this.saga = null;
    this.history = [];
    this.stream = null;
    this.timers = [];
    this.pendingRefresh = null;
    this.expectingChangeUntil = 0;
    this.streamRefused = false;
  }

  /** A short title for the document. */
  get title() {
    return `Order ${this.orderId}`;
  }

  /** Builds the view into `container`, loads the order and its saga, and follows its events. */
  mount(container) {
    this.message = h("div", { class: "message", role: "status", "aria-live": "polite" });
    this.header = h("section", { class: "saga-header", "aria-label": "Order and saga" });
    this.actions = h("div", { class: "actions", role: "group", "aria-label": "Actions" });
    this.card = h("section", { class: "card running-step", "aria-label": "Running step", hidden: true });
    this.timeline = h("div", { class: "timeline-wrap" });
    this.business = h("div", { class: "business" });
    this.historyBody = h("tbody");
    this.historyJSON = h("pre", { class: "json", tabindex: "0" });
    container.append(
      h("p", { class: "crumbs" }, h("a", { href: "#/sagas" }, "← Sagas")),
      h("div", { class: "view-head" }, h("h1", {}, "Order ", h("span", { class: "mono" }, this.orderId)), this.actions),
      this.message,
      this.header,
      this.card,
      h("section", { "aria-labelledby": "timeline-title" }, h("h2", { id: "timeline-title" }, "Timeline"), this.timeline),
      h("section", { "aria-labelledby": "business-title" }, h("h2", { id: "business-title" }, "Payment and shipment"),
        this.business),
      h(
        "section",
        { "aria-labelledby": "history-title" },
        h("div", { class: "section-head" },
          h("h2", { id: "history-title" }, "History"),
          h("button", { type: "button", class: "secondary", id: "download-history", onclick: () => this.download() },
            "Download JSON")),
        h("div", { class: "table-wrap" },
          h("table", { class: "history", id: "history-table" },
            h("thead", {}, h("tr", {}, ["#", "Time", "+", "Event", "Step", "Attempt", "Details"]
              .map((name) => h("th", { scope: "col" }, name)))),
            this.historyBody)),
        h("details", { class: "json-view" }, h("summary", {}, "As JSON"), this.historyJSON),
      ),
    );
    this.timers.push(setInterval(() => this.tick(), 500));
    this.load();
  }

  /** Stops the stream and the timers. */
  close() {
    this.stream?.close();
    this.stream = null;
    for (const timer of this.timers) clearInterval(timer);
    clearTimeout(this.pendingRefresh);
  }

  /** Loads the order and the saga, then follows the events if the saga is not over. */
  async load() {
    const ok = await this.refresh();
    if (ok) this.follow();
  }

  /** Reads the order and the saga again and redraws; false when they could not be read. */
  async refresh() {
    try {
      const [order, saga] = await Promise.all([
        this.api.get(`/v1/orders/${segment(this.orderId)}`),
        this.api.get(`/v1/orders/${segment(this.orderId)}/saga`),
      ]);
      this.order = order;
      this.saga = saga;
      if ((saga.history?.length ?? 0) >= this.history.length) this.history = saga.history ?? [];
      this.render();
      return true;
    } catch (error) {
      this.showError(error);
      return false;
    }
  }

  /** Reads again soon, once for a burst of events. */
  scheduleRefresh() {
    if (this.pendingRefresh) return;
    this.pendingRefresh = setTimeout(async () => {
      this.pendingRefresh = null;
      await this.refresh();
      if (!this.isOver()) this.follow();
    }, 300);
  }

  /** Whether nothing more will happen to this saga (unless someone acts on it). */
  isOver() {
    return TERMINAL.has(this.saga?.status) && Date.now() > this.expectingChangeUntil;
  }

  /** Opens the event stream from the last event shown, unless it is open or the saga is over. */
  follow() {
    if (this.stream || this.streamRefused || this.isOver()) {
      if (!this.stream) this.setLive("ended");
      return;
    }
    this.stream = new EventStream({
      url: `/v1/orders/${segment(this.orderId)}/events`,
      headers: this.api.headers(),
      lastEventId: this.history.length ? String(this.history[this.history.length - 1].seq) : "",
      isFinished: () => this.isOver(),
      onEvent: (event) => this.onEvent(event),
      onState: (state) => {
        this.setLive(state);
        if (state === "ended" || state === "unsupported" || state === "refused") {
          this.stream = null;
          this.streamRefused = state !== "ended";
          this.scheduleRefresh();
        }
      },
    });
    this.stream.start();
  }

  /** One history event from the stream: shown at once; the derived state is read again shortly. */
  onEvent({ data }) {
    let event;
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    const last = this.history.length ? this.history[this.history.length - 1].seq : 0;
    if (typeof event.seq === "number" && event.seq > last) {
      this.history = [...this.history, event];
      this.expectingChangeUntil = 0;
      this.renderTimeline();
      this.renderHistory();
    }
    this.scheduleRefresh();
  }

  /** Draws everything from the order, the saga and the history. */
  render() {
    this.renderHeader();
    this.renderActions();
    this.renderCard();
    this.renderTimeline();
    this.renderBusiness();
    this.renderHistory();
  }

  /** Status, step, customer, total, items, address, saga version and times. */
  renderHeader() {
    const order = this.order;
    const saga = this.saga;
    const address = order.shippingAddress ?? {};
    const started = saga.startedAt ?? order.placedAt;
    const finished = TERMINAL.has(saga.status) ? saga.updatedAt : null;
    const row = (label, ...value) => [h("dt", {}, label), h("dd", {}, ...value)];
    replaceChildren(
      this.header,
      h("div", { class: "status-line" },
        statusBadge(saga.status),
        saga.step ? h("span", { class: "step-name" }, saga.step) : null),
      h(
        "dl",
        { class: "facts" },
        row("Customer", order.customerId
          ? h("a", { href: `#/sagas?customer=${encodeURIComponent(order.customerId)}` }, order.customerId) : "—"),
        row("Total", formatMoney(order.total)),
        row("Items", h("ul", { class: "items" }, (order.items ?? []).map((item) =>
          h("li", {}, h("span", { class: "mono" }, item.sku), ` × ${item.quantity}`,
            item.unitPrice ? ` at ${formatMoney(item.unitPrice)}` : "")))),
        row("Ship to", [address.name, address.line1, address.line2, `${address.postalCode ?? ""} ${address.city ?? ""}`.trim(),
          address.country].filter(Boolean).join(", ") || "—"),
        row("Placed", formatTime(order.placedAt)),
        row("Saga", h("span", { class: "mono" }, saga.sagaId), ` — ${saga.definition ?? "saga"} version ${dash(saga.version)}`),
        row("Last change", formatTime(saga.updatedAt)),
        row("Duration", h("span", { class: "saga-duration", dataset: { start: started ?? "", end: finished ?? "" } },
          formatDuration(elapsed(started, finished)))),
      ),
    );
  }

  /** The buttons the saga's status and the key's permissions allow. */
  renderActions() {
    const status = this.saga.status;
    const allowed = ACTIONS.filter((action) => action.statuses.includes(status) && this.session.can(action.permission));
    replaceChildren(
      this.actions,
      allowed.map((action) =>
        h("button", {
          type: "button", id: `action-${action.name}`, class: action.danger ? "danger" : "primary",
          onclick: () => this.act(action),
        }, action.label),
      ),
    );
  }

  /** The running step: attempt n of max, the next retry's countdown, the last error, a wait's deadline. */
  renderCard() {
    const saga = this.saga;
    const step = [...(saga.steps ?? [])].reverse().find((candidate) => candidate.name === saga.step);
    if (!step || TERMINAL.has(saga.status)) {
      this.card.hidden = true;
      return;
    }
    this.card.hidden = false;
    const attempt = this.attemptInBudget(step);
    const attemptText = step.maxAttempts
      ? `attempt ${attempt} of ${step.maxAttempts}${attempt !== step.attempts ? ` (${step.attempts} in all)` : ""}`
      : `attempt ${step.attempts}`;
    const kind = step.kind === "compensation" ? `compensation for ${step.forStep}` : step.kind;
    replaceChildren(
      this.card,
      h("h2", {}, saga.status === "STUCK" ? "Stopped at: " : "Running step: ", h("span", { class: "step-name" }, step.name)),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Kind"), h("dd", {}, kind),
        h("dt", {}, "Status"), h("dd", {}, step.status),
        step.attempts && (step.kind === "action" || step.kind === "compensation")
          ? [h("dt", {}, "Attempt"), h("dd", { class: "attempt-text" }, attemptText)] : null,
        h("dt", {}, "Started"), h("dd", {}, formatTime(step.startedAt)),
        step.nextAttemptAt
          ? [h("dt", {}, "Next attempt"), h("dd", {}, h("span", { class: "countdown", dataset: { at: step.nextAttemptAt,
            prefix: "in " } }, ""), ` (${formatTime(step.nextAttemptAt)})`)]
          : null,
        step.deadline
          ? [h("dt", {}, step.kind === "signalWait" ? "Times out" : "Due"), h("dd", {}, h("span", {
            class: "countdown", dataset: { at: step.deadline, prefix: "in " } }, ""), ` (${formatTime(step.deadline)})`)]
          : null,
        step.lastError
          ? [h("dt", {}, "Last error"), h("dd", { class: "error-text" }, h("strong", {}, step.lastError.kind), ": ",
            step.lastError.message, step.lastError.retryable ? " (retryable)" : " (not retryable)")]
          : null,
      ),
    );
    this.tick();
  }

  /**
   * The running attempt counted within its budget: an operator's retry of a stuck saga starts a fresh budget,
   * so attempts made before the last applied `RetryRequested` do not count against the limit.
   */
  attemptInBudget(step) {
    let before = 0;
    let sawRetry = false;
    for (let index = this.history.length - 1; index >= 0; index--) {
      const event = this.history[index];
      if (!sawRetry) {
        if (event.type === "RetryRequested" && event.data?.applied) sawRetry = true;
        continue;
      }
      if (event.step === step.name && event.attempt) {
        before = Math.max(before, event.attempt);
        break;
      }
    }
    return Math.max(1, step.attempts - before);
  }

  /** The timeline of steps, attempts and waits. */
  renderTimeline() {
    replaceChildren(this.timeline, renderTimeline(this.history, Date.now()));
  }

  /** The order's payment and shipment records. */
  renderBusiness() {
    const record = (title, value) => {
      let content;
      if (value === undefined) content = h("p", { class: "hint" }, "Not shown by this version of the service.");
      else if (value === null) content = h("p", { class: "hint" }, "None yet.");
      else content = keyValues(value);
      return h("div", { class: "card" }, h("h3", {}, title), content);
    };
    replaceChildren(this.business, record("Payment", this.order.payment), record("Shipment", this.order.shipment));
  }

  /** The history as a table, and as JSON. */
  renderHistory() {
    const start = this.history.length ? new Date(this.history[0].at).getTime() : 0;
    replaceChildren(
      this.historyBody,
      this.history.map((event) =>
        h(
          "tr",
          { class: `event ${eventClass(event.type)}`, dataset: { type: event.type, seq: String(event.seq) } },
          h("td", { class: "num" }, String(event.seq)),
          h("td", { class: "mono", title: event.at }, formatClock(event.at)),
          h("td", { class: "num" }, `+${formatDuration(new Date(event.at).getTime() - start)}`),
          h("td", {}, event.type),
          h("td", {}, dash(event.step)),
          h("td", { class: "num" }, dash(event.attempt)),
          h("td", { class: "details" }, eventDetails(event)),
        ),
      ),
    );
    this.historyJSON.textContent = JSON.stringify(this.history, null, 2);
  }

  /** Updates countdowns and the running duration. */
  tick() {
    for (const element of this.card.querySelectorAll(".countdown")) {
      const remaining = new Date(element.dataset.at).getTime() - Date.now();
      element.textContent = remaining > 0 ? `${element.dataset.prefix}${formatDuration(remaining)}` : "due now";
    }
    const duration = this.header.querySelector(".saga-duration");
    if (duration && !duration.dataset.end && duration.dataset.start) {
      duration.textContent = formatDuration(elapsed(duration.dataset.start, null));
    }
    // Open segments grow with the clock; not while the pointer rests on one (its tooltip would vanish).
    if (this.saga && !TERMINAL.has(this.saga.status) && this.history.length && !this.timeline.matches(":hover")) {
      this.renderTimeline();
    }
  }

  /** Confirms and sends an action; shows its answer or the API's refusal. */
  async act(action) {
    const answer = await confirmAction({
      title: `${action.label} order ${this.orderId}?`,
      body: action.body,
      confirmLabel: action.label,
      danger: action.danger,
    });
    if (!answer) return;
    try {
      const result = await this.api.post(`/v1/orders/${segment(this.orderId)}/${action.name}`,
        answer.reason ? { reason: answer.reason } : undefined);
      this.showMessage(result?.detail ?? `${action.name} accepted`, "ok");
      this.expectingChangeUntil = Date.now() + ACTION_EFFECT_WINDOW;
      await this.refresh();
      this.follow();
    } catch (error) {
      this.showError(error);
    }
  }

  /** Saves the history as a JSON file. */
  download() {
    const document_ = { orderId: this.orderId, sagaId: this.saga?.sagaId, status: this.saga?.status,
      history: this.history };
    const blob = new Blob([JSON.stringify(document_, null, 2)], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const link = h("a", { href: url, download: `${this.orderId}-history.json`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** Shows a note above the header. */
  showMessage(text, kind = "info") {
    this.message.className = `message ${kind}`;
    this.message.setAttribute("role", kind === "error" ? "alert" : "status");
    this.message.textContent = text;
  }

  /** Shows an API error's detail. */
  showError(error) {
    this.showMessage(error instanceof ApiError ? `${error.message} (HTTP ${error.status})` : String(error), "error");
  }
}

/** A record's fields as a definition list (nested values as compact JSON). */
function keyValues(value) {
  if (typeof value !== "object") return h("p", {}, String(value));
  return h(
    "dl",
    { class: "facts" },
    Object.entries(value).map(([key, field]) => [
      h("dt", {}, key),
      h("dd", { class: typeof field === "object" && field !== null ? "mono" : "" },
        field === null ? "—" : typeof field === "object" ? (field.amount !== undefined ? formatMoney(field) : JSON.stringify(field)) : String(field)),
    ]),
  );
}

/** A CSS class for an event's row colour. */
function eventClass(type) {
  if (/Failed|Stuck|TimedOut/.test(type)) return "bad";
  if (/Completed|Fired|Compensated|Cancelled|Reverted/.test(type)) return "good";
  if (/Requested|SignalReceived/.test(type)) return "signal";
  return "";
}

/** An event's details for the table: errors, retry times, signals with who sent them, the rest as JSON. */
function eventDetails(event) {
  const data = event.data ?? {};
  const parts = [];
  if (data.error) parts.push(`${data.error.kind}: ${data.error.message}`);
  if (data.nextAttemptAt) parts.push(`retry at ${formatClock(data.nextAttemptAt)}`);
  if (data.name) parts.push(`signal ${data.name}${data.applied === false ? " (not applied)" : ""}${describeActor(data)}`);
  else if (data.actor || data.reason) parts.push(describeActor(data).trim());
  if (data.cause) parts.push(`cause ${data.cause}${data.failedStep ? ` at ${data.failedStep}` : ""}`);
  if (data.deadline) parts.push(`deadline ${formatTime(data.deadline)}`);
  const json = JSON.stringify(data);
  const text = parts.length ? parts.join(" · ") : json === "{}" ? "" : json;
  return h("span", { title: json }, text.length > 160 ? `${text.slice(0, 157)}…` : text);
}
