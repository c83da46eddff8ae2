// Who is signed in: the key's role and the actions it may take, from `GET /v1/me`.
//
//   const session = await Session.load(api);
//   if (session.can("sagas.approve")) { … show the approve button … }

import { ApiError } from "./api.js";

/** Every action an operator key has, assumed for a service that predates `GET /v1/me`. */
const OPERATOR_ACTIONS = [
  "orders.place", "orders.read", "sagas.read", "sagas.approve", "sagas.cancel", "sagas.refund", "sagas.retry",
  "products.write",
];

/** The signed-in key's role and actions. */
export class Session {
  constructor({ role, actions = [], customerId = null, subject = null }, inferred = false) {
    this.role = role;
    this.actions = new Set(actions);
    this.customerId = customerId;
    this.subject = subject;
    /** True when the service had no `GET /v1/me` and the role was found by trying a read. */
    this.inferred = inferred;
  }

  /** Whether the key may take `action` (such as `sagas.refund`). */
  can(action) {
    return this.actions.has(action);
  }

  /** Whether the key may read every saga (operators and viewers). */
  get readsSagas() {
    return this.can("sagas.read");
  }

  /**
   * The session of `api`'s key. Throws `ApiError` 401 for an unknown key. A service without `GET /v1/me`
   * is asked for the saga counts instead: a key that may read them is taken for an operator's.
   */
  static async load(api) {
    try {
      return new Session(await api.get("/v1/me"));
    } catch (error) {
      if (!(error instanceof ApiError) || !error.isMissing) throw error;
    }
    try {
      await api.get("/v1/sagas/stats");
      return new Session({ role: "operator", actions: OPERATOR_ACTIONS }, true);
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) {
        return new Session({ role: "customer", actions: ["orders.place", "orders.read"] }, true);
      }
      throw error;
    }
  }
}
