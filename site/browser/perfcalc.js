// The page's side of the browser runtime: a small controller on the main
// thread. It starts the Python worker (worker.js), sends it what the reader
// types, and applies the answers to the DOM. It holds no formula and no
// validation rule: every number, message and warning comes from perfcalc in
// the worker. Loaded once per tab, at the end of <body> just before
// Material's bundle (which matters for the sitemap fix below); Material's
// instant navigation keeps this document, this controller and the worker
// alive from page to page.
(function () {
  "use strict";

  const root = document.documentElement;
  const script = document.currentScript;
  const resolve = (path) => new URL(path, location.href).href;
  const SLOW_BOOT_MS = 30000; // after this, say that Python is still starting
  const BUSY_AFTER_MS = 150; // an answer slower than this shows "Computing…"
  const UNRESPONSIVE_MS = 20000; // an answer slower than this means the worker died
  // Material puts the search term in ?q= and highlighted words in ?h=; they are not ours to rewrite.
  const THEME_PARAMETERS = ["q", "h"];

  const STATUS = {
    starting: "Starting Python… The results shown are for the values on the page.",
    slow: "Python is still starting (slow connection?): the results shown are for the values on the page.",
    failed: "Python could not start in this browser: the results shown are for the values on the page, and will not update.",
    stopped: "Python stopped responding: the results shown will not update. Reload the page to restart it.",
  };
  const STALE = {
    invalid: "Results are out of date until the highlighted input is fixed.",
    pending: "Results will update as soon as Python has started.",
    failed: "Python is not running in this page, so these results are for the values shown before your change.",
  };

  root.dataset.perfcalc = "starting";

  // --- instant navigation on any host -----------------------------------------
  // Material's instant navigation only intercepts links listed in sitemap.xml,
  // and it rebases the sitemap's URLs by protocol and hostname only. The
  // sitemap holds the build's site_url, so anywhere else (another port, a
  // sub-path, a mirror) no link would match and every click would reload the
  // page. Material parses the sitemap with DOMParser; rewriting the build's
  // site_url to the address the site is served from, as it is parsed, makes
  // the sitemap match wherever public/ is served, first visit or offline.
  const siteUrl = script.dataset.siteUrl || "";
  const parseFromString = DOMParser.prototype.parseFromString;
  DOMParser.prototype.parseFromString = function (text, type) {
    const doc = parseFromString.call(this, text, type);
    if (siteUrl && /xml/.test(type) && doc.documentElement && doc.documentElement.localName === "urlset") {
      rebaseSitemap(doc);
    }
    return doc;
  };
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

  // --- the worker -------------------------------------------------------------
  let worker = null;
  let workerState = "starting"; // starting | ready | failed
  let gen = 0; // the page generation: one per page shown (instant navigation starts a new one)
  let forms = new Map(); // form key -> state of that form on the current page
  let mounting = null; // {gen, waiting: Set of form keys whose first answer is due}
  let watchdog = null;

  function post(message) {
    if (worker && workerState !== "failed") worker.postMessage(message);
  }

  function startWorker() {
    try {
      worker = new Worker(new URL("worker.js", script.src), { type: "module", name: "perfcalc" });
    } catch (error) {
      fail("failed", error);
      return;
    }
    worker.addEventListener("message", (event) => onAnswer(event.data));
    // A module worker whose script is missing or broken fires "error" on this object.
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      fail(workerState === "ready" ? "stopped" : "failed", event.message || "the worker script could not run");
    });
    worker.addEventListener("messageerror", () => fail("stopped", "a message could not be read"));
    // The runtime's files are fetched here, where the page preloaded them (so
    // each downloads once), and their bytes are moved, not copied, to the worker.
    // Each link's href is made absolute first: Material rewrites relative
    // URLs in the head when it starts, and a rewritten preload link would
    // download its file a second time.
    const links = [...document.querySelectorAll("link[data-perfcalc-runtime]")];
    for (const link of links) link.setAttribute("href", link.href);
    const files = Object.fromEntries(links.map((link) => [link.dataset.perfcalcRuntime, link.href]));
    worker.postMessage({ op: "init", files });
    for (const url of Object.values(files)) {
      fetch(url)
        .then((response) => (response.ok ? response.arrayBuffer() : Promise.reject(new Error(`${url} answered ${response.status}`))))
        .then((bytes) => worker.postMessage({ op: "file", url, bytes }, [bytes]),
          (error) => worker.postMessage({ op: "file", url, error: String(error.message || error) }));
    }
    setTimeout(() => {
      if (workerState === "starting") setStatus("slow");
    }, SLOW_BOOT_MS);
  }

  function fail(kind, reason) {
    if (workerState === "failed") return;
    workerState = "failed";
    clearTimeout(watchdog);
    if (worker) worker.terminate();
    console.warn(`perfcalc: ${STATUS[kind]} (${reason})`);
    root.dataset.perfcalc = "failed";
    setStatus(kind);
    for (const state of forms.values()) {
      state.form.dataset.state = "static";
      state.form.removeAttribute("aria-busy");
      for (const button of state.form.querySelectorAll("button[data-action]")) button.disabled = true;
      if (state.changedSinceAnswer) markStale(state.form, "failed");
    }
    for (const panel of document.querySelectorAll("section.perfcalc-analyze")) setPanel(panel, false, STATUS[kind]);
  }

  // Any answer pending for too long means the worker is gone (crashed, or killed by the browser).
  function armWatchdog() {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => fail("stopped", "no answer"), UNRESPONSIVE_MS);
  }

  function onAnswer(msg) {
    if (msg.op === "ready") {
      workerState = "ready";
      mount();
      return;
    }
    if (msg.op === "failed") {
      fail("failed", msg.message);
      return;
    }
    if (msg.op === "analysis-progress" || msg.op === "analysis") {
      onAnalysis(msg);
      return;
    }
    clearTimeout(watchdog);
    if (msg.gen !== gen) return; // an answer for a page no longer shown
    if (msg.op === "link") {
      applyLink(msg.answer);
    } else if (msg.op === "view") {
      applyView(msg);
    } else if (msg.op === "chart") {
      applyChart(msg);
    } else if (msg.op === "error") {
      console.error(`perfcalc: the worker failed on ${msg.key}: ${msg.message}`);
    }
    if ([...forms.values()].some((state) => state.applied < state.seq)) armWatchdog();
  }

  // --- status and staleness ---------------------------------------------------
  function setStatus(kind) {
    const text = STATUS[kind] || "";
    for (const status of document.querySelectorAll("form.perfcalc .perfcalc__status")) status.textContent = text;
  }

  function markStale(form, why, formMessage = "") {
    const note = form.querySelector(".perfcalc__stale-note");
    note.textContent = STALE[why];
    note.hidden = false;
    for (const el of form.querySelectorAll("output, .perfcalc__chart, .perfcalc__warnings")) el.dataset.stale = "true";
    const banner = form.querySelector(".perfcalc__form-error");
    banner.textContent = formMessage;
    banner.hidden = !formMessage;
  }

  function markFresh(form) {
    form.querySelector(".perfcalc__stale-note").hidden = true;
    for (const el of form.querySelectorAll("output, .perfcalc__warnings")) el.removeAttribute("data-stale");
    const banner = form.querySelector(".perfcalc__form-error");
    banner.textContent = "";
    banner.hidden = true;
  }

  // --- forms ------------------------------------------------------------------
  function controls(form) {
    return [...form.elements].filter((el) => el.name && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName));
  }

  function valuesOf(form) {
    return Object.fromEntries(controls(form).map((el) => [el.name, el.value]));
  }

  function defaultOf(el) {
    if (el.tagName !== "SELECT") return el.defaultValue;
    const chosen = [...el.options].find((option) => option.defaultSelected) || el.options[0];
    return chosen ? chosen.value : "";
  }

  function differsFromPage(form) {
    return controls(form).some((el) => el.value !== defaultOf(el));
  }

  function formOf(target) {
    const form = target && target.closest ? target.closest("form.perfcalc") : null;
    const state = form && forms.get(form.dataset.key);
    return state && state.form === form ? state : null;
  }

  function request(state, { chart, changed = null }) {
    const form = state.form;
    state.seq += 1;
    post({ op: "view", gen, key: form.dataset.key, seq: state.seq, calculator: form.dataset.calculator,
      values: valuesOf(form), chart, changed });
    form.dataset.pending = "true"; // until the answer to this request is on the page
    const figure = form.querySelector(".perfcalc__chart");
    if (figure && chart) figure.dataset.drawing = "true";
    clearTimeout(state.busyTimer);
    state.busyTimer = setTimeout(() => {
      if (state.applied < state.seq) {
        form.setAttribute("aria-busy", "true");
        form.querySelector(".perfcalc__status").textContent = "Computing…";
      }
    }, BUSY_AFTER_MS);
    armWatchdog();
  }

  function mount() {
    gen += 1;
    checkForUpdate();
    mountPanels();
    clearTimeout(urlTimer); // a pending write belongs to the page that was left
    forms = new Map();
    const list = [...document.querySelectorAll("form.perfcalc")];
    for (const form of list) forms.set(form.dataset.key, { form, seq: 0, applied: 0, chartSeq: 0, touched: new Set(),
      linked: false, markdown: "", changedSinceAnswer: false, busyTimer: null });
    if (workerState === "failed") {
      for (const form of list) form.dataset.state = "static";
      setStatus("failed");
      return;
    }
    if (workerState !== "ready") {
      setStatus(root.dataset.perfcalc === "slow" ? "slow" : "starting");
      return; // mounted when the worker says it is ready
    }
    if (!list.length) {
      root.dataset.perfcalc = "live";
      return;
    }
    root.dataset.perfcalc = "mounting";
    mounting = { gen, waiting: new Set(forms.keys()) };
    const search = location.search;
    if (search.length > 1) {
      post({ op: "link", gen, search,
        forms: list.map((form) => ({ key: form.dataset.key, calculator: form.dataset.calculator, values: valuesOf(form) })) });
      armWatchdog();
    } else {
      applyLink({ assign: {}, notices: {} });
    }
  }

  // The link's values (already validated and parsed by the worker) go into the
  // controls, except where the reader typed while Python was starting: what
  // was typed wins. Then every form is computed once, and the page is live.
  function applyLink(answer) {
    for (const [key, state] of forms) {
      const notice = state.form.querySelector(".perfcalc__notice");
      notice.textContent = answer.notices[key] || "";
      notice.hidden = !answer.notices[key];
      for (const el of controls(state.form)) {
        const assigned = (answer.assign[key] || {})[el.name];
        if (assigned !== undefined && !state.touched.has(el.name)) el.value = assigned;
      }
      state.linked = true;
      // The pre-rendered chart shows the page's values; redraw only if they changed.
      request(state, { chart: differsFromPage(state.form) });
    }
  }

  function applyView(msg) {
    const state = forms.get(msg.key);
    if (!state || msg.seq <= state.applied) return; // an older answer never overwrites a newer one
    state.applied = msg.seq;
    state.changedSinceAnswer = false;
    const { form } = state;
    const view = msg.view;
    if (state.applied === state.seq) {
      delete form.dataset.pending;
      clearTimeout(state.busyTimer);
      if (form.hasAttribute("aria-busy")) {
        form.removeAttribute("aria-busy");
        form.querySelector(".perfcalc__status").textContent = "";
      }
    }
    for (const el of controls(form)) {
      const message = view.errors[el.name] || "";
      const error = form.querySelector(`#${CSS.escape(el.id)}-error`);
      if (message) el.setAttribute("aria-invalid", "true");
      else el.removeAttribute("aria-invalid");
      // The error element stays in the page, a polite live region: the message is announced as it appears.
      if (error.textContent !== message) error.textContent = message;
    }
    if (!view.ok) {
      form.dataset.state = "invalid";
      markStale(form, "invalid", view.form_error);
      const figure = form.querySelector(".perfcalc__chart");
      if (figure) figure.removeAttribute("data-drawing");
    } else {
      // Only what changed is written: every write costs the page a repaint.
      for (const out of form.querySelectorAll("output[name]")) {
        const [raw, text] = view.outputs[out.getAttribute("name")];
        if (out.dataset.value !== raw) out.dataset.value = raw;
        if (out.textContent !== text) out.textContent = text;
      }
      const warnings = form.querySelector(".perfcalc__warnings");
      const shown = [...warnings.children].map((item) => item.textContent);
      if (shown.join("\n") !== view.warnings.join("\n") || shown.length !== view.warnings.length) {
        warnings.replaceChildren(...view.warnings.map((text) => {
          const item = document.createElement("li");
          item.textContent = text;
          return item;
        }));
      }
      warnings.hidden = view.warnings.length === 0;
      state.markdown = view.markdown;
      form.dataset.state = "live";
      markFresh(form);
      const figure = form.querySelector(".perfcalc__chart");
      // No chart on the way (the page's own values): the pre-rendered one is current.
      if (figure && !figure.dataset.drawing) figure.removeAttribute("data-stale");
      if (!mounting) scheduleUrlWrite();
    }
    if (state.copyWhenAnswered && state.applied === state.seq) copyResults(state);
    if (mounting && mounting.gen === gen) {
      mounting.waiting.delete(msg.key);
      if (mounting.waiting.size === 0) {
        mounting = null;
        for (const s of forms.values()) {
          for (const button of s.form.querySelectorAll("button[data-action]")) button.disabled = false;
        }
        setStatus("live");
        root.dataset.perfcalc = "live";
        post({ op: "warm" });
      }
    }
  }

  function applyChart(msg) {
    const state = forms.get(msg.key);
    if (!state || msg.seq !== state.seq || !msg.chart) return; // a newer drawing is on its way, or none is valid
    const figure = state.form.querySelector(".perfcalc__chart");
    // The SVG is drawn by our own Python from validated numbers; no text the reader typed is in it.
    const drawing = figure.querySelector(".perfcalc__chart-svg");
    if (drawing.innerHTML !== msg.chart.svg) drawing.innerHTML = msg.chart.svg;
    const caption = figure.querySelector("figcaption");
    if (caption.textContent !== `${msg.chart.title}. ${msg.chart.description}`) {
      const title = document.createElement("strong");
      title.textContent = `${msg.chart.title}.`;
      caption.replaceChildren(title, ` ${msg.chart.description}`);
    }
    figure.removeAttribute("data-drawing");
    figure.removeAttribute("data-stale");
  }

  // --- the link in the address bar --------------------------------------------
  // Changing the URL makes the browser restyle the whole page (about 20 ms on
  // a long page on a slow machine), so it is written once typing pauses, and
  // at once when the reader copies the link.
  const URL_WRITE_AFTER_MS = 400;
  let urlTimer = null;
  function scheduleUrlWrite() {
    clearTimeout(urlTimer);
    urlTimer = setTimeout(writeUrl, URL_WRITE_AFTER_MS);
  }

  // It carries what differs from the page's own values, keyed FORMKEY.FIELD; a
  // form with an invalid input keeps its last valid values in the link.
  function writeUrl() {
    clearTimeout(urlTimer);
    const previous = new URLSearchParams(location.search);
    const params = new URLSearchParams();
    for (const name of THEME_PARAMETERS) {
      if (previous.has(name)) params.set(name, previous.get(name));
    }
    for (const [key, state] of forms) {
      if (state.form.dataset.state === "invalid") {
        for (const [name, value] of previous) {
          if (name.split(".")[0] === key) params.append(name, value);
        }
        continue;
      }
      for (const el of controls(state.form)) {
        if (el.value !== defaultOf(el)) params.append(`${key}.${el.name}`, el.value);
      }
    }
    const query = params.toString();
    const url = location.pathname + (query ? `?${query}` : "") + location.hash;
    if (url !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", url);
  }

  // --- events: one listener each for the whole tab ----------------------------
  function onInput(event) {
    const state = formOf(event.target);
    if (!state) return;
    state.changedSinceAnswer = true;
    if (event.target.name) state.touched.add(event.target.name);
    if (workerState === "ready" && state.linked) {
      request(state, { chart: true, changed: event.target.name || null });
    } else {
      markStale(state.form, workerState === "failed" ? "failed" : "pending");
    }
  }

  function flash(form, text) {
    form.querySelector(".perfcalc__copied").textContent = text;
  }

  function copy(form, text, done) {
    if (!navigator.clipboard) {
      flash(form, "Copying is not available here");
      return;
    }
    navigator.clipboard.writeText(text).then(() => flash(form, done), () => flash(form, "Copying was refused by the browser"));
  }

  function copyResults(state) {
    state.copyWhenAnswered = false;
    if (state.form.dataset.state !== "live") flash(state.form, "Fix the highlighted input first");
    else copy(state.form, state.markdown, "Results copied as Markdown");
  }

  function onClick(event) {
    const button = event.target && event.target.closest ? event.target.closest("button[data-action]") : null;
    const state = button && formOf(button);
    if (!state || state.form.dataset.state === "static") return;
    if (button.dataset.action === "copy-link") {
      writeUrl();
      copy(state.form, location.href, "Link copied");
    } else if (button.dataset.action === "copy-results") {
      if (state.applied < state.seq) state.copyWhenAnswered = true; // the answer to the last keystroke is due
      else copyResults(state);
    }
  }

  // Text fields and selects both fire "input"; "change" would only repeat it.
  document.addEventListener("input", onInput);
  document.addEventListener("click", onClick);
  document.addEventListener("submit", (event) => {
    if (event.target.matches && event.target.matches("form.perfcalc")) event.preventDefault(); // Enter must not reload
  });

  // Material announces every page it shows, the first one included, on document$.
  document.addEventListener("DOMContentLoaded", () => {
    if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(mount);
    else mount();
  });

  // The downloads started with the page (its preload links). The worker starts
  // now, as this script runs at the end of the page: compiling Python's
  // WebAssembly keeps every core busy for a moment, and starting it from
  // <head> delayed the first paint; from here it overlaps nothing the reader
  // is waiting to see (measured by make bench against the page without it).
  startWorker();

  // --- the reader's own files ---------------------------------------------------
  // A panel (```perfcalc-analyze) hands a file, or pasted lines, to the worker,
  // which reads it in slices with perfcalc.analyze and answers with a view:
  // tables, notes, charts, and the numbers for the calculators. Everything from
  // the file is put in the page as text (textContent), never as markup.
  let analyses = 0;
  const running = new Map(); // analysis id -> panel section

  function setPanel(panel, enabled, status) {
    for (const control of panel.querySelectorAll("input, select, textarea, button[data-action='analyze-text']")) {
      control.disabled = !enabled;
    }
    panel.dataset.state = enabled ? "live" : "static";
    if (status !== undefined) panel.querySelector(".perfcalc-analyze__status").textContent = status;
  }

  function mountPanels() {
    for (const [id, panel] of running) {
      if (!panel.isConnected) {
        post({ op: "analyze-cancel", id });
        running.delete(id);
      }
    }
    const ready = workerState === "ready";
    for (const panel of document.querySelectorAll("section.perfcalc-analyze")) {
      if (ready) setPanel(panel, true, "Nothing read yet. The file stays on this computer.");
      else if (workerState === "starting") setPanel(panel, false, STATUS.starting);
    }
  }

  function panelOf(target) {
    return target && target.closest ? target.closest("section.perfcalc-analyze") : null;
  }

  function startAnalysis(panel, source) {
    if (workerState !== "ready") return;
    for (const [id, other] of running) {
      if (other === panel) {
        post({ op: "analyze-cancel", id });
        running.delete(id);
      }
    }
    analyses += 1;
    const id = `${panel.dataset.key}-${analyses}`;
    running.set(id, panel);
    const format = panel.querySelector("select[name='format']").value;
    const logFormat = panel.querySelector("input[name='log_format']")?.value.trim() || "";
    const name = source.file ? source.file.name : "pasted lines";
    post({ op: "analyze", id, name, format, logFormat, ...source });
    panel.querySelector(".perfcalc-analyze__error").textContent = "";
    panel.querySelector(".perfcalc-analyze__result").hidden = true;
    panel.querySelector(".perfcalc-analyze__result").replaceChildren();
    const progress = panel.querySelector("progress");
    progress.value = 0;
    progress.hidden = false;
    panel.querySelector("[data-action='analyze-cancel']").hidden = false;
    panel.dataset.state = "reading";
    panel.querySelector(".perfcalc-analyze__status").textContent = `Reading ${name}…`;
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toLocaleString("en", { maximumFractionDigits: 1 });
  }

  function onAnalysis(msg) {
    const panel = running.get(msg.id);
    if (!panel) return; // stopped, or its page is no longer shown
    const status = panel.querySelector(".perfcalc-analyze__status");
    if (msg.op === "analysis-progress") {
      panel.querySelector("progress").value = msg.total ? msg.done / msg.total : 1;
      status.textContent = `Read ${megabytes(msg.done)} of ${megabytes(msg.total)} MB: `
        + `${msg.progress.lines_read.toLocaleString("en")} lines`;
      return;
    }
    running.delete(msg.id);
    panel.querySelector("progress").hidden = true;
    panel.querySelector("[data-action='analyze-cancel']").hidden = true;
    panel.dataset.state = "live";
    if (msg.cancelled) {
      status.textContent = "Stopped.";
    } else if (msg.error) {
      status.textContent = "The file could not be analysed.";
      panel.querySelector(".perfcalc-analyze__error").textContent = msg.error;
    } else {
      status.textContent = `Analysed in ${msg.seconds.toLocaleString("en", { maximumFractionDigits: 1 })} s.`;
      showAnalysis(panel, msg.view);
      panel.dataset.state = "done";
    }
  }

  function element(tag, text, className) {
    const el = document.createElement(tag);
    if (text !== undefined) el.textContent = text;
    if (className) el.className = className;
    return el;
  }

  function table(head, rows, caption) {
    const t = element("table");
    if (caption) t.append(element("caption", caption));
    if (head) {
      const tr = element("tr");
      for (const h of head) tr.append(element("th", h));
      t.append(element("thead"));
      t.tHead.append(tr);
    }
    const body = element("tbody");
    for (const row of rows) {
      const tr = element("tr");
      row.forEach((cell, i) => tr.append(element(!head && i === 0 ? "th" : "td", String(cell))));
      body.append(tr);
    }
    t.append(body);
    return t;
  }

  function showAnalysis(panel, view) {
    const result = panel.querySelector(".perfcalc-analyze__result");
    const parts = [element("p", `${view.file}: ${view.format}.`, "perfcalc-analyze__file"),
      table(null, view.rows, "Summary")];
    const fills = Object.entries(view.fills);
    if (fills.length) {
      const actions = element("div", undefined, "perfcalc-analyze__fills");
      const elsewhere = [];
      for (const [calculator, values] of fills) {
        // The panel's own calculators follow it; an earlier form of the same calculator belongs to other text.
        const all = [...document.querySelectorAll(`form.perfcalc[data-calculator="${CSS.escape(calculator)}"]`)];
        const form = all.find((f) => panel.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING) || all[0];
        if (!form) {
          elsewhere.push(calculator);
          continue;
        }
        const title = form.querySelector(".perfcalc__title").textContent;
        const button = element("button", `Use these numbers in “${title}”`, "md-button");
        button.type = "button";
        button.addEventListener("click", () => fillForm(panel, form, values, view.file));
        actions.append(button);
      }
      if (elsewhere.length) {
        actions.append(element("p", `Also for ${elsewhere.join(", ")} (elsewhere in the guide): `
          + fills.filter(([c]) => elsewhere.includes(c))
            .map(([c, v]) => `${c}: ${Object.entries(v).map(([k, x]) => `${k} ${x}`).join(", ")}`).join("; ")));
      }
      parts.push(actions);
    }
    for (const chart of view.charts) {
      const figure = element("figure", undefined, "perfcalc__chart");
      const drawing = element("div", undefined, "perfcalc__chart-svg");
      drawing.setAttribute("aria-hidden", "true");
      drawing.innerHTML = chart.svg; // drawn by our Python from numbers; no text from the file is in it
      const caption = element("figcaption");
      caption.append(element("strong", `${chart.title}.`), ` ${chart.description}`);
      figure.append(drawing, caption);
      parts.push(figure);
    }
    if (view.steps.length) {
      parts.push(table(["Load", "Measured", "Requests", "Requests/s", "Errors", "Mean", "p99"], view.steps,
        "Load steps"));
      if (view.usl) parts.push(element("p", `For the USL fit: ${view.usl}`));
    }
    if (view.endpoints.length) {
      parts.push(table(["Endpoint", "Requests", "Requests/s", "Errors", "Mean", "p99"], view.endpoints,
        "Busiest endpoints"));
    }
    if (view.notes.length) {
      const notes = element("ul", undefined, "perfcalc-analyze__notes");
      for (const note of view.notes) notes.append(element("li", note));
      parts.push(element("p", "What these numbers mean, and what this file cannot tell:"), notes);
    }
    if (view.rejected.length) {
      const list = element("ul", undefined, "perfcalc-analyze__rejected");
      for (const [line, expected, found] of view.rejected) {
        list.append(element("li", `line ${line}: expected ${expected}, found ${found}`));
      }
      parts.push(element("p", "Lines that could not be read (the first few):"), list);
    }
    result.replaceChildren(...parts);
    result.hidden = false;
  }

  function fillForm(panel, form, values, file) {
    const state = forms.get(form.dataset.key);
    let first = null;
    for (const [name, value] of Object.entries(values)) {
      const control = form.elements.namedItem(name);
      if (!control) continue;
      control.value = value;
      first = first || control;
    }
    if (!first || !state) return;
    first.dispatchEvent(new Event("input", { bubbles: true })); // computed like typing
    panel.querySelector(".perfcalc-analyze__status").textContent =
      `“${form.querySelector(".perfcalc__title").textContent}” now uses the numbers from ${file}.`;
    form.scrollIntoView({ block: "start", behavior: "smooth" });
  }

  function onPanelEvent(event) {
    const panel = panelOf(event.target);
    if (!panel || panel.dataset.state === "static") return;
    if (event.type === "change" && event.target.name === "file" && event.target.files.length) {
      startAnalysis(panel, { file: event.target.files[0] });
      event.target.value = ""; // choosing the same file again reads it again
    } else if (event.type === "click" && event.target.closest("[data-action='analyze-text']")) {
      const text = panel.querySelector("textarea[name='text']").value;
      if (text.trim()) startAnalysis(panel, { text });
    } else if (event.type === "click" && event.target.closest("[data-action='analyze-cancel']")) {
      for (const [id, other] of running) if (other === panel) post({ op: "analyze-cancel", id });
    } else if (event.type === "dragover") {
      event.preventDefault();
      panel.classList.add("perfcalc-analyze--over");
    } else if (event.type === "dragleave") {
      panel.classList.remove("perfcalc-analyze--over");
    } else if (event.type === "drop") {
      event.preventDefault();
      panel.classList.remove("perfcalc-analyze--over");
      if (event.dataTransfer.files.length) startAnalysis(panel, { file: event.dataTransfer.files[0] });
    }
  }

  for (const type of ["change", "click", "dragover", "dragleave", "drop"]) document.addEventListener(type, onPanelEvent);

  // --- offline, and updates ---------------------------------------------------
  // The service worker (sw.js) precaches the site. A new build installs beside
  // the running one and waits; the reader is offered the new version and
  // decides when to switch (a page reload). Instant navigation loads no new
  // document, so the controller asks for an update check now and then.
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

  function checkForUpdate() {
    if (registration && Date.now() - lastUpdateCheck > UPDATE_CHECK_EVERY_MS) {
      lastUpdateCheck = Date.now();
      registration.update().catch(() => {}); // offline: try again later
    }
  }

  if ("serviceWorker" in navigator && script.dataset.serviceWorker) {
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (reloadForUpdate) location.reload();
    });
    addEventListener("load", () => {
      navigator.serviceWorker.register(resolve(script.dataset.serviceWorker)).then(watchForUpdates, (error) => {
        console.warn(`perfcalc: the offline copy could not be set up (${error.message || error})`);
      });
    });
  }
})();
