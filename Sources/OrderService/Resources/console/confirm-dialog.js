// The confirmation asked before every action: a modal `<dialog>` (Escape closes it) with an optional reason.
//
//   const answer = await confirmAction({ title: "Approve order ord_1?", confirmLabel: "Approve" });
//   if (answer) await api.post(path, answer.reason ? { reason: answer.reason } : undefined);

import { h } from "./dom.js";

/** The most characters a reason may have (the API's limit). */
export const REASON_LIMIT = 256;

/**
 * Asks for confirmation. Resolves `{reason}` (reason "" when none was typed) when confirmed, `null` when
 * dismissed (Cancel, Escape). `danger` styles the confirm button as destructive; `withReason: false` hides the
 * reason field.
 */
export function confirmAction({ title, body = "", confirmLabel = "Confirm", danger = false, withReason = true }) {
  return new Promise((resolve) => {
    const reasonId = `reason-${Math.random().toString(36).slice(2)}`;
    const reason = h("textarea", {
      id: reasonId, name: "reason", maxlength: REASON_LIMIT, rows: 3,
      placeholder: "Why (recorded in the saga's history)",
    });
    const counter = h("span", { class: "hint", "aria-live": "polite" }, `0 / ${REASON_LIMIT}`);
    reason.addEventListener("input", () => {
      counter.textContent = `${reason.value.length} / ${REASON_LIMIT}`;
    });
    const confirmButton = h("button", { type: "submit", class: danger ? "danger" : "primary" }, confirmLabel);
    const cancelButton = h("button", { type: "button", class: "secondary" }, "Cancel");
    const form = h(
      "form",
      { class: "dialog-form" },
      h("h2", {}, title),
      body ? h("p", {}, body) : null,
      withReason ? h("label", { for: reasonId }, "Reason ", h("span", { class: "hint" }, "(optional)")) : null,
      withReason ? reason : null,
      withReason ? counter : null,
      h("div", { class: "dialog-buttons" }, cancelButton, confirmButton),
    );
    const dialog = h("dialog", { class: "confirm", "aria-label": title }, form);
    let answer = null;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      answer = { reason: reason.value.trim().slice(0, REASON_LIMIT) };
      dialog.close();
    });
    cancelButton.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    (withReason ? reason : confirmButton).focus();
  });
}
