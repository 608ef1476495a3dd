// A large file's second reader: a dedicated worker the page starts beside an
// analyze job (analysis.js), with its own Python on the other core. It starts
// Python as the main worker does (interpreter.js: the build's snapshot, or
// cold) and says so on the channel the page hands it; the job's worker then
// sends it the part of the file to read (parts.js) and takes the part back as
// bytes. Messages: protocol.js, HELPER. It reads one part and is ended by the
// page when the job is done.
import { HELPER } from "./protocol.js";
import { startPython } from "./interpreter.js";
import { fileSlices } from "./slices.js";

const SLICE_BYTES = 1 << 20; // as the worker reads (worker.js)
const PART = "part";

async function readPart(api, port, { file, start, handover }, stopped) {
  api.part_begin(PART, handover);
  let done = 0;
  for await (const slice of fileSlices(file, SLICE_BYTES, start)) {
    if (stopped()) {
      api.part_cancel(PART);
      return;
    }
    const progress = JSON.parse(api.part_feed(PART, slice));
    done += slice.length;
    port.postMessage({ op: HELPER.PROGRESS, done, lines: progress.lines_read });
  }
  const proxy = api.part_end(PART);
  const part = proxy.toJs(); // a copy of the bytes, out of Python's memory
  proxy.destroy();
  port.postMessage({ op: HELPER.PART, part }, [part.buffer]);
}

async function serve(port) {
  let stop = false;
  port.onmessage = async ({ data }) => {
    if (data.op === HELPER.STOP) stop = true;
    if (data.op !== HELPER.PART || stop) return;
    try {
      await readPart(api, port, data, () => stop);
    } catch (error) {
      api.part_cancel(PART);
      port.postMessage({ op: HELPER.FAILED, message: String((error && error.message) || error) });
    }
  };
  let api;
  try {
    ({ api } = await startPython());
  } catch (error) {
    port.postMessage({ op: HELPER.FAILED, message: String((error && error.message) || error) });
    return;
  }
  port.postMessage({ op: HELPER.READY });
}

self.addEventListener("message", (event) => {
  if (event.data && event.data.op === HELPER.SERVE && event.ports[0]) serve(event.ports[0]);
});
