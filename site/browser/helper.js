// A large file's second reader: a dedicated worker the page starts beside an
// analyze job (analysis.js), with its own Python on the other core. It starts
// Python as the main worker does (interpreter.js: the build's snapshot, or
// cold) and says so on the channel the page hands it; the job's worker then
// sends it segments of the file to read (parts.js), two ahead, and takes each
// back as bytes. Messages: protocol.js, HELPER. The page ends it when the job
// is done.
import { HELPER } from "./protocol.js";
import { startPython } from "./interpreter.js";
import { fileSlices } from "./slices.js";

const SLICE_BYTES = 1 << 20; // as the worker reads (worker.js)
const PART = "part";

async function readPart(api, port, { file, start, end, handover }, stopped) {
  api.part_begin(PART, handover);
  let done = 0;
  for await (const slice of fileSlices(file, SLICE_BYTES, start, () => end)) {
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
  port.postMessage({ op: HELPER.PART, start, part }, [part.buffer]);
}

async function serve(port) {
  let stop = false;
  let queue = Promise.resolve(); // segments are read one after another, in the order they were given
  port.onmessage = ({ data }) => {
    if (data.op === HELPER.STOP) {
      stop = true;
      self.close(); // its interpreter's memory goes now, not when the page ends the job
      return;
    }
    if (data.op !== HELPER.PART) return;
    queue = queue.then(async () => {
      if (stop) return;
      try {
        await readPart(api, port, data, () => stop);
      } catch (error) {
        stop = true; // one failure ends the helper's work: the worker reads what is left
        api.part_cancel(PART);
        port.postMessage({ op: HELPER.FAILED, message: String((error && error.message) || error) });
      }
    });
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
