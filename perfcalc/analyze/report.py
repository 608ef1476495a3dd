"""The summary as a readable text table: what ``perfcalc analyze FILE`` prints."""

from __future__ import annotations

from .summary import Latency, Summary

__all__ = ["summary_table", "MAX_ROWS_SHOWN"]

# Endpoints and statuses shown in the table; --json has them all.
MAX_ROWS_SHOWN = 10


def _num(value, decimals: int = 1, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return f"{text} {unit}".rstrip() if unit else text


def _ms(value) -> str:
    return _num(value, 1, "ms")


def _latency_lines(title: str, lat: Latency) -> list[str]:
    rows = [("count", _num(lat.count, 0)), ("mean", _ms(lat.mean_ms)), ("min", _ms(lat.min_ms)),
            ("p50", _ms(lat.p50_ms)), ("p90", _ms(lat.p90_ms)), ("p95", _ms(lat.p95_ms)), ("p99", _ms(lat.p99_ms)),
            ("p99.9", _ms(lat.p999_ms)), ("max", _ms(lat.max_ms))]
    rows = [(k, v) for k, v in rows if v != "—"]
    lines = ["", f"{title} ({lat.basis})"]
    lines += [f"  {k:<8}{v:>14}" for k, v in rows]
    return lines


def _table(header: tuple, rows: list) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for r in [header, *rows]:
        cells = [f"{str(c):<{w}}" if i == 0 else f"{str(c):>{w}}" for i, (c, w) in enumerate(zip(r, widths))]
        out.append("  " + "  ".join(cells).rstrip())
    return out


def summary_table(s: Summary) -> str:
    """The summary as text: the same numbers as the page, for a terminal or a CI log."""
    lines = [f"{s.file}: {s.format_label} ({s.detected})",
             f"Lines: {s.lines.read:,} read, {s.lines.used:,} used, {s.lines.ignored:,} ignored, "
             f"{s.lines.rejected:,} rejected"]
    for r in s.rejected:
        lines.append(f"  line {r.line}: expected {r.expected}, found {r.found}")
    if s.start_utc:
        lines.append(f"Time: {s.start_utc} to {s.end_utc} ({_num(s.span_s, 0)} s)")
    elif s.span_s:
        lines.append(f"Duration: {_num(s.span_s, 1)} s")
    if s.window:
        w = s.window
        lines.append(f"Window: {_num(w.start_s, 0)} s to {_num(w.end_s, 0)} s ({_num(w.duration_s, 0)} s), {w.rule}")

    title = "Steady window" if s.window else "Whole run"
    rows = [("requests", _num(s.requests, 0)),
            ("throughput", _num(s.throughput_rps, 2, "requests/s")),
            ("peak throughput", _num(s.peak_throughput_rps, 2, "requests/s") if s.peak_throughput_rps else "—"),
            ("failures", f"{_num(s.failures, 0)} ({_num(s.error_rate_pct, 2, '%')})"),
            ("in flight (Little)", _num(s.mean_concurrency, 2, "requests")),
            (f"{s.load_name} (max)" if s.load_name else "load level", _num(s.load_max, 0))]
    lines += ["", f"{title}"] + [f"  {k:<20}{v}" for k, v in rows if not v.startswith("—")]
    lines.append(f"  {'failed when':<20}{s.failure_rule}")
    if s.latency:
        lines += _latency_lines("Response time", s.latency)
    if s.stated_latency:
        lines += _latency_lines("Response time, whole run", s.stated_latency)
    if s.upstream_latency:
        lines += _latency_lines("Upstream time", s.upstream_latency)

    if s.endpoints:
        shown = s.endpoints[:MAX_ROWS_SHOWN]
        more = f", {len(s.endpoints) - len(shown)} more with --json" if len(s.endpoints) > len(shown) else ""
        lines += ["", f"Endpoints ({len(s.endpoints)}{more})"]
        lines += _table(("endpoint", "requests", "req/s", "errors %", "mean ms", "p95 ms", "p99 ms"),
                        [(e.endpoint if len(e.endpoint) <= 50 else e.endpoint[:49] + "…", _num(e.requests, 0),
                          _num(e.throughput_rps, 2), _num(e.error_rate_pct, 2), _num(e.mean_ms, 1),
                          _num(e.p95_ms, 1), _num(e.p99_ms, 1)) for e in shown])
    if s.statuses:
        lines += ["", "Statuses: " + ", ".join(f"{code or '(none)'} × {n:,}" for code, n in s.statuses[:MAX_ROWS_SHOWN])]
    if s.steps:
        lines += ["", f"Load steps ({s.load_name or 'load level'}, settled part of each)"]
        lines += _table(("N", "from s", "to s", "requests", "req/s", "errors %", "mean ms", "p99 ms"),
                        [(st.level, _num(st.start_s, 0), _num(st.end_s, 0), _num(st.requests, 0),
                          _num(st.throughput_rps, 2), _num(st.error_rate_pct, 2), _num(st.mean_ms, 1),
                          _num(st.p99_ms, 1)) for st in s.steps])
    if s.calculator_inputs:
        lines += ["", "Calculator inputs"]
        for cid, values in s.calculator_inputs.items():
            lines.append(f"  {cid}: " + " ".join(f"--{k.replace('_', '-')} {v!r}" if isinstance(v, str)
                                                 else f"--{k.replace('_', '-')} {v:g}" for k, v in values.items()))
    if s.notes:
        lines += ["", "Notes"] + [f"  - {n}" for n in s.notes]
    return "\n".join(lines)
