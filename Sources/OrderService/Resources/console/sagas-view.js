// The sagas view (`#/sagas`): counts per status as filter chips, a "needs attention" view, search by order or
// customer id, cursor paging, and a table kept live from `GET /v1/sagas/changes`.
//
//   #/sagas                    every saga, newest first
//   #/sagas?status=STUCK       one status
//   #/sagas?view=attention     STUCK, AWAITING_APPROVAL, and sagas retrying a step
//   #/sagas?customer=c-42      one customer's sagas

import { ApiError, segment } from "./api.js";
import { confirmAction } from "./confirm-dialog.js";
import {
  STATUSES, TERMINAL, dash, elapsed, formatDuration, formatMoney, formatTime, h, replaceChildren, statusBadge,
} from "./dom.js";
import { EventStream } from "./event-stream.js";

const PAGE_SIZE = 25;
/** What an order id looks like (`ord_` and its ULID); anything else searched for is taken for a customer id. */
const ORDER_ID = /^ord_[0-9a-z]{26}$/;
/** How often the list is reloaded when the service has no change stream. */
const POLL_INTERVAL = 5000;

/** Whether a saga needs an operator's eye: stuck, waiting for approval, or retrying a step. */
export function needsAttention(saga) {
  if (saga.status === "STUCK" || saga.status === "AWAITING_APPROVAL") return true;
  return !TERMINAL.has(saga.status) && (saga.attempt ?? 1) > 1;
}

/** The sagas list. */
export class SagasView {
  constructor({ api, session, setLive }, params) {
    this.api = api;
    this.session = session;
    this.setLive = setLive;
    this.status = STATUSES.includes(params.get("status")) ? params.get("status") : null;
    this.attention = params.get("view") === "attention";
    this.customer = params.get("customer") || null;
    this.cursor = null;
    this.previousCursors = [];
    this.nextCursor = null;
    this.rows = new Map();
    this.stream = null;
    this.timers = [];
    this.pendingRefresh = null;
    this.pendingStats = null;
    this.listFailed = false;
  }

  /** A short title for the document. */
  get title() {
    if (this.customer) return `Sagas of ${this.customer}`;
    if (this.attention) return "Sagas needing attention";
    return this.status ? `${this.status} sagas` : "Sagas";
  }

  /** Builds the view into `container` and starts loading and listening. */
  mount(container) {
    this.message = h("div", { class: "message", role: "status", "aria-live": "polite" });
    this.chips = h("nav", { class: "chips", "aria-label": "Filter by status" });
    this.body = h("tbody");
    this.searchInput = h("input", {
      id: "saga-search", type: "search", name: "q", autocomplete: "off", spellcheck: "false",
      placeholder: "ord_… or a customer id", value: this.customer ?? "",
    });
    const search = h(
      "form",
      { class: "search", role: "search", onsubmit: (event) => this.search(event) },
      h("label", { for: "saga-search" }, "Order or customer id"),
      this.searchInput,
      h("button", { type: "submit" }, "Find"),
    );
    this.batchButton = h(
      "button",
      { type: "button", class: "danger", hidden: true, onclick: () => this.retryStuck() },
      "Retry every STUCK saga",
    );
    this.pager = h("div", { class: "pager" });
    this.emptyNote = h("p", { class: "hint empty-note", hidden: true });
    container.append(
      h("div", { class: "view-head" }, h("h1", {}, this.title), h("div", { class: "toolbar" }, search, this.batchButton)),
      this.chips,
      this.message,
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "sagas", id: "sagas-table" },
          h("caption", { class: "visually-hidden" }, this.title),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["Order", "Customer", "Status", "Current step", "Attempt", "Total", "Started", "Last change", "Duration"]
                .map((name) => h("th", { scope: "col" }, name)),
            ),
          ),
          this.body,
        ),
      ),
      this.emptyNote,
      this.pager,
    );
    this.loadStats();
    this.loadList();
    this.openChanges();
    this.timers.push(setInterval(() => this.tickDurations(), 1000));
  }

  /** Stops the stream and the timers. */
  close() {
    this.stream?.close();
    for (const timer of this.timers) clearInterval(timer);
    clearTimeout(this.pendingRefresh);
    clearTimeout(this.pendingStats);
  }

  /** The counts per status as chips (links, so the filter is in the address and the back button works). */
  async loadStats() {
    let stats;
    try {
      stats = await this.api.get("/v1/sagas/stats");
    } catch (error) {
      this.showError(error);
      return;
    }
    const counts = stats.counts ?? {};
    const attention = (counts.STUCK ?? 0) + (counts.AWAITING_APPROVAL ?? 0);
    const chip = (href, label, count, current, extra = "") =>
      h(
        "a",
        { href, class: `chip ${extra} ${count ? "" : "empty"}`, "aria-current": current ? "page" : false },
        h("span", { class: "chip-label" }, label),
        h("span", { class: "chip-count" }, String(count)),
      );
    const plain = !this.status && !this.attention && !this.customer;
    replaceChildren(
      this.chips,
      chip("#/sagas", "All", stats.total ?? 0, plain),
      chip("#/sagas?view=attention", "Needs attention", attention, this.attention, "attention"),
      STATUSES.map((status) =>
        chip(`#/sagas?status=${status}`, status.replaceAll("_", " "), counts[status] ?? 0, this.status === status,
          `status-${status.toLowerCase().replaceAll("_", "-")}`),
      ),
    );
    this.batchButton.hidden = !(this.session.can("sagas.retry") && (counts.STUCK ?? 0) > 0);
  }

  /** Loads the current page (or, for "needs attention", the first pages of the statuses it gathers). */
  async loadList() {
    try {
      const items = this.attention ? await this.attentionItems() : await this.page();
      this.render(items);
      if (this.listFailed) this.showMessage("");
      this.listFailed = false;
    } catch (error) {
      this.listFailed = true;
      this.showError(error);
    }
  }

  /** One page of `GET /v1/sagas`, by status or customer. */
  async page() {
    const answer = await this.api.get("/v1/sagas", {
      status: this.status, customerId: this.customer, limit: PAGE_SIZE, cursor: this.cursor,
    });
    const items = answer.items ?? [];
    if (this.customer && items.some((item) => item.customerId === undefined)) {
      throw new ApiError(501, { detail: "this service cannot list sagas by customer yet" });
    }
    this.nextCursor = answer.nextCursor ?? null;
    this.renderPager();
    return items;
  }

  /** STUCK and AWAITING_APPROVAL sagas, and running or compensating ones past their first attempt, newest first. */
  async attentionItems() {
    const pages = await Promise.all(
      ["STUCK", "AWAITING_APPROVAL", "RUNNING", "COMPENSATING"].map((status) =>
        this.api.get("/v1/sagas", { status, limit: 100 }),
      ),
    );
    const items = pages.flatMap((page) => page.items ?? []).filter(needsAttention);
    items.sort((a, b) => String(b.startedAt).localeCompare(String(a.startedAt)));
    replaceChildren(this.pager);
    return items;
  }

  /** The previous and next page buttons. */
  renderPager() {
    replaceChildren(
      this.pager,
      h("button", { type: "button", class: "secondary", disabled: this.previousCursors.length === 0,
        onclick: () => this.turnPage(-1) }, "← Newer"),
      h("span", { class: "hint" }, `page ${this.previousCursors.length + 1}`),
      h("button", { type: "button", class: "secondary", disabled: !this.nextCursor,
        onclick: () => this.turnPage(1) }, "Older →"),
    );
  }

  /** Moves one page towards older (1) or newer (-1) sagas. */
  turnPage(direction) {
    if (direction > 0 && this.nextCursor) {
      this.previousCursors.push(this.cursor);
      this.cursor = this.nextCursor;
    } else if (direction < 0 && this.previousCursors.length > 0) {
      this.cursor = this.previousCursors.pop();
    } else {
      return;
    }
    this.rows.clear();
    this.body.replaceChildren();
    this.loadList();
  }

  /** Shows `items` in order, reusing the rows already shown (so a focused link keeps its focus). */
  render(items) {
    const seen = new Set();
    let previous = null;
    for (const item of items) {
      seen.add(item.sagaId);
      let row = this.rows.get(item.sagaId);
      if (row) {
        row.item = { ...row.item, ...definedFields(item) };
        this.fill(row);
      } else {
        row = this.createRow(item);
      }
      const expected = previous ? previous.nextSibling : this.body.firstChild;
      if (expected !== row.element) this.body.insertBefore(row.element, expected);
      previous = row.element;
    }
    for (const [sagaId, row] of this.rows) {
      if (!seen.has(sagaId)) {
        row.element.remove();
        this.rows.delete(sagaId);
      }
    }
    this.renderEmptyNote();
  }

  /** Says so below the table when it has no rows. */
  renderEmptyNote() {
    this.emptyNote.hidden = this.rows.size > 0;
    this.emptyNote.textContent = this.attention ? "Nothing needs attention." : "No sagas here.";
  }

  /** A new row for `item`. */
  createRow(item) {
    const element = h("tr", { dataset: { sagaId: item.sagaId } });
    const row = { item, element };
    this.rows.set(item.sagaId, row);
    this.fill(row);
    return row;
  }

  /** Writes a row's cells from its item. */
  fill(row) {
    const item = row.item;
    row.element.dataset.orderId = item.orderId ?? "";
    row.element.dataset.status = item.status ?? "";
    const order = item.orderId
      ? h("a", { href: `#/orders/${segment(item.orderId)}`, class: "mono" }, item.orderId)
      : h("span", { class: "mono" }, item.sagaId);
    const customer = item.customerId
      ? h("a", { href: `#/sagas?customer=${encodeURIComponent(item.customerId)}` }, item.customerId)
      : "—";
    replaceChildren(
      row.element,
      h("td", {}, order),
      h("td", {}, customer),
      h("td", { class: "status-cell" }, statusBadge(item.status)),
      h("td", {}, dash(item.step)),
      h("td", { class: "num" }, dash(item.attempt)),
      h("td", { class: "num" }, formatMoney(item.total)),
      h("td", {}, formatTime(item.startedAt)),
      h("td", {}, formatTime(item.updatedAt)),
      h("td", { class: "num duration" }, this.duration(item)),
    );
  }

  /** How long a saga ran (terminal), or has been running. */
  duration(item) {
    return formatDuration(elapsed(item.startedAt, TERMINAL.has(item.status) ? item.updatedAt : null));
  }

  /** Advances the durations of sagas still running. */
  tickDurations() {
    for (const row of this.rows.values()) {
      if (TERMINAL.has(row.item.status)) continue;
      const cell = row.element.querySelector(".duration");
      if (cell) cell.textContent = this.duration(row.item);
    }
  }

  /** Whether a saga belongs in this view (for sagas the change stream reports). */
  matches(saga) {
    if (this.attention) return needsAttention(saga);
    if (this.status) return saga.status === this.status;
    return !this.customer;
  }

  /** Listens to `GET /v1/sagas/changes`; without it (an older service), reloads every few seconds. */
  openChanges() {
    this.stream = new EventStream({
      url: "/v1/sagas/changes",
      headers: this.api.headers(),
      onEvent: (event) => this.onChange(event),
      onState: (state) => {
        if (state === "unsupported") this.startPolling();
        else this.setLive(state);
      },
    });
    this.stream.start();
  }

  /** Polling instead of the change stream. */
  startPolling() {
    this.setLive("polling");
    this.timers.push(
      setInterval(() => {
        this.loadStats();
        this.loadList();
      }, POLL_INTERVAL),
    );
  }

  /** One event of the change stream. */
  onChange({ event, data }) {
    if (event === "Reset") {
      this.loadList();
      this.loadStats();
      return;
    }
    if (event !== "SagaChanged") return;
    let saga;
    try {
      saga = JSON.parse(data);
    } catch {
      return;
    }
    this.scheduleStats();
    const row = this.rows.get(saga.sagaId);
    if (row) {
      row.item = { ...row.item, ...definedFields(saga) };
      this.fill(row);
      flash(row.element);
      if (!this.matches(row.item) && !this.customer) this.scheduleRefresh();
      return;
    }
    if (this.cursor === null && this.matches(saga)) {
      // Newest started first: a saga started before every row shown belongs to a later page, if there is one.
      const next = [...this.body.children].find((element) =>
        String(this.rows.get(element.dataset.sagaId)?.item.startedAt) < String(saga.startedAt));
      if (!next && this.nextCursor) return;
      const created = this.createRow(saga);
      this.body.insertBefore(created.element, next ?? null);
      flash(created.element);
      this.renderEmptyNote();
      // The change carries no customer or total: the page's next reload fills them in.
      this.scheduleRefresh();
    }
  }

  /** Reloads the list soon, once for a burst of changes. */
  scheduleRefresh() {
    if (this.pendingRefresh) return;
    this.pendingRefresh = setTimeout(() => {
      this.pendingRefresh = null;
      this.loadList();
    }, 1000);
  }

  /** Reloads the counts soon, once for a burst of changes. */
  scheduleStats() {
    if (this.pendingStats) return;
    this.pendingStats = setTimeout(() => {
      this.pendingStats = null;
      this.loadStats();
    }, 1000);
  }

  /** Opens an order (when one has this id) or lists a customer's sagas. */
  async search(event) {
    event.preventDefault();
    const query = this.searchInput.value.trim();
    if (!query) {
      location.hash = "#/sagas";
      return;
    }
    if (!ORDER_ID.test(query)) {
      location.hash = `#/sagas?customer=${encodeURIComponent(query)}`;
      return;
    }
    try {
      await this.api.get(`/v1/orders/${segment(query)}`);
      location.hash = `#/orders/${segment(query)}`;
    } catch (error) {
      // Shaped like an order id but no such order: perhaps a customer id after all.
      if (error instanceof ApiError && error.status === 404) {
        location.hash = `#/sagas?customer=${encodeURIComponent(query)}`;
      } else {
        this.showError(error);
      }
    }
  }

  /** Asks the service to retry every STUCK saga (`POST /v1/sagas/retry`). */
  async retryStuck() {
    const answer = await confirmAction({
      title: "Retry every STUCK saga?",
      body: "Each stuck saga retries the compensation or step it gave up on, with a fresh attempt budget.",
      confirmLabel: "Retry all",
      danger: true,
    });
    if (!answer) return;
    try {
      const result = await this.api.post("/v1/sagas/retry", {
        status: "STUCK", ...(answer.reason ? { reason: answer.reason } : {}),
      });
      const retried = result?.retried ?? [];
      const failed = result?.failed ?? [];
      const parts = [`Retried ${retried.length} saga${retried.length === 1 ? "" : "s"}.`];
      if (failed.length) {
        parts.push(`${failed.length} could not be retried: ${failed.map((f) => `${f.orderId} (${f.detail})`).join("; ")}`);
      }
      this.showMessage(parts.join(" "), failed.length ? "error" : "ok");
      this.loadStats();
      this.loadList();
    } catch (error) {
      this.showError(error);
    }
  }

  /** Shows a note above the table (empty text clears it). */
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

/** The fields of `object` that are not undefined (a change event does not erase what it does not carry). */
function definedFields(object) {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** Highlights a row briefly. */
function flash(element) {
  element.classList.remove("changed");
  void element.offsetWidth;
  element.classList.add("changed");
}
