// A large file read on two cores: the worker's analyze job reads from the
// start, and once the page's helper (helper.js, protocol.js HELPER) has its
// own Python running, hands it the second half of what is left, from a line
// boundary; the worker's own reading then stops there. The helper's part is
// absorbed before the summary (perfcalc.analyze.Analyzer.absorb): the same
// summary, to the bit, as one reading of the whole file. Whatever goes wrong
// on the helper's side (it cannot start, fails, or its part cannot be joined
// exactly) only costs time: the worker reads the rest itself.
import { HELPER } from "./protocol.js";

// Less than this left to read when the helper is ready: it is read here sooner than handed over and joined.
const MIN_REST_BYTES = 16 << 20;
// Where the helper starts is the first newline after the middle of what is left, looked for this far.
const NEWLINE_WINDOW_BYTES = 1 << 16;
const TICK = Symbol("tick");

/**
 * The helper's side of one analysis (`key` in the worker's Python `api`), or a stand-in when the page sent
 * no helper. `end(file)`: where this worker's reading stops; `progress(p)`: the job's progress with the
 * helper's part counted in; `offer(done)`: after each slice, hand the rest over if the helper is ready;
 * `rest(cancelled, report)`: once this worker has read its part, the helper's joined in ({from: null}),
 * or where this worker must read on from ({from: byte}), or {cancelled: true}, or {error} (calling
 * `report()` while it waits); `stop()`: the job ended; `count()`: in how many parts the file was read.
 */
export function parts(port, file, api, key) {
  if (!port || !file) {
    return { end: () => (file ? file.size : 0), progress: (p) => p, offer: async () => {},
      rest: async () => ({ from: null }), stop() {}, count: () => 1 };
  }
  let state = "starting"; // starting | ready | reading | unused
  let at = file.size;
  let helperBytes = 0;
  let helperLines = 0;
  let absorbed = false;
  let arrived;
  const part = new Promise((resolve) => { arrived = resolve; }); // the part's bytes, or null if it failed
  port.onmessage = ({ data }) => {
    if (data.op === HELPER.READY && state === "starting") state = "ready";
    else if (data.op === HELPER.PROGRESS) [helperBytes, helperLines] = [data.done, data.lines];
    else if (data.op === HELPER.PART) arrived(data.part);
    else if (data.op === HELPER.FAILED) {
      arrived(null); // (if it was reading, this worker reads its part instead)
      state = "unused";
      helperBytes = helperLines = 0;
    }
  };
  const stop = () => {
    if (state !== "unused") port.postMessage({ op: HELPER.STOP });
    state = "unused";
    port.close();
  };

  async function offer(done) {
    if (state !== "ready") return;
    const handover = api.analyze_handover(key); // undefined until the format is known
    if (handover === false) stop(); // a format (or a gzip file) read in one part only: the helper is not needed
    if (!handover) return;
    const middle = done + Math.floor((file.size - done) / 2);
    const window = new Uint8Array(await file.slice(middle, middle + NEWLINE_WINDOW_BYTES).arrayBuffer());
    const newline = window.indexOf(10);
    if (file.size - done < MIN_REST_BYTES || newline < 0) {
      handover.destroy();
      stop();
      return;
    }
    at = middle + newline + 1;
    state = "reading";
    const bytes = handover.toJs();
    handover.destroy();
    port.postMessage({ op: HELPER.PART, file, start: at, handover: bytes }, [bytes.buffer]);
  }

  async function rest(cancelled, report) {
    if (state !== "reading") return { from: at };
    let bytes;
    for (;;) { // waiting for the helper's part, a Stop still stops
      const waited = await Promise.race([part, new Promise((resolve) => setTimeout(resolve, 100, TICK))]);
      if (waited !== TICK) {
        bytes = waited;
        break;
      }
      if (cancelled()) return { cancelled: true };
      report();
    }
    const joined = bytes ? JSON.parse(api.analyze_absorb(key, bytes)) : { absorbed: false };
    if (joined.error) return joined;
    if (joined.absorbed) {
      absorbed = true;
      return { from: null };
    }
    helperBytes = helperLines = 0; // read again here
    return { from: at };
  }

  return {
    end: () => at,
    progress: (p) => ({ done: p.done + helperBytes, total: p.total,
      progress: { ...p.progress, lines_read: p.progress.lines_read + helperLines } }),
    offer,
    rest,
    stop,
    count: () => (absorbed ? 2 : 1),
  };
}
