// The Python worker: Pyodide with perfcalc, started by the page's boot.js. It
// is a SharedWorker serving every open tab of the site (one interpreter for
// all), or, where SharedWorker does not exist, a dedicated worker serving its
// tab alone; the code is the same. Each tab is a client with its own port and
// its own state (chart requests, jobs, cancellations); a tab that goes away
// has its jobs cancelled, and nothing else. Python never runs on the page's
// main thread. How Python starts (from the build's memory snapshot, or cold)
// is interpreter.js's business; the messages are named in protocol.js, which
// the page imports too.
//
// A worker loaded from a same-origin file has its own (empty) content
// security policy, which is why any eval the runtime needs happens here and
// never on the page.
import { OP, JOB_KINDS } from "./protocol.js";
import { startPython } from "./interpreter.js";
import { fileSlices, textSlices } from "./slices.js";
import { parts } from "./parts.js";

// Handed to every tab with READY: which interpreter answers it (tabs sharing it see the same id).
const INTERPRETER = crypto.randomUUID ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

// A Web Lock held for the worker's whole life, named with READY: the browser
// releases it when the worker ends (closed, killed, crashed), and each tab
// waiting for it then knows at once that its answers will not come, rather
// than after a silence (connection.js). Without Web Locks, only the silence tells.
const LIFE_LOCK = `${self.name || "perfcalc"}-interpreter-${INTERPRETER}`;
const alive = !navigator.locks ? Promise.resolve(null) : new Promise((resolve) => {
  navigator.locks.request(LIFE_LOCK, () => {
    resolve(LIFE_LOCK);
    return new Promise(() => {}); // never released while the worker lives
  }).catch(() => resolve(null));
});

let api = null;
const started = Promise.all([startPython(), alive]).then(([python, lock]) => {
  api = python.api;
  return { ...python, lock };
});
started.catch(() => {});

// --- charts ---------------------------------------------------------------------
// Charts are drawn after the outputs, and only for the latest values of each
// form, once no request has arrived for a moment: a drawing (up to ~40 ms for
// the cache-size sweep) would otherwise sit in front of the next keystroke's
// outputs, and during a burst of typing it would draw values already replaced.
const CHART_SETTLE_MS = 100;
const pendingCharts = new Map(); // client id / gen / form key -> [client, request]
let drawTimer = null;

function drawPending() {
  const requests = [...pendingCharts.values()];
  pendingCharts.clear();
  for (const [client, msg] of requests) {
    try {
      const chart = JSON.parse(api.chart(JSON.stringify({ calculator: msg.calculator, values: msg.values })));
      client.post({ op: OP.CHART, gen: msg.gen, key: msg.key, seq: msg.seq, chart });
    } catch (error) {
      client.post({ op: OP.ERROR, gen: msg.gen, key: msg.key, message: String(error) });
    }
  }
}

function view(client, msg) {
  const answer = JSON.parse(api.view(JSON.stringify({ calculator: msg.calculator, values: msg.values,
    changed: msg.changed })));
  client.post({ op: OP.VIEW, gen: msg.gen, key: msg.key, seq: msg.seq, view: answer });
  const chartKey = `${client.id}/${msg.gen}/${msg.key}`;
  if (answer.chart && msg.chart) {
    pendingCharts.set(chartKey, [client, msg]);
    clearTimeout(drawTimer);
    drawTimer = setTimeout(drawPending, CHART_SETTLE_MS);
  } else {
    pendingCharts.delete(chartKey);
  }
}

// --- long jobs (protocol.js, JOB_KINDS) -------------------------------------------
// A job runs in steps; between two steps it posts its progress, yields (so
// every page's keystrokes are answered meanwhile) and stops if its page
// cancelled it or went away. Each kind is a function (msg, job) that returns
// the fields of its answer.

// A reader's file is read in slices (slices.js), so a million-line log never
// sits in memory whole and the worker answers keystrokes between slices. Larger
// slices mean fewer reads (each costs the worker's thread a few ms) but
// slower parsing: measured on the million-line log, 2 MiB saved 0.1 s of
// reading and cost 0.55 s more in Python than 1 MiB (two pairs of runs).
// A large file comes with a helper from the page, which reads segments of it
// from the end backwards on the other core (parts.js).
const ANALYSIS_SLICE_BYTES = 1 << 20;

async function analyze({ name, options, file, text, helper }, job) {
  const begun = JSON.parse(api.analyze_begin(job.key, name, JSON.stringify(options || {})));
  if (begun.error) return { error: begun.error };
  const pasted = file ? null : textSlices(text, ANALYSIS_SLICE_BYTES);
  const total = file ? file.size : pasted.total;
  const two = parts(helper, file, api, job.key);
  let done = 0;
  let progress = { lines_read: 0 };
  const report = () => job.progress(two.progress({ done, total, progress }));
  const read = async (slices) => {
    for await (const slice of slices) {
      if (job.cancelled()) return { cancelled: true };
      const fed = JSON.parse(api.analyze_feed(job.key, slice));
      if (fed.error) return fed;
      done += slice.length;
      progress = fed.progress;
      report();
      if (file) await two.offer(done);
      else await new Promise((resolve) => setTimeout(resolve, 0)); // let keystrokes in between
    }
    return null;
  };
  try {
    let stopped = await read(file ? fileSlices(file, ANALYSIS_SLICE_BYTES, 0, two.end) : pasted.slices);
    if (!stopped) {
      const rest = await two.rest(job.cancelled, report); // the helper's segments joined, or where to read on from
      if (rest.cancelled || rest.error) stopped = rest;
      else if (rest.from !== null && rest.from < total) stopped = await read(fileSlices(file, ANALYSIS_SLICE_BYTES, rest.from));
    }
    if (stopped) {
      api.analyze_cancel(job.key);
      return stopped;
    }
  } finally {
    two.stop();
  }
  return { ...JSON.parse(api.analyze_finish(job.key)), parts: two.count() };
}

// Two runs compared: each file read by analyze() above, its summary kept in
// the worker (not shown), then the comparison in steps; whatever happens, the
// runs and the comparison are forgotten at the end.
const RUNS = ["baseline", "candidate"];

async function compare(msg, job) {
  // Keyed by the job's key, as analyses are: a page's ids are unique in that page, not across tabs.
  const ids = RUNS.map((run) => `${job.key}/${run}`);
  try {
    for (const [i, run] of RUNS.entries()) {
      const { name, options, file } = msg[run];
      const read = await analyze({ name, options: { ...options, keep: true }, file },
        { key: ids[i], progress: (fields) => job.progress({ stage: run, ...fields }), cancelled: job.cancelled });
      if (read.cancelled) return read;
      if (read.error) return { ...read, error: `The ${run} (${name}): ${read.error}` };
    }
    const begun = JSON.parse(api.compare_begin(job.key, ...ids));
    if (begun.error) return begun;
    for (;;) {
      if (job.cancelled()) return { cancelled: true };
      const step = JSON.parse(api.compare_step(job.key));
      if (!("progress" in step)) return step; // {view} or {error}
      job.progress({ stage: "compare", fraction: step.progress });
      await new Promise((resolve) => setTimeout(resolve, 0)); // let keystrokes in between
    }
  } finally {
    api.compare_cancel(job.key, ...ids);
  }
}

const JOBS = { [JOB_KINDS.ANALYZE]: analyze, [JOB_KINDS.COMPARE]: compare };

async function runJob(client, msg) {
  const started = performance.now();
  const { id } = msg;
  client.jobs.add(id);
  const job = {
    key: `${client.id}/${id}`, // ids are unique in a page, not across pages
    progress: (fields) => client.post({ op: OP.PROGRESS, id, ...fields }),
    cancelled: () => client.cancelled.delete(id),
  };
  let answer;
  try {
    if (!JOBS[msg.kind]) throw new Error(`no job called ${msg.kind}`);
    answer = await JOBS[msg.kind](msg, job);
  } catch (error) {
    answer = { error: String(error) };
  }
  // An unexpected failure: the page gets a plain sentence, and the traceback goes with it for the tab's
  // console (connection.js logs it there and drops it: a shared worker's own console is not the tab's).
  client.jobs.delete(id);
  client.cancelled.delete(id);
  client.post({ op: OP.DONE, id, seconds: (performance.now() - started) / 1000, ...answer });
}

// --- the tabs ----------------------------------------------------------------------
const clients = new Set();
let clientCount = 0;
let dropped = 0; // jobs stopped because their tab went away

function runningJobs() {
  let all = 0;
  for (const client of clients) all += client.jobs.size;
  return all;
}

// The tab is gone (closed, reloaded, crashed): its jobs stop at their next
// step, its pending charts are dropped; other tabs' are untouched.
function disconnect(client) {
  if (!clients.delete(client)) return;
  for (const id of client.jobs) client.cancelled.add(id);
  dropped += client.jobs.size;
  for (const [key, [owner]] of pendingCharts) if (owner === client) pendingCharts.delete(key);
  client.port.close();
}

function handle(client, msg) {
  switch (msg.op) {
    case OP.VIEW:
      view(client, msg);
      break;
    case OP.LINK:
      client.post({ op: OP.LINK, gen: msg.gen, answer: JSON.parse(api.read_link(JSON.stringify(msg))) });
      break;
    case OP.WARM:
      api.warm();
      break;
    case OP.JOB:
      runJob(client, msg);
      break;
    case OP.CANCEL:
      if (client.jobs.has(msg.id)) client.cancelled.add(msg.id);
      break;
    case OP.STATE:
      client.post({ op: OP.STATE, interpreter: INTERPRETER, tabs: clients.size,
        jobs: { tab: client.jobs.size, all: runningJobs(), dropped } });
      break;
  }
}

function connect(port) {
  clientCount += 1;
  const client = { id: clientCount, port, jobs: new Set(), cancelled: new Set(),
    post: (message) => port.postMessage(message) };
  clients.add(client);
  port.addEventListener("message", async (event) => {
    const msg = event.data;
    if (msg.op === OP.TAB) {
      // Granted once the tab has let go of it, which the browser does when the tab goes away.
      navigator.locks.request(msg.lock, () => disconnect(client));
      return;
    }
    try {
      await started; // messages sent during boot wait here, in order
    } catch {
      return;
    }
    try {
      handle(client, msg);
    } catch (error) {
      client.post({ op: OP.ERROR, gen: msg.gen, key: msg.key, message: String(error) });
    }
  });
  port.start();
  started.then(
    ({ start, reason, timings, lock }) => client.post({ op: OP.READY, start, reason, timings, lock,
      interpreter: INTERPRETER }),
    (error) => client.post({ op: OP.FAILED, message: String((error && error.message) || error) }),
  );
}

// A shared worker: each tab's port arrives with a connect event.
self.addEventListener("connect", (event) => connect(event.ports[0]));
// A dedicated worker: boot.js hands it one end of a channel; the page keeps the other.
self.addEventListener("message", (event) => {
  if (event.data && event.data.op === OP.CONNECT && event.ports[0]) connect(event.ports[0]);
});
