// The page's side of the browser runtime: a small controller on the main
// thread, as ES modules. It starts the Python worker (worker.js), sends it
// what the reader types, and applies the answers to the DOM; it holds no
// formula and no validation rule: every number, message and warning comes
// from perfcalc in the worker. Loaded once per tab (a module script, so it
// runs once the document is parsed, after Material's bundle); Material's
// instant navigation keeps this document, this controller and the worker
// alive from page to page.
//
//   protocol.js      the messages' names, shared with the worker
//   connection.js    the worker: start, runtime files, requests, answers, jobs, failure
//   forms.js         the calculators: requests as the reader types, answers applied
//   links.js         shared scenarios: the address read on arrival, written as values change
//   analysis.js      the file panels: jobs with progress (analysis-view.js shows the result)
//   compare-view.js  the two-run panel: two files, one compare job, the comparison shown
//   update.js        the service worker, and the offer of a new version
//   boot.js          (a classic script, at the top of <head>) instant navigation on any host, and the
//                    worker's start, before anything else
//   dom.js           helpers the others share
import * as connection from "./connection.js";
import * as forms from "./forms.js";
import * as analysis from "./analysis.js";
import * as compare from "./compare-view.js";
import * as update from "./update.js";

const script = document.querySelector("script[data-service-worker]");

// Every page shown, the first one included.
function showPage() {
  update.checkForUpdate();
  analysis.mountPanels();
  compare.mountPanels();
  forms.mount();
}

forms.setUp();
analysis.setUp();
compare.setUp();

// Material announces every page it shows, the first one included, on document$.
document.addEventListener("DOMContentLoaded", () => {
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(showPage);
  else showPage();
});

// The worker was started by boot.js; its answers are taken from here on.
connection.start();

if (script) update.setUp(new URL(script.dataset.serviceWorker, location.href).href);
