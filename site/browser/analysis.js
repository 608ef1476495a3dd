// The reader's own files: each ```perfcalc-analyze panel hands a file (chosen
// or dropped) or pasted lines to the worker as a job (protocol.js, JOB_KINDS),
// which reads it in slices with perfcalc.analyze, with progress, and answers
// with a view that analysis-view.js shows. The file never leaves the page.
//
// To extend a panel:
// - a new option (a field in site/perfcalc_site/panel.py with a `name`) is sent
//   to the worker by itself, in the job's `options` (see `options` below), and
//   read in perfcalc_worker.analyze_begin;
// - a new part of the result is a function in analysis-view.js's SECTIONS;
// - another kind of panel (another job kind) reuses `panelJob` below with its
//   own selector, fields and view.
import { JOB_KINDS } from "./protocol.js";
import * as connection from "./connection.js";
import { STATUS } from "./connection.js";
import { showAnalysis, showError, clearResult } from "./analysis-view.js";

const PANEL = "section.perfcalc-analyze";
const IDLE = "Nothing read yet. The file stays on this computer.";
const running = new Map(); // panel section -> id of its job

/** Enable or disable a panel's controls (the Stop button is shown only while a job runs), and say why. */
export function setPanel(panel, enabled, status) {
  for (const control of panel.querySelectorAll("input, select, textarea, button[data-action='analyze-text']")) {
    control.disabled = !enabled;
  }
  panel.dataset.state = enabled ? "live" : "static";
  if (status !== undefined) panel.querySelector(".perfcalc-analyze__status").textContent = status;
}

/** The page now shown: jobs of panels no longer in it stop; its panels are enabled once Python runs. */
export function mountPanels() {
  for (const [panel, id] of running) {
    if (!panel.isConnected) {
      connection.dropJob(id);
      running.delete(panel);
    }
  }
  const state = connection.workerState();
  for (const panel of document.querySelectorAll(PANEL)) {
    if (state === "ready") setPanel(panel, true, IDLE);
    else if (state === "starting") setPanel(panel, false, STATUS[connection.startingKind()]);
  }
}

function onWorkerState(state, kind) {
  if (state === "failed") running.clear();
  if (state === "ready") mountPanels();
  else if (state === "failed") for (const panel of document.querySelectorAll(PANEL)) setPanel(panel, false, STATUS[kind]);
}

/** The panel's settings for the job: every named control but the file and the pasted text ({format, …}). */
export function options(panel) {
  const named = panel.querySelectorAll("input[name], select[name], textarea[name]");
  return Object.fromEntries([...named].filter((el) => el.name !== "file" && el.name !== "text")
    .map((el) => [el.name, el.type === "checkbox" ? el.checked : el.value]));
}

function megabytes(bytes) {
  return (bytes / 1048576).toLocaleString("en", { maximumFractionDigits: 1 });
}

/**
 * Run a job for a panel: one at a time per panel (a new one stops the last),
 * its progress on the panel's bar and status line, its answer to `show`.
 * `name` is what the status line calls what is read.
 */
export function panelJob(panel, kind, fields, name, show) {
  if (connection.workerState() !== "ready") return;
  if (running.has(panel)) connection.dropJob(running.get(panel));
  const status = panel.querySelector(".perfcalc-analyze__status");
  const progress = panel.querySelector("progress");
  const stop = panel.querySelector("[data-action='analyze-cancel']");
  const id = connection.startJob(kind, fields, {
    progress(msg) {
      progress.value = msg.total ? msg.done / msg.total : 1;
      status.textContent = `Read ${megabytes(msg.done)} of ${megabytes(msg.total)} MB: `
        + `${msg.progress.lines_read.toLocaleString("en")} lines`;
    },
    done(msg) {
      running.delete(panel);
      progress.hidden = true;
      stop.hidden = true;
      panel.dataset.state = "live";
      if (msg.cancelled) {
        status.textContent = "Stopped.";
      } else if (msg.error) {
        status.textContent = "The file could not be analysed.";
        showError(panel, msg.error);
      } else {
        status.textContent = `Analysed in ${msg.seconds.toLocaleString("en", { maximumFractionDigits: 1 })} s.`;
        show(panel, msg.view);
        panel.dataset.state = "done";
      }
    },
  });
  running.set(panel, id);
  clearResult(panel);
  progress.value = 0;
  progress.hidden = false;
  stop.hidden = false;
  panel.dataset.state = "reading";
  status.textContent = `Reading ${name}…`;
}

function analyse(panel, source) {
  const name = source.file ? source.file.name : "pasted lines";
  panelJob(panel, JOB_KINDS.ANALYZE, { name, options: options(panel), ...source }, name, showAnalysis);
}

function onPanelEvent(event) {
  const panel = event.target && event.target.closest ? event.target.closest(PANEL) : null;
  if (!panel || panel.dataset.state === "static") return;
  if (event.type === "change" && event.target.name === "file" && event.target.files.length) {
    analyse(panel, { file: event.target.files[0] });
    event.target.value = ""; // choosing the same file again reads it again
  } else if (event.type === "click" && event.target.closest("[data-action='analyze-text']")) {
    const text = panel.querySelector("textarea[name='text']").value;
    if (text.trim()) analyse(panel, { text });
  } else if (event.type === "click" && event.target.closest("[data-action='analyze-cancel']")) {
    if (running.has(panel)) connection.cancelJob(running.get(panel));
  } else if (event.type === "dragover") {
    event.preventDefault();
    panel.classList.add("perfcalc-analyze--over");
  } else if (event.type === "dragleave") {
    panel.classList.remove("perfcalc-analyze--over");
  } else if (event.type === "drop") {
    event.preventDefault();
    panel.classList.remove("perfcalc-analyze--over");
    if (event.dataTransfer.files.length) analyse(panel, { file: event.dataTransfer.files[0] });
  }
}

export function setUp() {
  connection.onStateChange(onWorkerState);
  for (const type of ["change", "click", "dragover", "dragleave", "drop"]) document.addEventListener(type, onPanelEvent);
}
