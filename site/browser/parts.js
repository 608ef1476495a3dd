// A large file read on two cores. The job's worker reads from the start; the
// page's helper (helper.js: its own Python on the other core) reads segments
// from the end backwards, each claimed by the worker just below the last, two
// ahead, and the worker's own reading stops where the lowest claim begins.
// So the two meet wherever their speeds put them: a helper slowed by other
// work on the machine takes fewer segments, and at the end the worker waits
// for at most the segments still out. The segments come back as bytes
// (pickled parts: perfcalc.analyze.Analyzer.part) and are absorbed in file
// order before the summary: the same summary, to the bit, as one reading of
// the whole file. Whatever goes wrong on the helper's side only costs time:
// the worker reads the segments it did not deliver.
import { HELPER } from "./protocol.js";
import { fileSlices } from "./slices.js";

const SLICE_BYTES = 1 << 20; // as the worker reads (worker.js)
// Small enough that the worker rarely waits long at the end, large enough that each segment's own costs
// (a message, a pickle, a join) stay small beside its reading.
const SEGMENT_BYTES = 4 << 20;
const AHEAD = 2; // segments claimed ahead, so the helper never waits for the worker's next answer
// A claim starts beyond what the worker has read and the slice it is reading ahead.
const MIN_GAP_BYTES = 3 * SLICE_BYTES;
// A segment starts after the first newline past its nominal start, looked for this far.
const NEWLINE_WINDOW_BYTES = 1 << 16;
const TICK = Symbol("tick");

const ALONE = (file) => ({ end: () => (file ? file.size : 0), progress: (p) => p, offer: async () => {},
  rest: async () => ({ from: null }), stop() {}, count: () => 1 });

/**
 * The helper's side of one analysis (`key` in the worker's Python `api`), or a stand-in when the page sent
 * no helper. `end()`: where this worker's reading stops (the lowest claim); `progress(p)`: the job's
 * progress with the helper's reading counted in; `offer(done)`: after each slice, start claiming once the
 * helper is ready; `rest(cancelled, report)`: once this worker has read to `end()`, every segment joined in
 * ({from: null}), or where this worker must read on from ({from: byte}), or {cancelled: true}, or {error}
 * (calling `report()` while it waits); `stop()`: the job ended; `count()`: how many interpreters read it (2 once a segment the helper read is joined).
 */
export function parts(port, file, api, key) {
  if (!port || !file) return ALONE(file);
  let state = "starting"; // starting | ready | claiming | closed (no more claims) | unused (no helper)
  let handover = null; // bytes: how the helper reads (analyze_handover)
  let done = 0; // what this worker has read
  const claims = []; // {start, end, part, lines}, from the end of the file backwards
  let current = [0, 0]; // the helper's [bytes, lines] in the segment it is reading
  let failed = false;
  let joined = 0;
  let claiming = null; // the claim being made (a newline is being looked for)

  const lowest = () => (claims.length ? claims[claims.length - 1].start : file.size);
  const outstanding = () => claims.filter((c) => !c.part).length;

  async function claimNext() {
    while (state === "claiming" && !claiming && outstanding() < AHEAD) {
      claiming = nextClaim().catch(() => false).finally(() => { claiming = null; });
      if (!(await claiming)) state = "closed";
    }
  }

  async function nextClaim() {
    const end = lowest();
    const nominal = end - SEGMENT_BYTES;
    if (nominal - done < MIN_GAP_BYTES) return false; // the worker is about to get there itself
    const window = new Uint8Array(await file.slice(nominal, nominal + NEWLINE_WINDOW_BYTES).arrayBuffer());
    const start = nominal + window.indexOf(10) + 1;
    if (window.indexOf(10) < 0 || start >= end || start - done < MIN_GAP_BYTES || state !== "claiming") return false;
    claims.push({ start, end, part: null, lines: 0 });
    port.postMessage({ op: HELPER.PART, file, start, end, handover: handover.slice() });
    return true;
  }

  port.onmessage = ({ data }) => {
    if (data.op === HELPER.READY && state === "starting") state = "ready";
    else if (data.op === HELPER.PROGRESS) current = [data.done, data.lines];
    else if (data.op === HELPER.PART) {
      const claim = claims.find((c) => c.start === data.start && !c.part);
      if (claim) [claim.part, claim.lines, claim.helped] = [data.part, current[1], true];
      current = [0, 0];
      claimNext();
    } else if (data.op === HELPER.FAILED) {
      failed = true;
      state = "unused";
      current = [0, 0];
    }
  };

  async function offer(read) {
    done = read;
    if (state !== "ready" && state !== "starting") return;
    const given = api.analyze_handover(key); // undefined until the format is known
    if (given === false) stop(); // a format (or a gzip file) read in one part only: let the helper go, started or not
    if (given && state === "starting") given.destroy();
    if (!given || state !== "ready") return;
    handover = given.toJs();
    given.destroy();
    state = "claiming";
    await claimNext();
  }

  // A segment the helper did not deliver, read here into a part of its own (as the helper would have).
  async function readHere(claim, cancelled, report) {
    const id = `${key}/${claim.start}`;
    api.part_begin(id, handover);
    let read = 0;
    for await (const slice of fileSlices(file, SLICE_BYTES, claim.start, () => claim.end)) {
      if (cancelled()) {
        api.part_cancel(id);
        return false;
      }
      const fed = JSON.parse(api.part_feed(id, slice));
      read += slice.length;
      current = [read, fed.lines_read];
      report();
    }
    const proxy = api.part_end(id);
    [claim.part, claim.lines] = [proxy.toJs(), current[1]];
    proxy.destroy();
    current = [0, 0];
    return true;
  }

  async function rest(cancelled, report) {
    if (state === "claiming") state = "closed";
    while (claiming) await claiming;
    for (;;) { // the segments still out: a Stop still stops, a failed helper's are read here
      if (failed || !outstanding()) break;
      const waited = await new Promise((resolve) => setTimeout(resolve, 50, TICK));
      if (waited === TICK && cancelled()) return { cancelled: true };
      report();
    }
    const inOrder = [...claims].reverse();
    for (const claim of inOrder) {
      if (!claim.part && !(await readHere(claim, cancelled, report))) return { cancelled: true };
    }
    for (const claim of inOrder) {
      const answer = JSON.parse(api.analyze_absorb(key, claim.part));
      if (answer.error) return answer;
      if (!answer.absorbed) { // not exactly: the rest of the file is read here, from this segment on
        claims.length = 0;
        return { from: claim.start };
      }
      joined += claim.helped ? 1 : 0;
    }
    return { from: null }; // (with no claim, this worker has read to the end itself)
  }

  function stop() {
    if (state !== "unused") port.postMessage({ op: HELPER.STOP });
    state = "unused";
    port.close();
  }

  function progress(p) {
    const delivered = claims.filter((c) => c.part);
    const bytes = delivered.reduce((sum, c) => sum + c.end - c.start, 0) + current[0];
    const lines = delivered.reduce((sum, c) => sum + c.lines, 0) + current[1];
    return { done: p.done + bytes, total: p.total, progress: { ...p.progress, lines_read: p.progress.lines_read + lines } };
  }

  return { end: lowest, progress, offer, rest, stop, count: () => (joined ? 2 : 1) };
}
