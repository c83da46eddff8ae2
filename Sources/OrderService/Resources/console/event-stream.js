// Server-Sent Events over fetch(): `EventSource` cannot send an `Authorization` header, so the console reads
// the stream with a streaming reader and parses it itself, resuming with `Last-Event-ID` after a drop.
//
//   const stream = new EventStream({
//     url: "/v1/sagas/changes", headers: api.headers({ Accept: "text/event-stream" }),
//     onEvent: ({ id, event, data }) => { … },
//   });
//   stream.start();
//   stream.close();

/**
 * The event-stream format's parser (WHATWG HTML, "Server-sent events"): fed text in chunks of any size, it
 * calls `onEvent({id, event, data})` for each complete event and `onComment(text)` for each comment line.
 * It remembers the last event id and the server's `retry:` advice.
 */
export class SseParser {
  constructor({ onEvent, onComment = () => {} }) {
    this.onEvent = onEvent;
    this.onComment = onComment;
    this.pending = "";
    this.data = [];
    this.eventType = "";
    this.lastEventId = "";
    this.retry = null;
  }

  /** Parses one chunk of text; an incomplete last line waits for the next chunk. */
  push(chunk) {
    this.pending += chunk;
    let start = 0;
    for (let index = 0; index < this.pending.length; index++) {
      const character = this.pending[index];
      if (character !== "\n" && character !== "\r") continue;
      // A CR at the very end may be the first half of CRLF: wait for the next chunk.
      if (character === "\r" && index === this.pending.length - 1) break;
      this.line(this.pending.slice(start, index));
      if (character === "\r" && this.pending[index + 1] === "\n") index++;
      start = index + 1;
    }
    this.pending = this.pending.slice(start);
  }

  /** Handles one line (without its end). */
  line(text) {
    if (text === "") {
      this.dispatch();
      return;
    }
    if (text.startsWith(":")) {
      this.onComment(text.slice(1).trimStart());
      return;
    }
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.data.push(value);
        break;
      case "event":
        this.eventType = value;
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break;
    }
  }

  /** Ends the event collected so far (an empty line). An event without data is not dispatched. */
  dispatch() {
    const data = this.data;
    const type = this.eventType || "message";
    this.data = [];
    this.eventType = "";
    if (data.length === 0) return;
    this.onEvent({ id: this.lastEventId, event: type, data: data.join("\n") });
  }
}

/**
 * A live event stream that reconnects: after a drop or a server error it waits (the server's `retry:` advice,
 * else 1 s growing to 15 s) and asks again with `Last-Event-ID`. A stream the server ends on purpose (the
 * saga's events after its terminal event) is not reopened when `isFinished()` says so.
 *
 * Callbacks: `onEvent(event)`, `onOpen()`, `onState(state, detail)` with state `connecting`, `live`,
 * `reconnecting`, `ended`, `unsupported` (404/405: the service has no such stream) or `refused` (401/403).
 */
export class EventStream {
  constructor({ url, headers, onEvent, onOpen = () => {}, onState = () => {}, isFinished = () => false, lastEventId = "" }) {
    this.url = url;
    this.headers = headers;
    this.onEvent = onEvent;
    this.onOpen = onOpen;
    this.onState = onState;
    this.isFinished = isFinished;
    this.lastEventId = lastEventId;
    this.controller = null;
    this.closed = false;
    this.failures = 0;
    this.retryAdvice = null;
  }

  /** Opens the stream (and keeps it open until `close()` or a deliberate end). */
  start() {
    this.closed = false;
    this.run().catch(() => {});
  }

  /** Closes the stream; nothing is called back after this. */
  close() {
    this.closed = true;
    this.controller?.abort();
    this.controller = null;
  }

  /** The connect–read–reconnect loop. */
  async run() {
    while (!this.closed) {
      this.onState(this.failures === 0 ? "connecting" : "reconnecting");
      const outcome = await this.readOnce();
      if (this.closed) return;
      if (outcome === "refused" || outcome === "unsupported") return;
      if (outcome === "ended" && this.isFinished()) {
        this.onState("ended");
        return;
      }
      this.failures = outcome === "ended" ? 0 : this.failures + 1;
      const delay = this.retryAdvice ?? Math.min(15_000, 1000 * 2 ** Math.max(0, this.failures - 1));
      await sleep(delay);
    }
  }

  /** One connection: "ended" when the server closed it, "failed", "refused" or "unsupported". */
  async readOnce() {
    const controller = new AbortController();
    this.controller = controller;
    const headers = { ...this.headers, Accept: "text/event-stream" };
    if (this.lastEventId) headers["Last-Event-ID"] = this.lastEventId;
    let response;
    try {
      response = await fetch(this.url, { headers, signal: controller.signal, cache: "no-store" });
    } catch {
      return "failed";
    }
    if (response.status === 404 || response.status === 405) {
      this.onState("unsupported", response.status);
      return "unsupported";
    }
    if (response.status === 401 || response.status === 403) {
      this.onState("refused", response.status);
      return "refused";
    }
    if (!response.ok || !response.body) {
      const retryAfter = Number(response.headers.get("Retry-After"));
      if (retryAfter > 0) this.retryAdvice = retryAfter * 1000;
      response.body?.cancel().catch(() => {});
      return "failed";
    }
    this.onState("live");
    this.onOpen();
    const parser = new SseParser({
      onEvent: (event) => {
        this.failures = 0;
        if (event.id) this.lastEventId = event.id;
        if (!this.closed) this.onEvent(event);
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
        if (parser.retry !== null) this.retryAdvice = parser.retry;
      }
      // An event cut off by the end of the stream (no blank line after it) is dropped, as the format says.
      return "ended";
    } catch {
      return "failed";
    } finally {
      reader.cancel().catch(() => {});
    }
  }
}

/** Resolves after `milliseconds`. */
function sleep(milliseconds) {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
