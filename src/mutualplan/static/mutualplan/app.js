// mutualplan's own small script: inline editing with conflict handling, live updates over
// Server-Sent Events, reordering, and a few conveniences. Pages work without it as forms.

document.documentElement.classList.add("js");

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const csrf = () => $("input[name=csrfmiddlewaretoken]")?.value || "";

async function send(url, data, method = "POST") {
  let response;
  try {
    response = await fetch(url, {
      method,
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf() },
    });
  } catch (error) {
    return { status: 0, body: { detail: "The connection dropped: your text is kept, try again." } };
  }
  let body = null;
  try { body = await response.json(); } catch (error) { body = null; }
  return { status: response.status, body };
}

function fragment(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return template.content;
}

// ---- the milestone table --------------------------------------------------------------------

const table = $("table.map[data-plan]");
const busyRows = new Set();      // rows with unsaved typing: live refreshes wait for them
const pendingRefresh = new Set();

function rowOf(el) { return el.closest("tbody.row"); }

function isDirty(input) {
  if (input.type === "checkbox") return input.checked !== input.defaultChecked;
  if (input.tagName === "SELECT") return $$("option", input).some((o) => o.selected !== o.defaultSelected);
  return input.value !== input.defaultValue;
}

// A row with unsaved typing is never replaced under the user's hands (focus is restored
// by id when a clean row is replaced).
function rowIsBusy(row) {
  return $$("[data-field]", row).some(isDirty);
}

function markClean(input) {
  if (input.type === "checkbox") input.defaultChecked = input.checked;
  else if (input.tagName === "SELECT") $$("option", input).forEach((o) => { o.defaultSelected = o.selected; });
  else input.defaultValue = input.value;
}

function setNote(input, text, kind = "error", actions = []) {
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

function replaceRow(row, html) {
  const open = row.classList.contains("open");
  const active = row.contains(document.activeElement) ? document.activeElement : null;
  // Text controls report where the caret or selection is; others (date, select) say null.
  const selection = typeof active?.selectionStart === "number"
    ? [active.selectionStart, active.selectionEnd, active.selectionDirection] : null;
  const next = fragment(html).firstElementChild;
  if (!next) { row.remove(); return; }
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
    dialog.addEventListener("close", () => {
      if (dialog.returnValue !== "ok") return resolve(null);
      resolve({ reason_category: form.reason_category.value, reason_text: form.reason_text.value });
    }, { once: true });
  });
}

function revokedBanner() {
  if ($(".revoked-banner")) return;
  const banner = document.createElement("div");
  banner.className = "revoked-banner";
  banner.setAttribute("role", "alert");
  banner.textContent = "This link no longer works: it was revoked or has expired. Ask the seller for a new link.";
  document.body.prepend(banner);
  $$("main input, main select, main textarea, main button").forEach((el) => { el.disabled = true; });
}

// Saves of one row run one after another, each with the version the previous one returned:
// two quick edits of the same row by the same person are not a conflict.
const rowQueues = new Map();
function saveField(input, extra = {}) {
  const id = rowOf(input).dataset.row;
  const next = (rowQueues.get(id) || Promise.resolve()).then(() => saveNow(input, extra, id));
  rowQueues.set(id, next.catch(() => {}));
  return next;
}

function putBack(input) {
  return ["Put it back", () => {
    if (input.type === "checkbox") input.checked = input.defaultChecked; else input.value = input.defaultValue;
    setNote(input, "");
    flushPending();
  }];
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
  const { status, body } = await send(form.action, data);
  row.classList.remove("saving");
  busyRows.delete(row);
  if (status === 200) {
    row.dataset.version = body.version;
    $("input[name=version]", form).value = body.version;
    markClean(input);
    if (!rowIsBusy(row)) replaceRow(row, body.html);
    else setNote(input, "Saved", "saved");
    flushPending();
    return;
  }
  if (status === 409 && body && body.current) {
    const current = body.current;
    row.dataset.version = current.version;
    $("input[name=version]", form).value = current.version;
    const theirs = input.name.startsWith("risk_")
      ? current.risk_checklist?.[input.name.slice(5)]
      : current[input.name];
    const shown = theirs === null || theirs === undefined || theirs === "" ? "(empty)" : String(theirs);
    setNote(input, `Someone else changed this to “${shown}” while you were editing. Your text is kept here.`, "conflict", [
      ["Use mine", () => { setNote(input, ""); saveField(input, extra); }],
      ["Use theirs", () => {
        setNote(input, "");
        if (input.type === "checkbox") input.checked = Boolean(theirs); else input.value = theirs ?? "";
        markClean(input);
        refreshRow(row.dataset.row, true);
      }],
    ]);
    return;
  }
  if (status === 400 && body?.errors?.[0]?.field === "reason_category" && !extra.reason_category) {
    const reason = await askSlipReason();
    if (reason) return saveNow(input, reason, id);
    setNote(input, "Not moved: a date move needs a reason once the plan is confirmed.", "error", [putBack(input)]);
    return;
  }
  if (status === 410) { revokedBanner(); return; }
  setNote(input, body?.errors?.[0]?.message ? `${body.errors[0].field}: ${body.errors[0].message}` : (body?.detail || "Not saved."), "error", [putBack(input)]);
}

async function refreshRow(id, force = false) {
  if (!table) return;
  const row = $(`#row-${id}`);
  if (row && !force && (busyRows.has(row) || rowIsBusy(row))) {
    pendingRefresh.add(String(id));
    row.classList.add("changed-elsewhere");
    return;
  }
  const response = await fetch(`${table.dataset.rowsUrl}${id}/`, { credentials: "same-origin" });
  if (response.status === 410) { revokedBanner(); return; }
  if (response.status === 404) { row?.remove(); return; }
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

async function refreshTable() {
  if (!table) return;
  if ($$("tbody.row", table).some((row) => rowIsBusy(row))) { pendingRefresh.add("*"); return; }
  const response = await fetch(table.dataset.rowsUrl, { credentials: "same-origin" });
  if (response.status === 410) { revokedBanner(); return; }
  if (!response.ok) return;
  const html = await response.text();
  const open = new Set($$("tbody.row.open", table).map((row) => row.id));
  const focused = table.contains(document.activeElement) ? document.activeElement.id : "";
  $$("tbody.row", table).forEach((row) => row.remove());
  table.append(fragment(html));
  open.forEach((id) => $(`#${id}`)?.classList.add("open"));
  if (focused) document.getElementById(focused)?.focus();
}

function flushPending() {
  const waiting = Array.from(pendingRefresh);
  pendingRefresh.clear();
  if (waiting.includes("*")) return refreshTable();
  waiting.forEach((id) => refreshRow(id));
}

if (table) {
  table.addEventListener("change", (event) => {
    const input = event.target.closest("[data-field]");
    if (input) saveField(input);
  });
  table.addEventListener("submit", async (event) => {
    const form = event.target;
    if (form.matches("[data-edit]")) {
      event.preventDefault();
      const row = rowOf(form);
      $$("[data-field]", row).filter(isDirty).forEach((input) => saveField(input));
    } else if (form.matches("[data-comment]")) {
      event.preventDefault();
      const row = rowOf(form);
      const { status, body } = await send(form.action, new FormData(form));
      if (status === 201) replaceRow(row, body.html);
      else if (status === 410) revokedBanner();
      else setNote($("input[name=body]", form), body?.detail || "Not saved.");
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
const addForm = $("form[data-add]");
addForm?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const { status, body } = await send(addForm.action, new FormData(addForm));
  if (status === 201) {
    if (!$(`#row-${body.id}`)) table.append(fragment(body.html));
    addForm.reset();
    $(`#row-${body.id} input[name=title]`)?.focus();
  } else if (status === 410) revokedBanner();
  else setNote($("input[name=title]", addForm), body?.errors?.[0] ? `${body.errors[0].field}: ${body.errors[0].message}` : (body?.detail || "Not added."));
});

// ---- reordering: drag the handle, or Alt+Up / Alt+Down on it ---------------------------------

async function saveOrder() {
  const data = new FormData();
  $$("tbody.row", table).forEach((row) => data.append("order", row.dataset.row));
  const { status, body } = await send(table.dataset.reorderUrl, data);
  if (status === 200) {
    $$("tbody.row", table).forEach((row, i) => { const pos = $(".pos", row); if (pos) pos.textContent = i + 1; });
  } else {
    setNote($(".handle", table), body?.detail || "The new order was not saved.");
    refreshTable();
  }
}

if (table?.dataset.reorderUrl) {
  let dragged = null;
  table.addEventListener("dragstart", (event) => {
    const handle = event.target.closest(".handle");
    if (!handle) return;
    dragged = rowOf(handle);
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.row);
  });
  table.addEventListener("dragover", (event) => {
    const over = event.target.closest("tbody.row");
    if (!dragged || !over || over === dragged) return;
    event.preventDefault();
    const box = over.getBoundingClientRect();
    over.parentNode.insertBefore(dragged, event.clientY < box.top + box.height / 2 ? over : over.nextSibling);
  });
  table.addEventListener("dragend", () => {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    dragged = null;
    saveOrder();
  });
  table.addEventListener("keydown", (event) => {
    const handle = event.target.closest(".handle");
    if (!handle || !event.altKey || !["ArrowUp", "ArrowDown"].includes(event.key)) return;
    event.preventDefault();
    const row = rowOf(handle);
    const sibling = event.key === "ArrowUp" ? row.previousElementSibling : row.nextElementSibling;
    if (!sibling || !sibling.matches("tbody.row")) return;
    if (event.key === "ArrowUp") sibling.before(row); else sibling.after(row);
    handle.focus();
    saveOrder();
  });
}

// ---- live updates -----------------------------------------------------------------------------

const live = $("[data-live]");
function addToFeed(event) {
  const feed = $("#feed");
  if (!feed || $(`li[data-id="${event.id}"]`, feed)) return;
  $(".empty-feed", feed)?.remove();
  const item = document.createElement("li");
  item.dataset.id = event.id;
  const who = document.createElement("span");
  who.className = `who who-${event.actor?.kind || "system"}`;
  who.textContent = event.actor?.name || event.actor?.kind || "";
  const time = document.createElement("time");
  time.className = "sub";
  time.textContent = "just now";
  item.append(who, ` ${event.summary} `, time);
  feed.prepend(item);
}

// Which activity verbs redraw a row or the whole table: named by the server (core.vocab).
const verbs = (name) => new Set((live?.dataset[name] || "").split(" ").filter(Boolean));
const ROW_VERBS = verbs("rowVerbs");
const TABLE_VERBS = verbs("tableVerbs");

function listen(url) {
  const state = $(".live-state", live);
  const presence = $(".presence", live);
  let retry = 1000;
  let last = new URL(url, location.href).searchParams.get("last") || "0";
  const connect = () => {
    const target = new URL(url, location.href);
    target.searchParams.set("last", last);
    const source = new EventSource(target);
    source.addEventListener("open", () => {
      retry = 1000;
      state.textContent = "● Live";
      live.classList.add("is-live");
    });
    source.addEventListener("error", () => {
      state.textContent = "Reconnecting…";
      live.classList.remove("is-live");
      // The browser retries by itself, but not after an error answer: then we do, slower.
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 30000);
      }
    });
    source.addEventListener("activity", (message) => {
      const event = JSON.parse(message.data);
      last = message.lastEventId || last;
      addToFeed(event);
      if (event.milestone_id && ROW_VERBS.has(event.verb)) refreshRow(event.milestone_id);
      else if (TABLE_VERBS.has(event.verb)) refreshTable();
    });
    source.addEventListener("reload", (message) => {
      last = message.lastEventId || last;
      refreshTable();
    });
    source.addEventListener("presence", (message) => {
      const viewers = JSON.parse(message.data).viewers || [];
      presence.replaceChildren(...viewers.map((v) => {
        const chip = document.createElement("span");
        chip.className = `chip who-${v.kind}`;
        const tabs = v.count > 1 ? ` ×${v.count}` : "";
        chip.textContent = `${v.name}${v.kind === "buyer" ? " (buyer)" : ""}${tabs}`;
        return chip;
      }));
      presence.prepend(viewers.length ? "Viewing: " : "");
    });
    source.addEventListener("revoked", () => { source.close(); revokedBanner(); });
  };
  connect();
}

if (live && window.EventSource) listen(live.dataset.eventsUrl);

// ---- conveniences -----------------------------------------------------------------------------

document.addEventListener("submit", (event) => {
  const message = event.target.dataset?.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
}, true);

document.addEventListener("click", async (event) => {
  const copy = event.target.closest("[data-copy]");
  if (copy) {
    const input = $(copy.dataset.copy);
    try { await navigator.clipboard.writeText(input.value); } catch (error) { input.select(); document.execCommand("copy"); }
    copy.textContent = "Copied";
    setTimeout(() => { copy.textContent = "Copy"; }, 1500);
  }
  if (event.target.closest("[data-print]")) window.print();
});

// The page that shows a new share link answers a form post: point the address bar back at the
// plan page, so that a reload shows the plan instead of posting the form again.
const freshLink = $("[data-replace-url]");
if (freshLink) {
  history.replaceState(null, "", freshLink.dataset.replaceUrl);
  freshLink.scrollIntoView({ block: "center" });
}

$$("select[data-autosubmit]").forEach((select) => select.addEventListener("change", () => select.form.submit()));

// New plan: preview the dates worked back from the target as the form changes.
const previewForm = $("form[data-preview-form]");
if (previewForm) {
  let timer = null;
  previewForm.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const data = new FormData(previewForm);
      data.set("action", "preview");
      const response = await fetch(previewForm.action || location.href, {
        method: "POST", body: data, credentials: "same-origin", headers: { "X-Preview": "1", "X-CSRFToken": csrf() },
      });
      if (response.ok) $("#preview").innerHTML = await response.text();
    }, 300);
  });
}
