"""The per-request samples of an analysis's steady window: what a comparison of two runs tests.

:class:`RunSamples` is set once, by the accumulator that measured the
file (``analysis.py``), on :attr:`Summary.samples`; it is not part of
``Summary.to_json()`` (a million requests are no report). For files with
raw requests it holds every request of the steady window in time order;
for pre-aggregated files (Locust's CSVs, k6's summary) it holds no
samples and ``stated`` says what the tool stated, so a comparison can say
what it cannot test.

>>> s = RunSamples(latency_ms=(12.0, 30.5), failed=(False, True), time_s=(0.25, 1.5), duration_s=2.0,
...                stated=None, kind="requests", format_label="k6 JSON lines (--out json)")
>>> s.count, s.failures
(2, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

__all__ = ["RunSamples"]


@dataclass(frozen=True)
class RunSamples:
    """Every request of the steady window, in time order, as parallel sequences.

    ``latency_ms`` is each request's duration in milliseconds, ``failed``
    its failure flag (by the file's failure rule), ``time_s`` its timestamp
    in seconds from the file's first one; ``duration_s`` is the window's
    length. ``stated`` is, for a pre-aggregated file, what the tool stated
    (``requests``, ``failures``, ``throughput_rps``, ``mean_ms``,
    ``percentiles_ms`` {"50": ms, …}, ``basis``), else ``None``. ``kind`` is
    the summary's kind (``requests``, ``intervals``, ``totals``).
    """

    latency_ms: Sequence[float]
    failed: Sequence[bool]
    time_s: Sequence[float]
    duration_s: float | None
    stated: dict | None
    kind: str
    format_label: str

    @property
    def count(self) -> int:
        return len(self.latency_ms)

    @property
    def failures(self) -> int:
        return sum(1 for f in self.failed if f)
