// The service's REST API as the console calls it: every call sends `Authorization: Bearer <key>`, and every
// refusal becomes an `ApiError` carrying the problem+json `detail` to show in the page.
//
//   const api = new Api(key);
//   const stats = await api.get("/v1/sagas/stats");
//   await api.post(`/v1/orders/${id}/approve`, { reason: "checked by phone" });

/** A refused or failed call: HTTP status, the problem's title and detail, and its field errors (422). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `the service answered ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem ?? {};
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
  }

  /** Whether the service does not offer this call (an older service, or a route not there yet). */
  get isMissing() {
    return this.status === 404 || this.status === 405;
  }
}

/** Calls the API with one key. */
export class Api {
  constructor(key) {
    this.key = key;
  }

  /** The headers every call sends. */
  headers(extra = {}) {
    return { Authorization: `Bearer ${this.key}`, Accept: "application/json", ...extra };
  }

  /** GET `path` (with `query` parameters whose values are not empty) and return its JSON. */
  async get(path, query = {}) {
    return this.request("GET", withQuery(path, query));
  }

  /** POST `body` (as JSON, or nothing when undefined) to `path` and return the JSON answer. */
  async post(path, body) {
    return this.request("POST", path, body);
  }

  /** One call; throws `ApiError` for any answer that is not 2xx, or when the service cannot be reached. */
  async request(method, path, body) {
    const init = { method, headers: this.headers(), cache: "no-store" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      throw new ApiError(0, { title: "Unreachable", detail: `the service did not answer (${error.message})` });
    }
    const text = await response.text();
    let json = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
    }
    if (!response.ok) throw new ApiError(response.status, json ?? { detail: text || response.statusText });
    return json;
  }
}

/** `path` with the non-empty `query` values appended. */
export function withQuery(path, query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** A path segment with its reserved characters escaped. */
export function segment(value) {
  return encodeURIComponent(value);
}
