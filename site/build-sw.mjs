// Bundle step: the service worker. workbox-build lists every file of the
// built site with a content hash (so a new build replaces only what changed),
// and the list goes into our worker (site/browser/sw.js), with the path the
// pages were built for. The same sources give the same sw.js, byte for byte.
import { readFileSync, writeFileSync } from "node:fs";
import { getManifest } from "workbox-build";

const [dir, source, sitePath] = process.argv.slice(2);
if (!dir || !source || !sitePath) {
  console.error("usage: node build-sw.mjs PUBLIC_DIR SW_SOURCE SITE_ROOT_PATH");
  process.exit(2);
}

const { manifestEntries, count, size, warnings } = await getManifest({
  globDirectory: dir,
  globPatterns: ["**/*.{html,js,mjs,css,json,wasm,zip,whl,svg,png,ico,webmanifest,xml,txt,woff2}", "py/*.gz"],
  globIgnores: ["sw.js"],
  // pyodide.asm.wasm (~10 MB), python_stdlib.zip and the Python snapshot are far over Workbox's 2 MB default.
  maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
});
for (const w of warnings) console.warn(`workbox: ${w}`);
const entries = manifestEntries
  .map(({ url, revision }) => ({ url, revision }))
  .sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
const worker = readFileSync(source, "utf8")
  .replace('"__PRECACHE_MANIFEST__"', JSON.stringify(entries))
  .replace('"__SITE_ROOT_PATH__"', JSON.stringify(sitePath));
writeFileSync(`${dir}/sw.js`, worker);
console.log(`service worker: ${count} files, ${(size / 1048576).toFixed(1)} MB precached`);
