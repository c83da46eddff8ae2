// The catalog (`#/catalog`): products with their available and reserved stock (`GET /v1/products`), and, for a
// key that may write products, a form to create or replace one (`POST /v1/products`).

import { ApiError } from "./api.js";
import { formatMoney, formatTime, h, replaceChildren } from "./dom.js";

const PAGE_SIZE = 50;

/** The catalog view. */
export class CatalogView {
  constructor({ api, session, setLive }) {
    this.api = api;
    this.session = session;
    this.setLive = setLive;
    this.cursor = null;
    this.previousCursors = [];
    this.nextCursor = null;
    this.fields = {};
  }

  /** A short title for the document. */
  get title() {
    return "Catalog";
  }

  /** Builds the view into `container` and loads the first page. */
  mount(container) {
    this.setLive("idle");
    this.message = h("div", { class: "message", role: "status", "aria-live": "polite" });
    this.body = h("tbody");
    this.pager = h("div", { class: "pager" });
    container.append(
      h("div", { class: "view-head" }, h("h1", {}, "Catalog"),
        h("button", { type: "button", class: "secondary", onclick: () => this.load() }, "Reload")),
      this.message,
      this.session.can("products.write") ? this.form() : null,
      h("div", { class: "table-wrap" },
        h("table", { class: "products", id: "products-table" },
          h("caption", { class: "visually-hidden" }, "Products"),
          h("thead", {}, h("tr", {}, ["SKU", "Name", "Price", "Available", "Reserved", "Updated",
            this.session.can("products.write") ? "" : null].filter((name) => name !== null)
            .map((name) => h("th", { scope: "col" }, name)))),
          this.body)),
      this.pager,
    );
    this.load();
  }

  /** Nothing runs in the background here. */
  close() {}

  /** The create-or-replace form. */
  form() {
    const field = (name, label, attributes) => {
      const id = `product-${name}`;
      const input = h("input", { id, name, required: true, autocomplete: "off", ...attributes });
      const error = h("span", { class: "field-error", id: `${id}-error` });
      input.setAttribute("aria-describedby", error.id);
      this.fields[name] = { input, error };
      return h("div", { class: "field" }, h("label", { for: id }, label), input, error);
    };
    this.formElement = h(
      "form",
      { class: "card product-form", id: "product-form", onsubmit: (event) => this.save(event) },
      h("h2", {}, "Create or replace a product"),
      h("div", { class: "fields" },
        field("sku", "SKU", { maxlength: 256, spellcheck: "false" }),
        field("name", "Name", { maxlength: 256 }),
        field("amount", "Price", { inputmode: "decimal", pattern: "\\d+(\\.\\d{1,2})?", placeholder: "12.50" }),
        field("currency", "Currency", { maxlength: 3, value: "USD", pattern: "[A-Z]{3}" }),
        field("stock", "Stock (available units)", { type: "number", min: 0, step: 1, value: "0" })),
      h("div", { class: "dialog-buttons" },
        h("button", { type: "reset", class: "secondary", onclick: () => this.clearErrors() }, "Clear"),
        h("button", { type: "submit", class: "primary" }, "Save product")),
    );
    return this.formElement;
  }

  /** Loads the current page of products. */
  async load() {
    let answer;
    try {
      answer = await this.api.get("/v1/products", { limit: PAGE_SIZE, cursor: this.cursor });
    } catch (error) {
      if (error instanceof ApiError && error.isMissing) {
        this.showMessage("This version of the service cannot list products; products saved here are shown below.");
        return;
      }
      this.showError(error);
      return;
    }
    const items = answer.items ?? [];
    this.nextCursor = answer.nextCursor ?? null;
    replaceChildren(this.body, items.map((product) => this.row(product)));
    if (items.length === 0) this.showMessage("No products yet.");
    replaceChildren(
      this.pager,
      h("button", { type: "button", class: "secondary", disabled: this.previousCursors.length === 0,
        onclick: () => this.turnPage(-1) }, "← Previous"),
      h("span", { class: "hint" }, `page ${this.previousCursors.length + 1}`),
      h("button", { type: "button", class: "secondary", disabled: !this.nextCursor,
        onclick: () => this.turnPage(1) }, "Next →"),
    );
  }

  /** Moves one page forward (1) or back (-1). */
  turnPage(direction) {
    if (direction > 0 && this.nextCursor) {
      this.previousCursors.push(this.cursor);
      this.cursor = this.nextCursor;
    } else if (direction < 0 && this.previousCursors.length) {
      this.cursor = this.previousCursors.pop();
    } else {
      return;
    }
    this.load();
  }

  /** One product's row. */
  row(product) {
    return h(
      "tr",
      { dataset: { sku: product.sku } },
      h("td", { class: "mono" }, product.sku),
      h("td", {}, product.name),
      h("td", { class: "num" }, formatMoney(product.price)),
      h("td", { class: "num" }, String(product.stock)),
      h("td", { class: "num" }, String(product.reserved)),
      h("td", {}, formatTime(product.updatedAt)),
      this.session.can("products.write")
        ? h("td", {}, h("button", { type: "button", class: "secondary small", onclick: () => this.edit(product),
          "aria-label": `Edit ${product.sku}` }, "Edit"))
        : null,
    );
  }

  /** Puts a product into the form. */
  edit(product) {
    this.clearErrors();
    this.fields.sku.input.value = product.sku;
    this.fields.name.input.value = product.name;
    this.fields.amount.input.value = product.price?.amount ?? "";
    this.fields.currency.input.value = product.price?.currency ?? "USD";
    this.fields.stock.input.value = String(product.stock ?? 0);
    this.fields.name.input.focus();
  }

  /** Sends the form; shows the API's field errors next to their fields. */
  async save(event) {
    event.preventDefault();
    this.clearErrors();
    const value = (name) => this.fields[name].input.value.trim();
    const body = {
      sku: value("sku"),
      name: value("name"),
      price: { amount: value("amount"), currency: value("currency") },
      stock: Number.parseInt(value("stock"), 10),
    };
    try {
      const product = await this.api.post("/v1/products", body);
      this.showMessage(`Saved ${product.sku}.`, "ok");
      this.upsertRow(product);
    } catch (error) {
      for (const fieldError of error.errors ?? []) {
        const name = String(fieldError.field).replace(/^\//, "").split(/[./]/).pop();
        const target = this.fields[name === "price" ? "amount" : name];
        if (target) target.error.textContent = fieldError.message;
      }
      this.showError(error);
    }
  }

  /** Shows a saved product in the table (replacing its row, or first). */
  upsertRow(product) {
    const existing = this.body.querySelector(`tr[data-sku="${CSS.escape(product.sku)}"]`);
    const row = this.row(product);
    if (existing) existing.replaceWith(row);
    else this.body.prepend(row);
  }

  /** Clears the form's field errors. */
  clearErrors() {
    for (const { error } of Object.values(this.fields)) error.textContent = "";
  }

  /** Shows a note above the table. */
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

