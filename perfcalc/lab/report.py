"""The lab's results as text: the rows the terminal table and the guide's page both show.

:func:`check_document` says whether a ``--json`` document (or the guide's
committed copy of one) has every field the table needs, naming the first
that is missing or of the wrong kind; :func:`rows` turns each run into
strings; :func:`lab_table` lays them out for a terminal.
"""

from __future__ import annotations

import math
import textwrap

from ..format import figure, interval
from ..spec import PerfcalcError

__all__ = ["HEADERS", "LEGEND", "NOT_IN_RUN", "check_document", "rows", "lab_table", "verdict", "ratio", "triple",
           "number", "busy_note", "split_note", "stack_cell", "stack_note"]

# Figures are p50 / p95 / p99 in ms, from each request's scheduled start (LEGEND says so above the table).
HEADERS = ("run", "measured", "adjusted", "p99 range", "holds", "replay", "nominal", "stack (adjusted)",
           "p99 median of runs this long", "p99 ÷ adjusted (÷ nominal)", "requests", "late p99")
LEGEND = ("p50 / p95 / p99 in ms. measured: from each request's scheduled start, the first tenth of the run "
          "dropped; adjusted: the model at the run's real arrival rate and busy time per request; p99 range: "
          "where simulated runs this long fall (the p50, p95 and p99 ranges are set together, so that 90 % of "
          "simulated runs fall inside all three; a run holds when it does); replay: the run's own arrivals and %(D)s through an ideal queue; "
          "nominal: the model at the scenario's inputs; stack: the whole-stack calculator with Gunicorn as its one "
          "tier, at the adjusted inputs (its own seeded simulation); late p99: how late the generator sent (over 5 ms, "
          "the run does not count).")
# A results file written before the lab predicted with stack has no stack figures: its cell says so.
NOT_IN_RUN = "not in this run"

_NUMBER = (int, float)
# field → kind, for every run; "ms?" is a number or null (unbounded)
_RUN_FIELDS = {
    "name": str, "label": str, "worker_class": str, "workers": int, "threads": int, "distribution": str,
    "utilization_pct": _NUMBER, "duration_s": _NUMBER, "requests": int, "lateness_p99_ms": _NUMBER,
    "counts": bool, "holds": bool, "warnings": list, "measured": dict, "predicted": dict,
    "predicted_adjusted": dict, "replay": dict, "calibration": dict, "checks": dict,
}
_FIGURES = ("p50_ms", "p95_ms", "p99_ms")
_MACHINE_FIELDS = ("date", "cpu", "cores", "python", "gunicorn", "flask")


def _fail(where: str, what: str):
    raise PerfcalcError(f"lab results: {where}: {what}")


def _kind_ok(value, kind) -> bool:
    if kind is _NUMBER:
        return isinstance(value, _NUMBER) and not isinstance(value, bool) and math.isfinite(value)
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def check_document(doc) -> dict:
    """``doc`` if it is a lab results document the table can show; a :class:`PerfcalcError` naming the fault.

    >>> check_document({"runs": []})
    Traceback (most recent call last):
    ...
    perfcalc.spec.PerfcalcError: lab results: the document: "command" is missing
    """
    if not isinstance(doc, dict):
        _fail("the document", "expected a JSON object with command, machine and runs")
    for key, kind in (("command", str), ("machine", dict), ("runs", list)):
        if key not in doc:
            _fail("the document", f'"{key}" is missing')
        if not isinstance(doc[key], kind):
            _fail("the document", f'"{key}" must be a {kind.__name__}')
    for key in _MACHINE_FIELDS:
        if key not in doc["machine"]:
            _fail("machine", f'"{key}" is missing')
    if not doc["runs"]:
        _fail("runs", "there is no run")
    for i, run in enumerate(doc["runs"]):
        where = f"run {i + 1} ({run.get('name', 'unnamed')})" if isinstance(run, dict) else f"run {i + 1}"
        if not isinstance(run, dict):
            _fail(where, "expected an object")
        for key, kind in _RUN_FIELDS.items():
            if key not in run:
                _fail(where, f'"{key}" is missing')
            if not _kind_ok(run[key], kind):
                _fail(where, f'"{key}" has the wrong kind: {run[key]!r}')
        for part in ("measured", "predicted", "predicted_adjusted", "replay"):
            for key in _FIGURES:
                value = run[part].get(key, "missing")
                if value is not None and not _kind_ok(value, _NUMBER):
                    _fail(where, f'"{part}.{key}" must be a number of ms or null (unbounded), got {value!r}')
        for key in ("throughput_rps", "service_mean_ms"):
            if not _kind_ok(run["measured"].get(key), _NUMBER):
                _fail(where, f'"measured.{key}" must be a number')
        for part in ("predicted", "predicted_adjusted"):
            stack = run[part].get("stack")  # absent from files written before the lab predicted with stack
            if stack is None:
                continue
            if not isinstance(stack, dict):
                _fail(where, f'"{part}.stack" must be an object, got {stack!r}')
            for key in _FIGURES:
                value = stack.get(key, "missing")
                if value is not None and not _kind_ok(value, _NUMBER):
                    _fail(where, f'"{part}.stack.{key}" must be a number of ms or null (unbounded), got {value!r}')
        band = run["predicted_adjusted"].get("p99_range_ms")
        if not (isinstance(band, list) and len(band) == 2 and all(_kind_ok(x, _NUMBER) for x in band)
                and band[0] <= band[1]):
            _fail(where, f'"predicted_adjusted.p99_range_ms" must be [low, high], got {band!r}')
    return doc


def number(value, decimals: int = 0) -> str:
    """A figure as the table shows it: thousands separated, ``∞`` for unbounded.

    >>> number(1066.6), number(None), number(2.345, 1)
    ('1,067', '∞', '2.3')
    """
    return figure(value if value is None else float(value), decimals=decimals, none="∞")


def triple(figures: dict) -> str:
    """``p50 / p95 / p99`` in whole ms."""
    return " / ".join(number(figures.get(k)) for k in _FIGURES)


def ratio(measured, predicted) -> str:
    """measured ÷ predicted to two decimals; ``—`` when either is unbounded.

    >>> ratio(251, 238.2), ratio(100, None)
    ('1.05', '—')
    """
    if measured is None or predicted is None or not predicted:
        return "—"
    return f"{measured / predicted:.2f}"


def verdict(run: dict) -> str:
    """``yes``, or which measured figures fell outside the range of a run this long, and whether it counts."""
    outside = [p for p in ("p50", "p95", "p99") if not run["checks"].get(f"{p}_in_range", False)]
    text = "yes" if run["holds"] else "no: " + ", ".join(outside) + " outside"
    return text if run["counts"] else text + " (machine too busy)"


def busy_note(run: dict) -> str:
    """How long a worker was busy per request, and where the part outside %(D)s came from."""
    adjusted = run["predicted_adjusted"]
    return (f"a worker busy {number(adjusted.get('busy_ms'), 1)} ms per request: mean %(D)s "
            f"{number(run['measured']['service_mean_ms'], 1)} ms plus {number(adjusted.get('busy_outside_ms'), 2)} ms "
            f"outside it (measured in {adjusted.get('busy_outside_from', 'the calibration')})")


def split_note(run: dict) -> str | None:
    """For gthread with several processes: the split model beside the shared queue and the even split."""
    adjusted = run["predicted_adjusted"]
    shared, even = adjusted.get("shared_queue"), adjusted.get("even_split")
    if not shared or not even:
        return None
    point = adjusted.get("p99_ms")
    point = ("unbounded: a process gets more than its threads can serve" if point is None
             else f"{number(point)} ms")
    return (f"p99 predicted for these shares {point} (over runs this long, median "
            f"{number(adjusted.get('p99_median_ms'))} ms); split evenly {number(even.get('p99_ms'))} ms; one shared "
            f"queue of {run['workers'] * run['threads']} threads {number(shared.get('p99_ms'))} ms")


def stack_cell(run: dict) -> str:
    """The stack calculator's adjusted p50 / p95 / p99, or why there is none."""
    stack = run["predicted_adjusted"].get("stack")
    if stack is None:
        return NOT_IN_RUN
    return "refused" if stack.get("refused") else triple(stack)


def _stated_interval(stack: dict) -> str | None:
    """The stack's p99 interval as stated, ``[low, high] ms``; a file written before gives p99 ± half-width."""
    if stack.get("p99_interval_ms") is not None:
        return interval(*stack["p99_interval_ms"], "ms", 0)
    if stack.get("p99_ci_ms") is not None:
        half = stack["p99_ci_ms"]
        return interval(stack["p99_ms"] - half, stack["p99_ms"] + half, "ms", 0)
    return None


def stack_note(run: dict) -> str | None:
    """What the stack calculator was given and said, nominal and adjusted; ``None`` for a file without it."""
    adjusted, nominal = run["predicted_adjusted"].get("stack"), run["predicted"].get("stack")
    if adjusted is None:
        return None

    def said(stack: dict) -> str:
        if stack.get("refused"):
            return f"{stack['model']} refused: {stack['refused']}"
        stated = _stated_interval(stack)
        return (f"{stack['model']} {triple(stack)} ms" + (f" (p99 95 % interval {stated})" if stated else "")
                + (f"; {stack['shares_note']}" if stack.get("shares_note") else ""))

    return "stack, adjusted: " + said(adjusted) + ("; nominal: " + said(nominal) if nominal else "")


def rows(doc: dict) -> list[tuple[str, ...]]:
    """One row of strings per run, in :data:`HEADERS` order."""
    out = []
    for run in doc["runs"]:
        adjusted, nominal = run["predicted_adjusted"], run["predicted"]
        low, high = adjusted["p99_range_ms"]
        out.append((run["label"], triple(run["measured"]), triple(adjusted), f"{number(low)}–{number(high)}",
                    verdict(run), triple(run["replay"]), triple(nominal), stack_cell(run),
                    number(adjusted.get("p99_median_ms")),
                    f"{ratio(run['measured']['p99_ms'], adjusted['p99_ms'])} "
                    f"({ratio(run['measured']['p99_ms'], nominal['p99_ms'])})",
                    f"{run['requests']:,}", f"{number(run['lateness_p99_ms'], 1)} ms"))
    return out


def lab_table(doc: dict) -> str:
    """The terminal's table: what ran where, one line per run, then each run's warnings and notes."""
    m = doc["machine"]
    lines = ["perfcalc lab: Flask under Gunicorn on a loopback address, open-loop Poisson load",
             f"{m['date']} · {m['cpu']} · {m['cores']} cores · Python {m['python']} · Gunicorn {m['gunicorn']} "
             f"· Flask {m['flask']} · {m.get('platform', 'platform not recorded')} · "
             f"{m.get('scheduling', 'default scheduling')}", "", *textwrap.wrap(LEGEND, 110), ""]
    table = [HEADERS, *rows(doc)]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADERS))]
    for r in table:
        lines.append("  ".join(f"{c:<{w}}" if i in (0, HEADERS.index("holds")) else f"{c:>{w}}" for i, (c, w) in
                               enumerate(zip(r, widths))).rstrip())
    for run in doc["runs"]:
        notes = list(run["warnings"])
        route = run.get("routing")
        if route and len(route.get("shares", [])) > 1:
            shares = " / ".join(f"{100 * s:.0f} %" for s in route["shares"])
            notes.append(f"connections per process (boot order): {shares}")
        notes += [n for n in (split_note(run), stack_note(run), busy_note(run)) if n]
        lines.append("")
        lines.append(f"{run['name']}:")
        lines += [f"  {n}" for n in notes]
    if doc.get("output_folder"):
        lines += ["", f"Raw files (requests, access logs): {doc['output_folder']}"]
    return "\n".join(lines)
