// The two-run panel (```perfcalc-analyze with `for: compare`): a baseline and a
// candidate, each chosen or dropped on its own box, compared in the worker as
// one job (protocol.js, JOB_KINDS.COMPARE) once both are there. The job, its
// progress bar, its Stop button and its error line are the file panel's
// (analysis.js); this module holds the two files, each run's format choice
// (the single-file panel's menu and log-format field, in each run's box), and
// shows the comparison.
// The files never leave the page; everything from them goes in as text.
import { JOB_KINDS } from "./protocol.js";
import { panelJob, followWorker, enablePanels, cancelPanelJob, readSoFar, seconds } from "./analysis.js";
import { clearResult } from "./analysis-view.js";
import { element, table, copyText } from "./dom.js";

const PANEL = "section.perfcalc-compare";
const RUNS = ["baseline", "candidate"];
const chosen = new WeakMap(); // panel section -> {baseline: File, candidate: File}

/** What the status line says while no comparison runs: which file comes next. */
function idle(panel) {
  const files = chosen.get(panel) || {};
  if (!files.baseline && !files.candidate) return "Nothing read yet. Choose or drop the baseline, then the candidate.";
  if (!files.candidate) return "Now the candidate: the run after the change.";
  if (!files.baseline) return "Now the baseline: the run before the change.";
  return "";
}

// What the bar and the status line say: a third of the bar for each file read, the last third resampling.
const WORDS = {
  progress(msg) {
    if (msg.stage === "compare") return [(2 + msg.fraction) / 3, `Comparing: ${Math.round(msg.fraction * 100)} % of the resamples drawn`];
    const read = msg.total ? msg.done / msg.total : 1;
    return [(RUNS.indexOf(msg.stage) + read) / 3, `The ${msg.stage}: ${readSoFar(msg)}`];
  },
  failed: "The two runs could not be compared.",
  finished: (msg) => `Compared in ${seconds(msg)}.`,
};

function list(items, className) {
  const ul = element("ul", undefined, className);
  for (const item of items) ul.append(element("li", item));
  return ul;
}

/** "Copy results": the Markdown on the clipboard, or, where copying is refused, in a box selected to copy by hand. */
function copyButton(view, result) {
  const button = element("button", "Copy results (Markdown)", "md-button");
  button.type = "button";
  const said = element("p", undefined, "perfcalc-compare__copied");
  said.setAttribute("role", "status");
  button.addEventListener("click", () => copyText(view.markdown, "Copied: paste it in a pull request or an issue.")
    .then((answer) => {
      said.textContent = answer;
      if (answer.startsWith("Copied")) return;
      said.textContent = `${answer}: the table is selected below, to copy by hand.`;
      let box = result.querySelector("textarea.perfcalc-compare__markdown");
      if (!box) {
        box = element("textarea", undefined, "perfcalc-compare__markdown");
        box.readOnly = true;
        box.rows = Math.min(view.markdown.split("\n").length, 16);
        box.setAttribute("aria-label", "The comparison as Markdown");
        said.after(box);
      }
      box.value = view.markdown;
      box.focus();
      box.select();
    }));
  const actions = element("div", undefined, "perfcalc-analyze__actions");
  actions.append(button);
  return [actions, said];
}

/** The worker's view of a comparison (perfcalc_worker.comparison_view): runs, table, verdicts, method, notes. */
export function showComparison(panel, view) {
  const result = panel.querySelector(".perfcalc-analyze__result");
  const metrics = table(view.header, view.rows, "The two runs, metric by metric");
  metrics.classList.add("perfcalc-compare__table");
  for (const row of metrics.tBodies[0].rows) {
    const verdict = row.cells[row.cells.length - 1];
    verdict.dataset.verdict = verdict.textContent; // coloured by perfcalc.css
  }
  const parts = [list(view.runs, "perfcalc-compare__runs-read"), metrics,
    list(view.verdicts, "perfcalc-compare__verdicts"), element("p", view.method, "perfcalc-compare__method")];
  if (view.notes.length) {
    parts.push(element("p", "What could not be compared, and why:"), list(view.notes, "perfcalc-analyze__notes"));
  }
  result.replaceChildren(...parts, ...copyButton(view, result));
  result.hidden = false;
}

/** A run's settings, as the single-file panel sends its own: its box's format menu and log-format field. */
function runOptions(panel, run) {
  const box = panel.querySelector(`[data-run="${run}"]`);
  return Object.fromEntries(["format", "log_format"].map((name) => [name, box.querySelector(`[name="${name}"]`).value]));
}

/** Compare the two runs if both are there; otherwise say which is missing. */
function compare(panel) {
  const files = chosen.get(panel) || {};
  panel.querySelector("[data-action='compare-swap']").disabled = !(files.baseline && files.candidate);
  if (!files.baseline || !files.candidate) {
    clearResult(panel);
    panel.querySelector(".perfcalc-analyze__status").textContent = idle(panel);
    return;
  }
  const fields = Object.fromEntries(RUNS.map((run) => [run, { name: files[run].name, options: runOptions(panel, run),
    file: files[run] }]));
  panelJob(panel, JOB_KINDS.COMPARE, fields, "the two runs", showComparison, WORDS);
}

function choose(panel, run, file) {
  chosen.set(panel, { ...chosen.get(panel), [run]: file });
  panel.querySelector(`[data-run="${run}"] .perfcalc-compare__chosen`).textContent = file.name;
  compare(panel);
}

function swap(panel) {
  const files = chosen.get(panel) || {};
  for (const [run, other] of [["baseline", "candidate"], ["candidate", "baseline"]]) {
    panel.querySelector(`[data-run="${run}"] .perfcalc-compare__chosen`).textContent = files[other].name;
  }
  chosen.set(panel, { baseline: files.candidate, candidate: files.baseline });
  for (const name of ["format", "log_format"]) { // each file keeps the way it is read
    const [a, b] = RUNS.map((run) => panel.querySelector(`[data-run="${run}"] [name="${name}"]`));
    [a.value, b.value] = [b.value, a.value];
  }
  compare(panel);
}

function onEvent(event) {
  const panel = event.target && event.target.closest ? event.target.closest(PANEL) : null;
  if (!panel || panel.dataset.state === "static") return;
  const box = event.target.closest(".perfcalc-compare__run");
  if (event.type === "change" && RUNS.includes(event.target.name) && event.target.files.length) {
    choose(panel, event.target.name, event.target.files[0]);
    event.target.value = ""; // choosing the same file again reads it again
  } else if (event.type === "change" && box && ["format", "log_format"].includes(event.target.name)) {
    compare(panel); // a run read another way: compared again, if both are there
  } else if (event.type === "click" && event.target.closest("[data-action='compare-swap']")) {
    swap(panel);
  } else if (event.type === "click" && event.target.closest("[data-action='analyze-cancel']")) {
    cancelPanelJob(panel);
  } else if (event.type === "dragover") {
    event.preventDefault(); // anywhere on the panel: a file dropped beside a box must not replace the page
    if (box) box.classList.add("perfcalc-analyze--over");
  } else if (box && event.type === "dragleave") {
    box.classList.remove("perfcalc-analyze--over");
  } else if (event.type === "drop") {
    event.preventDefault();
    if (!box) {
      panel.querySelector(".perfcalc-analyze__status").textContent = "Drop the file on the baseline's box or the candidate's.";
      return;
    }
    box.classList.remove("perfcalc-analyze--over");
    if (event.dataTransfer.files.length) choose(panel, box.dataset.run, event.dataTransfer.files[0]);
  }
}

/** The page now shown: its compare panels are enabled once Python runs. */
export function mountPanels() {
  enablePanels(PANEL, idle);
}

export function setUp() {
  followWorker(PANEL, idle);
  for (const type of ["change", "click", "dragover", "dragleave", "drop"]) document.addEventListener(type, onEvent);
}
