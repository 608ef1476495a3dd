"""One presentation of a summary: the words and numbers the command line prints and the page shows.

:func:`present` turns a :class:`~.summary.Summary` into a
:class:`Presentation`: every figure as text with its unit, every label
saying what the figure is (what the time field measures, what Little's law
counts, which requests the statuses count), in the order a reader needs
them (warnings before any suggested input). ``report.summary_table``
prints it; the page's worker (``perfcalc_worker.analysis_view``) sends it
as plain data; ``--json`` is the summary's own data, whose labels
(``latency.measures``, ``concurrency_counts``, ``statuses_scope``,
``warnings``) are the same strings.

Text that came from the file (endpoints, statuses, rejected lines, the
file's name) is escaped here with :func:`~.records.shown`-style escapes
for control characters, so a terminal is safe; the page inserts it as
text, never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..format import figure as number  # the name the worker imports
from .summary import Latency, Summary

__all__ = ["Block", "Table", "Presentation", "present", "figures", "MAX_ROWS_SHOWN", "clean"]

# Endpoints and statuses shown; --json has them all.
MAX_ROWS_SHOWN = 12
_CONTROL = {c: f"\\x{c:02x}" for c in list(range(32)) + [127]}
_CONTROL.update({c: f"\\x{c:02x}" for c in range(0x80, 0xA0)})


def clean(text: str) -> str:
    """Text from a file with its control characters escaped (``\\x1b`` stays visible, never acts).

    >>> clean("GET /\\x1b[2J\\x07 ok")
    'GET /\\\\x1b[2J\\\\x07 ok'
    """
    return text.translate(_CONTROL) if not text.isprintable() else text


@dataclass(frozen=True)
class Block:
    """A titled list of ``(label, value)`` rows; ``style`` is ``figures`` or ``latency`` (how a terminal aligns it).

    ``basis`` says how a latency block's figures were got and what they measure.
    """

    title: str
    rows: tuple
    style: str = "figures"
    basis: str = ""


@dataclass(frozen=True)
class Table:
    title: str
    head: tuple
    rows: tuple


@dataclass(frozen=True)
class Presentation:
    """Everything shown for one summary, as text, in the order it is shown."""

    heading: str            # "FILE: FORMAT (detected from line 1)"
    lines: str              # "N read, N used, N ignored, N rejected"
    rejected: tuple         # "line N: expected X, found Y"
    context: tuple          # (label, value): the time span and the steady window
    blocks: tuple           # Block: the window's figures, then each latency
    statuses: str           # "Statuses (which requests): 200 × 9, …"; "" when none
    endpoints: Table | None
    steps: Table | None
    usl: str
    warnings: tuple         # read before any suggested input
    inputs: tuple           # (calculator id, ((field, text), …))
    notes: tuple


def _latency_block(title: str, lat: Latency) -> Block:
    rows = [("count", number(lat.count)), ("mean", number(lat.mean_ms, "ms")), ("min", number(lat.min_ms, "ms")),
            ("p50", number(lat.p50_ms, "ms")), ("p90", number(lat.p90_ms, "ms")), ("p95", number(lat.p95_ms, "ms")),
            ("p99", number(lat.p99_ms, "ms")), ("p99.9", number(lat.p999_ms, "ms")), ("max", number(lat.max_ms, "ms"))]
    measures = f"; it measures {lat.measures}" if lat.measures else ""
    return Block(title, tuple((k, v) for k, v in rows if v != "—"), "latency", f"{lat.basis}{measures}")


def _context(s: Summary) -> tuple:
    rows = []
    if s.start_utc:
        rows.append(("Time", f"{s.start_utc} to {s.end_utc} ({number(s.span_s, 's', 0)} between the first and the "
                             "last timestamp)"))
    elif s.span_s:
        rows.append(("Duration", number(s.span_s, "s")))
    if s.window:
        w = s.window
        rows.append(("Window", f"{number(w.start_s, 's', 0)} to {number(w.end_s, 's', 0)} "
                               f"({number(w.duration_s, 's', 0)}), {w.rule}"))
    return tuple(rows)


def _figures(s: Summary) -> Block:
    rows = [("requests", number(s.requests)),
            ("throughput", number(s.throughput_rps, "requests/s", 2)),
            ("peak throughput", number(s.peak_throughput_rps, "requests/s", 2) if s.peak_throughput_rps else "—"),
            ("failures", f"{number(s.failures)} ({number(s.error_rate_pct, '%', 2)})" if s.failures is not None
             else "—"),
            ("in flight (Little)", f"{number(s.mean_concurrency, '', 2)} ({s.concurrency_counts})"
             if s.mean_concurrency is not None else "—"),
            (f"{s.load_name} (max)" if s.load_name else "load level", number(s.load_max)),
            ("failed when", s.failure_rule)]
    return Block("Steady window" if s.window else "Whole run", tuple((k, v) for k, v in rows if v != "—"))


def _endpoints(s: Summary) -> Table | None:
    if not s.endpoints:
        return None
    shown = s.endpoints[:MAX_ROWS_SHOWN]
    more = f", {len(s.endpoints) - len(shown)} more in the JSON" if len(s.endpoints) > len(shown) else ""
    return Table(f"Busiest endpoints ({len(s.endpoints)}{more})",
                 ("endpoint", "requests", "requests/s", "errors", "mean", "p99"),
                 tuple((clean(e.endpoint), number(e.requests), number(e.throughput_rps, "", 2),
                        number(e.error_rate_pct, "%", 2), number(e.mean_ms, "ms", 2), number(e.p99_ms, "ms"))
                       for e in shown))


def _steps(s: Summary) -> Table | None:
    if not s.steps:
        return None
    return Table(f"Load steps ({s.load_name or 'load level'}, the settled part of each)",
                 ("load", "measured", "requests", "requests/s", "errors", "mean", "p99"),
                 tuple((number(st.level), f"{st.start_s:,.0f}–{st.end_s:,.0f} s", number(st.requests),
                        number(st.throughput_rps, "", 2), number(st.error_rate_pct, "%", 2), number(st.mean_ms, "ms", 2),
                        number(st.p99_ms, "ms")) for st in s.steps))


def present(s: Summary) -> Presentation:
    """The summary as text, in the order it is read; the one place its numbers become words."""
    from .. import format_input  # the catalogue's own way of writing an input, as a reader would type it

    blocks = [_figures(s)]
    for title, lat in (("Response time", s.latency), ("As the tool stated, whole run", s.stated_latency),
                       ("Upstream time", s.upstream_latency)):
        if lat is not None and lat.count != 0:
            blocks.append(_latency_block(title, lat))
    statuses = ""
    if s.statuses:
        scope = f" ({s.statuses_scope})" if s.statuses_scope else ""
        statuses = f"Statuses{scope}: " + ", ".join(f"{clean(code) or '(none)'} × {n:,}"
                                                   for code, n in s.statuses[:MAX_ROWS_SHOWN])
    l = s.lines
    return Presentation(
        heading=f"{clean(s.file)}: {s.format_label} ({s.detected})",
        lines=f"{l.read:,} read, {l.used:,} used, {l.ignored:,} ignored, {l.rejected:,} rejected",
        rejected=tuple(f"line {r.line}: expected {r.expected}, found {r.found}" for r in s.rejected),
        context=_context(s), blocks=tuple(blocks), statuses=statuses, endpoints=_endpoints(s), steps=_steps(s),
        usl=s.usl_measurements or "", warnings=s.warnings,
        inputs=tuple((cid, tuple((name, format_input(v)) for name, v in values.items()))
                     for cid, values in s.calculator_inputs.items()),
        notes=s.notes,
    )


def figures(s: Summary) -> list:
    """The summary's charts (:class:`perfcalc.charts.Chart`: points, titles, and a caption in words) for the page.

    Throughput over time, the p99 of each bucket, and the latency
    distribution of the steady window; the page draws them
    (``perfcalc_site.charts``), and their captions are its text alternative.
    """
    from ..charts import Chart, Series  # only the page draws: the command line never imports the charts

    shown = []
    c = s.charts
    if c is not None and c.time_s:
        bucket = f"{number(c.bucket_s, decimals=0)}-second"
        shown.append(Chart(
            "Throughput over time", "Seconds after the first request", "Throughput (requests/s)",
            (Series("throughput", tuple(zip(c.time_s, c.throughput_rps))),),
            f"Requests per second in {bucket} buckets over {len(c.time_s)} buckets; the steady window averages "
            f"{number(s.throughput_rps, 'requests/s', 2)}, the busiest bucket "
            f"{number(s.peak_throughput_rps, 'requests/s', 2)}."))
        p99 = [(t, v) for t, v in zip(c.time_s, c.p99_ms) if v is not None]
        if p99:
            shown.append(Chart(
                "p99 response time over time", "Seconds after the first request", "p99 (ms)",
                (Series("p99", tuple(p99)),),
                f"The 99th percentile of response time in each {bucket} bucket ({c.p99_basis}); from "
                f"{number(min(v for _, v in p99))} to {number(max(v for _, v in p99), 'ms')}."))
    if c is not None and c.histogram_counts:
        centres = [(a + b) / 2 for a, b in zip(c.histogram_edges_ms, c.histogram_edges_ms[1:])]
        shown.append(Chart(
            "Latency distribution", "Response time (ms)", "Requests",
            (Series("requests", tuple(zip(centres, c.histogram_counts))),),
            f"How many requests of the steady window took each response time, in {len(centres)} bins from "
            f"{number(float(c.histogram_edges_ms[0]))} to {number(float(c.histogram_edges_ms[-1]), 'ms')}."))
    return shown
