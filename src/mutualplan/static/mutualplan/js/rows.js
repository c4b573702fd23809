// The milestone table: inline editing with one save queue per row, conflicts told and kept,
// live redraws that never replace a row under the user's hands, adding a row.

import { $, $$, fragment, revokedBanner, setNote } from "./dom.js";
import { errorText, get, send } from "./http.js";

export const table = $("table.map[data-plan]");
const busyRows = new Set(); // rows being saved: live refreshes wait for them
const pendingRefresh = new Set(); // row ids (or "*" for the table) to redraw once the user is done

export const rowOf = (el) => el.closest("tbody.row");

function isDirty(input) {
  if (input.type === "checkbox") return input.checked !== input.defaultChecked;
  if (input.tagName === "SELECT") {
    return $$("option", input).some((o) => o.selected !== o.defaultSelected);
  }
  return input.value !== input.defaultValue;
}

// A row with unsaved typing is never replaced under the user's hands (focus is restored
// by id when a clean row is replaced).
function rowIsBusy(row) {
  return $$("[data-field]", row).some(isDirty);
}

function markClean(input) {
  if (input.type === "checkbox") input.defaultChecked = input.checked;
  else if (input.tagName === "SELECT") {
    $$("option", input).forEach((o) => {
      o.defaultSelected = o.selected;
    });
  } else input.defaultValue = input.value;
}

function replaceRow(row, html) {
  const open = row.classList.contains("open");
  const active = row.contains(document.activeElement) ? document.activeElement : null;
  // Text controls report where the caret or selection is; others (date, select) say null.
  const selection =
    typeof active?.selectionStart === "number"
      ? [active.selectionStart, active.selectionEnd, active.selectionDirection]
      : null;
  const next = fragment(html).firstElementChild;
  if (!next) {
    row.remove();
    return;
  }
  if (open) next.classList.add("open");
  row.replaceWith(next);
  // Keyboard users keep their place: focus goes back to the same control in the new row,
  // with the caret or selection where it was, so what they type next lands where they meant.
  const again = active?.id ? document.getElementById(active.id) : null;
  if (!again) return;
  again.focus();
  if (selection && again.value === active.value) again.setSelectionRange(...selection);
}

function askSlipReason() {
  const dialog = $("#slip-dialog");
  if (!dialog) return Promise.resolve(null);
  const form = $("form", dialog);
  form.reset();
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        if (dialog.returnValue !== "ok") return resolve(null);
        resolve({
          reason_category: form.reason_category.value,
          reason_text: form.reason_text.value,
        });
      },
      { once: true },
    );
  });
}

// Saves of one row run one after another, each with the version the previous one returned:
// two quick edits of the same row by the same person are not a conflict.
const rowQueues = new Map();
function saveField(input, extra = {}) {
  const id = rowOf(input).dataset.row;
  const next = (rowQueues.get(id) || Promise.resolve()).then(() => saveNow(input, extra, id));
  rowQueues.set(
    id,
    next.catch(() => {}),
  );
  return next;
}

function putBack(input) {
  return [
    "Put it back",
    () => {
      if (input.type === "checkbox") input.checked = input.defaultChecked;
      else input.value = input.defaultValue;
      setNote(input, "");
      flushPending();
    },
  ];
}

function showConflict(input, extra, row, current) {
  const form = $("form[data-edit]", row);
  row.dataset.version = current.version;
  $("input[name=version]", form).value = current.version;
  const theirs = input.name.startsWith("risk_")
    ? current.risk_checklist?.[input.name.slice(5)]
    : current[input.name];
  const shown =
    theirs === null || theirs === undefined || theirs === "" ? "(empty)" : String(theirs);
  const useMine = () => {
    setNote(input, "");
    saveField(input, extra);
  };
  const useTheirs = () => {
    setNote(input, "");
    if (input.type === "checkbox") input.checked = Boolean(theirs);
    else input.value = theirs ?? "";
    markClean(input);
    refreshRow(row.dataset.row, true);
  };
  setNote(
    input,
    `Someone else changed this to “${shown}” while you were editing. Your text is kept here.`,
    "conflict",
    [
      ["Use mine", useMine],
      ["Use theirs", useTheirs],
    ],
  );
}

async function saveNow(input, extra, id) {
  // The value is the input's even if a refresh has replaced its row meanwhile.
  const row = (input.isConnected && rowOf(input)) || $(`#row-${id}`);
  if (!row) return;
  const form = $("form[data-edit]", row);
  const data = new FormData();
  data.set("version", row.dataset.version);
  if (input.type === "checkbox") data.set(input.name, input.checked ? "true" : "false");
  else data.set(input.name, input.value);
  for (const [key, value] of Object.entries(extra)) data.set(key, value);
  busyRows.add(row);
  row.classList.add("saving");
  const answer = await send(form.action, data);
  const { status, body } = answer;
  row.classList.remove("saving");
  busyRows.delete(row);
  if (status === 200 && body) {
    row.dataset.version = body.version;
    $("input[name=version]", form).value = body.version;
    markClean(input);
    if (!rowIsBusy(row)) replaceRow(row, body.html);
    else setNote(input, "Saved", "saved");
    flushPending();
    return;
  }
  if (status === 409 && body?.current) {
    showConflict(input, extra, row, body.current);
    return;
  }
  if (status === 400 && body?.errors?.[0]?.field === "reason_category" && !extra.reason_category) {
    const reason = await askSlipReason();
    if (reason) return saveNow(input, reason, id);
    setNote(input, "Not moved: a date move needs a reason once the plan is confirmed.", "error", [
      putBack(input),
    ]);
    return;
  }
  if (status === 410) {
    revokedBanner();
    return;
  }
  setNote(input, errorText(answer, "Not saved."), "error", [putBack(input)]);
}

/** Redraw one row from the server (or add it), unless the user is busy in it: then later. */
export async function refreshRow(id, force = false) {
  if (!table) return;
  const row = $(`#row-${id}`);
  if (row && !force && (busyRows.has(row) || rowIsBusy(row))) {
    pendingRefresh.add(String(id));
    row.classList.add("changed-elsewhere");
    return;
  }
  const response = await get(`${table.dataset.rowsUrl}${id}/`);
  if (!response) return; // no answer: the row stays as it was until its next change
  if (response.status === 410) {
    revokedBanner();
    return;
  }
  if (response.status === 404) {
    row?.remove();
    return;
  }
  if (!response.ok) return;
  const html = await response.text();
  const current = $(`#row-${id}`);
  // The user may have started typing in the row while it was being fetched: keep their text.
  if (current && !force && (busyRows.has(current) || rowIsBusy(current))) {
    pendingRefresh.add(String(id));
    current.classList.add("changed-elsewhere");
    return;
  }
  if (current) replaceRow(current, html);
  else table.append(fragment(html));
}

/** Redraw every row, unless one has unsaved typing: then once the user is done. */
export async function refreshTable() {
  if (!table) return;
  if ($$("tbody.row", table).some((row) => rowIsBusy(row))) {
    pendingRefresh.add("*");
    return;
  }
  const response = await get(table.dataset.rowsUrl);
  if (!response) return;
  if (response.status === 410) {
    revokedBanner();
    return;
  }
  if (!response.ok) return;
  const html = await response.text();
  const open = new Set($$("tbody.row.open", table).map((row) => row.id));
  const focused = table.contains(document.activeElement) ? document.activeElement.id : "";
  $$("tbody.row", table).forEach((row) => row.remove());
  table.append(fragment(html));
  open.forEach((id) => document.getElementById(id)?.classList.add("open"));
  if (focused) document.getElementById(focused)?.focus();
}

function flushPending() {
  const waiting = Array.from(pendingRefresh);
  pendingRefresh.clear();
  if (waiting.includes("*")) return refreshTable();
  waiting.forEach((id) => refreshRow(id));
}

async function submitComment(form) {
  const row = rowOf(form);
  const answer = await send(form.action, new FormData(form));
  if (answer.status === 201 && answer.body) replaceRow(row, answer.body.html);
  else if (answer.status === 410) revokedBanner();
  else setNote($("input[name=body]", form), errorText(answer, "Not saved."));
}

function setupTable() {
  table.addEventListener("change", (event) => {
    const input = event.target.closest("[data-field]");
    if (input) saveField(input);
  });
  table.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("[data-edit]")) {
      event.preventDefault();
      $$("[data-field]", rowOf(form))
        .filter(isDirty)
        .forEach((input) => saveField(input));
    } else if (form.matches("[data-comment]")) {
      event.preventDefault();
      submitComment(form);
    }
  });
  table.addEventListener("focusout", () => setTimeout(flushPending, 50));
  table.addEventListener("click", (event) => {
    const toggle = event.target.closest(".toggle-details");
    if (!toggle) return;
    const row = rowOf(toggle);
    row.classList.toggle("open");
    toggle.setAttribute("aria-expanded", row.classList.contains("open") ? "true" : "false");
  });
}

// Adding a row without leaving the page.
function setupAddForm(addForm) {
  addForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await send(addForm.action, new FormData(addForm));
    const { status, body } = answer;
    if (status === 201 && body) {
      if (!$(`#row-${body.id}`)) table.append(fragment(body.html));
      addForm.reset();
      $(`#row-${body.id} input[name=title]`)?.focus();
    } else if (status === 410) revokedBanner();
    else setNote($("input[name=title]", addForm), errorText(answer, "Not added."));
  });
}

export function setupRows() {
  if (table) setupTable();
  const addForm = $("form[data-add]");
  if (addForm && table) setupAddForm(addForm);
}
