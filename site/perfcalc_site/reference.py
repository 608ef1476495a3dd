"""The model reference: one calculator's equations, assumptions, inputs, outputs and model, as HTML.

Everything comes from the catalogue and the model's docstrings, so the
reference cannot drift from what the calculators compute. Equations are
typeset by KaTeX at build time (node, from node_modules): the browser gets
only KaTeX's stylesheet and fonts, no math JavaScript. All equations of the
catalogue are typeset in one batch, on first use, because starting node
costs more than typesetting.
"""

from __future__ import annotations

import functools
import html
import inspect
import json
import subprocess
from pathlib import Path

import perfcalc
from perfcalc.spec import Calculator

from .render import FenceError

SITE = Path(__file__).resolve().parent.parent
ROOT = SITE.parent


@functools.lru_cache(maxsize=1)
def _typeset_catalogue() -> dict[str, str]:
    """TeX → HTML for every equation in the catalogue; a TeX error fails the build."""
    tex = sorted({t for calc in perfcalc.CALCULATORS.values() for t in calc.equations})
    try:
        done = subprocess.run(["node", str(SITE / "katex-render.mjs")], input=json.dumps(tex), capture_output=True,
                              text=True, check=True, cwd=ROOT)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise FenceError(f"typesetting the model equations failed: {getattr(exc, 'stderr', exc)}") from exc
    return dict(zip(tex, json.loads(done.stdout)))


def _table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A plain HTML table; cells are already escaped."""
    header = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def section(calc: Calculator) -> str:
    """The reference for one calculator (its heading is the page's, so it lands in the table of contents)."""
    typeset = _typeset_catalogue()
    esc = html.escape
    func, module = calc.model, inspect.getmodule(calc.model)
    # The function's docstring, then its module's, which lists the sources.
    doc = (inspect.getdoc(func) or "") + "\n\n" + (inspect.getdoc(module) or "")
    fields = [(f"<code>{esc(f.name)}</code>", esc(f.label), esc(f.unit or "—"), esc(f.rule())) for f in calc.fields]
    outputs = [(f"<code>{esc(o.name)}</code>", esc(o.label), esc(o.unit or "—")) for o in calc.outputs]
    # A wide equation scrolls inside its box; the box takes focus so keyboard users can scroll it too.
    equations = "".join(f'<div class="perfcalc-equation" tabindex="0" role="group" aria-label="Equation">{typeset[t]}</div>'
                        for t in calc.equations)
    return (
        f'<div class="perfcalc-reference" data-calculator="{esc(calc.id)}">'
        f"<p>{esc(calc.summary)}</p>{equations}"
        f"<p><strong>Assumptions.</strong> {esc(calc.assumptions)}</p>"
        + _table(("input", "meaning", "unit", "rule"), fields)
        + _table(("output", "meaning", "unit"), outputs)
        + f"<p>Model: <code>{esc(func.__module__)}.{esc(func.__qualname__)}</code></p>"
        f'<pre class="perfcalc-docstring"><code>{esc(doc)}</code></pre></div>'
    )
