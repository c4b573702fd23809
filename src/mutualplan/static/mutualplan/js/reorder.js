// Reordering the milestone table: drag a row's handle, or Alt+Up / Alt+Down on it.

import { $, $$, setNote } from "./dom.js";
import { errorText, send } from "./http.js";
import { refreshTable, rowOf, table } from "./rows.js";

async function saveOrder() {
  const data = new FormData();
  $$("tbody.row", table).forEach((row) => data.append("order", row.dataset.row));
  const answer = await send(table.dataset.reorderUrl, data);
  if (answer.status === 200) {
    $$("tbody.row", table).forEach((row, i) => {
      const pos = $(".pos", row);
      if (pos) pos.textContent = i + 1;
    });
  } else {
    setNote($(".handle", table), errorText(answer, "The new order was not saved."));
    refreshTable();
  }
}

export function setupReorder() {
  if (!table?.dataset.reorderUrl) return;
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
    const before = event.clientY < box.top + box.height / 2;
    over.parentNode.insertBefore(dragged, before ? over : over.nextSibling);
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
    const up = event.key === "ArrowUp";
    const sibling = up ? row.previousElementSibling : row.nextElementSibling;
    if (!sibling || !sibling.matches("tbody.row")) return;
    if (up) sibling.before(row);
    else sibling.after(row);
    handle.focus();
    saveOrder();
  });
}
