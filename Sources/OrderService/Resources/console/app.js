// The console's entry point: sign-in by API key or bearer token (kept in sessionStorage only, for this tab), the
// header, and the hash routes that pick a view.
//
//   #/sagas[?status=…|?view=attention|?customer=…]   the sagas list       (sagas-view.js)
//   #/orders/{orderId}                                one saga             (saga-view.js)
//   #/catalog                                         products and stock   (catalog-view.js)

import { Api, ApiError } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { CatalogView } from "./catalog-view.js";
import { SagaView } from "./saga-view.js";
import { SagasView } from "./sagas-view.js";
import { Session } from "./session.js";

/** Where the key is kept: this tab's session storage, never local storage or a cookie. */
const KEY_ITEM = "order-saga.console.key";

/** What the live indicator says for each stream state. */
const LIVE_LABELS = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  polling: "refreshing every 5 s",
  ended: "finished",
  idle: "",
  unsupported: "not live",
  refused: "not live (refused)",
};

/** The console application. */
class ConsoleApp {
  constructor() {
    this.view = null;
    this.session = null;
    this.api = null;
    this.main = document.getElementById("view");
    this.signInSection = document.getElementById("sign-in");
    this.nav = document.getElementById("nav");
    this.who = document.getElementById("who");
    this.live = document.getElementById("live-state");
  }

  /** Wires the page and signs in with the stored key, if any. */
  start() {
    document.getElementById("sign-in-form").addEventListener("submit", (event) => this.submitKey(event));
    document.getElementById("sign-out").addEventListener("click", () => this.signOut());
    window.addEventListener("hashchange", () => this.route());
    const key = sessionStorage.getItem(KEY_ITEM);
    if (key) this.signIn(key);
    else this.showSignIn();
  }

  /** The sign-in form's submit. */
  async submitKey(event) {
    event.preventDefault();
    const input = document.getElementById("api-key");
    const key = input.value.trim();
    if (!key) return;
    input.value = "";
    await this.signIn(key);
  }

  /** Checks `key` with `GET /v1/me`, keeps it for this tab, and shows the current route. */
  async signIn(key) {
    const error = document.getElementById("sign-in-error");
    error.textContent = "";
    const api = new Api(key);
    let session;
    try {
      session = await Session.load(api);
    } catch (failure) {
      sessionStorage.removeItem(KEY_ITEM);
      this.showSignIn();
      error.textContent = failure instanceof ApiError && failure.status === 401
        ? `Not signed in: ${failure.message}` : `Cannot sign in: ${failure.message}`;
      return;
    }
    sessionStorage.setItem(KEY_ITEM, key);
    this.api = api;
    this.session = session;
    this.signInSection.hidden = true;
    this.nav.hidden = false;
    this.who.hidden = false;
    const role = document.getElementById("role");
    role.textContent = session.role + (session.subject ? ` · ${session.subject}` : "");
    role.title = `Actions: ${[...session.actions].join(", ") || "none"}`;
    document.body.dataset.role = session.role;
    this.route();
  }

  /** Forgets the key and shows the sign-in form. */
  signOut() {
    sessionStorage.removeItem(KEY_ITEM);
    this.view?.close();
    this.view = null;
    this.api = null;
    this.session = null;
    delete document.body.dataset.role;
    this.showSignIn();
  }

  /** The sign-in form, nothing else. */
  showSignIn() {
    this.view?.close();
    this.view = null;
    replaceChildren(this.main);
    this.nav.hidden = true;
    this.who.hidden = true;
    this.signInSection.hidden = false;
    document.title = "Sign in · order-saga console";
    document.getElementById("api-key").focus();
  }

  /** Shows the view the address names. */
  route() {
    if (!this.session) return;
    const hash = location.hash.replace(/^#/, "") || "/sagas";
    const [path, query = ""] = hash.split("?");
    const params = new URLSearchParams(query);
    const context = { api: this.api, session: this.session, setLive: (state) => this.setLive(state) };
    this.view?.close();
    const order = path.match(/^\/orders\/([^/]+)$/);
    if (order) {
      this.view = new SagaView(context, params, decodeURIComponent(order[1]));
    } else if (path === "/catalog") {
      this.view = new CatalogView(context, params);
    } else if (this.session.readsSagas) {
      this.view = new SagasView(context, params);
    } else {
      this.view = null;
      replaceChildren(this.main, h("p", { class: "message" },
        "This key may not list sagas. Open an order by its address: #/orders/{orderId}."));
      return;
    }
    for (const link of this.nav.querySelectorAll("a")) {
      const current = (link.dataset.view === "catalog") === (path === "/catalog");
      if (current) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    replaceChildren(this.main);
    this.setLive("idle");
    this.view.mount(this.main);
    document.title = `${this.view.title} · order-saga console`;
  }

  /** The header's live indicator. */
  setLive(state) {
    this.live.textContent = LIVE_LABELS[state] ?? state;
    this.live.dataset.state = state;
  }
}

new ConsoleApp().start();
