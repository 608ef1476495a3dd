// Build step: the memory snapshot the worker restores instead of booting
// Python (py/python-snapshot.gz). It runs the built site's own worker module
// (runtime/interpreter.js) with the site's own vendored Pyodide under Node:
// Pyodide boots, the browser's Python (py/perfcalc.zip) is installed and perfcalc_worker.prepare() imports what the first answers
// need; the interpreter's memory is then saved and gzipped.
//
// Byte-identical for identical sources: everything that would differ between
// two runs is fixed while it runs: the entropy Python and its allocator draw
// (a fixed sequence), the clocks, the hash seed (PYTHONHASHSEED=0), the time
// zone, the language and the program's name. In the browser the worker then
// reseeds Python's random generators from the reader's own entropy
// (perfcalc_worker.restored); str hashes keep the fixed seed, like any
// snapshot's (see ARCHITECTURE.md).
//
// Usage: node make-snapshot.mjs PUBLIC_DIR   (prints a one-line report)
import crypto from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const [site] = process.argv.slice(2);
if (!site) {
  console.error("usage: node make-snapshot.mjs PUBLIC_DIR");
  process.exit(2);
}

process.env.TZ = "UTC";
let seed = 0x9e3779b9; // xorshift32: a fixed sequence instead of entropy
function fill(view) {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  for (let i = 0; i < bytes.length; i += 1) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    bytes[i] = seed & 0xff;
  }
  return view;
}
crypto.randomFillSync = fill;
globalThis.crypto.getRandomValues = fill;
let now = 0; // milliseconds since the build's epoch, one microsecond a reading
performance.now = () => (now += 0.001);
Date.now = () => 1577836800000 + now; // 2020-01-01, like the archives' dates

const read = (path) => new Uint8Array(readFileSync(`${site}/${path}`));
const { makeSnapshot } = await import(pathToFileURL(`${site}/runtime/interpreter.js`).href);
const { snapshot, report } = await makeSnapshot(read("py/perfcalc.zip"), {
  env: { PYTHONHASHSEED: "0", LANG: "C.UTF-8" },
  _sysExecutable: "./this.program", // the name the browser gives it
});
const packed = gzipSync(snapshot, { level: 9 });
writeFileSync(`${site}/py/python-snapshot.gz`, packed);
console.log(`python snapshot: ${(snapshot.length / 1048576).toFixed(1)} MB of memory, `
  + `${(packed.length / 1048576).toFixed(1)} MB gzipped, ${report.modules} modules imported`);
