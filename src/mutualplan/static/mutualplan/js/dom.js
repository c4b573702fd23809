// Small DOM helpers shared by the page modules, and the messages every part of a page may show.

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

/** The nodes an HTML fragment from the server parses to (rows, fragments). */
export function fragment(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return template.content;
}

/**
 * A note under a control: an error, a conflict (with buttons), or a passing "Saved".
 * `actions` are [label, handler] pairs shown as buttons in the note.
 */
export function setNote(input, text, kind = "error", actions = []) {
  const cell = input.closest("td, .risk-q, .private, .inline-fields") || input.parentElement;
  $(".cell-note", cell)?.remove();
  input.removeAttribute("aria-invalid");
  if (!text) return;
  const note = document.createElement("div");
  note.className = `cell-note note-${kind}`;
  note.setAttribute("role", kind === "error" || kind === "conflict" ? "alert" : "status");
  note.textContent = text;
  for (const [label, handler] of actions) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.addEventListener("click", handler);
    note.append(" ", button);
  }
  if (kind !== "saved") input.setAttribute("aria-invalid", kind === "error" ? "true" : "false");
  cell.append(note);
  if (kind === "saved") setTimeout(() => note.remove(), 1500);
}

/** The share link was revoked or expired: say so and stop every control on the page. */
export function revokedBanner() {
  if ($(".revoked-banner")) return;
  const banner = document.createElement("div");
  banner.className = "revoked-banner";
  banner.setAttribute("role", "alert");
  banner.textContent =
    "This link no longer works: it was revoked or has expired. Ask the seller for a new link.";
  document.body.prepend(banner);
  $$("main input, main select, main textarea, main button").forEach((el) => {
    el.disabled = true;
  });
}
