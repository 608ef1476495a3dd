// Offline, and updates. The service worker (sw.js) precaches the site. A new
// build installs beside the running one and waits; the reader is offered the
// new version and decides when to switch (a page reload). Instant navigation
// loads no new document, so the controller asks for an update check now and
// then (checkForUpdate, on every page shown).
const UPDATE_CHECK_EVERY_MS = 60 * 60 * 1000;
let registration = null;
let lastUpdateCheck = Date.now();
let reloadForUpdate = false;

function offerUpdate(waiting) {
  if (document.querySelector(".perfcalc-update")) return;
  const box = document.createElement("div");
  box.className = "perfcalc-update";
  box.setAttribute("role", "status");
  const text = document.createElement("span");
  text.textContent = "A new version of the guide is available.";
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Reload";
  button.addEventListener("click", () => {
    reloadForUpdate = true;
    button.disabled = true;
    waiting.postMessage({ type: "SKIP_WAITING" });
  });
  box.append(text, button);
  document.body.append(box);
}

function watchForUpdates(reg) {
  if (!reg) return; // registration refused (a browser policy, an automation setting)
  registration = reg;
  if (reg.waiting && navigator.serviceWorker.controller) offerUpdate(reg.waiting);
  reg.addEventListener("updatefound", () => {
    const installing = reg.installing;
    installing.addEventListener("statechange", () => {
      // Installed while another version runs this page: it waits for the reader.
      if (installing.state === "installed" && navigator.serviceWorker.controller) offerUpdate(installing);
    });
  });
}

/** At most once an hour, ask whether a new build is out. */
export function checkForUpdate() {
  if (registration && Date.now() - lastUpdateCheck > UPDATE_CHECK_EVERY_MS) {
    lastUpdateCheck = Date.now();
    registration.update().catch(() => {}); // offline: try again later
  }
}

/** Register the service worker (its absolute URL) once the page has loaded, and offer updates as they wait. */
export function setUp(serviceWorkerUrl) {
  if (!("serviceWorker" in navigator) || !serviceWorkerUrl) return;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloadForUpdate) location.reload();
  });
  const register = () => navigator.serviceWorker.register(serviceWorkerUrl).then(watchForUpdates, (error) => {
    console.warn(`perfcalc: the offline copy could not be set up (${error.message || error})`);
  });
  if (document.readyState === "complete") register();
  else addEventListener("load", register);
}
