// Live updates over Server-Sent Events: the activity feed, rows and the table redrawn, live
// fragments re-fetched, who is viewing, and a clear word when the stream is refused.

import { $, $$, fragment, revokedBanner } from "./dom.js";
import { get } from "./http.js";
import { refreshRow, refreshTable } from "./rows.js";

// ---- the activity feed --------------------------------------------------------------------

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

// ---- live fragments -----------------------------------------------------------------------
// Any element with data-live-fragment="URL" is fetched again after a change and replaced by
// the answer: one element with the same attribute. One fetch per element per burst of events;
// an element the user is in (focus, an open <details> or dialog) waits until they leave it;
// a failed fetch changes nothing.

const FRAGMENT_DELAY_MS = 150; // quiet time that ends a burst of events
const FRAGMENT_MAX_WAIT_MS = 1000; // a steady stream of events still shows now and then
const OPEN = "details[open], dialog[open]";
const dueFragments = new Set(); // URLs to fetch at the end of this burst, "*" for all
const fetching = new Set();
const fetchAgain = new Set();
const waitingFragments = new Set(); // URLs skipped because the user was in them
let fragmentTimer = null;
let burstStarted = 0;

const fragmentsFor = (url) =>
  $$("[data-live-fragment]").filter((el) => el.dataset.liveFragment === url);

function inUse(el) {
  return el.contains(document.activeElement) || el.matches(OPEN) || Boolean($(OPEN, el));
}

/** Fetch the live fragments again (those at `url`, or all) once the burst is over. */
export function refreshFragments(url = "*") {
  dueFragments.add(url);
  const now = performance.now();
  if (fragmentTimer === null) burstStarted = now;
  clearTimeout(fragmentTimer);
  const wait = Math.min(FRAGMENT_DELAY_MS, burstStarted + FRAGMENT_MAX_WAIT_MS - now);
  fragmentTimer = setTimeout(runFragments, Math.max(0, wait));
}

function runFragments() {
  fragmentTimer = null;
  const due = new Set(dueFragments);
  dueFragments.clear();
  const urls = new Set($$("[data-live-fragment]").map((el) => el.dataset.liveFragment));
  urls.forEach((url) => {
    if (due.has("*") || due.has(url)) refreshFragment(url);
  });
}

async function refreshFragment(url) {
  if (fetching.has(url)) {
    fetchAgain.add(url);
    return;
  }
  if (fragmentsFor(url).every(inUse)) {
    waitingFragments.add(url);
    return;
  }
  fetching.add(url);
  try {
    const response = await get(url);
    // No answer, not OK, or sent to the sign-in page: keep what is shown.
    if (!response?.ok || response.redirected) return;
    const html = await response.text();
    for (const el of fragmentsFor(url)) {
      if (inUse(el)) {
        waitingFragments.add(url);
        continue;
      }
      const next = fragment(html).firstElementChild;
      if (next?.hasAttribute("data-live-fragment")) el.replaceWith(next);
    }
  } catch {
    // The answer was cut off: the next change fetches it again.
  } finally {
    fetching.delete(url);
    if (fetchAgain.delete(url)) refreshFragments(url);
  }
}

function retryWaitingFragments() {
  const waiting = Array.from(waitingFragments);
  waitingFragments.clear();
  waiting.forEach((url) => refreshFragments(url));
}

function setupFragments() {
  // Once the user leaves a fragment they were in, it catches up.
  const later = () => {
    if (waitingFragments.size) setTimeout(retryWaitingFragments, 50);
  };
  document.addEventListener("focusout", later);
  // Neither event bubbles: listen while they go down.
  document.addEventListener("toggle", later, true);
  document.addEventListener("close", later, true);
}

// ---- the stream ---------------------------------------------------------------------------

// Which activity verbs redraw a row or the whole table: named by the server (core.vocab).
const verbs = (live, name) => new Set((live.dataset[name] || "").split(" ").filter(Boolean));

const SIGNED_OUT = "Your session has ended — ";
const LINK_GONE = "This link no longer works. Ask your contact for a new one.";

/**
 * An EventSource never tells why it was refused: ask the same URL once, read the status,
 * and hang up. 0 when there is no answer at all.
 */
async function refusalStatus(url) {
  const controller = new AbortController();
  try {
    const response = await fetch(url, {
      method: "GET",
      headers: { Accept: "text/event-stream" },
      credentials: "same-origin",
      cache: "no-store",
      signal: controller.signal,
    });
    return response.status;
  } catch {
    return 0;
  } finally {
    controller.abort();
  }
}

function signInAgain() {
  const link = document.createElement("a");
  const here = `${location.pathname}${location.search}`;
  link.href = `/login/?next=${encodeURIComponent(here)}`;
  link.textContent = "sign in again";
  return [SIGNED_OUT, link, " to keep this plan up to date"];
}

function listen(live) {
  const url = live.dataset.eventsUrl;
  const state = $(".live-state", live);
  const presence = $(".presence", live);
  state.setAttribute("role", "status");
  const rowVerbs = verbs(live, "rowVerbs");
  const tableVerbs = verbs(live, "tableVerbs");
  const shared = new URL(url, location.href).pathname.startsWith("/s/");
  let retry = 1000;
  let last = new URL(url, location.href).searchParams.get("last") || "0";
  let stopped = false;
  let waiting = null; // the timer of the next attempt

  const say = (...text) => state.replaceChildren(...text);
  const stop = (...text) => {
    stopped = true;
    live.classList.remove("is-live");
    live.classList.add("is-stopped"); // for the stylesheet: this bar will not go live again
    presence.replaceChildren(); // who was viewing is no longer known
    say(...text);
  };
  const again = () => {
    waiting = setTimeout(() => {
      waiting = null;
      connect();
    }, retry);
    retry = Math.min(retry * 2, 30000);
  };

  // The browser retries by itself after a dropped connection, but not after an error answer:
  // then the status says whether trying again can help.
  const refused = async (target) => {
    const status = await refusalStatus(target);
    if (stopped) return;
    if (status === 401) stop(...signInAgain());
    else if (shared && (status === 410 || status === 404)) {
      stop(LINK_GONE);
      revokedBanner();
    } else again();
  };

  const connect = () => {
    if (stopped) return;
    const target = new URL(url, location.href);
    target.searchParams.set("last", last);
    const source = new EventSource(target);
    source.addEventListener("open", () => {
      retry = 1000;
      say("● Live");
      live.classList.add("is-live");
    });
    source.addEventListener("error", () => {
      if (stopped) return;
      say("Reconnecting…");
      live.classList.remove("is-live");
      if (source.readyState === EventSource.CLOSED) refused(target);
    });
    source.addEventListener("activity", (message) => {
      const event = JSON.parse(message.data);
      last = message.lastEventId || last;
      addToFeed(event);
      if (event.milestone_id && rowVerbs.has(event.verb)) refreshRow(event.milestone_id);
      else if (tableVerbs.has(event.verb)) refreshTable();
      refreshFragments();
    });
    source.addEventListener("reload", (message) => {
      last = message.lastEventId || last;
      refreshTable();
      refreshFragments();
    });
    source.addEventListener("presence", (message) => {
      const viewers = JSON.parse(message.data).viewers || [];
      presence.replaceChildren(
        ...viewers.map((v) => {
          const chip = document.createElement("span");
          chip.className = `chip who-${v.kind}`;
          const tabs = v.count > 1 ? ` ×${v.count}` : "";
          chip.textContent = `${v.name}${v.kind === "buyer" ? " (buyer)" : ""}${tabs}`;
          return chip;
        }),
      );
      presence.prepend(viewers.length ? "Viewing: " : "");
    });
    source.addEventListener("revoked", () => {
      source.close();
      stop(LINK_GONE);
      revokedBanner();
    });
  };

  // Back online: no need to wait out the backoff.
  window.addEventListener("online", () => {
    if (!waiting) return;
    clearTimeout(waiting);
    waiting = null;
    connect();
  });
  connect();
}

export function setupLive() {
  setupFragments();
  const live = $("[data-live]");
  if (live && window.EventSource) listen(live);
}
