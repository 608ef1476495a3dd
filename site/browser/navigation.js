// Instant navigation on any host. A classic script, loaded synchronously just
// before Material's bundle (see site/overrides/main.html): it must be in place
// before the bundle starts fetching and parsing the sitemap, which a module
// script (deferred until the document is parsed) cannot promise.
//
// Material's instant navigation only intercepts links listed in sitemap.xml,
// and it rebases the sitemap's URLs by protocol and hostname only. The
// sitemap holds the build's site_url (this script's data-site-url), so
// anywhere else (another port, a sub-path, a mirror) no link would match and
// every click would reload the page and start Python again. Material parses
// the sitemap with DOMParser; rewriting the build's site_url to the address
// the site is served from, as it is parsed, makes the sitemap match wherever
// public/ is served, first visit or offline, with no build setting.
(function () {
  "use strict";

  const siteUrl = document.currentScript.dataset.siteUrl || "";
  if (!siteUrl) return;

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

  const parseFromString = DOMParser.prototype.parseFromString;
  DOMParser.prototype.parseFromString = function (text, type) {
    const doc = parseFromString.call(this, text, type);
    if (/xml/.test(type) && doc.documentElement && doc.documentElement.localName === "urlset") rebaseSitemap(doc);
    return doc;
  };
})();
