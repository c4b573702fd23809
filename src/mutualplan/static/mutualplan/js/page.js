// Page conveniences: confirmations, copy and print buttons, the fresh share link, selects that
// submit themselves, and the new-plan page's preview of the dates.

import { $, $$ } from "./dom.js";
import { csrf } from "./http.js";

function setupConfirm() {
  document.addEventListener(
    "submit",
    (event) => {
      const message = event.target.dataset?.confirm;
      if (message && !window.confirm(message)) event.preventDefault();
    },
    true,
  );
}

async function copyFrom(button) {
  const input = $(button.dataset.copy);
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select();
    document.execCommand("copy");
  }
  button.textContent = "Copied";
  setTimeout(() => {
    button.textContent = "Copy";
  }, 1500);
}

function setupButtons() {
  document.addEventListener("click", (event) => {
    const copy = event.target.closest("[data-copy]");
    if (copy) copyFrom(copy);
    if (event.target.closest("[data-print]")) window.print();
  });
}

// The page that shows a new share link answers a form post: point the address bar back at the
// plan page, so that a reload shows the plan instead of posting the form again.
function setupFreshLink() {
  const freshLink = $("[data-replace-url]");
  if (!freshLink) return;
  history.replaceState(null, "", freshLink.dataset.replaceUrl);
  freshLink.scrollIntoView({ block: "center" });
}

function setupAutosubmit() {
  $$("select[data-autosubmit]").forEach((select) =>
    select.addEventListener("change", () => select.form.submit()),
  );
}

// New plan: preview the dates worked back from the target as the form changes. The form's
// `action` property is not its URL here: the submit buttons named "action" shadow it.
function setupPreview() {
  const form = $("form[data-preview-form]");
  const preview = $("#preview");
  if (!form || !preview) return;
  const url = form.getAttribute("action") || location.href;
  let timer = null;
  let asked = 0;
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const data = new FormData(form);
      data.set("action", "preview");
      const number = ++asked;
      let response;
      try {
        response = await fetch(url, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { "X-Preview": "1", "X-CSRFToken": csrf() },
        });
      } catch {
        return; // the buttons still work
      }
      // A slower answer to an older question must not overwrite a newer one.
      if (response.ok && number === asked) preview.innerHTML = await response.text();
    }, 300);
  });
}

export function setupPage() {
  setupConfirm();
  setupButtons();
  setupFreshLink();
  setupAutosubmit();
  setupPreview();
}
