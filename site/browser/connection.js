// The page's connection to the Python worker (worker.js): starting it, handing
// it the runtime's files, sending requests, routing answers by message name
// (protocol.js), long jobs with progress, and noticing when the worker cannot
// start or stops. The rest of the controller only calls post / on / startJob
// and listens for the worker's state; none of it knows how the worker runs.
import { OP, RUNTIME_FILES } from "./protocol.js";

const SLOW_BOOT_MS = 30000; // after this, say that Python is still starting
const UNRESPONSIVE_MS = 20000; // an answer slower than this means the worker died

// What the reader is told about the worker, in every calculator's status line.
export const STATUS = {
  starting: "Starting Python… The results shown are for the values on the page.",
  slow: "Python is still starting (slow connection?): the results shown are for the values on the page.",
  failed: "Python could not start in this browser: the results shown are for the values on the page, and will not update.",
  stopped: "Python stopped responding: the results shown will not update. Reload the page to restart it.",
};

let worker = null;
let state = "starting"; // starting | ready | failed
let slow = false;
let watchdog = null;
const handlers = new Map(); // message name -> [handler]
const listeners = []; // called with (state, kind, reason) when the state changes
const jobs = new Map(); // job id -> {progress, done}
let jobCount = 0;

/** The worker's state: "starting", "ready" or "failed". */
export const workerState = () => state;

/** What the status line says while the worker starts: "starting", or "slow" once that takes long. */
export const startingKind = () => (slow ? "slow" : "starting");

/** Call handler(message) for every answer named op. */
export function on(op, handler) {
  if (!handlers.has(op)) handlers.set(op, []);
  handlers.get(op).push(handler);
}

/** Call listener(state, kind, reason) when the worker becomes ready ("ready") or fails ("failed", kind, reason). */
export function onStateChange(listener) {
  listeners.push(listener);
}

export function post(message, transfer) {
  if (worker && state !== "failed") worker.postMessage(message, transfer || []);
}

// Any answer pending for too long means the worker is gone (crashed, or killed by the browser).
export function armWatchdog() {
  clearTimeout(watchdog);
  watchdog = setTimeout(() => fail("stopped", "no answer"), UNRESPONSIVE_MS);
}

export function disarmWatchdog() {
  clearTimeout(watchdog);
}

function setState(next, kind, reason) {
  state = next;
  for (const listener of listeners) listener(next, kind, reason);
}

function fail(kind, reason) {
  if (state === "failed") return;
  clearTimeout(watchdog);
  if (worker) worker.terminate();
  jobs.clear();
  console.warn(`perfcalc: ${STATUS[kind]} (${reason})`);
  setState("failed", kind, reason);
}

function dispatch(msg) {
  if (msg.op === OP.READY) {
    setState("ready");
  } else if (msg.op === OP.FAILED) {
    fail("failed", msg.message);
  } else if (msg.op === OP.PROGRESS || msg.op === OP.DONE) {
    const job = jobs.get(msg.id);
    if (!job) return; // dropped: its page is no longer shown
    if (msg.op === OP.DONE) jobs.delete(msg.id);
    (msg.op === OP.DONE ? job.done : job.progress)(msg);
  } else {
    for (const handler of handlers.get(msg.op) || []) handler(msg);
  }
}

/** Start the worker; the runtime's files are the page's preload links (link[data-perfcalc-runtime]). */
export function start(workerUrl) {
  try {
    worker = new Worker(workerUrl, { type: "module", name: "perfcalc" });
  } catch (error) {
    fail("failed", error);
    return;
  }
  worker.addEventListener("message", (event) => dispatch(event.data));
  // A module worker whose script is missing or broken fires "error" on this object.
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    fail(state === "ready" ? "stopped" : "failed", event.message || "the worker script could not run");
  });
  worker.addEventListener("messageerror", () => fail("stopped", "a message could not be read"));
  // The runtime's files are fetched here, where the page preloaded them (so
  // each downloads once), and their bytes are moved, not copied, to the worker.
  // Each link's href is made absolute first: Material rewrites relative
  // URLs in the head when it starts, and a rewritten preload link would
  // download its file a second time.
  const links = [...document.querySelectorAll("link[data-perfcalc-runtime]")];
  for (const link of links) link.setAttribute("href", link.href);
  const files = Object.fromEntries(links.map((link) => [link.dataset.perfcalcRuntime, link.href]));
  const missing = RUNTIME_FILES.filter((name) => !files[name]);
  if (missing.length) console.warn(`perfcalc: the page names no ${missing.join(", ")} for the runtime`);
  worker.postMessage({ op: OP.INIT, files });
  for (const url of Object.values(files)) {
    fetch(url)
      .then((response) => (response.ok ? response.arrayBuffer() : Promise.reject(new Error(`${url} answered ${response.status}`))))
      .then((bytes) => worker.postMessage({ op: OP.FILE, url, bytes }, [bytes]),
        (error) => worker.postMessage({ op: OP.FILE, url, error: String(error.message || error) }));
  }
  setTimeout(() => {
    if (state !== "starting") return;
    slow = true;
    setState("starting", "slow");
  }, SLOW_BOOT_MS);
}

// --- long jobs ------------------------------------------------------------------
// A job (JOB_KINDS in protocol.js) runs in the worker in steps; it answers with
// progress after each step and once with its result. Ids are unique in this tab.

/** Start a job; progress(msg) after each step, done(msg) once. Returns its id. */
export function startJob(kind, fields, { progress = () => {}, done }) {
  jobCount += 1;
  const id = `${kind}-${jobCount}`;
  jobs.set(id, { progress, done });
  post({ op: OP.JOB, kind, id, ...fields });
  return id;
}

/** Ask a job to stop: its done(msg) still comes, with msg.cancelled. */
export function cancelJob(id) {
  if (jobs.has(id)) post({ op: OP.CANCEL, id });
}

/** Stop a job and forget it: nothing more is heard from it (its page is gone). */
export function dropJob(id) {
  cancelJob(id);
  jobs.delete(id);
}
