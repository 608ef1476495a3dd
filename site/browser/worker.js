// The page's Web Worker: Pyodide with perfcalc, started once per tab by the
// page's controller (connection.js). Python never runs on the page's main
// thread; this file is the only place that knows how Python is loaded
// (Pyodide's own loadPyodide, no PyScript: see ARCHITECTURE.md, "The browser
// runtime"), so a change of runtime touches this file alone.
//
// The messages are named in protocol.js, which the page imports too.
// A worker loaded from a same-origin file has its own (empty) content
// security policy, which is why any eval the runtime needs happens here and
// never on the page.
import { loadPyodide } from "../vendor/pyodide/pyodide.mjs";
import { OP, JOB_KINDS } from "./protocol.js";

let api = null;
let ready = null;

// The page fetched the runtime's big files (its preloads) and sends their
// bytes here; Pyodide asks for them with fetch(), so fetch answers from those
// bytes instead of downloading them a second time.
const delivered = new Map(); // URL -> {promise, resolve}
const TYPES = { wasm: "application/wasm" };

function expect(url) {
  if (!delivered.has(url)) {
    let resolve;
    const promise = new Promise((done) => { resolve = done; });
    delivered.set(url, { promise, resolve });
  }
  return delivered.get(url);
}

const networkFetch = globalThis.fetch.bind(globalThis);
globalThis.fetch = (resource, init) => {
  const url = typeof resource === "string" ? resource : resource instanceof URL ? resource.href : resource.url;
  const entry = delivered.get(new URL(url, location.href).href);
  return entry ? entry.promise : networkFetch(resource, init);
};

// A file the page could not fetch fails the boot at once (Emscripten would only log it).
let failDelivery;
const deliveryFailed = new Promise((_, reject) => { failDelivery = reject; });
deliveryFailed.catch(() => {});

function deliver({ url, bytes, error }) {
  if (error) failDelivery(new Error(error));
  const kind = Object.keys(TYPES).find((k) => url.endsWith(`.${k}`));
  const headers = { "Content-Type": TYPES[kind] || "application/octet-stream" };
  expect(url).resolve(error ? new Response(error, { status: 404, statusText: error })
    : new Response(bytes, { status: 200, headers }));
}

async function bytesOf(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} could not be loaded (${response.statusText || response.status})`);
  return response.arrayBuffer();
}

async function boot({ files }) {
  for (const url of Object.values(files)) expect(url);
  const wheel = bytesOf(files.wheel);
  const deps = bytesOf(files.deps);
  wheel.catch(() => {});
  deps.catch(() => {});
  const indexURL = new URL("./", files.wasm).href;
  const pyodide = await loadPyodide({ indexURL, stdout: () => {}, stderr: (text) => console.warn(text) });
  pyodide.unpackArchive(await wheel, "wheel");
  pyodide.unpackArchive(await deps, "zip", { extractDir: "/home/pyodide/perfcalc-site" });
  pyodide.runPython("import sys; sys.path.insert(0, '/home/pyodide/perfcalc-site')");
  api = pyodide.pyimport("perfcalc_worker");
}

// Charts are drawn after the outputs, and only for the latest values of each
// form, once no request has arrived for a moment: a drawing (up to ~40 ms for
// the cache-size sweep) would otherwise sit in front of the next keystroke's
// outputs, and during a burst of typing it would draw values already replaced.
const CHART_SETTLE_MS = 100;
const pendingCharts = new Map();
let drawTimer = null;

function drawPending() {
  const requests = [...pendingCharts.values()];
  pendingCharts.clear();
  for (const msg of requests) {
    try {
      const chart = JSON.parse(api.chart(JSON.stringify({ calculator: msg.calculator, values: msg.values })));
      postMessage({ op: OP.CHART, gen: msg.gen, key: msg.key, seq: msg.seq, chart });
    } catch (error) {
      postMessage({ op: OP.ERROR, gen: msg.gen, key: msg.key, message: String(error) });
    }
  }
}

function view(msg) {
  const answer = JSON.parse(api.view(JSON.stringify({ calculator: msg.calculator, values: msg.values,
    changed: msg.changed })));
  postMessage({ op: OP.VIEW, gen: msg.gen, key: msg.key, seq: msg.seq, view: answer });
  const chartKey = `${msg.gen}/${msg.key}`;
  if (answer.chart && msg.chart) {
    pendingCharts.set(chartKey, msg);
    clearTimeout(drawTimer);
    drawTimer = setTimeout(drawPending, CHART_SETTLE_MS);
  } else {
    pendingCharts.delete(chartKey);
  }
}

// --- long jobs (protocol.js, JOB_KINDS) -------------------------------------------
// A job runs in steps; between two steps it posts its progress, yields (so the
// page's keystrokes are answered meanwhile) and stops if it was cancelled.
// Each kind is a function (msg, job) that returns the fields of its answer.
const cancelled = new Set();

// A reader's file is read in slices, so a million-line log never sits in
// memory whole and the worker answers keystrokes between slices.
const ANALYSIS_SLICE_BYTES = 1 << 20;

async function analyze({ id, name, options, file, text }, job) {
  const begun = JSON.parse(api.analyze_begin(id, name, JSON.stringify(options || {})));
  if (begun.error) return { error: begun.error };
  const total = file ? file.size : text.length;
  for (let start = 0; start < total; start += ANALYSIS_SLICE_BYTES) {
    if (job.cancelled()) {
      api.analyze_cancel(id);
      return { cancelled: true };
    }
    const slice = file ? new Uint8Array(await file.slice(start, start + ANALYSIS_SLICE_BYTES).arrayBuffer())
      : text.slice(start, start + ANALYSIS_SLICE_BYTES);
    const fed = JSON.parse(api.analyze_feed(id, slice));
    if (fed.error) return { error: fed.error };
    job.progress({ done: Math.min(start + ANALYSIS_SLICE_BYTES, total), total, progress: fed.progress });
    if (!file) await new Promise((resolve) => setTimeout(resolve, 0)); // let keystrokes in between
  }
  return JSON.parse(api.analyze_finish(id));
}

const JOBS = { [JOB_KINDS.ANALYZE]: analyze };

async function runJob(msg) {
  const started = performance.now();
  const { id } = msg;
  const job = {
    progress: (fields) => postMessage({ op: OP.PROGRESS, id, ...fields }),
    cancelled: () => cancelled.delete(id),
  };
  let answer;
  try {
    if (!JOBS[msg.kind]) throw new Error(`no job called ${msg.kind}`);
    answer = await JOBS[msg.kind](msg, job);
  } catch (error) {
    answer = { error: String(error) };
  }
  // An unexpected failure: the page gets a plain sentence, the console the traceback.
  if (answer && answer.traceback) {
    console.error(answer.traceback);
    delete answer.traceback;
  }
  cancelled.delete(id);
  postMessage({ op: OP.DONE, id, seconds: (performance.now() - started) / 1000, ...answer });
}

function handle(msg) {
  switch (msg.op) {
    case OP.VIEW:
      view(msg);
      break;
    case OP.LINK:
      postMessage({ op: OP.LINK, gen: msg.gen, answer: JSON.parse(api.read_link(JSON.stringify(msg))) });
      break;
    case OP.WARM:
      api.warm();
      break;
    case OP.JOB:
      runJob(msg);
      break;
    case OP.CANCEL:
      cancelled.add(msg.id);
      break;
  }
}

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.op === OP.FILE) {
    deliver(msg);
    return;
  }
  if (msg.op === OP.INIT) {
    if (ready) return;
    ready = Promise.race([boot(msg), deliveryFailed]);
    ready.then(
      () => postMessage({ op: OP.READY }),
      (error) => postMessage({ op: OP.FAILED, message: String(error && error.message || error) }),
    );
    return;
  }
  try {
    await ready; // messages sent during boot wait here, in order
  } catch {
    return;
  }
  try {
    handle(msg);
  } catch (error) {
    postMessage({ op: OP.ERROR, gen: msg.gen, key: msg.key, message: String(error) });
  }
};
