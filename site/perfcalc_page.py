"""Browser side: make every perfcalc form on the page live, in Python.

Runs once per tab under PyScript (Pyodide). It reads the calculator specs,
parses what the reader typed, calls perfcalc.calculate, and writes outputs:
no formula lives here. Material's instant navigation swaps the page content
without reloading; ``document$`` tells us, and the new forms are mounted in
milliseconds by the interpreter that is already running.
"""

from urllib.parse import parse_qsl, urlencode

import perfcalc
from pyodide.ffi import create_once_callable, create_proxy
from pyscript import document, window

# A test reads this to prove the interpreter survived navigation.
window.perfcalcBoots = (getattr(window, "perfcalcBoots", None) or 0) + 1


def _controls(form):
    return [el for el in form.elements if el.name and el.tagName in ("INPUT", "SELECT", "TEXTAREA")]


def _show_field_error(form, control, message):
    error = form.querySelector(f"#{control.id}-error")
    if message:
        control.setAttribute("aria-invalid", "true")
        error.textContent = message
        error.hidden = False
    else:
        control.removeAttribute("aria-invalid")
        error.textContent = ""
        error.hidden = True


def _set_stale(form, stale, form_message=""):
    form.dataset.state = "invalid" if stale else "live"
    note = form.querySelector(".perfcalc__stale-note")
    note.hidden = not stale
    for out in form.querySelectorAll("output, .perfcalc__chart, .perfcalc__warnings"):
        if stale:
            out.dataset.stale = "true"
        else:
            out.removeAttribute("data-stale")
    banner = form.querySelector(".perfcalc__form-error")
    banner.textContent = form_message
    banner.hidden = not form_message


def update(form):
    """Validate and recompute one form from what its controls hold now."""
    calc = perfcalc.get(form.dataset.calculator)
    controls = _controls(form)
    result, errors = perfcalc.evaluate(calc.id, {el.name: el.value for el in controls})
    form_message = errors.get("", "")
    for el in controls:
        _show_field_error(form, el, errors.get(el.name, ""))
    if result is None:
        _set_stale(form, True, form_message)
        return
    for o in calc.outputs:
        out = form.querySelector(f'output[name="{o.name}"]')
        value = result.outputs[o.name]
        out.dataset.value = perfcalc.raw_value(value)
        out.textContent = perfcalc.format_output(o, value)
    warnings = form.querySelector(".perfcalc__warnings")
    warnings.replaceChildren()
    for text in result.warnings:
        item = document.createElement("li")
        item.textContent = text
        warnings.append(item)
    warnings.hidden = not result.warnings
    if calc.chart:
        _schedule_redraw(form, calc, result)
    _set_stale(form, False)


# Outputs answer within the keystroke; the chart (a model sweep plus SVG) is
# drawn in the next task, and only for the latest input: typing fast never
# queues stale drawings.
_latest_draw = {}


def _schedule_redraw(form, calc, result):
    token = _latest_draw[form.id] = _latest_draw.get(form.id, 0) + 1
    form.querySelector(".perfcalc__chart").dataset.drawing = "true"

    def draw(*_args):
        if _latest_draw.get(form.id) == token:
            _redraw(form, calc, result)

    window.setTimeout(create_once_callable(draw), 0)


def _redraw(form, calc, result):
    import charts  # pygal loads on the first page that has a chart

    figure = form.querySelector(".perfcalc__chart")
    chart = calc.chart(result.inputs, result.outputs)
    form.querySelector(".perfcalc__chart-svg").innerHTML = charts.render_svg(chart)
    caption = form.querySelector(".perfcalc__chart figcaption")
    caption.replaceChildren()
    title = document.createElement("strong")
    title.textContent = f"{chart.title}."
    caption.append(title, f" {chart.description}")
    figure.removeAttribute("data-drawing")


# --- shared scenarios ---------------------------------------------------------
# A link carries only what differs from the page's own values, keyed
# "FORMKEY.FIELD". Values from a link are only ever assigned to .value and
# validated like typing; anything else is ignored with a notice.

MAX_SHOWN = 40


def _short(text):
    text = str(text)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _notice(form, text):
    notice = form.querySelector(".perfcalc__notice")
    notice.textContent = text
    notice.hidden = not text


def _write_url():
    previous = parse_qsl(str(window.location.search).lstrip("?"), keep_blank_values=True)
    params = []
    for form in document.querySelectorAll("form.perfcalc"):
        if form.dataset.state == "invalid":  # keep its last valid values
            params += [(k, v) for k, v in previous if k.partition(".")[0] == form.dataset.key]
            continue
        for el in _controls(form):
            if el.value != _default_value(el):
                params.append((f"{form.dataset.key}.{el.name}", el.value))
    query = ("?" + urlencode(params)) if params else ""
    url = str(window.location.pathname) + query + str(window.location.hash)
    window.history.replaceState(window.history.state, "", url)


def _default_value(el):
    if el.tagName == "SELECT":
        for option in el.options:
            if option.defaultSelected:
                return option.value
        return el.options[0].value if el.options.length else ""
    return el.defaultValue


def apply_link(forms):
    """Restore a shared scenario from the page URL onto the page's forms."""
    by_key = {form.dataset.key: form for form in forms}
    wanted, ignored = {}, []
    for key, value in parse_qsl(str(window.location.search).lstrip("?"), keep_blank_values=True):
        form_key, _, name = key.partition(".")
        form = by_key.get(form_key)
        if form is None or name not in {el.name for el in _controls(form)}:
            ignored.append(key)
            continue
        wanted.setdefault(form_key, {})[name] = value
    for form_key, values in wanted.items():
        form = by_key[form_key]
        calc = perfcalc.get(form.dataset.calculator)
        _result, errors = perfcalc.evaluate(calc.id, {el.name: el.value for el in _controls(form)} | values)
        problem = next(iter(errors.values()), None)
        if problem:
            _notice(form, f"The link's values could not be used, so this calculator shows its defaults: {problem}")
            continue
        for el in _controls(form):
            if el.name in values:
                el.value = values[el.name]
    if ignored and forms:
        names = ", ".join(_short(k) for k in ignored[:3]) + (" …" if len(ignored) > 3 else "")
        _notice(forms[0], f"Parts of the link match no calculator on this page and were ignored: {names}")


# --- copy actions -------------------------------------------------------------

def _flash(form, text):
    form.querySelector(".perfcalc__copied").textContent = text


def _copy(form, text, done):
    clipboard = getattr(window.navigator, "clipboard", None)
    if not clipboard:
        _flash(form, "Copying is not available here")
        return
    clipboard.writeText(text).then(
        create_once_callable(lambda *_: _flash(form, done)),
        create_once_callable(lambda *_: _flash(form, "Copying was refused by the browser")),
    )


def _on_click(event):
    button = event.target.closest("button[data-action]") if hasattr(event.target, "closest") else None
    form = button.closest("form.perfcalc") if button else None
    if not form or form.dataset.state == "static":
        return
    if button.dataset.action == "copy-link":
        _write_url()
        _copy(form, str(window.location.href), "Link copied")
    elif button.dataset.action == "copy-results":
        if form.dataset.state != "live":
            _flash(form, "Fix the highlighted input first")
            return
        calc = perfcalc.get(form.dataset.calculator)
        result = perfcalc.calculate(calc.id, **{el.name: el.value for el in _controls(form)})
        _copy(form, perfcalc.results_markdown(calc, result), "Results copied as Markdown")


def _on_input(event):
    target = event.target
    # closest() gives JS null (pyodide's jsnull, falsy, not None) outside a form, e.g. in the search box.
    form = target.closest("form.perfcalc") if hasattr(target, "closest") else None
    if form and form.dataset.state != "static":
        update(form)
        if form.dataset.state == "live":  # an invalid input leaves the last valid link in place
            _write_url()


def _on_submit(event):
    if event.target.matches("form.perfcalc"):
        event.preventDefault()  # Enter in a field must not reload the page


def mount_all(*_args):
    """Make the current page's forms live; called at start and after each instant navigation."""
    forms = list(document.querySelectorAll("form.perfcalc"))
    apply_link(forms)
    for form in forms:
        form.dataset.state = "live"
        update(form)  # the link, or the browser on back/forward, may have changed values
        for button in form.querySelectorAll("button[data-action]"):
            button.disabled = False
    document.documentElement.dataset.perfcalc = "live"


# One listener each for the whole tab: events bubble from any form, on any page.
document.addEventListener("input", create_proxy(_on_input))
document.addEventListener("change", create_proxy(_on_input))
document.addEventListener("submit", create_proxy(_on_submit))
document.addEventListener("click", create_proxy(_on_click))

if getattr(window, "document$", None) is not None:
    getattr(window, "document$").subscribe(create_proxy(mount_all))
else:  # no instant navigation (theme JS missing): the current page only
    mount_all()
