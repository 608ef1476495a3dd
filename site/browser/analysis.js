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
// - another kind of panel (another job kind) reuses `panelJob`, `followWorker`,
//   `enablePanels` and `cancelPanelJob` below with its own selector, fields,
//   words and view, as compare-view.js does for the two-run panel.
import { JOB_KINDS, HELPER, HELPER_MIN_BYTES } from "./protocol.js";
import * as connection from "./connection.js";
import { STATUS } from "./connection.js";
import { showAnalysis, showError, clearResult } from "./analysis-view.js";

const PANEL = "section.perfcalc-analyze";
const IDLE = "Nothing read yet. The file stays on this computer.";
const running = new Map(); // panel section -> id of its job
const helpers = new Map(); // panel section -> the helper worker reading part of its file (helper.js)

/** Enable or disable a panel's controls (the Stop button is shown only while a job runs), and say why. */
export function setPanel(panel, enabled, status) {
  for (const control of panel.querySelectorAll("input, select, textarea, button[data-action='analyze-text']")) {
    control.disabled = !enabled;
  }
  panel.dataset.state = enabled ? "live" : "static";
  if (status !== undefined) panel.querySelector(".perfcalc-analyze__status").textContent = status;
}

/** The panels matching `selector` are enabled once Python runs (`idle(panel)`: what their status line says then). */
export function enablePanels(selector, idle) {
  const state = connection.workerState();
  for (const panel of document.querySelectorAll(selector)) {
    if (state === "ready") setPanel(panel, true, idle(panel));
    else if (state === "starting") setPanel(panel, false, STATUS[connection.startingKind()]);
  }
}

/** The worker's state changed: the panels matching `selector` follow it (see connection.onStateChange). */
export function followWorker(selector, idle) {
  connection.onStateChange((state, kind) => {
    if (state === "ready") enablePanels(selector, idle);
    else if (state === "failed") for (const panel of document.querySelectorAll(selector)) setPanel(panel, false, STATUS[kind]);
  });
}

/** The page now shown: jobs of panels no longer in it stop (any kind of panel); its panels are enabled once Python runs. */
export function mountPanels() {
  for (const [panel, id] of running) {
    if (!panel.isConnected) {
      connection.dropJob(id);
      running.delete(panel);
      endHelper(panel);
    }
  }
  enablePanels(PANEL, () => IDLE);
}

/** Stop the panel's job, if one runs: its answer still comes, cancelled. */
export function cancelPanelJob(panel) {
  if (running.has(panel)) connection.cancelJob(running.get(panel));
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

/** How far the reading of a file has gone, from a job's progress message: "Read 3.1 of 12 MB: 40,000 lines". */
export function readSoFar(msg) {
  return `Read ${megabytes(msg.done)} of ${megabytes(msg.total)} MB: `
    + `${msg.progress.lines_read.toLocaleString("en")} lines`;
}

export function seconds(msg) {
  return `${msg.seconds.toLocaleString("en", { maximumFractionDigits: 1 })} s`;
}

// What the panel's bar and status line say about an analysis job; another kind of job passes its own.
const ANALYSIS_WORDS = {
  progress: (msg) => [msg.total ? msg.done / msg.total : 1, readSoFar(msg)], // [bar 0–1, status]
  failed: "The file could not be analysed.",
  finished: (msg) => `Analysed in ${seconds(msg)}${msg.parts === 2 ? ", on two cores" : ""}.`,
};

/**
 * Run a job for a panel: one at a time per panel (a new one stops the last),
 * its progress on the panel's bar and status line, its answer to `show`.
 * `name` is what the status line calls what is read; `words` what the bar
 * and the status line say (ANALYSIS_WORDS); `helper` a worker reading part
 * of the file beside the job (startHelper below), ended with it.
 */
export function panelJob(panel, kind, fields, name, show, words = ANALYSIS_WORDS, helper = null) {
  if (connection.workerState() !== "ready") {
    if (helper) helper.worker.terminate();
    return;
  }
  if (running.has(panel)) connection.dropJob(running.get(panel));
  endHelper(panel);
  if (helper) helpers.set(panel, helper.worker);
  const status = panel.querySelector(".perfcalc-analyze__status");
  const progress = panel.querySelector("progress");
  const stop = panel.querySelector("[data-action='analyze-cancel']");
  const id = connection.startJob(kind, helper ? { ...fields, helper: helper.port } : fields, {
    progress(msg) {
      [progress.value, status.textContent] = words.progress(msg);
    },
    done(msg) {
      running.delete(panel);
      endHelper(panel);
      progress.hidden = true;
      stop.hidden = true;
      panel.dataset.state = "live";
      if (msg.cancelled) {
        status.textContent = "Stopped.";
      } else if (msg.error) {
        status.textContent = words.failed;
        showError(panel, msg.error);
      } else {
        status.textContent = words.finished(msg);
        show(panel, msg.view);
        panel.dataset.state = "done";
      }
    },
  }, helper ? [helper.port] : []);
  running.set(panel, id);
  clearResult(panel);
  progress.value = 0;
  progress.hidden = false;
  stop.hidden = false;
  panel.dataset.state = "reading";
  status.textContent = `Reading ${name}…`;
}

// A large file is read on two cores: a helper worker with its own Python
// (helper.js) reads its second half, in step with the job's worker (parts.js).
// Started with the job, so its Python starts while the first part is read;
// ended when the job is done. Without one the worker reads the file alone.
function startHelper(file) {
  if (!file || file.size < HELPER_MIN_BYTES || typeof Worker !== "function") return null;
  try {
    const worker = new Worker(new URL("helper.js", import.meta.url), { type: "module", name: "perfcalc-helper" });
    const channel = new MessageChannel();
    worker.postMessage({ op: HELPER.SERVE }, [channel.port2]);
    return { worker, port: channel.port1 };
  } catch {
    return null;
  }
}

function endHelper(panel) {
  if (helpers.has(panel)) helpers.get(panel).terminate();
  helpers.delete(panel);
}

function analyse(panel, source) {
  const name = source.file ? source.file.name : "pasted lines";
  panelJob(panel, JOB_KINDS.ANALYZE, { name, options: options(panel), ...source }, name, showAnalysis,
    ANALYSIS_WORDS, startHelper(source.file));
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
    cancelPanelJob(panel);
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
  connection.onStateChange((state) => {
    if (state !== "failed") return;
    running.clear();
    for (const panel of [...helpers.keys()]) endHelper(panel);
  });
  followWorker(PANEL, () => IDLE);
  for (const type of ["change", "click", "dragover", "dragleave", "drop"]) document.addEventListener(type, onPanelEvent);
}
