// Shared scenarios: the address carries the inputs that differ from the page,
// keyed FORMKEY.FIELD (?worker-pool.workers=7). Opening such a link asks the
// worker to read it (validated exactly like typing); writing it happens once
// typing pauses. No value from the address is used before the worker has
// parsed it, and notices about it are text.
import { OP } from "./protocol.js";
import { post, armWatchdog } from "./connection.js";
import { controls, defaultOf, valuesOf } from "./dom.js";

// Material puts the search term in ?q= and highlighted words in ?h=; they are not ours to rewrite.
const THEME_PARAMETERS = ["q", "h"];
// Changing the URL makes the browser restyle the whole page (about 20 ms on
// a long page on a slow machine), so it is written once typing pauses, and
// at once when the reader copies the link.
const URL_WRITE_AFTER_MS = 400;
let urlTimer = null;

/** Ask the worker to read the address's scenario for these forms; false if the address has none. */
export function readLink(gen, forms) {
  const search = location.search;
  if (search.length <= 1) return false;
  post({ op: OP.LINK, gen, search,
    forms: [...forms.values()].map(({ form }) => ({ key: form.dataset.key, calculator: form.dataset.calculator,
      values: valuesOf(form) })) });
  armWatchdog();
  return true;
}

/**
 * Put the link's values (already validated and parsed by the worker) into the
 * controls, except where the reader typed while Python was starting: what was
 * typed wins. Each form's notice says what could not be used.
 */
export function assignLink(forms, answer) {
  for (const [key, state] of forms) {
    const notice = state.form.querySelector(".perfcalc__notice");
    notice.textContent = answer.notices[key] || "";
    notice.hidden = !answer.notices[key];
    for (const el of controls(state.form)) {
      const assigned = (answer.assign[key] || {})[el.name];
      if (assigned !== undefined && !state.touched.has(el.name)) el.value = assigned;
    }
  }
}

export function scheduleUrlWrite(forms) {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => writeUrl(forms), URL_WRITE_AFTER_MS);
}

/** A pending write belongs to the page that was left. */
export function cancelUrlWrite() {
  clearTimeout(urlTimer);
}

// The address carries what differs from the page's own values; a form with an
// invalid input keeps its last valid values in the link.
export function writeUrl(forms) {
  clearTimeout(urlTimer);
  const previous = new URLSearchParams(location.search);
  const params = new URLSearchParams();
  for (const name of THEME_PARAMETERS) {
    if (previous.has(name)) params.set(name, previous.get(name));
  }
  for (const [key, state] of forms) {
    if (state.form.dataset.state === "invalid") {
      for (const [name, value] of previous) {
        if (name.split(".")[0] === key) params.append(name, value);
      }
      continue;
    }
    for (const el of controls(state.form)) {
      if (el.value !== defaultOf(el)) params.append(`${key}.${el.name}`, el.value);
    }
  }
  const query = params.toString();
  const url = location.pathname + (query ? `?${query}` : "") + location.hash;
  if (url !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", url);
}
