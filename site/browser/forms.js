// The calculators on the page: each form's values go to the worker as the
// reader types, tagged with the page generation and the form's sequence
// number, and each answer (a view: outputs, errors, warnings, the results as
// Markdown, then a chart) is applied to the DOM. Every number and message
// comes from perfcalc in the worker; this module holds no formula and no rule.
import { OP } from "./protocol.js";
import * as connection from "./connection.js";
import { STATUS } from "./connection.js";
import { controls, differsFromPage, valuesOf, copyText, chartCaption } from "./dom.js";
import * as links from "./links.js";

const BUSY_AFTER_MS = 150; // an answer slower than this shows "Computing…"
const STALE = {
  invalid: "Results are out of date until the highlighted input is fixed.",
  pending: "Results will update as soon as Python has started.",
  failed: "Python is not running in this page, so these results are for the values shown before your change.",
};

const root = document.documentElement;
let gen = 0; // the page generation: one per page shown (instant navigation starts a new one)
let forms = new Map(); // form key -> state of that form on the current page
let mounting = null; // {gen, waiting: Set of form keys whose first answer is due}
let asked = []; // the forms whose first answers were asked for, in this generation

/** The mounted form's state, for a form element (or null if it is not one of this page's calculators). */
export function mounted(form) {
  const state = form && forms.get(form.dataset.key);
  return state && state.form === form ? state : null;
}

function formOf(target) {
  return mounted(target && target.closest ? target.closest("form.perfcalc") : null);
}

// --- status and staleness -------------------------------------------------------
function setStatus(kind) {
  const text = STATUS[kind] || "";
  for (const status of document.querySelectorAll("form.perfcalc .perfcalc__status")) status.textContent = text;
}

function markStale(form, why, formMessage = "") {
  const note = form.querySelector(".perfcalc__stale-note");
  note.textContent = STALE[why];
  note.hidden = false;
  for (const el of form.querySelectorAll("output, .perfcalc__chart, .perfcalc__warnings")) el.dataset.stale = "true";
  const banner = form.querySelector(".perfcalc__form-error");
  banner.textContent = formMessage;
  banner.hidden = !formMessage;
}

function markFresh(form) {
  form.querySelector(".perfcalc__stale-note").hidden = true;
  for (const el of form.querySelectorAll("output, .perfcalc__warnings")) el.removeAttribute("data-stale");
  const banner = form.querySelector(".perfcalc__form-error");
  banner.textContent = "";
  banner.hidden = true;
}

// The worker failed: every form goes back to its pre-rendered numbers, and says so.
function onWorkerState(state, kind) {
  if (state === "ready") {
    mount();
  } else if (state === "starting") {
    setStatus(kind);
  } else if (state === "failed") {
    root.dataset.perfcalc = "failed";
    setStatus(kind);
    for (const s of forms.values()) {
      s.form.dataset.state = "static";
      s.form.removeAttribute("aria-busy");
      for (const button of s.form.querySelectorAll("button[data-action]")) button.disabled = true;
      if (s.changedSinceAnswer) markStale(s.form, "failed");
    }
  }
}

// --- requests and answers -----------------------------------------------------------
function request(state, { chart, changed = null }) {
  const form = state.form;
  state.seq += 1;
  connection.post({ op: OP.VIEW, gen, key: form.dataset.key, seq: state.seq, calculator: form.dataset.calculator,
    values: valuesOf(form), chart, changed });
  form.dataset.pending = "true"; // until the answer to this request is on the page
  const figure = form.querySelector(".perfcalc__chart");
  if (figure && chart) figure.dataset.drawing = "true";
  clearTimeout(state.busyTimer);
  state.busyTimer = setTimeout(() => {
    if (state.applied < state.seq) {
      form.setAttribute("aria-busy", "true");
      form.querySelector(".perfcalc__status").textContent = "Computing…";
    }
  }, BUSY_AFTER_MS);
  connection.armWatchdog();
}

// The same forms, still in the page, already asked for: in a tab opened beside another the worker is
// ready as the modules run, and the forms are mounted then, before Material shows the page (document$).
function askedAlready(list) {
  return list.length > 0 && list.length === asked.length && list.every((form, i) => form === asked[i] && form.isConnected);
}

/** Mount the calculators of the page now shown (Material's document$, and once the worker is ready). */
export function mount() {
  const list = [...document.querySelectorAll("form.perfcalc")];
  if (connection.workerState() === "ready" && askedAlready(list)) return;
  asked = [];
  gen += 1;
  links.cancelUrlWrite();
  forms = new Map();
  for (const form of list) forms.set(form.dataset.key, { form, seq: 0, applied: 0, touched: new Set(),
    linked: false, markdown: "", changedSinceAnswer: false, busyTimer: null, copyWhenAnswered: false });
  const state = connection.workerState();
  if (state === "failed") {
    for (const form of list) form.dataset.state = "static";
    setStatus("failed");
    return;
  }
  if (state !== "ready") {
    setStatus(connection.startingKind());
    return; // mounted again when the worker says it is ready
  }
  if (!list.length) {
    root.dataset.perfcalc = "live";
    return;
  }
  root.dataset.perfcalc = "mounting";
  asked = list;
  mounting = { gen, waiting: new Set(forms.keys()) };
  if (!links.readLink(gen, forms)) computeAll({ assign: {}, notices: {} });
}

// The link's values go in (links.js), then every form is computed once, and the page is live.
function computeAll(answer) {
  links.assignLink(forms, answer);
  for (const state of forms.values()) {
    state.linked = true;
    // The pre-rendered chart shows the page's values; redraw only if they changed.
    request(state, { chart: differsFromPage(state.form) });
  }
}

function applyErrors(form, errors) {
  for (const el of controls(form)) {
    const message = errors[el.name] || "";
    const error = form.querySelector(`#${CSS.escape(el.id)}-error`);
    if (message) el.setAttribute("aria-invalid", "true");
    else el.removeAttribute("aria-invalid");
    // The error element stays in the page, a polite live region: the message is announced as it appears.
    if (error.textContent !== message) error.textContent = message;
  }
}

// Only what changed is written: every write costs the page a repaint.
function applyOutputs(form, view) {
  for (const out of form.querySelectorAll("output[name]")) {
    const [raw, text] = view.outputs[out.getAttribute("name")];
    if (out.dataset.value !== raw) out.dataset.value = raw;
    if (out.textContent !== text) out.textContent = text;
  }
  const warnings = form.querySelector(".perfcalc__warnings");
  const shown = [...warnings.children].map((item) => item.textContent);
  if (shown.join("\n") !== view.warnings.join("\n") || shown.length !== view.warnings.length) {
    warnings.replaceChildren(...view.warnings.map((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
  }
  warnings.hidden = view.warnings.length === 0;
}

function applyView(msg) {
  const state = forms.get(msg.key);
  if (!state || msg.seq <= state.applied) return; // an older answer never overwrites a newer one
  state.applied = msg.seq;
  state.changedSinceAnswer = false;
  const { form } = state;
  const view = msg.view;
  if (state.applied === state.seq) {
    delete form.dataset.pending;
    clearTimeout(state.busyTimer);
    if (form.hasAttribute("aria-busy")) {
      form.removeAttribute("aria-busy");
      form.querySelector(".perfcalc__status").textContent = "";
    }
  }
  applyErrors(form, view.errors);
  const figure = form.querySelector(".perfcalc__chart");
  if (!view.ok) {
    form.dataset.state = "invalid";
    markStale(form, "invalid", view.form_error);
    if (figure) figure.removeAttribute("data-drawing");
  } else {
    applyOutputs(form, view);
    state.markdown = view.markdown;
    form.dataset.state = "live";
    markFresh(form);
    // No chart on the way (the page's own values): the pre-rendered one is current.
    if (figure && !figure.dataset.drawing) figure.removeAttribute("data-stale");
    if (!mounting) links.scheduleUrlWrite(forms);
  }
  if (state.copyWhenAnswered && state.applied === state.seq) copyResults(state);
  if (mounting && mounting.gen === gen) {
    mounting.waiting.delete(msg.key);
    if (mounting.waiting.size === 0) live();
  }
}

// Every form of the page has its first answer: the page is live.
function live() {
  mounting = null;
  for (const s of forms.values()) {
    for (const button of s.form.querySelectorAll("button[data-action]")) button.disabled = false;
  }
  setStatus("live");
  root.dataset.perfcalc = "live";
  connection.post({ op: OP.WARM });
}

function applyChart(msg) {
  const state = forms.get(msg.key);
  if (!state || msg.seq !== state.seq || !msg.chart) return; // a newer drawing is on its way, or none is valid
  const figure = state.form.querySelector(".perfcalc__chart");
  // The SVG is drawn by our own Python from validated numbers; no text the reader typed is in it.
  const drawing = figure.querySelector(".perfcalc__chart-svg");
  if (drawing.innerHTML !== msg.chart.svg) drawing.innerHTML = msg.chart.svg;
  chartCaption(figure.querySelector("figcaption"), msg.chart);
  figure.removeAttribute("data-drawing");
  figure.removeAttribute("data-stale");
}

// Every answer about forms: for the page shown, in order; the watchdog waits while any is due.
function answered(apply) {
  return (msg) => {
    connection.disarmWatchdog();
    if (msg.gen !== gen) return; // an answer for a page no longer shown
    apply(msg);
    if ([...forms.values()].some((state) => state.applied < state.seq)) connection.armWatchdog();
  };
}

// --- events: one listener each for the whole tab ----------------------------------
function onInput(event) {
  const state = formOf(event.target);
  if (!state) return;
  state.changedSinceAnswer = true;
  if (event.target.name) state.touched.add(event.target.name);
  const worker = connection.workerState();
  if (worker === "ready" && state.linked) {
    request(state, { chart: true, changed: event.target.name || null });
  } else {
    markStale(state.form, worker === "failed" ? "failed" : "pending");
  }
}

function flash(form, text) {
  form.querySelector(".perfcalc__copied").textContent = text;
}

function copy(form, text, done) {
  copyText(text, done).then((said) => flash(form, said));
}

function copyResults(state) {
  state.copyWhenAnswered = false;
  if (state.form.dataset.state !== "live") flash(state.form, "Fix the highlighted input first");
  else copy(state.form, state.markdown, "Results copied as Markdown");
}

function onClick(event) {
  const button = event.target && event.target.closest ? event.target.closest("button[data-action]") : null;
  const state = button && formOf(button);
  if (!state || state.form.dataset.state === "static") return;
  if (button.dataset.action === "copy-link") {
    links.writeUrl(forms);
    copy(state.form, location.href, "Link copied");
  } else if (button.dataset.action === "copy-results") {
    if (state.applied < state.seq) state.copyWhenAnswered = true; // the answer to the last keystroke is due
    else copyResults(state);
  }
}

/** Wire the forms: answers from the worker, the worker's state, and the document's events. */
export function setUp() {
  root.dataset.perfcalc = "starting";
  connection.on(OP.VIEW, answered(applyView));
  connection.on(OP.CHART, answered(applyChart));
  connection.on(OP.LINK, answered((msg) => computeAll(msg.answer)));
  connection.on(OP.ERROR, answered((msg) => console.error(`perfcalc: the worker failed on ${msg.key}: ${msg.message}`)));
  connection.onStateChange(onWorkerState);
  // Text fields and selects both fire "input"; "change" would only repeat it.
  document.addEventListener("input", onInput);
  document.addEventListener("click", onClick);
  document.addEventListener("submit", (event) => {
    if (event.target.matches && event.target.matches("form.perfcalc")) event.preventDefault(); // Enter must not reload
  });
}
