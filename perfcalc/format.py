"""How output values are shown: the same text in the CLI table, the page and the build."""

from __future__ import annotations

import math
import textwrap
from typing import Any

from .spec import Output

__all__ = ["format_breakdown", "format_input", "format_output", "raw_value", "results_markdown", "comparison_cells",
           "comparison_table", "comparison_markdown", "comparison_runs", "verdict_sentences"]


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
