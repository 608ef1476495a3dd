"""The one place numbers become text: outputs, inputs, bounds, prose figures, chart labels.

The CLI table, the page, the build, the charts' text alternatives and their
tick labels all call these functions, so a figure reads the same wherever it
is shown. Nothing here computes a model's number; it only shows one.
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # spec imports this module (for bounds in words), so Output is only a type here
    from .spec import Output

__all__ = ["comparison_cells", "comparison_markdown", "comparison_runs", "comparison_table", "figure",
           "format_breakdown", "format_input", "format_output", "input_rows", "interval", "money", "output_rows",
           "plain_number", "raw_value", "results_markdown", "significant", "tenths", "tick_label",
           "verdict_sentences"]


def _non_finite(x: float) -> str | None:
    """∞, -∞ or — (not a number) for a value that is no finite number, else None."""
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return None


def _fixed(value: float, decimals: int, separator: str = ",") -> str:
    """Fixed decimals, thousands separated (unless ``separator`` is ""), never a negative zero ("-0.0" is "0.0")."""
    text = f"{value:{separator}.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text


def plain_number(value: float) -> str:
    """A number the way a reader types it, as rules quote their bounds: no separator, no exponent in range.

    >>> plain_number(10_000.0), plain_number(0.5), plain_number(1e-09), plain_number(-3)
    ('10000', '0.5', '0.000000001', '-3')
    >>> plain_number(1e-10), plain_number(1e15), plain_number(float("inf"))
    ('1e-10', '1000000000000000.0', 'inf')
    """
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    if 1e-9 <= abs(value) < 1e15:
        return f"{value:.9f}".rstrip("0").rstrip(".")
    return repr(float(value))


def significant(x: float, digits: int = 3) -> str:
    """A number for prose: ``digits`` significant digits (a whole part is never cut), thousands separated.

    Trailing zeros after the point go; ∞ for unbounded, — for not a number.

    >>> significant(1234.5), significant(0.012345), significant(98.0), significant(0.0)
    ('1,234', '0.0123', '98', '0')
    >>> significant(2.71828, 2), significant(float("inf")), significant(-1.5)
    ('2.7', '∞', '-1.5')
    """
    if x == 0:
        return "0"
    if (special := _non_finite(x)) is not None:
        return special
    magnitude = math.floor(math.log10(abs(x)))
    decimals = max(0, digits - 1 - magnitude)
    text = _fixed(round(x, decimals), decimals)
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(x: float) -> str:
    """An amount of money: the page's one currency sign, cents, thousands separated.

    >>> money(1234.5), money(0.004)
    ('$1,234.50', '$0.00')
    """
    return f"${x:,.2f}"


def figure(value: Any, unit: str = "", decimals: int = 1, none: str = "—") -> str:
    """A measured figure in a table: thousands separated, fixed decimals (none for an int), its unit.

    ``None`` shows as ``none``; an infinite value as ∞ (unbounded).

    >>> figure(1066.6, decimals=0), figure(12, "ms"), figure(2.345, "ms"), figure(None), figure(None, none="∞")
    ('1,067', '12 ms', '2.3 ms', '—', '∞')
    >>> figure(float("inf"), "ms")
    '∞ ms'
    """
    if value is None:
        return none
    if isinstance(value, float) and (special := _non_finite(value)) is not None:
        text = special
    else:
        text = _fixed(value, 0 if isinstance(value, int) else decimals)
    return f"{text} {unit}".rstrip()


def tick_label(x: float) -> str:
    """A chart's tick label: short, with thousands separated (2,500; 1.2M; 0.05).

    >>> tick_label(2500.0), tick_label(1_250_000.0), tick_label(0.05), tick_label(0.0), tick_label(-1500.0)
    ('2,500', '1.25M', '0.05', '0', '-1,500')
    """
    if x == 0:
        return "0"
    if (special := _non_finite(x)) is not None:
        return special
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.3g}M"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def tenths(x: float) -> str:
    """A drawing's coordinate, to a tenth of a unit, with no trailing ``.0``: short SVG.

    >>> tenths(12.0), tenths(3.14159), tenths(-0.04)
    ('12', '3.1', '0')
    """
    text = _fixed(x, 1, separator="")
    return text[:-2] if text.endswith(".0") else text


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
    >>> format_output(Output("p99_interval_ms", "p99 interval", unit="ms", format="interval", decimals=1), (231.46, 1248.0))
    '[231.5, 1,248.0] ms'
    """
    if value is None:
        return "∞" if output.none == "unbounded" else "—"
    if output.format == "bool":
        return "yes" if value else "no"
    if output.format == "text":
        return str(value)
    if output.format == "money":
        return money(value)
    if output.format == "int":
        return _with_unit(_fixed(value, 0), output.unit)
    if output.format == "interval":
        return interval(*value, output.unit, output.decimals)
    return _quantity(value, output.unit, output.decimals)


def interval(low: float, high: float, unit: str, decimals: int) -> str:
    """A confidence interval as its two ends, ``[low, high]``, and the unit once: intervals may be lopsided.

    >>> interval(187.04, 487.0, "ms", 1), interval(0.5, float("inf"), "ms", 1)
    ('[187.0, 487.0] ms', '[0.5, ∞] ms')
    """
    low_text, high_text = (_non_finite(x) or _quantity(x, "", decimals) for x in (low, high))
    return _with_unit(f"[{low_text}, {high_text}]", unit)


def _quantity(value: float, unit: str, decimals: int) -> str:
    """A number to ``decimals`` places (significant digits when that shows a non-zero as 0) and its unit."""
    text = _fixed(value, decimals)
    if value != 0 and float(text.replace(",", "")) == 0:  # tiny but not zero: show significant digits
        text = f"{value:.3g}"
    return _with_unit(text, unit)


def _with_unit(text: str, unit: str) -> str:
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
    items = (f"{name} {'∞' if value is None or not math.isfinite(value) else _quantity(value, unit, decimals)}"
             for name, value in pairs)
    return ", ".join(item.replace(" ", "\u00a0") for item in items)


def raw_value(value: Any) -> str:
    """The unformatted value for ``data-value``: a number, ``true``/``false``, two numbers, or empty when unbounded.

    >>> raw_value(0.1), raw_value(True), raw_value(None), raw_value(7), raw_value((1.5, 2.0))
    ('0.1', 'true', '', '7', '1.5 2.0')
    """
    if value is None:
        return ""
    if isinstance(value, tuple):  # an interval's ends
        return " ".join(map(raw_value, value))
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


def input_rows(calc, result) -> list:
    """Each input of a result as ``(field, text)``: as typed, on one line, with its unit; ``(empty)`` when left empty.

    >>> import perfcalc
    >>> [(f.name, text) for f, text in input_rows(perfcalc.get("amdahl"), perfcalc.calculate("amdahl"))]
    [('serial_pct', '5 %'), ('concurrency', '16')]
    """
    rows = []
    for f in calc.fields:
        value = result.inputs[f.name]
        if value is None:
            rows.append((f, "(empty)"))
            continue
        text = " ".join(format_input(value).split())
        rows.append((f, f"{text} {f.unit}" if f.unit else text))
    return rows


def output_rows(calc, result) -> list:
    """Each output of a result as ``(output, text)``, shown by :func:`format_output`."""
    return [(o, format_output(o, result.outputs[o.name])) for o in calc.outputs]


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
    lines += [f"| {_cell(f.label)} | {_cell(text)} |" for f, text in input_rows(calc, result)]
    lines += ["", "| Result | Value |", "|---|---|"]
    lines += [f"| {_cell(o.label)} | {_cell(text)} |" for o, text in output_rows(calc, result)]
    if result.warnings:
        lines += [""] + [f"> {_cell(w)}" for w in result.warnings]
    return "\n".join(lines)


# -- perfcalc compare ----------------------------------------------------------------

_MINUS = "\u2212"


def _signed(value: float, decimals: int) -> str:
    text = f"{abs(value):,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return text
    return ("+" if value > 0 else _MINUS) + text


def _figure(unit: str, value) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        text = f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"
    elif unit == "%":
        text = f"{value:,.2f}" if value == 0 or value >= 0.01 else f"{value:.2g}"
    else:
        text = f"{value:,.2f}"
    return f"{text} {unit}"


def comparison_cells(comparison) -> list:
    """Each metric of a comparison as text: (label, baseline, candidate, change, interval, verdict).

    Latency and throughput changes are relative (%), the error rate's in
    percentage points (pp); an untested metric reads "not tested".

    >>> from perfcalc.analyze.compare import Change, Comparison, RunInfo
    >>> run = RunInfo("a.log", "nginx", "requests", 1000, 60.0)
    >>> c = Comparison(run, run, (Change("p99_ms", 200.0, 260.0, 30.0, 21.25, 39.5, "slower"),
    ...                          Change("error_rate_pct", 0.1, 0.1, 0.0, -0.052, 0.051, "no significant change")), "", ())
    >>> comparison_cells(c)  # doctest: +NORMALIZE_WHITESPACE
    [('p99', '200.0 ms', '260.0 ms', '+30.0 %', '+21.2 % to +39.5 %', 'slower'),
     ('error rate', '0.10 %', '0.10 %', '0.00 pp', '−0.05 to +0.05 pp', 'no significant change')]
    """
    from .analyze.compare import METRICS

    labels = {m.name: m for m in METRICS}
    rows = []
    for c in comparison.metrics:
        m = labels[c.metric]
        points = m.name == "error_rate_pct"
        unit = " pp" if points else " %"
        change = "—" if c.change_pct is None else _signed(c.change_pct, 2 if points else 1) + unit
        if c.ci_low_pct is None:
            interval = "—"
        elif points:
            interval = f"{_signed(c.ci_low_pct, 2)} to {_signed(c.ci_high_pct, 2)} pp"
        else:
            interval = f"{_signed(c.ci_low_pct, 1)} % to {_signed(c.ci_high_pct, 1)} %"
        rows.append((m.label, _figure(m.unit, c.baseline), _figure(m.unit, c.candidate), change, interval,
                     c.verdict or "not tested"))
    return rows


# How each verdict reads in a sentence, where "slower" would not (throughput rises and falls).
_VERDICT_WORDS = {("throughput_rps", "slower"): "fell", ("throughput_rps", "faster"): "rose"}


def verdict_sentences(comparison) -> list:
    """Each metric's verdict in words: what changed, by how much, and how sure.

    >>> from perfcalc.analyze.compare import Change, Comparison, RunInfo
    >>> run = RunInfo("a.log", "nginx", "requests", 1000, 60.0)
    >>> c = Comparison(run, run, (Change("p99_ms", 200.0, 260.0, 30.0, 21.25, 39.5, "slower"),
    ...                          Change("throughput_rps", 50.0, 49.0, -2.0, -5.0, 1.0, "no significant change"),
    ...                          Change("p50_ms", None, 10.0, None, None, None, None)), "", ())
    >>> for line in verdict_sentences(c): print(line)
    p99 is slower: +30.0 % (between +21.2 % and +39.5 %).
    Throughput: no significant change (−2.0 %, between −5.0 % and +1.0 %, within the noise of these runs).
    p50: not tested (see the notes).
    """
    out = []
    for (label, _, _, change, interval, verdict), c in zip(comparison_cells(comparison), comparison.metrics):
        name = label[0].upper() + label[1:] if label[0].islower() and not label[1:2].isdigit() else label
        between = "between " + interval.replace(" to ", " and ")
        if c.verdict is None:
            out.append(f"{name}: not tested (see the notes).")
        elif verdict == "no significant change":
            out.append(f"{name}: no significant change ({change}, {between}, within the noise of these runs).")
        else:
            word = _VERDICT_WORDS.get((c.metric, verdict), f"is {verdict}")
            out.append(f"{name} {word}: {change} ({between}).")
    return out


def _run_line(role: str, run) -> str:
    parts = [run.format_label]
    if run.requests is not None:
        parts.append(f"{run.requests:,} requests")
    if run.window_s:
        parts.append(f"{'steady window' if run.kind != 'totals' else 'run'} of {run.window_s:,.0f} s")
    return f"{role} {run.file}: " + ", ".join(parts)


def comparison_runs(comparison, aligned: bool = True) -> list:
    """The two runs in a line each: file, format, requests, window (names aligned for a terminal)."""
    return [_run_line("Baseline: " if aligned else "Baseline:", comparison.baseline),
            _run_line("Candidate:", comparison.candidate)]


def comparison_table(comparison) -> str:
    """What ``perfcalc compare`` prints: the runs, a table of the six metrics, the method, what was not tested."""
    header = ("metric", "baseline", "candidate", "change", f"{comparison.confidence_pct:g} % interval", "verdict")
    rows = [header, *comparison_cells(comparison)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [*comparison_runs(comparison), ""]
    for r in rows:
        cells = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:4], widths[1:4])]
        cells += [r[4].ljust(widths[4]), r[5]]
        lines.append("  " + "  ".join(cells).rstrip())
    lines += [""] + textwrap.wrap(f"Method: {comparison.method}", 100)
    if comparison.notes:
        lines += ["", "Notes"]
        for n in comparison.notes:
            lines += textwrap.wrap(n, 100, initial_indent="  - ", subsequent_indent="    ")
    return "\n".join(lines)


def comparison_markdown(comparison) -> str:
    """The comparison as Markdown, to paste in a pull request ("Copy results" on the page)."""
    lines = [f"**perfcalc compare**: baseline `{_code(comparison.baseline.file)}`, "
             f"candidate `{_code(comparison.candidate.file)}`", "",
             f"| Metric | Baseline | Candidate | Change | {comparison.confidence_pct:g} % interval | Verdict |",
             "|---|--:|--:|--:|---|---|"]
    for label, base, cand, change, interval, verdict in comparison_cells(comparison):
        if verdict not in ("no significant change", "not tested"):
            verdict = f"**{verdict}**"
        lines.append("| " + " | ".join(_cell(x) for x in (label, base, cand, change, interval, verdict)) + " |")
    lines += ["", _cell(comparison.method)]
    lines += [f"- {_cell(n)}" for n in comparison.notes]
    return "\n".join(lines)


def _code(text: str) -> str:
    """Text for inline code: one line, no backticks (a file name is data)."""
    return " ".join(str(text).split()).replace("`", "'")
