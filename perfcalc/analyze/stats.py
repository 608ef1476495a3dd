"""The statistics of measured requests: exact percentiles, steady state, load steps.

Everything here works on numbers already read from a file, so it is the part
that can be checked against an independent computation.

Percentiles are **nearest-rank**: the p-th percentile of n values is the
smallest value such that at least p % of the values are at or below it, that
is the value of rank ⌈p/100 · n⌉ in sorted order (rank 1 for p = 0). It is
always a measured value, and "p99 = 250 ms" then means exactly what an SLO
means: 99 % of requests took 250 ms or less. Source: the nearest-rank method
in Wikipedia, "Percentile"; NIST/SEMATECH e-Handbook of Statistical Methods,
§7.2.6.2 (order statistics). The same definition is numpy's
``method="inverted_cdf"`` (Hyndman and Fan 1996, definition 1).

Percentiles are never averaged: the mean of per-interval p99s is no
percentile of anything. A percentile over a window is computed from every
sample in it, here by selection across per-interval sorted runs
(:class:`SortedRuns`), which needs no second copy of the whole data.
"""

from __future__ import annotations

import math
import struct
from array import array
from bisect import bisect_left, bisect_right
from itertools import chain, repeat
from typing import NamedTuple, Sequence

__all__ = [
    "STEADY_FRACTION",
    "MIN_STEADY_BUCKETS",
    "STEP_MIN_S",
    "STEP_SETTLE_FRACTION",
    "nearest_rank",
    "percentile",
    "SortedRuns",
    "steady_window",
    "Plateau",
    "plateaus",
    "log_bin_edges",
    "littles_law",
]

# The steady-state rule (see steady_window). A bucket below 80 % of the
# typical throughput is still ramping: load generators ramp users in
# linearly, so this keeps the part of the run within 20 % of its plateau.
STEADY_FRACTION = 0.8
# With fewer buckets than this there is no "middle" to compare with.
MIN_STEADY_BUCKETS = 5
# The load-step rule (see plateaus). A step shorter than 10 s holds too few
# requests at typical rates for a throughput worth fitting, and Locust's own
# rates average over 10 s.
STEP_MIN_S = 10.0
# The first quarter of each step is dropped: new users' first requests and
# caches warming make the start of a step unlike its end.
STEP_SETTLE_FRACTION = 0.25
# Selection over more sorted runs than this merges neighbouring runs first. Each of a selection's 64
# steps is a bisect per run, in C; merging costs a sort of every value, so only far more runs than a
# window's chart buckets (at most 240) are worth merging.
MAX_RUNS = 256


def nearest_rank(p: float, n: int) -> int:
    """The 1-based rank of the p-th percentile among n sorted values: ⌈p/100 · n⌉, at least 1.

    Computed in integers where p has few decimals, so the 99.9th percentile
    of 1,000 values is rank 999, not 1,000 by the rounding error in
    99.9 / 100 × 1000 = 999.0000000000001:

    >>> nearest_rank(95, 20), nearest_rank(99.9, 1000), nearest_rank(0, 7), nearest_rank(100, 7)
    (19, 999, 1, 7)
    """
    if not 0 <= p <= 100:
        raise ValueError(f"a percentile is from 0 to 100, got {p!r}")
    scaled = round(p * 10_000)  # p in units of 1e-4 %: exact for 99.9, 99.99 …
    if abs(scaled - p * 10_000) < 1e-6:
        rank = -(-scaled * n // 1_000_000)
    else:
        rank = math.ceil(p / 100 * n)
    return max(1, min(n, rank))


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """The nearest-rank p-th percentile of values already in ascending order.

    The worked example from Wikipedia's "Percentile" (nearest-rank method):

    >>> data = [15, 20, 35, 40, 50]
    >>> [percentile(data, p) for p in (5, 30, 40, 50, 100)]
    [15, 20, 20, 35, 50]
    """
    if not sorted_values:
        raise ValueError("no values")
    return sorted_values[nearest_rank(p, len(sorted_values)) - 1]


def _bits(x: float) -> int:
    # For x ≥ 0 the IEEE 754 bit pattern read as an integer is monotone in x,
    # so a binary search over integers is a binary search over every double.
    return struct.unpack("<q", struct.pack("<d", x))[0]


def _from_bits(b: int) -> float:
    return struct.unpack("<d", struct.pack("<q", b))[0]


class SortedRuns:
    """Order statistics over several sorted sequences without merging them.

    A window of a load test is many intervals; each interval's durations are
    sorted once (a *run*), and any percentile of the whole window is then
    found by a binary search over the value (64 steps at most, each a
    ``bisect`` per run), in place of a sorted copy of every sample. Values
    must be ≥ 0 and not NaN (durations are).

    >>> r = SortedRuns([[1.0, 4.0, 9.0], [2.0, 3.0], [], [5.0]])
    >>> r.count, r.kth(1), r.kth(4), r.kth(6), r.percentile(50)
    (6, 1.0, 4.0, 9.0, 3.0)
    >>> r.count_below(4.0), r.count_at_or_below(4.0)
    (3, 4)
    """

    def __init__(self, runs):
        runs = [r for r in runs if len(r)]
        self.count = sum(len(r) for r in runs)
        if len(runs) > MAX_RUNS:
            # Fewer, longer runs: each selection step costs a bisect per run. Merging
            # neighbours (Timsort merges sorted runs in C) holds one group at a time.
            size, groups, group, held = -(-self.count // MAX_RUNS), [], [], 0
            for r in runs:
                group.append(r)
                held += len(r)
                if held >= size:
                    groups.append(group)
                    group, held = [], 0
            if group:
                groups.append(group)
            runs = [array("d", sorted(chain.from_iterable(g))) if len(g) > 1 else g[0] for g in groups]
        self.runs = runs

    def count_at_or_below(self, x: float) -> int:
        return sum(map(bisect_right, self.runs, repeat(x)))

    def count_below(self, x: float) -> int:
        return sum(map(bisect_left, self.runs, repeat(x)))

    @property
    def min(self) -> float:
        return min(r[0] for r in self.runs)

    @property
    def max(self) -> float:
        return max(r[-1] for r in self.runs)

    def sum(self) -> float:
        return math.fsum(math.fsum(r) for r in self.runs)

    def kth(self, k: int) -> float:
        """The k-th smallest value (1-based)."""
        if not 1 <= k <= self.count:
            raise ValueError(f"k must be from 1 to {self.count}, got {k}")
        if len(self.runs) == 1:
            return self.runs[0][k - 1]
        lo, hi = _bits(self.min), _bits(self.max)
        # Smallest bit pattern v with count(≤ v) ≥ k: the answer is then a
        # value present in some run, since the count only steps at values.
        while lo < hi:
            mid = (lo + hi) // 2
            if self.count_at_or_below(_from_bits(mid)) >= k:
                hi = mid
            else:
                lo = mid + 1
        return _from_bits(lo)

    def percentile(self, p: float) -> float:
        """The nearest-rank p-th percentile of every value in every run."""
        return self.kth(nearest_rank(p, self.count))


def steady_window(counts: Sequence[float]) -> tuple[int, int]:
    """The steady part of a run: ``(first, end)`` bucket indices, end exclusive.

    The rule: the reference is the median throughput of the middle half of
    the buckets (robust to ramps of up to a quarter of the run at each end,
    and to spikes); the window runs from the first bucket that reaches
    ``STEADY_FRACTION`` (80 %) of it to the last one that does. Only the
    edges are trimmed: a dip in the middle is part of what was measured.
    With fewer than ``MIN_STEADY_BUCKETS`` buckets the whole run is kept.

    A ramp-up of two buckets, a plateau, a ramp-down of one:

    >>> steady_window([10, 60, 100, 98, 103, 97, 101, 99, 40])
    (2, 8)
    >>> steady_window([5, 100, 100])
    (0, 3)
    """
    n = len(counts)
    if n < MIN_STEADY_BUCKETS:
        return 0, n
    middle = sorted(counts[n // 4: n - n // 4])
    reference = middle[(len(middle) - 1) // 2]
    threshold = STEADY_FRACTION * reference
    steady = [i for i, c in enumerate(counts) if c >= threshold]
    if not steady:
        return 0, n
    return steady[0], steady[-1] + 1


class Plateau(NamedTuple):
    """A run of consecutive intervals at one load level, and the part of it that is measured."""

    level: float
    first: int      # index of the first interval at this level
    end: int        # index after the last
    kept_first: int  # index of the first interval measured, after settling


def plateaus(levels: Sequence[float | None], interval_s: float) -> list[Plateau]:
    """Find the load steps in a sequence of per-interval load levels.

    ``levels`` holds, per interval of ``interval_s`` seconds, the number of
    users, VUs or threads, or ``None`` where it changed within the interval.
    A step is a maximal run of equal levels lasting at least ``STEP_MIN_S``;
    its first ``STEP_SETTLE_FRACTION`` (at least one interval) is dropped as
    settling, so the measured part starts at ``kept_first``. Ramps, where
    the level changes every interval or two, give no step.

    >>> [tuple(p) for p in plateaus([1, 1, 1, 1, None, 2, 2, 2, 2, 2, 2, 2, 2, 3], 5.0)]
    [(1, 0, 4, 1), (2, 5, 13, 7)]
    """
    found = []
    i, n = 0, len(levels)
    min_intervals = max(2, math.ceil(STEP_MIN_S / interval_s - 1e-9))
    while i < n:
        level = levels[i]
        j = i + 1
        while j < n and levels[j] == level:
            j += 1
        if level is not None and j - i >= min_intervals:
            settle = max(1, math.floor((j - i) * STEP_SETTLE_FRACTION))
            found.append(Plateau(level, i, j, i + settle))
        i = j
    return found


def log_bin_edges(low: float, high: float, max_bins: int = 60) -> list[float]:
    """Edges of a latency histogram: 10 bins per decade from ``low`` to ``high`` (both > 0).

    Latencies spread over decades, so equal widths on a log scale show the
    body and the tail alike. Edges are powers 10^(k/10), the same for every
    file, so two histograms can be compared; with a range wider than
    ``max_bins`` tenths of a decade, 5, 2 or 1 bins per decade are used.

    >>> log_bin_edges(1.0, 10.0)[:4], len(log_bin_edges(1.0, 10.0))
    ([1.0, 1.2589254117941673, 1.5848931924611136, 1.9952623149688795], 11)
    """
    for per_decade in (10, 5, 2, 1):
        k_low = math.floor(math.log10(low) * per_decade + 1e-9)
        k_high = math.ceil(math.log10(high) * per_decade - 1e-9)
        if k_high == k_low:
            k_high += 1
        if k_high - k_low <= max_bins:
            break
    k_low = max(k_low, k_high - max_bins)  # beyond 60 decades, the lowest values share the first bin
    return [10 ** (k / per_decade) for k in range(k_low, k_high + 1)]


def littles_law(throughput_rps: float | None, mean_ms: float | None) -> float | None:
    """Mean number in the system, L = λW: throughput × mean time over the same window; ``None`` if either is unknown.

    What it counts depends on the time: with a load generator's response
    times, requests in flight; with a server's own service time (Gunicorn's
    ``%(D)s``), busy workers. Source: J. D. C. Little, "A Proof for the
    Queuing Formula L = λW", Operations Research 9(3), 1961.

    >>> littles_law(40.0, 250.0), littles_law(None, 250.0)
    (10.0, None)
    """
    if throughput_rps is None or mean_ms is None:
        return None
    return throughput_rps * mean_ms / 1000.0
