"""What a run measured: each request seen from both sides, and the figures the lab compares.

The generator knows when each request was due, sent and answered; the
view's answer says which process and thread served it and when the view
ran (:mod:`perfcalc.lab.app`); Gunicorn's access log gives ``%(D)s``, the
request time in microseconds from after the request was read to after the
response was written: service time, not the time a connection waited in
the kernel's backlog or in a gthread process's queue. :func:`join` puts
the three together per request, keyed by the ``id`` in each URL.

The service-time summary is read from the access log by
:mod:`perfcalc.analyze` (the same reader as ``perfcalc analyze``);
everything else is computed here, percentiles by the nearest-rank rule
over raw samples.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..analyze import Analyzer
from ..simulation import nearest_rank
from ..spec import PerfcalcError
from .generator import Record

__all__ = ["Sample", "LATENESS_LIMIT_MS", "read_access_log", "join", "percentiles", "client_figures",
           "service_summary", "busy_overhead_ms", "routing"]

# A generator that sends its p99 request later than this was not keeping its schedule: the machine was too
# busy for the run to count (at 50 ms service, a few ms late is a few per cent of a service time).
LATENESS_LIMIT_MS = 5.0
# Routing states seen fewer times than this are summed, not listed (see common_states).
MIN_STATE_ARRIVALS = 10
# The lab's own URLs, as the access log writes them: "GET /work?id=17&ms=34.125 HTTP/1.1" ... D
_WORK_LINE = re.compile(r'"GET /(?:work|noop)\?id=([\w-]+)(?:&ms=[0-9.]+)? HTTP/1\.[01]" .* (\d+)\Z')


@dataclass
class Sample:
    """One request of a run: the client's times, the server's answer and its ``%(D)s``."""

    record: Record
    service_ms: float            # what the view was asked to sleep (0 for /noop)
    pid: int | None = None
    tid: int | None = None
    view_start: float | None = None   # monotonic seconds, from the view's answer
    view_end: float | None = None
    d_ms: float | None = None    # %(D)s from the access log

    @property
    def ok(self) -> bool:
        return self.record.status == 200 and self.pid is not None

    @property
    def view_ms(self) -> float | None:
        return None if self.view_start is None else (self.view_end - self.view_start) * 1000.0


def read_access_log(path: Path) -> dict[str, tuple[float, str]]:
    """``id → (%(D)s in ms, the line)`` for the lab's requests in a Gunicorn access log."""
    found = {}
    if not path.exists():
        return found
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        m = _WORK_LINE.search(line)
        if m:
            found[m.group(1)] = (int(m.group(2)) / 1000.0, line)
    return found


def join(records: list[Record], service_ms: list[float], ids: list[str],
         access: dict[str, tuple[float, str]]) -> list[Sample]:
    """One :class:`Sample` per request: the generator's record, the view's answer, the access-log line."""
    samples = []
    for record, ms, key in zip(records, service_ms, ids):
        sample = Sample(record, ms)
        parts = record.body.split() if record.status == 200 else []
        if len(parts) == 4:
            sample.pid, sample.tid = int(parts[0]), int(parts[1])
            sample.view_start, sample.view_end = float(parts[2]), float(parts[3])
        if key in access:
            sample.d_ms = access[key][0]
        samples.append(sample)
    return samples


def percentiles(values: list[float], pcts=(50, 95, 99)) -> list[float]:
    """Nearest-rank percentiles of raw values (``inf`` counts as slower than anything).

    >>> percentiles([5.0, 1.0, 3.0, math.inf], (50, 99))
    [3.0, inf]
    """
    ordered = sorted(values)
    return [nearest_rank(ordered, p) for p in pcts]


def client_figures(samples: list[Sample], window_start: float, window_end: float) -> dict:
    """p50/p95/p99 from the scheduled start, throughput and failures, over requests due in the window.

    A request that failed or timed out counts as infinitely slow: it must
    not make the percentiles look better by being left out.
    """
    kept = [s for s in samples if window_start <= s.record.scheduled < window_end]
    if not kept:
        raise PerfcalcError("no request was due in the measured part of the run")
    latencies = [s.record.latency_s * 1000.0 if s.ok else math.inf for s in kept]
    p50, p95, p99 = percentiles(latencies)
    answered = sum(s.ok for s in kept)
    return {"p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "throughput_rps": answered / (window_end - window_start),
            "requests": len(kept), "failures": len(kept) - answered,
            "mean_ms": math.fsum(latencies) / len(kept)}


def lateness_p99_ms(samples: list[Sample]) -> float:
    """The generator's own lateness: the p99 of (sent − scheduled), over every request it sent."""
    late = [s.record.lateness_s * 1000.0 for s in samples if s.record.sent is not None]
    return percentiles(late, (99,))[0] if late else math.inf


def service_summary(lines: list[str], name: str):
    """``%(D)s`` of these access-log lines, read by :class:`perfcalc.analyze.Analyzer` (a ``Summary``)."""
    analyzer = Analyzer(name, "gunicorn")
    analyzer.feed("".join(line + "\n" for line in lines))
    return analyzer.finish()


def busy_overhead_ms(samples: list[Sample]) -> tuple[float | None, int]:
    """How long a worker is busy per request outside ``%(D)s``, from requests that waited for it.

    For two requests served one after the other by the same thread of the
    same process, the second already waiting when the first's view ended,
    the gap between the views is everything the worker did in between: the
    end of the first request inside ``%(D)s`` (response, close of the
    iterator), the part outside it (access log, closing the connection,
    accepting and parsing the next), the start of the second inside
    ``%(D)s``. Less the time inside ``%(D)s`` around the views
    (``%(D)s`` − view, split evenly between two requests) it is the
    overhead outside ``%(D)s``. Returns the median and the number of pairs
    (``None`` without any).
    """
    by_thread: dict[tuple[int, int], list[Sample]] = {}
    for s in samples:
        if s.ok and s.d_ms is not None:
            by_thread.setdefault((s.pid, s.tid), []).append(s)
    gaps = []
    for served in by_thread.values():
        served.sort(key=lambda s: s.view_start)
        for prev, nxt in zip(served, served[1:]):
            if nxt.record.sent is not None and nxt.record.sent < prev.view_end:
                inside = ((prev.d_ms - prev.view_ms) + (nxt.d_ms - nxt.view_ms)) / 2.0
                gaps.append((nxt.view_start - prev.view_end) * 1000.0 - inside)
    if not gaps:
        return None, 0
    return percentiles(gaps, (50,))[0], len(gaps)


def routing(samples: list[Sample], boot_order: list[int]) -> dict:
    """Which process got each connection, and what each held when it came.

    A process holds a request from its send to its answer (the client's
    view of accept to close). At every arrival the state is the number each
    process held; ``busier_won`` is the share of arrivals, among those that
    found the processes holding different numbers, that went to the one
    holding more; ``by_state`` (two processes) gives, per state
    (held by the first booted, held by the second), the arrivals and how
    many went to the first (states with at least :data:`MIN_STATE_ARRIVALS`
    arrivals). ``shares`` follow ``boot_order``.
    """
    served = sorted((s for s in samples if s.ok), key=lambda s: s.record.sent)
    order = [p for p in boot_order if any(s.pid == p for s in served)] + sorted(
        {s.pid for s in served} - set(boot_order))
    counts = Counter(s.pid for s in served)
    held: list[tuple[float, int]] = []
    busier = [0, 0]
    by_state: Counter = Counter()
    for s in served:
        t = s.record.sent
        held = [(end, pid) for end, pid in held if end > t]
        n = Counter(pid for _, pid in held)
        top = max(n.get(p, 0) for p in order)
        if sum(n.get(p, 0) == top for p in order) == 1:
            busier[1] += 1
            busier[0] += n.get(s.pid, 0) == top
        if len(order) == 2:
            by_state[(n.get(order[0], 0), n.get(order[1], 0), s.pid == order[0])] += 1
        held.append((s.record.done, s.pid))
    cells = [{"held": list(st), "arrivals": by_state[(*st, True)] + by_state[(*st, False)],
              "to_first": by_state[(*st, True)]} for st in sorted({k[:2] for k in by_state})]
    return {
        "processes": order,
        "shares": [counts[p] / len(served) for p in order] if served else [],
        "busier_won": busier[0] / busier[1] if busier[1] else None,
        "unequal_arrivals": busier[1],
        **common_states(cells),
    }


def common_states(cells: list[dict], min_arrivals: int = MIN_STATE_ARRIVALS) -> dict:
    """``by_state`` cells with at least ``min_arrivals`` arrivals, and how many arrivals the rarer ones had.

    A runaway queue visits hundreds of states once or twice each: they say nothing about the routing and
    would fill the results file.

    >>> common_states([{"held": [0, 0], "arrivals": 30, "to_first": 14}, {"held": [0, 9], "arrivals": 2, "to_first": 0}])
    {'by_state': [{'held': [0, 0], 'arrivals': 30, 'to_first': 14}], 'rarer_states_arrivals': 2}
    """
    kept = [c for c in cells if c["arrivals"] >= min_arrivals]
    return {"by_state": kept, "rarer_states_arrivals": sum(c["arrivals"] for c in cells) - sum(
        c["arrivals"] for c in kept)}
