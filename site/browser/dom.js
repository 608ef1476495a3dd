// Small DOM helpers the controller's modules share: a form's controls and
// values, elements and tables built from text (never from markup), the
// clipboard.

/** The named inputs, selects and text areas of a form (or of any container with .elements). */
export function controls(form) {
  return [...form.elements].filter((el) => el.name && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName));
}

export function valuesOf(form) {
  return Object.fromEntries(controls(form).map((el) => [el.name, el.value]));
}

/** The value the page was built with. */
export function defaultOf(el) {
  if (el.tagName !== "SELECT") return el.defaultValue;
  const chosen = [...el.options].find((option) => option.defaultSelected) || el.options[0];
  return chosen ? chosen.value : "";
}

export function differsFromPage(form) {
  return controls(form).some((el) => el.value !== defaultOf(el));
}

/** An element with its text (as text, never parsed as markup) and class. */
export function element(tag, text, className) {
  const el = document.createElement(tag);
  if (text !== undefined) el.textContent = text;
  if (className) el.className = className;
  return el;
}

/** A table of text cells; without a head, each row's first cell is its header. */
export function table(head, rows, caption) {
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

/** A chart as the worker drew it: {svg, title, description}, the caption its text alternative. */
export function chartFigure(chart) {
  const figure = element("figure", undefined, "perfcalc__chart");
  const drawing = element("div", undefined, "perfcalc__chart-svg");
  drawing.setAttribute("aria-hidden", "true");
  drawing.innerHTML = chart.svg; // drawn by our Python from numbers; no text from the reader or a file is in it
  figure.append(drawing, chartCaption(element("figcaption"), chart));
  return figure;
}

/** Write a chart's caption (its title in bold, then its description) into a figcaption, if it changed. */
export function chartCaption(caption, chart) {
  if (caption.textContent !== `${chart.title}. ${chart.description}`) {
    caption.replaceChildren(element("strong", `${chart.title}.`), ` ${chart.description}`);
  }
  return caption;
}

/** Copy text to the clipboard; then() says what happened, in words for a status line. */
export function copyText(text, done) {
  if (!navigator.clipboard) return Promise.resolve("Copying is not available here");
  return navigator.clipboard.writeText(text).then(() => done, () => "Copying was refused by the browser");
}
