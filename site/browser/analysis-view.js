// What a panel shows for an analysed file: the worker's view (plain data from
// perfcalc_worker.analysis_view) turned into elements. Everything from the
// file goes in as text (textContent), never as markup; the charts' SVG is
// drawn by our Python from numbers only.
//
// The result is a list of sections, in order: each takes (view, panel) and
// returns the nodes it adds (none when the view has nothing for it). A new
// part of the result is one more function in SECTIONS.
import { element, table, chartFigure } from "./dom.js";
import { mounted } from "./forms.js";

/** The file, and how its format was found. */
function fileLine(view) {
  return [element("p", `${view.file}: ${view.format}.`, "perfcalc-analyze__file")];
}

function summary(view) {
  return [table(null, view.rows, "Summary")];
}

/** "Use these numbers in …" for each calculator the file gives inputs to. */
function fills(view, panel) {
  const entries = Object.entries(view.fills);
  if (!entries.length) return [];
  const actions = element("div", undefined, "perfcalc-analyze__fills");
  const elsewhere = [];
  for (const [calculator, values] of entries) {
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
      + entries.filter(([c]) => elsewhere.includes(c))
        .map(([c, v]) => `${c}: ${Object.entries(v).map(([k, x]) => `${k} ${x}`).join(", ")}`).join("; ")));
  }
  return [actions];
}

function charts(view) {
  return view.charts.map(chartFigure);
}

function steps(view) {
  if (!view.steps.length) return [];
  const parts = [table(["Load", "Measured", "Requests", "Requests/s", "Errors", "Mean", "p99"], view.steps,
    "Load steps")];
  if (view.usl) parts.push(element("p", `For the USL fit: ${view.usl}`));
  return parts;
}

function endpoints(view) {
  if (!view.endpoints.length) return [];
  return [table(["Endpoint", "Requests", "Requests/s", "Errors", "Mean", "p99"], view.endpoints, "Busiest endpoints")];
}

function notes(view) {
  if (!view.notes.length) return [];
  const list = element("ul", undefined, "perfcalc-analyze__notes");
  for (const note of view.notes) list.append(element("li", note));
  return [element("p", "What these numbers mean, and what this file cannot tell:"), list];
}

function rejected(view) {
  if (!view.rejected.length) return [];
  const list = element("ul", undefined, "perfcalc-analyze__rejected");
  for (const [line, expected, found] of view.rejected) {
    list.append(element("li", `line ${line}: expected ${expected}, found ${found}`));
  }
  return [element("p", "Lines that could not be read (the first few):"), list];
}

export const SECTIONS = [fileLine, summary, fills, charts, steps, endpoints, notes, rejected];

export function showAnalysis(panel, view) {
  const result = panel.querySelector(".perfcalc-analyze__result");
  result.replaceChildren(...SECTIONS.flatMap((section) => section(view, panel)));
  result.hidden = false;
}

/** Why the file could not be analysed, as the worker worded it. */
export function showError(panel, error) {
  panel.querySelector(".perfcalc-analyze__error").textContent = error;
}

/** A new job starts: no error, no result. */
export function clearResult(panel) {
  panel.querySelector(".perfcalc-analyze__error").textContent = "";
  const result = panel.querySelector(".perfcalc-analyze__result");
  result.hidden = true;
  result.replaceChildren();
}

// "Use these numbers": the values go into the form's controls and an input
// event follows, so they are computed exactly as if typed.
function fillForm(panel, form, values, file) {
  let first = null;
  for (const [name, value] of Object.entries(values)) {
    const control = form.elements.namedItem(name);
    if (!control) continue;
    control.value = value;
    first = first || control;
  }
  if (!first || !mounted(form)) return;
  first.dispatchEvent(new Event("input", { bubbles: true })); // computed like typing
  panel.querySelector(".perfcalc-analyze__status").textContent =
    `“${form.querySelector(".perfcalc__title").textContent}” now uses the numbers from ${file}.`;
  form.scrollIntoView({ block: "start", behavior: "smooth" });
}
