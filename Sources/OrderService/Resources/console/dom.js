// Building the page's elements and formatting what they show.
//
// Every element is built with `h()`, never from HTML strings, so text from the API is always text.
//
//   h("a", { href: "#/orders/1", class: "link" }, "order 1")
//   formatDuration(1520)        // "1.5 s"

/**
 * Creates an element. `attributes` values: strings and numbers become attributes, `true` a bare attribute,
 * `false`/`null`/`undefined` nothing; `on*` functions become event listeners; `dataset` an object of data-*.
 * Children may be strings, numbers, nodes, arrays of them, or null (skipped).
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

/** Appends children (strings, nodes, nested arrays, nulls skipped) to `parent`. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces every child of `parent` with `children`. */
export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** The saga statuses, in the order the chips show them. */
export const STATUSES = [
  "RUNNING", "AWAITING_APPROVAL", "COMPENSATING", "STUCK",
  "COMPLETED", "COMPENSATED", "CANCELLED", "REFUNDED",
];

/** Statuses a saga never leaves. */
export const TERMINAL = new Set(["COMPLETED", "COMPENSATED", "CANCELLED", "REFUNDED"]);

/** A status as a coloured badge. */
export function statusBadge(status) {
  const label = String(status ?? "UNKNOWN");
  return h("span", { class: `badge status-${label.toLowerCase().replaceAll("_", "-")}` }, label.replaceAll("_", " "));
}

/** `{amount, currency}` as "12.50 USD"; a dash when absent. The amount stays the API's exact decimal string. */
export function formatMoney(money) {
  if (!money || money.amount === undefined) return "—";
  return `${money.amount} ${money.currency ?? ""}`.trim();
}

/** An RFC 3339 time as local date and time, seconds included; a dash when absent. */
export function formatTime(value) {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(undefined, {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
}

/** A time as hours, minutes, seconds and milliseconds (for history rows). */
export function formatClock(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return "—";
  const pad = (n, width = 2) => String(n).padStart(width, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** Milliseconds as a short human duration: "850 ms", "1.5 s", "2 min 5 s", "3 h 2 min", "2 d 4 h". */
export function formatDuration(milliseconds) {
  if (milliseconds === null || milliseconds === undefined || Number.isNaN(milliseconds)) return "—";
  const ms = Math.max(0, Math.round(milliseconds));
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3600)} h`;
}

/** Milliseconds between two RFC 3339 times (or until now when `end` is absent). */
export function elapsed(start, end) {
  if (!start) return null;
  const from = new Date(start).getTime();
  const to = end ? new Date(end).getTime() : Date.now();
  return to - from;
}

/** A value as text, or a dash when it is absent. */
export function dash(value) {
  return value === null || value === undefined || value === "" ? "—" : String(value);
}
