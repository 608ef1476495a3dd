"""Browser side: make every perfcalc form on the page live, in Python.

Runs once per tab under PyScript (Pyodide). It reads the calculator specs,
parses what the reader typed, calls perfcalc.calculate, and writes outputs:
no formula lives here. Material's instant navigation swaps the page content
without reloading; ``document$`` tells us, and the new forms are mounted in
milliseconds by the interpreter that is already running.
"""

import perfcalc
from pyodide.ffi import create_proxy
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
    for out in form.querySelectorAll("output"):
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
    raw = {el.name: el.value for el in controls}
    _values, errors = perfcalc.validate(calc.id, raw)
    result, form_message = None, ""
    if not errors:
        try:
            result = perfcalc.calculate(calc.id, **raw)
        except perfcalc.PerfcalcError as exc:
            if exc.field:
                errors[exc.field] = str(exc)
            else:
                form_message = str(exc)
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
    _set_stale(form, False)


def _on_input(event):
    target = event.target
    form = target.closest("form.perfcalc") if hasattr(target, "closest") else None
    if form is not None and form.dataset.state != "static":
        update(form)


def _on_submit(event):
    if event.target.matches("form.perfcalc"):
        event.preventDefault()  # Enter in a field must not reload the page


def mount_all(*_args):
    """Make the current page's forms live; called at start and after each instant navigation."""
    for form in document.querySelectorAll("form.perfcalc"):
        form.dataset.state = "live"
        update(form)  # the browser may have restored typed values on back/forward
    document.documentElement.dataset.perfcalc = "live"


# One listener each for the whole tab: events bubble from any form, on any page.
document.addEventListener("input", create_proxy(_on_input))
document.addEventListener("change", create_proxy(_on_input))
document.addEventListener("submit", create_proxy(_on_submit))

if getattr(window, "document$", None) is not None:
    getattr(window, "document$").subscribe(create_proxy(mount_all))
else:  # no instant navigation (theme JS missing): the current page only
    mount_all()
