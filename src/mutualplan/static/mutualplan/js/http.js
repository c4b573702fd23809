// Talking to the server: the CSRF token, JSON posts, and the one way an error answer becomes
// the text the user reads.

import { $ } from "./dom.js";

export const csrf = () => $("input[name=csrfmiddlewaretoken]")?.value || "";

const DROPPED = "The connection dropped: your text is kept, try again.";

/**
 * POST (or `method`) form data, asking for JSON; `{ status, body }`, with status 0 and a
 * `detail` when the request never got an answer. `body` is null when the answer is not JSON.
 */
export async function send(url, data, method = "POST") {
  let response;
  try {
    response = await fetch(url, {
      method,
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf() },
    });
  } catch {
    return { status: 0, body: { detail: DROPPED } };
  }
  // A seller whose session ended is sent to the sign-in page, which fetch follows.
  if (response.redirected && new URL(response.url).pathname === "/login/") {
    return { status: 401, body: null };
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return { status: response.status, body };
}

/** GET a page fragment (HTML); the response, or null when the request got no answer. */
export async function get(url) {
  try {
    return await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  } catch {
    return null;
  }
}

// What to say when the answer itself says nothing useful (not JSON: a proxy's page, a login
// page after the session ended…).
const BY_STATUS = {
  0: DROPPED,
  401: "You are signed out: sign in again, your text is kept here.",
  403: "You may not change this.",
  413: "That is too long to save.",
  429: "Too many changes at once: wait a moment and try again.",
  502: "The server is not answering: try again in a moment.",
  503: "The server is busy or being updated: try again in a moment.",
  504: "The server took too long to answer: try again.",
};

/**
 * The text shown to the user for an error answer from `send`: the first field error
 * ("title: must not be empty"), else the server's `detail`, else what the status means, else
 * `fallback` ("Not saved.").
 */
export function errorText({ status, body }, fallback) {
  const first = body?.errors?.[0];
  if (first?.message) return first.field ? `${first.field}: ${first.message}` : first.message;
  if (body?.detail) return body.detail;
  return BY_STATUS[status] || fallback;
}
