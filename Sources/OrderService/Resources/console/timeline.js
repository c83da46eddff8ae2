// A saga's timeline: each attempt of each step and compensation as a segment on a time axis, with the waits
// between them (retry backoff, approval, timers, a stuck saga waiting for an operator), derived from the
// history events alone.
//
//   const { rows, start, end } = deriveTimeline(saga.history, Date.now());
//   container.replaceChildren(renderTimeline(saga.history, Date.now()));

import { formatDuration, h } from "./dom.js";

/** Events that end a saga. */
const ENDINGS = new Set(["SagaCompleted", "SagaCompensated", "SagaCancelled", "SagaReverted"]);

/** What each segment kind is called in its tooltip and in the legend. */
const KIND_LABELS = {
  attempt: "attempt",
  retry: "waiting to retry",
  wait: "waiting for a signal",
  timer: "timer",
  stuck: "stuck, waiting for an operator",
};

/** Legend entries: outcome class and meaning. */
const LEGEND = [
  ["ok", "succeeded"],
  ["failed", "failed"],
  ["running", "running"],
  ["retry", "waiting to retry"],
  ["wait", "waiting (approval, timer)"],
  ["stuck", "stuck"],
  ["skipped", "skipped"],
  ["ended", "interrupted"],
];

/**
 * Segments per step from `history` (the API's events, ordered by `seq`). `now` (milliseconds) ends the
 * segments still open. Returns `{rows: [{step, compensation, segments}], start, end, finished}`; a segment is
 * `{kind, outcome, start, end, open, attempt, detail}`, times in milliseconds.
 */
export function deriveTimeline(history, now) {
  const rows = new Map();
  const open = new Map();
  const row = (step, compensation = false) => {
    if (!rows.has(step)) rows.set(step, { step, compensation, segments: [] });
    return rows.get(step);
  };
  const begin = (step, segment, compensation = false) => {
    // A retry wait ends as the next attempt begins; anything else still open was cut short.
    finish(step, segment.start, open.get(step)?.kind === "retry" ? "retry" : "ended");
    const entry = { ...segment, open: true, end: null };
    row(step, compensation).segments.push(entry);
    open.set(step, entry);
  };
  const finish = (step, at, outcome, detail) => {
    const entry = open.get(step);
    if (!entry) return;
    entry.end = at;
    entry.open = false;
    entry.outcome = outcome;
    if (detail) entry.detail = detail;
    open.delete(step);
  };
  const finishAll = (at, outcome) => {
    for (const step of [...open.keys()]) finish(step, at, outcome);
  };

  let start = null;
  let end = null;
  let finished = false;
  for (const event of history) {
    const at = new Date(event.at).getTime();
    if (start === null) start = at;
    end = at;
    const data = event.data ?? {};
    const step = event.step;
    switch (event.type) {
      case "StepStarted":
      case "CompensationStarted":
        begin(step, { kind: "attempt", outcome: "running", start: at, attempt: event.attempt },
          event.type === "CompensationStarted");
        break;
      case "StepCompleted":
      case "CompensationCompleted":
        finish(step, at, "ok");
        break;
      case "StepFailed":
      case "CompensationFailed": {
        const error = data.error ? `${data.error.kind}: ${data.error.message}` : "failed";
        finish(step, at, "failed", error);
        if (data.nextAttemptAt) {
          begin(step, {
            kind: "retry", outcome: "retry", start: at, attempt: (event.attempt ?? 0) + 1,
            planned: new Date(data.nextAttemptAt).getTime(),
          }, event.type === "CompensationFailed");
        }
        break;
      }
      case "SignalWaitStarted":
        begin(step, { kind: "wait", outcome: "wait", start: at,
          planned: data.deadline ? new Date(data.deadline).getTime() : null });
        break;
      case "SignalReceived":
        if (data.applied && step) {
          const name = String(data.name ?? "signal");
          finish(step, at, name === "reject" ? "failed" : "ok", `${name}${describeActor(data)}`);
        }
        break;
      case "SignalWaitTimedOut":
        finish(step, at, "failed", "no answer before the deadline");
        break;
      case "TimerStarted":
        begin(step, { kind: "timer", outcome: "wait", start: at,
          planned: data.fireAt ? new Date(data.fireAt).getTime() : null });
        break;
      case "TimerFired":
        finish(step, at, "ok");
        break;
      case "StepSkipped":
        row(step).segments.push({ kind: "attempt", outcome: "skipped", start: at, end: at, open: false,
          detail: data.reason || "skipped" });
        break;
      case "CancelRequested":
        if (data.applied) {
          for (const [name, entry] of open) {
            if (entry.kind !== "attempt") finish(name, at, "ended", `cancelled${describeActor(data)}`);
          }
        }
        break;
      case "SagaStuck":
        finishAll(at, "ended");
        begin(step, { kind: "stuck", outcome: "stuck", start: at,
          detail: data.error ? `${data.error.kind}: ${data.error.message}` : "" }, rows.get(step)?.compensation);
        break;
      case "RetryRequested":
        if (data.applied) {
          for (const [name, entry] of open) {
            if (entry.kind === "stuck") finish(name, at, "ended", `retried${describeActor(data)}`);
          }
        }
        break;
      default:
        if (ENDINGS.has(event.type)) {
          finishAll(at, "ended");
          finished = true;
        }
        break;
    }
  }
  if (!finished && start !== null) {
    end = Math.max(end, now);
    for (const entry of open.values()) entry.end = now;
  }
  return { rows: [...rows.values()], start, end, finished };
}

/** " by key#1a2b3c4d (operator): reason" from a signal event's `actor`, `role` and `reason`, when present. */
export function describeActor(data) {
  const payload = data.payload && typeof data.payload === "object" ? data.payload : {};
  const actor = data.actor ?? payload.actor;
  const role = data.role ?? payload.role;
  const reason = data.reason ?? payload.reason;
  let text = "";
  if (actor) text += ` by ${actor}${role ? ` (${role})` : ""}`;
  if (reason) text += `: “${reason}”`;
  return text;
}

/** The timeline as a figure: one row per step or compensation, segments placed by time, a legend. */
export function renderTimeline(history, now) {
  const { rows, start, end } = deriveTimeline(history, now);
  if (start === null) return h("p", { class: "hint" }, "No events yet.");
  const span = Math.max(1, end - start);
  const share = (duration) => `${((duration / span) * 100).toFixed(3)}%`;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((fraction) =>
    h("span", { class: "tl-tick", dataset: { fraction: String(fraction) } }, `+${formatDuration(span * fraction)}`),
  );
  for (const tick of ticks) tick.style.left = `${Number(tick.dataset.fraction) * 100}%`;
  const figure = h(
    "figure",
    { class: "timeline", "aria-label": "Timeline of the saga's steps and compensations" },
    rows.map((entry) => {
      const track = h("div", { class: "tl-track" });
      for (const segment of entry.segments) track.append(renderSegment(entry, segment, start, share));
      return h(
        "div",
        { class: `tl-row${entry.compensation ? " compensation" : ""}`, dataset: { step: entry.step } },
        h("span", { class: "tl-label", title: entry.compensation ? "compensation" : "step" },
          entry.compensation ? `↩ ${entry.step}` : entry.step),
        track,
      );
    }),
    h("div", { class: "tl-row tl-axis", "aria-hidden": "true" }, h("span", { class: "tl-label" }), h("div", { class: "tl-track" }, ticks)),
    h(
      "figcaption",
      { class: "tl-legend" },
      LEGEND.map(([outcome, label]) => h("span", { class: "tl-key" }, h("span", { class: `tl-swatch ${outcome}` }), label)),
    ),
  );
  return figure;
}

/** One segment, with its duration and details in `title`. */
function renderSegment(entry, segment, start, share) {
  const duration = segment.end - segment.start;
  const parts = [entry.step];
  if (segment.attempt) parts.push(segment.kind === "retry" ? `before attempt ${segment.attempt}` : `attempt ${segment.attempt}`);
  parts.push(segment.kind === "attempt" ? outcomeText(segment) : KIND_LABELS[segment.kind]);
  parts.push(`${formatDuration(duration)}${segment.open ? " so far" : ""}`);
  if (segment.planned && segment.open) parts.push(`due ${new Date(segment.planned).toLocaleTimeString()}`);
  if (segment.detail) parts.push(segment.detail);
  const title = parts.join(" · ");
  const element = h("span", {
    class: `tl-seg ${segment.kind} ${segment.outcome}${segment.open ? " open" : ""}`,
    title,
    role: "img",
    "aria-label": title,
    dataset: {
      kind: segment.kind, outcome: segment.outcome, attempt: String(segment.attempt ?? ""), step: entry.step,
    },
  });
  element.style.left = share(segment.start - start);
  element.style.width = share(duration);
  return element;
}

/** An attempt's outcome in words. */
function outcomeText(segment) {
  switch (segment.outcome) {
    case "ok": return "succeeded";
    case "failed": return "failed";
    case "running": return "running";
    case "skipped": return "skipped";
    default: return "interrupted";
  }
}
