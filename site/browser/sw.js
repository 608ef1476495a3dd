// The site's service worker: after one visit, every page and calculator works
// offline. site/build-sw.mjs writes it into the built site with the precache
// list (every file of the build and a content hash of each, computed by
// workbox-build) and the path the pages were built for, in place of the two
// placeholders below.
//
// - A new build is a new sw.js (its list changed). It installs next to the
//   running one, downloads only the files whose hash changed, and waits; the
//   page offers "A new version of the guide is available — reload", and the
//   switch happens when the reader accepts (message SKIP_WAITING).
// - A page or file is answered from the cache. If the cache was cleared while
//   this worker kept running, it is answered from the network and the whole
//   precache is downloaded again in the background.
// - Offline, an address the site does not have gets the site's own 404 page,
//   its links (written for the build's site_url) pointed at where the site is.
"use strict";

const MANIFEST = "__PRECACHE_MANIFEST__"; // [{url, revision}], URLs relative to the site's root
const BUILT_FOR = "__SITE_ROOT_PATH__"; // the path of the build's site_url, which the 404 page's links start with
const CACHE = "perfcalc-precache";
const ROOT = new URL(self.registration.scope);
const PARALLEL_DOWNLOADS = 6;

const entries = new Map(MANIFEST.map((entry) => [new URL(entry.url, ROOT).href, entry]));
const keyOf = (entry) => `${new URL(entry.url, ROOT).href}?__perfcalc_revision=${entry.revision}`;
const wanted = new Set(MANIFEST.map(keyOf));

// Download what is not cached yet (unchanged files keep their entry across builds).
async function precache() {
  const cache = await caches.open(CACHE);
  const have = new Set((await cache.keys()).map((request) => request.url));
  const missing = MANIFEST.filter((entry) => !have.has(keyOf(entry)));
  let next = 0;
  async function download() {
    while (next < missing.length) {
      const entry = missing[next++];
      const response = await fetch(new URL(entry.url, ROOT), { cache: "reload" });
      if (!response.ok) throw new Error(`${entry.url} answered ${response.status}`);
      await cache.put(keyOf(entry), response);
    }
  }
  await Promise.all(Array.from({ length: PARALLEL_DOWNLOADS }, download));
}

self.addEventListener("install", (event) => event.waitUntil(precache()));

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    for (const request of await cache.keys()) {
      if (!wanted.has(request.url)) await cache.delete(request); // files of older builds
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
});

let repairing = null;
function repair() {
  // The cache was cleared under a running worker: fetch everything again, once.
  repairing = repairing || precache().finally(() => { repairing = null; });
  return repairing;
}

async function fromPrecache(entry, request, event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(keyOf(entry));
  if (cached) return cached;
  try {
    const response = await fetch(new URL(entry.url, ROOT));
    if (response.ok) {
      await cache.put(keyOf(entry), response.clone());
      event.waitUntil(repair().catch(() => {}));
    }
    return response;
  } catch (error) {
    return request.mode === "navigate" ? notFound() : Response.error();
  }
}

// The site's 404 page, at whatever address was asked for. It is the one page
// whose links are absolute paths (it can be shown at any depth), written for
// the build's site_url: they are pointed at where the site is served.
async function notFound() {
  const entry = entries.get(new URL("404.html", ROOT).href);
  const cached = entry && await (await caches.open(CACHE)).match(keyOf(entry));
  const headers = { "Content-Type": "text/html; charset=utf-8" };
  if (!cached) {
    return new Response("<!doctype html><meta charset=\"utf-8\"><title>Offline</title>" +
      "<h1>This page is not available offline</h1>", { status: 503, headers });
  }
  const page = (await cached.text())
    .split(`="${BUILT_FOR}`).join(`="${ROOT.pathname}`)
    .replace(/("base":\s*)"[^"]*"/, `$1"${ROOT.href}"`);
  return new Response(page, { status: 404, headers });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== ROOT.origin || !url.href.startsWith(ROOT.href)) return;
  url.search = "";
  url.hash = "";
  // Shared scenarios carry their inputs in the query: the page is the same file.
  const path = url.href.endsWith("/") ? `${url.href}index.html` : url.href;
  const entry = entries.get(path);
  if (entry) {
    event.respondWith(fromPrecache(entry, request, event));
  } else if (request.mode === "navigate") {
    if (entries.has(`${url.href}/index.html`)) {
      event.respondWith(Response.redirect(`${url.href}/`, 301)); // a folder asked for without its slash
      return;
    }
    event.respondWith(fetch(request).catch(() => notFound()));
  }
});
