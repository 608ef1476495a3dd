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
//    Its messages come through a MessagePort, which holds them until
//    connection.js takes the port over (window.perfcalcWorker) and starts it;
//    an error the worker raises meanwhile is kept for it too.
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

  // The worker, for connection.js: {worker, port, errors, onerror}. The
  // worker is handed one end of a channel; the page keeps the other.
  const handoff = { worker: null, port: null, errors: [], onerror: null };
  try {
    handoff.worker = new Worker(new URL("worker.js", script.src), { type: "module", name: "perfcalc" });
    const channel = new MessageChannel();
    handoff.worker.postMessage({ op: "connect" }, [channel.port2]);
    handoff.port = channel.port1;
    handoff.worker.addEventListener("error", (event) => {
      event.preventDefault();
      if (handoff.onerror) handoff.onerror(event);
      else handoff.errors.push(event);
    });
  } catch (error) {
    handoff.errors.push({ message: String(error.message || error) });
  }
  Object.defineProperty(window, "perfcalcWorker", { value: handoff });
})();
