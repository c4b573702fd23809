// mutualplan's own small script, as native modules (no build step): inline editing with
// conflict handling, live updates over Server-Sent Events, reordering, and a few conveniences.
// Pages work without it, as forms.

import { setupLive } from "./js/live.js";
import { setupPage } from "./js/page.js";
import { setupReorder } from "./js/reorder.js";
import { setupRows } from "./js/rows.js";

document.documentElement.classList.add("js");

setupRows();
setupReorder();
setupLive();
setupPage();
