// The page's connection to the Python worker (worker.js): taking it over from
// boot.js, sending requests, routing answers by message name (protocol.js),
// long jobs with progress, and noticing when the worker cannot start or
// stops. The rest of the controller only calls post / on / startJob and
// listens for the worker's state; none of it knows how the worker runs.
import { OP } from "./protocol.js";

const SLOW_BOOT_MS = 30000; // after this, say that Python is still starting
const UNRESPONSIVE_MS = 20000; // an answer slower than this means the worker died

// What the reader is told about the worker, in every calculator's status line.
export const STATUS = {
  starting: "Starting Python… The results shown are for the values on the page.",
  slow: "Python is still starting (slow connection?): the results shown are for the values on the page.",
  failed: "Python could not start in this browser: the results shown are for the values on the page, and will not update.",
  stopped: "Python stopped responding: the results shown will not update. Reload the page to restart it.",
};

let worker = null; // the Worker or SharedWorker
let port = null; // where requests go and answers come from
let kind = null; // "shared" (one worker for every tab) or "dedicated" (this tab's own)
let state = "starting"; // starting | ready | failed
let slow = false;
let watchdog = null;
const handlers = new Map(); // message name -> [handler]
const listeners = []; // called with (state, kind, reason) when the state changes
const root = document.documentElement;
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
  if (port && state !== "failed") port.postMessage(message, transfer || []);
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
  if (worker && worker.terminate) worker.terminate(); // a shared worker serves other tabs: only this tab lets go
  else if (port) port.close();
  jobs.clear();
  console.warn(`perfcalc: ${STATUS[kind]} (${reason})`);
  setState("failed", kind, reason);
}

// How Python started, on the page for anyone to read (the tests do):
// <html data-perfcalc-start="snapshot|cold" data-perfcalc-interpreter="ID"
// data-perfcalc-worker="shared|dedicated">; tabs served by one shared worker
// show the same interpreter id.
// A cold start means the build's snapshot could not be used: said once, in
// the console, with the reason; the page works the same, only later.
function started(msg) {
  root.dataset.perfcalcStart = msg.start;
  root.dataset.perfcalcInterpreter = msg.interpreter;
  root.dataset.perfcalcWorker = kind;
  root.dataset.perfcalcBoot = JSON.stringify(msg.timings || {});
  if (msg.start !== "snapshot") console.warn(`perfcalc: Python started without its snapshot, more slowly (${msg.reason})`);
  watchLife(msg.lock);
  setState("ready");
}

// The worker holds a Web Lock while it lives (worker.js); the browser grants
// it to this tab only once the worker has ended (killed, crashed, or closed),
// so a dead worker is noticed at once, without waiting for an answer to time out.
function watchLife(lock) {
  if (!lock || !navigator.locks) return;
  navigator.locks.request(lock, () => fail("stopped", "the Python worker ended")).catch(() => {});
}

function dispatch(msg) {
  if (msg.op === OP.READY) {
    started(msg);
  } else if (msg.op === OP.FAILED) {
    fail(msg.stopped || state === "ready" ? "stopped" : "failed", msg.message);
  } else if (msg.op === OP.PROGRESS || msg.op === OP.DONE) {
    if (msg.traceback) {
      console.error(msg.traceback); // the analysis failed unexpectedly: the details, for a report
      delete msg.traceback;
    }
    const job = jobs.get(msg.id);
    if (!job) return; // dropped: its page is no longer shown
    if (msg.op === OP.DONE) jobs.delete(msg.id);
    (msg.op === OP.DONE ? job.done : job.progress)(msg);
  } else {
    for (const handler of handlers.get(msg.op) || []) handler(msg);
  }
}

// A worker error before it is ready means it could not start; after, that it stopped.
function onWorkerError(event) {
  fail(state === "ready" ? "stopped" : "failed", event.message || "the worker script could not run");
}

/**
 * Take over the worker boot.js started (window.perfcalcWorker): its port, what
 * it said and any error it raised meanwhile. The worker fetches Python's files
 * itself and says when it is ready.
 */
export function start() {
  const handoff = window.perfcalcWorker;
  if (!handoff || !handoff.port) {
    fail("failed", handoff && handoff.errors.length ? handoff.errors[0].message : "the worker was not started");
    return;
  }
  worker = handoff.worker;
  port = handoff.port;
  kind = handoff.kind;
  // boot.js started the port and kept what came before now (a tab beside another: "ready" already).
  const receive = (event) => (event.type === "messageerror" ? fail("stopped", "a message could not be read")
    : dispatch(event.data));
  handoff.onmessage = receive;
  handoff.onerror = onWorkerError;
  for (const error of handoff.errors.splice(0)) onWorkerError(error);
  for (const event of handoff.messages.splice(0)) receive(event);
  setTimeout(() => {
    if (state !== "starting") return;
    slow = true;
    setState("starting", "slow");
  }, SLOW_BOOT_MS);
}

// --- long jobs ------------------------------------------------------------------
// A job (JOB_KINDS in protocol.js) runs in the worker in steps; it answers with
// progress after each step and once with its result. Ids are unique in this tab.

/** Start a job; progress(msg) after each step, done(msg) once (`transfer`: ports among the fields). Returns its id. */
export function startJob(kind, fields, { progress = () => {}, done }, transfer = []) {
  jobCount += 1;
  const id = `${kind}-${jobCount}`;
  jobs.set(id, { progress, done });
  post({ op: OP.JOB, kind, id, ...fields }, transfer);
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
