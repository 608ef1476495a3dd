// How Python starts in the worker: the only file that knows Pyodide's loading
// API (so a change of runtime touches this file alone), used by worker.js in
// the browser and, at build time, by site/make-snapshot.mjs under Node.
//
// From a memory snapshot (py/python-snapshot.gz, made at build time by the
// same code, from the same vendored Pyodide): the interpreter's memory as it
// was once perfcalc and what the first answers need were imported, restored
// instead of booting Python and importing again. Any problem with it (absent,
// corrupted: gzip's CRC; made by another Pyodide build: Pyodide's build-id
// check; a restored interpreter that does not answer) and Python boots cold
// instead, saying why. Either way the files are fetched here, once, and a
// file that cannot be fetched fails the start at once.
//
// Pyodide's own modules (1.2 MB of JavaScript to fetch and compile) are
// imported only once the downloads of Python's files have begun: imported
// statically, they would hold every download back until they had loaded.
const pyodideModules = () => Promise.all([import("../vendor/pyodide/pyodide.mjs"),
  import("../vendor/pyodide/pyodide.asm.mjs")]).then(([{ loadPyodide }, asm]) => ({ loadPyodide,
  createPyodideModule: asm.default }));

const PYODIDE = new URL("../vendor/pyodide/", import.meta.url).href;
export const FILES = Object.freeze({
  wasm: `${PYODIDE}pyodide.asm.wasm`,
  stdlib: `${PYODIDE}python_stdlib.zip`,
  python: new URL("../py/perfcalc.zip", import.meta.url).href,
  snapshot: new URL("../py/python-snapshot.gz", import.meta.url).href,
});
// Where the browser's Python (py/perfcalc.zip) is put: Python imports from the
// archive itself (zipimport), so nothing is unpacked.
const ARCHIVE = "/home/pyodide/perfcalc.zip";

/** Put the browser's Python in the interpreter's file system, and (unless restored, where it is) on sys.path. */
export function install(pyodide, python, { addToPath = true } = {}) {
  pyodide.FS.writeFile(ARCHIVE, python);
  if (addToPath) pyodide.runPython(`import sys; sys.path.insert(0, ${JSON.stringify(ARCHIVE)})`);
}

async function fetched(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} could not be loaded (${response.status} ${response.statusText})`.trim());
  return response;
}

// Compiled as it downloads, from the response itself (so the browser can keep
// the compiled code for next time); a server that does not say application/wasm
// gets the slower path.
async function compiled(url) {
  const response = await fetched(url);
  if ((response.headers.get("Content-Type") || "").startsWith("application/wasm")) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

// The snapshot is gzipped (about a quarter of its size; the stream checks gzip's
// CRC). A host that serves it with Content-Encoding: gzip hands over the raw
// bytes already, so the first two bytes decide.
async function inflated(url) {
  const reader = (await fetched(url)).body.getReader();
  const first = await reader.read();
  const stream = new ReadableStream({
    start(controller) {
      if (first.done) controller.close();
      else controller.enqueue(first.value);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  const gzipped = !first.done && first.value[0] === 0x1f && first.value[1] === 0x8b;
  try {
    return new Uint8Array(await new Response(gzipped ? stream.pipeThrough(new DecompressionStream("gzip")) : stream)
      .arrayBuffer());
  } catch (error) {
    throw new Error(`${url} is damaged: its gzip stream does not check out (${error.message || error})`);
  }
}

// Pyodide fetches the wasm and the standard library itself; it gets the bytes
// fetched here (and the module compiled here), so nothing downloads twice.
function serveTo(pyodideFetch, files) {
  globalThis.fetch = (resource, init) => {
    const url = new URL(typeof resource === "string" ? resource : resource.url || String(resource), location.href).href;
    if (url === FILES.wasm) return Promise.resolve(new Response(new ArrayBuffer(0)));
    if (url === FILES.stdlib) return files.stdlib.then((bytes) => new Response(bytes));
    return pyodideFetch(resource, init);
  };
  WebAssembly.instantiateStreaming = async (_response, imports) => {
    const module = await files.wasm;
    return { module, instance: await WebAssembly.instantiate(module, imports) };
  };
}

// The snapshot's heap is written over the new interpreter's memory, which
// Pyodide 314 does not grow to fit (pyodide/pyodide#6254): grow it first.
function growingTo(createPyodideModule, heapBytes) {
  return (settings) => {
    settings.preRun.push((Module) => Module.growMemory(heapBytes));
    return createPyodideModule(settings);
  };
}

function heapBytesOf(snapshot) {
  const header = new Uint32Array(snapshot.buffer, snapshot.byteOffset, 4);
  return snapshot.byteLength - header[1];
}

const quiet = { stdout: () => {}, stderr: (text) => console.warn(text) };

/**
 * Restore a snapshot (the inflated bytes of python-snapshot.gz) and put the
 * browser's Python (the bytes of perfcalc.zip) back in its file system: the
 * interpreter as the build left it, reseeded (perfcalc_worker.restored).
 * Returns {pyodide, api: perfcalc_worker}. Throws if the snapshot is not for
 * this Pyodide or the restored interpreter does not answer.
 */
export async function restore(snapshot, python) {
  const { loadPyodide, createPyodideModule } = await pyodideModules();
  const pyodide = await loadPyodide({ ...quiet, _loadSnapshot: snapshot,
    createPyodideModule: growingTo(createPyodideModule, heapBytesOf(snapshot)) });
  install(pyodide, python, { addToPath: false });
  const api = pyodide.pyimport("perfcalc_worker");
  api.restored();
  // A restored interpreter that cannot answer is not used.
  const probe = JSON.parse(api.view(JSON.stringify({ calculator: "amdahl", values: {} })));
  if (!probe.ok) throw new Error("the restored interpreter answered wrongly");
  return { pyodide, api };
}

async function fromSnapshot(files) {
  return (await restore(await files.snapshot, await files.python)).api;
}

async function cold(files) {
  const { loadPyodide } = await pyodideModules();
  const pyodide = await loadPyodide(quiet);
  install(pyodide, await files.python);
  return pyodide.pyimport("perfcalc_worker");
}

/**
 * Start Python: {api: perfcalc_worker, start: "snapshot" | "cold", reason, timings}.
 * `reason` says why the snapshot was not used; `timings`, in milliseconds
 * from the start, when each file was ready and when Python answered. Rejects if a file Python needs
 * cannot be fetched, or Python cannot start at all.
 */
export async function startPython() {
  const began = performance.now();
  const timings = {}; // milliseconds from the worker's start to each file ready, and to Python answering
  const timed = (name, promise) => promise.then((value) => {
    timings[name] = Math.round(performance.now() - began);
    return value;
  });
  const bytes = (url) => fetched(url).then((response) => response.arrayBuffer());
  const files = { wasm: timed("wasm", compiled(FILES.wasm)), stdlib: timed("stdlib", bytes(FILES.stdlib)),
    snapshot: timed("snapshot", inflated(FILES.snapshot)), python: bytes(FILES.python).then((b) => new Uint8Array(b)) };
  for (const file of Object.values(files)) file.catch(() => {});
  timed("pyodide", pyodideModules()).catch(() => {}); // now that the downloads have begun
  // Without one of these Python cannot start (and Pyodide would wait forever
  // for a wasm that failed): `missing` rejects as soon as one fails.
  const needed = Promise.all([files.wasm, files.stdlib, files.python]);
  const missing = needed.then(() => new Promise(() => {}));
  const attempt = (start) => Promise.race([start(files), missing]);
  const networkFetch = globalThis.fetch;
  const instantiateStreaming = WebAssembly.instantiateStreaming;
  serveTo(networkFetch, files);
  try {
    try {
      return { api: await timed("python", attempt(fromSnapshot)), start: "snapshot", timings };
    } catch (error) {
      await needed; // a file Python needs is missing: that is the failure
      const reason = String((error && error.message) || error).split("\n")[0];
      return { api: await timed("python", attempt(cold)), start: "cold", reason, timings };
    }
  } finally {
    globalThis.fetch = networkFetch;
    WebAssembly.instantiateStreaming = instantiateStreaming;
  }
}

/**
 * Build time, under Node: the interpreter as the worker restores it, with the
 * browser's Python installed and prepared (perfcalc_worker.prepare), as the
 * bytes of a memory snapshot. `options` are loadPyodide's (the caller makes
 * the run deterministic).
 */
export async function makeSnapshot(python, options = {}) {
  const { loadPyodide } = await pyodideModules();
  const pyodide = await loadPyodide({ ...quiet, ...options, _makeSnapshot: true });
  install(pyodide, python);
  const report = JSON.parse(pyodide.pyimport("perfcalc_worker").prepare());
  return { snapshot: pyodide.makeMemorySnapshot(), report };
}
