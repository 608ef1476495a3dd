"""Build side: render a ```perfcalc fence into a form with its results already computed.

The markup is the page contract (ARCHITECTURE.md, "The page contract"); the
browser controller (``browser/perfcalc.js``) only updates values, states and
warnings in it, with what the worker (``browser/perfcalc_worker.py``) computed.
Inputs are text fields, not ``type=number``: a number input hides what the
reader typed when it does not parse, and we want to show it back with a
message instead.
"""

from __future__ import annotations

import html

from pymdownx.superfences import SuperFencesException

import perfcalc
from perfcalc.spec import Calculator, Field

from . import charts


class FenceError(SuperFencesException, ValueError):
    """A calculator fence in the Markdown is malformed; the build must fail.

    SuperFences turns any other exception from a formatter into plain text
    (the fence would silently show as code); this one it lets through.
    """


def parse_fence(body: str) -> tuple[str, dict[str, str]]:
    """Read ``key: value`` lines; ``calculator`` names the calculator, the rest are inputs.

    A value may continue on indented lines (for ``usl-fit`` measurements).
    """
    values: dict[str, str] = {}
    key = None
    for line in body.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[:1].isspace() and key is not None:
            values[key] = (values[key] + "\n" + line.strip()).strip()
            continue
        if ":" not in line:
            raise FenceError(f"perfcalc fence: expected 'name: value', got {line.strip()!r}")
        key, _, value = line.partition(":")
        key = key.strip()
        if key in values:
            raise FenceError(f"perfcalc fence: {key} is given twice")
        values[key] = value.strip()
    if "calculator" not in values:
        raise FenceError("perfcalc fence: the first line must be 'calculator: ID'")
    return values.pop("calculator"), values


def _attr(value) -> str:
    return html.escape(str(value), quote=True)


def _control(form_id: str, f: Field, value) -> str:
    fid = f"{form_id}-{f.name}"
    described = f"{fid}-help {fid}-error"
    common = f'id="{fid}" name="{f.name}" aria-describedby="{described}"'
    if f.kind == "choice":
        options = "".join(
            f'<option value="{_attr(c)}"{" selected" if c == value else ""}>{html.escape(c)}</option>' for c in f.choices
        )
        return f"<select {common}>{options}</select>"
    shown = perfcalc.format_input(value)
    if f.kind == "text":
        return f'<textarea {common} rows="3" spellcheck="false">{html.escape(shown)}</textarea>'
    mode = "numeric" if f.kind == "int" else "decimal"
    return (f'<input {common} type="text" inputmode="{mode}" autocomplete="off" spellcheck="false" '
            f'value="{_attr(shown)}">')


def render_form(key: str, calc: Calculator, result: perfcalc.Result, reference_url: str) -> str:
    """The form for one calculator, outputs filled with ``result``. One line per element, no blank lines.

    ``key`` names the form in shared links; DOM ids are prefixed so they never
    collide with heading anchors.
    """
    form_id = f"pc-{key}"
    parts = [
        f'<form class="perfcalc" id="{form_id}" data-key="{_attr(key)}" data-calculator="{calc.id}" '
        f'data-state="static" novalidate aria-labelledby="{form_id}-title">',
        '<div class="perfcalc__head">',
        f'<span class="perfcalc__title" id="{form_id}-title">{html.escape(calc.title)}</span>',
        '<span class="perfcalc__status" role="status" aria-live="polite"></span>',
        "</div>",
        f'<p class="perfcalc__summary">{html.escape(calc.summary)}</p>',
        '<p class="perfcalc__notice" role="status" hidden></p>',
        '<div class="perfcalc__inputs">',
    ]
    for f in calc.fields:
        fid = f"{form_id}-{f.name}"
        unit = f' <span class="perfcalc__unit">{html.escape(f.unit)}</span>' if f.unit else ""
        hint = f"{f.help} " if f.help else ""
        parts += [
            f'<div class="perfcalc__field perfcalc__field--{f.kind}">',
            f'<label for="{fid}">{html.escape(f.label)}{unit}</label>',
            _control(form_id, f, result.inputs[f.name]),
            f'<small class="perfcalc__help" id="{fid}-help">{html.escape(hint)}Rule: {html.escape(f.rule())}.</small>',
            f'<small class="perfcalc__error" id="{fid}-error" aria-live="polite"></small>',
            "</div>",
        ]
    parts += [
        "</div>",
        f'<p class="perfcalc__form-error" id="{form_id}-form-error" role="alert" hidden></p>',
        '<div class="perfcalc__outputs" aria-live="polite">',
        '<p class="perfcalc__stale-note" hidden>Results are out of date until the highlighted input is fixed.</p>',
    ]
    for o in calc.outputs:
        value = result.outputs[o.name]
        parts += [
            '<div class="perfcalc__output">',
            f'<span class="perfcalc__label" id="{form_id}-out-{o.name}">{html.escape(o.label)}</span>',
            f'<output name="{o.name}" aria-labelledby="{form_id}-out-{o.name}" '
            f'data-value="{_attr(perfcalc.raw_value(value))}">{html.escape(perfcalc.format_output(o, value))}</output>',
            "</div>",
        ]
    warnings = "".join(f"<li>{html.escape(w)}</li>" for w in result.warnings)
    parts += [
        "</div>",
        f'<ul class="perfcalc__warnings"{"" if warnings else " hidden"}>{warnings}</ul>',
        charts.render_figure(calc.chart(result.inputs, result.outputs), form_id) if calc.chart else "",
        '<div class="perfcalc__actions">',
        '<button type="button" class="md-button" data-action="copy-link" disabled>Copy link</button>',
        '<button type="button" class="md-button" data-action="copy-results" disabled>Copy results</button>',
        '<span class="perfcalc__copied" role="status"></span>',
        "</div>",
        f'<p class="perfcalc__assumptions"><strong>Assumptions.</strong> {html.escape(calc.assumptions)} '
        f'<a href="{_attr(reference_url)}#{calc.id}">Model and sources</a>.</p>',
        "</form>",
    ]
    return "\n".join(parts)


def render_fence(body: str, key: str, reference_url: str) -> str:
    """Parse a fence, compute its defaults natively, return the form's HTML."""
    calculator_id, inputs = parse_fence(body)
    try:
        calc = perfcalc.get(calculator_id)
        result = perfcalc.calculate(calc.id, **inputs)
    except perfcalc.PerfcalcError as exc:
        raise FenceError(f"perfcalc fence for {calculator_id}: {exc}") from exc
    return render_form(key, calc, result, reference_url)
