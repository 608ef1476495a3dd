// Build step: a Workbox service worker that precaches the whole built site,
// runtime included, so every page and calculator works offline after one visit.
// Revisions are content hashes: a new build changes sw.js, the browser installs
// it, and outdated precaches are deleted.
import { generateSW } from "workbox-build";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node build-sw.mjs PUBLIC_DIR");
  process.exit(2);
}

const { count, size, warnings } = await generateSW({
  globDirectory: dir,
  globPatterns: ["**/*.{html,js,mjs,css,json,wasm,zip,whl,py,svg,png,ico,webmanifest,xml,txt,woff2}"],
  globIgnores: ["sw.js", "workbox-*.js"],
  swDest: `${dir}/sw.js`,
  // pyodide.asm.wasm (~10 MB) and python_stdlib.zip are far over Workbox's 2 MB default.
  maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
  // Query strings (shared scenarios) must still find the precached page.
  ignoreURLParametersMatching: [/.*/],
  directoryIndex: "index.html",
  navigateFallback: null,
  cleanupOutdatedCaches: true,
  clientsClaim: true,
  skipWaiting: true,
  inlineWorkboxRuntime: true,
  sourcemap: false,
  cacheId: "perfcalc",
  mode: "production",
});
for (const w of warnings) console.warn(`workbox: ${w}`);
console.log(`service worker: ${count} files, ${(size / 1048576).toFixed(1)} MB precached`);
