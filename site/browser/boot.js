// The controller's first part: a classic script, loaded synchronously at the
// top of <head> (site/overrides/main.html), before anything else of the page
// runs. It does the two things that cannot wait for the modules (which run
// once the document is parsed):
//
// 1. Instant navigation on any host. Material's instant navigation only
//    intercepts links listed in sitemap.xml, and it rebases the sitemap's URLs
//    by protocol and hostname only. The sitemap holds the build's site_url
//    (this script's data-site-url), so anywhere else (another port, a
//    sub-path, a mirror) no link would match and every click would reload the
//    page and start Python again. Material parses the sitemap with DOMParser;
//    rewriting the build's site_url to the address the site is served from, as
//    it is parsed, makes the sitemap match wherever public/ is served, first
//    visit or offline, with no build setting. It must be in place before
//    Material's bundle runs.
// 2. Python's worker starts now, so that fetching and compiling Python's
//    WebAssembly and restoring its snapshot overlap the page's own loading.
//    One interpreter serves every open tab of the site: a SharedWorker (named
//    after the build, so that tabs of an older version keep theirs and a new
//    version gets its own). Where SharedWorker does not exist (Chrome for
//    Android) or cannot be created, a dedicated worker serves this tab alone.
//    Its messages come through a MessagePort, started here: what the worker
//    says before connection.js takes the port over (window.perfcalcWorker) is
//    kept for it, so that a tab opened beside another, whose worker is already
//    running, has its "ready" in hand as soon as the modules run, not a task
//    later, behind Material's start; an error the worker raises meanwhile is
//    kept too.
(function () {
  "use strict";

  const script = document.currentScript;
  const siteUrl = script.dataset.siteUrl || "";

  // Where the site is served from: Material's `base`, resolved against the page.
  function servedBase() {
    const config = document.getElementById("__config");
    const base = config ? JSON.parse(config.textContent).base : ".";
    return new URL(base.endsWith("/") ? base : `${base}/`, location.href).href;
  }

  function rebaseSitemap(doc) {
    const base = servedBase();
    for (const loc of doc.getElementsByTagNameNS("*", "loc")) {
      const url = loc.textContent.trim();
      if (url.startsWith(siteUrl)) loc.textContent = base + url.slice(siteUrl.length);
    }
  }

  if (siteUrl) {
    const parseFromString = DOMParser.prototype.parseFromString;
    DOMParser.prototype.parseFromString = function (text, type) {
      const doc = parseFromString.call(this, text, type);
      if (/xml/.test(type) && doc.documentElement && doc.documentElement.localName === "urlset") rebaseSitemap(doc);
      return doc;
    };
  }

  // The build, stamped by the bundle step (bundle.py) from what the worker runs.
  const BUILD = "source";
  const WORKER = new URL("worker.js", script.src);
  const NAME = `perfcalc-${BUILD}`;

  // The worker, for connection.js: {worker, port, kind, errors, onerror, messages, onmessage}.
  const handoff = { worker: null, port: null, kind: null, errors: [], onerror: null, messages: [], onmessage: null };
  function onError(event) {
    event.preventDefault();
    if (handoff.onerror) handoff.onerror(event);
    else handoff.errors.push(event);
  }
  function listen(port) {
    port.addEventListener("message", (event) => {
      if (handoff.onmessage) handoff.onmessage(event);
      else handoff.messages.push(event);
    });
    port.addEventListener("messageerror", (event) => {
      if (handoff.onmessage) handoff.onmessage(event);
      else handoff.messages.push(event);
    });
    port.start();
  }

  // The shared worker tells each tab apart by its port. It learns that this
  // tab is gone when the tab's Web Lock is released, which the browser does
  // when the tab closes, reloads or crashes: the worker then cancels this tab's
  // jobs and nothing else.
  function holdTabLock(port) {
    if (!navigator.locks) return;
    const name = `${NAME}-tab-${crypto.randomUUID ? crypto.randomUUID() : Math.random().toString(36).slice(2)}`;
    navigator.locks.request(name, () => {
      port.postMessage({ op: "tab", lock: name }); // protocol.js, OP.TAB
      return new Promise(() => {}); // held for the tab's life
    }).catch(() => {});
  }

  function shared() {
    if (typeof SharedWorker !== "function") return false;
    try {
      const worker = new SharedWorker(WORKER, { type: "module", name: NAME });
      worker.addEventListener("error", onError);
      Object.assign(handoff, { worker, port: worker.port, kind: "shared" });
      holdTabLock(worker.port);
      return true;
    } catch (error) {
      console.warn(`perfcalc: Python runs for this tab alone (no shared worker: ${error.message || error})`);
      return false;
    }
  }

  function dedicated() {
    const worker = new Worker(WORKER, { type: "module", name: NAME });
    const channel = new MessageChannel();
    worker.postMessage({ op: "connect" }, [channel.port2]); // protocol.js, OP.CONNECT
    worker.addEventListener("error", onError);
    Object.assign(handoff, { worker, port: channel.port1, kind: "dedicated" });
  }

  try {
    if (!shared()) dedicated();
    listen(handoff.port);
  } catch (error) {
    handoff.errors.push({ message: String(error.message || error) });
  }
  Object.defineProperty(window, "perfcalcWorker", { value: handoff });
})();
