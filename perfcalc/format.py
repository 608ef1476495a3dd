"""How output values are shown: the same text in the CLI table, the page and the build."""

from __future__ import annotations

import math
from typing import Any

from .spec import Output

__all__ = ["format_breakdown", "format_input", "format_output", "raw_value", "results_markdown"]


def format_output(output: Output, value: Any) -> str:
    """Format one output value with its unit.

    >>> from perfcalc.spec import Output
    >>> format_output(Output("p99_ms", "p99", unit="ms", decimals=1), 1234.567)
    '1,234.6 ms'
    >>> format_output(Output("p99_ms", "p99", unit="ms", none="unbounded"), None)
    '∞'
    >>> format_output(Output("cost", "Cost", unit="$", format="money"), 1234.5)
    '$1,234.50'
    >>> format_output(Output("u_pct", "Utilisation", unit="%", format="pct", decimals=1), 81.25)
    '81.2 %'
    """
    if value is None:
        return "∞" if output.none == "unbounded" else "—"
    if output.format == "bool":
        return "yes" if value else "no"
    if output.format == "text":
        return str(value)
    if output.format == "money":
        return f"${value:,.2f}"
    if output.format == "int":
        text = f"{round(value):,}"
    else:
        text = f"{value:,.{output.decimals}f}"
        if value != 0 and float(text.replace(",", "")) == 0:  # tiny but not zero: show significant digits
            text = f"{value:.3g}"
    if text == "-0" or text.startswith("-0.") and float(text) == 0:
        text = text[1:]
    unit = output.unit
    if not unit:
        return text
    if unit == "×":
        return f"{text}×"
    return f"{text} {unit}"


def format_breakdown(pairs, unit: str, decimals: int) -> str:
    """Named values in one line, each shown as :func:`format_output` shows a number (``None`` or ∞: ∞).

    A calculator's figure per tier, per worker …, as one text output. Within
    an item the spaces do not break (U+00A0), so a line wraps only between
    items:

    >>> format_breakdown([("gunicorn", 81.25), ("redis", 2.0)], "%", 1).replace("\u00a0", " ")
    'gunicorn 81.2 %, redis 2.0 %'
    >>> format_breakdown([("db", None), ("app", float("inf"))], "ms", 2).replace("\u00a0", " ")
    'db ∞, app ∞'
    """
    shown = Output("value", "value", unit=unit, decimals=decimals, none="unbounded")
    items = (f"{name} {format_output(shown, value if value is None or math.isfinite(value) else None)}"
             for name, value in pairs)
    return ", ".join(item.replace(" ", "\u00a0") for item in items)


def raw_value(value: Any) -> str:
    """The unformatted value for ``data-value``: a number, ``true``/``false``, or empty when unbounded.

    >>> raw_value(0.1), raw_value(True), raw_value(None), raw_value(7)
    ('0.1', 'true', '', '7')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def format_input(value: Any) -> str:
    """An input value the way a reader would type it: no exponent for ordinary numbers.

    >>> format_input(10_000_000.0), format_input(0.1), format_input(None), format_input(1.5e-07)
    ('10000000', '0.1', '', '1.5e-07')
    """
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    return str(value)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def results_markdown(calc, result) -> str:
    """A calculator's inputs and results as Markdown tables, for "copy results".

    >>> import perfcalc
    >>> text = results_markdown(perfcalc.get("amdahl"), perfcalc.calculate("amdahl"))
    >>> print(text)
    **Amdahl's law**
    <BLANKLINE>
    | Input | Value |
    |---|---|
    | Serial share | 5 % |
    | Workers N | 16 |
    <BLANKLINE>
    | Result | Value |
    |---|---|
    | Speed-up | 9.14× |
    | Limit for any N | 20.00× |
    """
    lines = [f"**{_cell(calc.title)}**", "", "| Input | Value |", "|---|---|"]
    for f in calc.fields:
        value = format_input(result.inputs[f.name]) or "(empty)"
        unit = f" {f.unit}" if f.unit and result.inputs[f.name] is not None else ""
        lines.append(f"| {_cell(f.label)} | {_cell(value + unit)} |")
    lines += ["", "| Result | Value |", "|---|---|"]
    for o in calc.outputs:
        lines.append(f"| {_cell(o.label)} | {_cell(format_output(o, result.outputs[o.name]))} |")
    if result.warnings:
        lines += [""] + [f"> {_cell(w)}" for w in result.warnings]
    return "\n".join(lines)
