"""What ``perfcalc compare`` needs from one analysed file: the steady window's requests, or what the tool stated.

The analyzer fills a :class:`RunSamples` when asked (``Analyzer(…, samples=True)``)
and hangs it on :attr:`Summary.samples <perfcalc.analyze.summary.Summary>`;
it is not part of ``Summary.to_json()``. For a file with one record per
request (``kind == "requests"``) it holds three parallel arrays, one entry
per request of the steady window, in time order; for pre-aggregated files
(``"intervals"``: Locust's history; ``"totals"``: Locust's ``_stats.csv``,
k6's summary) the arrays are empty and :attr:`RunSamples.stated` holds the
figures the tool wrote.

>>> from array import array
>>> s = RunSamples(array("d", [12.0, 15.5, 11.0]), array("B", [0, 1, 0]), array("d", [0.0, 0.0, 1.0]),
...                duration_s=2.0, stated=None, kind="requests", format_label="nginx combined + $request_time")
>>> s.requests, s.failures
(3, 1)
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

__all__ = ["RunSamples", "STATED_KEYS"]

# The keys of RunSamples.stated, each None (or absent) where the file does not
# state it: "requests", "failures", "throughput_rps" (requests/s), "mean_ms",
# "percentiles_ms" ({"50": ms, "95": ms, …}, the ones the tool stated), "basis"
# (what the percentiles cover, in words: Locust's, the whole run with ramp-up),
# and "intervals": Locust's history within the window as (end_s, requests,
# failures, latency_sum_ms) rows, end_s from the window's start, each covering
# the time since the row before (the first opens the window: (0.0, 0, 0, 0.0)).
STATED_KEYS = ("requests", "failures", "throughput_rps", "mean_ms", "percentiles_ms", "basis", "intervals")


@dataclass(frozen=True)
class RunSamples:
    """One run's steady window, request by request, or as its tool stated it.

    - ``latency_ms``: ``array('d')``, each request's response time in ms;
      empty when the file records no response time (the other two arrays
      still hold every request).
    - ``failed``: ``array('B')``, 1 where the request failed by the file's rule.
    - ``time_s``: ``array('d')``, when each request was logged, in seconds
      from the file's first timestamp (as ``Summary.window``), non-decreasing;
      the analyzer keeps time to its page of time (1 s for files up to
      about an hour, coarser for longer ones), which is all that blocks of
      a tenth of the window need.
    - ``duration_s``: the window's length in seconds.
    - ``stated``: ``None`` for per-request files; else a dict with
      :data:`STATED_KEYS`.
    - ``kind``: ``"requests"``, ``"intervals"`` or ``"totals"``, as ``Summary.kind``.
    - ``format_label``: the format in words, as ``Summary.format_label``.
    """

    latency_ms: array
    failed: array
    time_s: array
    duration_s: float
    stated: dict | None
    kind: str
    format_label: str

    @property
    def requests(self) -> int:
        return len(self.failed)

    @property
    def failures(self) -> int:
        return sum(self.failed)
