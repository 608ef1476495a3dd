"""Did it change, or is it noise? Two runs compared metric by metric, with intervals that keep their promise.

:func:`compare` sets two analysed files side by side (any two formats the
analyzer reads, each over its own steady window) and answers, for
``p50_ms``, ``p95_ms``, ``p99_ms``, ``mean_ms``, ``throughput_rps`` and
``error_rate_pct``: the baseline, the candidate, the change, a 95 %
interval for the change and a verdict. Latency and throughput changes are
relative (%, candidate / baseline − 1); the error rate's change is a
difference in percentage points, since a relative change of a rate near
zero means nothing (0 → 0.1 % is "+∞ %").

**Why blocks of time.** Requests through a queue are not independent: a
slow request is followed by slow ones (they waited behind the same queue).
An i.i.d. bootstrap over requests treats 8,000 requests as 8,000 pieces of
evidence; measured on simulated M/M/4 runs at 85 % busy, the evidence is
worth about 200 independent requests for the median and under one for the
p99 (the variance of the share of requests below them is 40 and 145 times
the binomial one), and that bootstrap's 95 % intervals for the change
between two runs of the *same* system covered zero in 0–30 % of pairs.
So each run's steady window is cut into ``BLOCKS`` (10) equal blocks of
time and resampled a block at a time, which keeps whatever dependence
lasts less than a block (Carlstein 1986; Künsch 1989; Lahiri 2003).

**The method**, per metric:

- *Percentiles and the mean*: each run's standard error of the log of
  the statistic from ``RESAMPLES`` block-bootstrap resamples (each a draw
  of ``BLOCKS`` blocks with replacement; the exact nearest-rank percentile
  of every resample, computed on the blocks' sorted arrays), scaled by
  K/(K − 1), the batch-means correction (Schmeiser 1982). The interval for
  the log ratio is d ± t·√(se_b² + se_c²) with Student's t at the
  Welch–Satterthwaite degrees of freedom (Welch 1947); each run's own
  degrees of freedom are K − 1 = 9, fewer when its blocks' contributions
  are heavy-tailed: ν = 2 / (2/(K − 1) + κ/K), κ their excess kurtosis
  (the variance of a sample variance, Cramér 1946 §27.4), because a few
  bursts of slow requests make the variance itself uncertain.
- *A percentile is tested* only when each run holds at least
  ``MIN_TAIL_REQUESTS`` (10) requests beyond it (a p99 needs 1,000
  requests): the bootstrap cannot say how far a maximum could have been.
- *Throughput*: requests per block of time, batch means on the log
  ratio, the same t and degrees of freedom; its variance never below a
  Poisson count's (1/n), so that a scheduled load (equal counts in every
  block) does not make a one-request difference a verdict.
- *Error rate*: each run's Wilson score interval (Wilson 1927) on an
  *effective* number of requests, n/deff·(z/t)², combined into an
  interval for the difference by Newcombe's hybrid score method
  (Newcombe 1998, method 10). Failures come in bursts too: deff, the
  design effect (Kish 1965), is the block variance of the share of
  failures over its binomial variance, at least 1, and the larger of the
  two runs' (a run without failures shows no bursts; under "no change"
  both runs are one process); a deff measured on ten blocks is itself
  uncertain, hence (z/t)² with t at the smaller of the runs' degrees of
  freedom (Korn & Graubard 1998). On simulated timeouts (over 400 ms at
  85 % busy), each run's own deff and z alone let 18 % of pairs of one
  system be called different.

**Six metrics, one error budget.** Each interval is at the 1 − 0.05/6
level (Bonferroni), so the six together are simultaneous 95 % intervals:
for two runs of the same system, the chance that *any* verdict says
something changed is at most 5 %, not the 26 % of six separate 95 %
tests. A verdict (``slower``/``faster``, ``worse``/``better`` for errors)
is given only when the interval excludes zero.

**What it cannot see**: differences *between* runs that no single run
shows (another host, a cold cache, a noisy neighbour): the interval
accounts for the noise within each run. Run the baseline twice (an A/A
test) to see how far two runs of one system drift. Pre-aggregated files
(k6's summary, Locust's ``_stats.csv``) hold no time series: their
figures are compared as stated, with no interval and no verdict. Locust's
history has one: throughput, error rate and the mean are tested over its
rows, its percentiles (stated for the whole run) are not.

Sources: E. Carlstein, "The use of subseries values for estimating the
variance of a general statistic from a stationary sequence", Annals of
Statistics 14(3), 1986. H. R. Künsch, "The jackknife and the bootstrap
for general stationary observations", Annals of Statistics 17(3), 1989.
S. N. Lahiri, *Resampling Methods for Dependent Data*, Springer 2003.
B. Schmeiser, "Batch size effects in the analysis of simulation output",
Operations Research 30(3), 1982. B. L. Welch, "The generalization of
'Student's' problem when several different population variances are
involved", Biometrika 34, 1947. H. Cramér, *Mathematical Methods of
Statistics*, Princeton 1946. L. Kish, *Survey Sampling*, Wiley 1965.
E. B. Wilson, "Probable inference, the law of succession, and statistical
inference", JASA 22(158), 1927. E. L. Korn and B. I. Graubard,
"Confidence intervals for proportions with small expected number of
positive counts estimated from survey data", Survey Methodology 24(2),
1998. R. G. Newcombe, "Interval estimation for the difference between
independent proportions: comparison of eleven methods", Statistics in
Medicine 17(8), 1998. Student's t from the regularised incomplete beta
function (Abramowitz & Stegun 26.7.1, 26.5.8).

Two runs of the same log, the second with every request 30 % slower:

>>> from perfcalc.analyze import analyze_bytes
>>> import random
>>> rng = random.Random(7)
>>> def log(scale):
...     rows = (f'10.0.0.1 - - [10/Oct/2024:13:{55 + s // 60}:{s % 60:02d} +0000] "GET / HTTP/1.1" 200 2 "-" "k6" '
...             f'{rng.expovariate(20) * scale:.4f}\\n' for s in range(300) for _ in range(20))
...     return analyze_bytes("".join(rows), "run.log")
>>> result = compare(log(1.0), log(1.3))
>>> [(c.metric, c.verdict) for c in result.metrics]  # doctest: +NORMALIZE_WHITESPACE
[('p50_ms', 'slower'), ('p95_ms', 'slower'), ('p99_ms', 'slower'), ('mean_ms', 'slower'),
 ('throughput_rps', 'no significant change'), ('error_rate_pct', 'no significant change')]
>>> p99 = result.metrics[2]
>>> p99.ci_low_pct < 30 < p99.ci_high_pct
True
"""

from __future__ import annotations

import math
import random
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from operator import mul
from statistics import NormalDist
from typing import Iterator, NamedTuple

from ..spec import PerfcalcError
from .samples import RunSamples
from .stats import SortedRuns, nearest_rank

__all__ = [
    "BLOCKS",
    "RESAMPLES",
    "SEED",
    "FAMILY_CONFIDENCE",
    "METRIC_CONFIDENCE",
    "MIN_TAIL_REQUESTS",
    "MIN_FILLED_BLOCKS",
    "METRICS",
    "Metric",
    "Change",
    "RunInfo",
    "Comparison",
    "student_t_cdf",
    "student_t_quantile",
    "wilson_interval",
    "newcombe_interval",
    "effective_df",
    "compare",
    "compare_steps",
]

# Each run's steady window is cut into this many equal blocks of time. Ten:
# at least 10 batches for a usable variance (Schmeiser 1982 recommends 10 to
# 30), and as long as possible, since dependence longer than a block is
# missed (on M/M/4 at 85 % busy, blocks of 12 s keep about 90 % of the p99's
# variance; blocks of 6 s, 80 %).
BLOCKS = 10
# Bootstrap resamples per run: enough for a standard error within about
# 2 % (1/√(2B)), cheap enough for two 100,000-request files in the browser.
RESAMPLES = 1000
# The resamples are drawn from random.Random(SEED + run): the same two files
# give the same intervals, on every machine.
SEED = 16
# Six metrics share one 5 % error budget (Bonferroni): each interval is at 1 − 0.05/6.
FAMILY_CONFIDENCE = 0.95
METRIC_CONFIDENCE = 1.0 - (1.0 - FAMILY_CONFIDENCE) / 6
# A percentile is tested when each run holds at least this many requests
# beyond it: the rule of thumb of ten events for a normal approximation to a
# count. (Not ten *effective* ones, n(1 − p)/deff: on simulated runs that rule
# kept exactly the runs whose variance was underestimated, and tested p99s
# covered worse than untested ones would have.)
MIN_TAIL_REQUESTS = 10
# Below this many degrees of freedom (half of BLOCKS − 1) a run's blocks disagree
# enough to say so in a note: its intervals are wide for a reason the reader can see.
UNEVEN_DF = 4.5
# Intervals need most blocks to hold requests: a run shorter than its
# time resolution allows, or a burst in silence, has no variance to measure.
MIN_FILLED_BLOCKS = 8


class Metric(NamedTuple):
    """One compared figure: its JSON name, its label, unit, and the words for a change each way."""

    name: str
    label: str
    unit: str
    worse_when_higher: bool
    worse: str
    better: str


METRICS = (
    Metric("p50_ms", "p50", "ms", True, "slower", "faster"),
    Metric("p95_ms", "p95", "ms", True, "slower", "faster"),
    Metric("p99_ms", "p99", "ms", True, "slower", "faster"),
    Metric("mean_ms", "mean", "ms", True, "slower", "faster"),
    Metric("throughput_rps", "throughput", "requests/s", False, "slower", "faster"),
    Metric("error_rate_pct", "error rate", "%", True, "worse", "better"),
)
_PERCENTILES = {"p50_ms": 50.0, "p95_ms": 95.0, "p99_ms": 99.0}
NO_CHANGE = "no significant change"


class Change(NamedTuple):
    """One metric of a comparison: what ``compare --json`` prints for it.

    ``change_pct``, ``ci_low_pct`` and ``ci_high_pct`` are relative changes
    in % (candidate / baseline − 1), except for ``error_rate_pct``, where
    they are differences in percentage points. ``None`` where there is
    nothing to compute; a ``verdict`` of ``None`` means "not tested" (the
    comparison's notes say why).
    """

    metric: str
    baseline: float | None
    candidate: float | None
    change_pct: float | None
    ci_low_pct: float | None
    ci_high_pct: float | None
    verdict: str | None


class RunInfo(NamedTuple):
    """Which file a run came from and what of it was compared."""

    file: str
    format_label: str
    kind: str
    requests: int | None
    window_s: float | None


@dataclass(frozen=True)
class Comparison:
    """Two runs, six :class:`Change` s, the method in words, and what could not be tested."""

    baseline: RunInfo
    candidate: RunInfo
    metrics: tuple
    method: str
    notes: tuple
    confidence_pct: float = FAMILY_CONFIDENCE * 100

    def to_json(self) -> dict:
        """``{"metrics": [{"metric", "baseline", "candidate", "change_pct", "ci_low_pct", "ci_high_pct",
        "verdict"}, …], "baseline": {…}, "candidate": {…}, "confidence_pct", "method", "notes"}``."""
        return {"metrics": [_finite(c._asdict()) for c in self.metrics],
                "baseline": _finite(self.baseline._asdict()), "candidate": _finite(self.candidate._asdict()),
                "confidence_pct": self.confidence_pct, "method": self.method, "notes": list(self.notes)}


def _finite(d: dict) -> dict:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}


# -- distributions ---------------------------------------------------------------

def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (A&S 26.5.8), by the modified Lentz method."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1000):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-16:
            break
    return h


def _regularized_beta(x: float, a: float, b: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):  # where the fraction converges fast; else by symmetry
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def student_t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t with ``df`` degrees of freedom (any real df > 0).

    P(|T| > t) = I_{df/(df + t²)}(df/2, 1/2), the regularised incomplete
    beta function (Abramowitz & Stegun 26.7.1). With one degree of freedom
    T is Cauchy, P(T ≤ 1) = 3/4:

    >>> round(student_t_cdf(1.0, 1), 12), round(student_t_cdf(2.093024054408263, 19), 12)
    (0.75, 0.975)
    """
    tail = 0.5 * _regularized_beta(df / (df + t * t), df / 2.0, 0.5)
    return 1.0 - tail if t > 0 else tail


def student_t_quantile(p: float, df: float) -> float:
    """The p-quantile of Student's t with ``df`` (> 0, not necessarily whole) degrees of freedom.

    Found by bisection on :func:`student_t_cdf` to full precision. With two
    degrees of freedom it has a closed form, (2p − 1)/√(2p(1 − p)); with
    nineteen, the table's 2.093; with very many, the normal's 1.960:

    >>> round(student_t_quantile(0.975, 2), 12), round((2 * 0.975 - 1) / math.sqrt(2 * 0.975 * 0.025), 12)
    (4.302652729749, 4.302652729749)
    >>> round(student_t_quantile(0.975, 19), 6), round(student_t_quantile(0.975, 1e9), 6)
    (2.093024, 1.959964)
    """
    if not 0.0 < p < 1.0 or not df > 0:
        raise ValueError(f"student_t_quantile needs 0 < p < 1 and df > 0, got p={p!r}, df={df!r}")
    if p < 0.5:
        return -student_t_quantile(1.0 - p, df)
    if df > 1e7:
        return NormalDist().inv_cdf(p)
    lo, hi = 0.0, 1.0
    while student_t_cdf(hi, df) < p:
        lo, hi = hi, hi * 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if mid in (lo, hi):
            break
        if student_t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0


def wilson_interval(failures: float, n: float, z: float) -> tuple[float, float]:
    """Wilson's score interval for a proportion: failures of n (either may be fractional), at normal quantile z.

        (p + z²/2n ± z·√(p(1 − p)/n + z²/4n²)) / (1 + z²/n),  p = failures/n

    It stays inside [0, 1] and is not degenerate at 0 failures. Newcombe's
    (1998) worked examples, 81 of 263 and 0 of 20 at 95 %:

    >>> [round(x, 4) for x in wilson_interval(81, 263, 1.959963984540054)]
    [0.2553, 0.3662]
    >>> [round(x, 4) for x in wilson_interval(0, 20, 1.959963984540054)]
    [0.0, 0.1611]
    """
    p = failures / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, (centre - spread) / (1 + z2 / n)), min(1.0, (centre + spread) / (1 + z2 / n))


def newcombe_interval(x1: float, n1: float, x2: float, n2: float, z: float) -> tuple[float, float]:
    """An interval for p2 − p1 (second minus first), by Newcombe's hybrid score method (1998, method 10).

    With (l_i, u_i) each proportion's Wilson interval and d = p2 − p1:

        d − √((p2 − l2)² + (u1 − p1)²)  to  d + √((u2 − p2)² + (p1 − l1)²)

    Newcombe's Table II: 48/80 against 56/70 gives 0.0524 to 0.3339; 3/10
    against 9/10, 0.1705 to 0.8090:

    >>> z = 1.959963984540054
    >>> [round(x, 4) for x in newcombe_interval(48, 80, 56, 70, z)]
    [0.0524, 0.3339]
    >>> [round(x, 4) for x in newcombe_interval(3, 10, 9, 10, z)]
    [0.1705, 0.809]
    """
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, z)
    l2, u2 = wilson_interval(x2, n2, z)
    d = p2 - p1
    return d - math.hypot(p2 - l2, u1 - p1), d + math.hypot(u2 - p2, p1 - l1)


def effective_df(values) -> float:
    """Degrees of freedom of a variance estimated from K batch values, fewer when they are heavy-tailed.

    The sample variance of K values has Var(s²) = σ⁴(2/(K − 1) + κ/K), κ
    their excess kurtosis (Cramér 1946, §27.4); a χ² with ν degrees of
    freedom has 2σ⁴/ν, so ν = 2/(2/(K − 1) + κ/K), with κ estimated from
    the values and never below 0 (normal values keep K − 1). Ten blocks,
    nine quiet and one holding a burst:

    >>> effective_df([1, -1, 1, -1, 1, -1, 1, -1, 1, -1]), round(effective_df([-1] * 9 + [9]), 2)
    (9, 2.73)
    """
    k = len(values)
    mean = math.fsum(values) / k
    dev = [v - mean for v in values]
    s2 = math.fsum(d * d for d in dev)
    if s2 <= 0.0:
        return k - 1
    kurtosis = k * math.fsum(d ** 4 for d in dev) / (s2 * s2) - 3.0
    if kurtosis <= 0.0:
        return k - 1
    return 2.0 / (2.0 / (k - 1) + kurtosis / k)


# -- one run, in blocks of time -----------------------------------------------------

class _Blocks:
    """A run's window cut into ``k`` equal blocks of time: counts, failures, latency sums, sorted latencies."""

    def __init__(self, counts, failures, sums, sorted_runs, duration_s):
        self.counts = counts            # requests per block
        self.failures = failures
        self.sums = sums                # Σ latency per block (ms), or None where the file has no latency
        self.sorted = sorted_runs       # each block's latencies, sorted (None for pre-aggregated files)
        self.k = len(counts)
        self.n = sum(counts)
        self.duration_s = duration_s
        self.filled = sum(1 for c in counts if c)
        self.select = SortedRuns(sorted_runs) if sorted_runs is not None else None

    @classmethod
    def of_requests(cls, s: RunSamples, k: int, origin_s: float = 0.0) -> _Blocks:
        """Blocks of ``s.duration_s / k`` from ``origin_s`` (the window's start, on ``s.time_s``'s clock)."""
        latency, failed, time_s = s.latency_ms, s.failed, s.time_s
        timed = len(latency) == len(failed)  # else the file records no response time
        if list(time_s) != sorted(time_s):  # the hook promises time order; be safe (linear when it holds)
            order = sorted(range(len(time_s)), key=time_s.__getitem__)
            latency = array("d", (latency[i] for i in order)) if timed else latency
            failed = array("B", (failed[i] for i in order))
            time_s = array("d", (time_s[i] for i in order))
        n = len(failed)
        cut = [0] + [bisect_left(time_s, origin_s + s.duration_s * b / k) for b in range(1, k)] + [n]
        spans = list(zip(cut, cut[1:]))
        return cls([b - a for a, b in spans], [sum(failed[a:b]) for a, b in spans],
                   [math.fsum(latency[a:b]) for a, b in spans] if timed else None,
                   [array("d", sorted(latency[a:b])) for a, b in spans] if timed else None, s.duration_s)

    @classmethod
    def of_intervals(cls, rows, duration_s: float, k: int) -> _Blocks:
        """Locust's rows (end_s, requests, failures, latency_sum_ms), each counted in the block its end falls in."""
        counts, failures, sums = [0] * k, [0] * k, [0.0] * k
        known = True
        for end_s, requests, fails, latency_sum in rows:
            b = min(k - 1, max(0, math.ceil(end_s / duration_s * k) - 1)) if duration_s > 0 else 0
            counts[b] += requests
            failures[b] += fails
            if latency_sum is None:
                known = False
            else:
                sums[b] += latency_sum
        return cls(counts, failures, sums if known else None, None, duration_s)

    def percentile(self, p: float) -> float:
        return self.select.kth(nearest_rank(p, self.n))

    def influence(self, metric: str) -> list:
        """Each block's contribution to the metric's estimator, centred: what its variance is made of."""
        if metric in _PERCENTILES:
            q = self.percentile(_PERCENTILES[metric])
            below = [bisect_right(r, q) for r in self.sorted]
            share = sum(below) / self.n
            return [c - share * n for c, n in zip(below, self.counts)]
        if metric == "mean_ms":
            mean = math.fsum(self.sums) / self.n
            return [s - mean * n for s, n in zip(self.sums, self.counts)]
        if metric == "throughput_rps":
            return list(self.counts)
        rate = sum(self.failures) / self.n
        return [f - rate * n for f, n in zip(self.failures, self.counts)]

    def design_effect(self, metric: str, share: float) -> float:
        """Block variance of a share (below a percentile, or failed) over its binomial variance; at least 1."""
        if not 0.0 < share < 1.0:
            return 1.0
        e = self.influence(metric)
        var = self.k / (self.k - 1) * math.fsum(x * x for x in e) / (self.n * self.n)
        return max(1.0, var / (share * (1.0 - share) / self.n))


class _PercentileResampler:
    """The exact nearest-rank percentile of a block-bootstrap resample, without building the resample.

    A resample takes block b w_b times (Σ w_b = K); its p-th percentile is
    its k-th smallest value, k = ⌈p/100 · Σ w_b n_b⌉. It lies, but for
    vanishingly rare draws, within a few standard deviations of the run's
    own percentile, so only the values in that band are kept, sorted, with
    the block each came from, and for each position j of the band the
    count, per block, of values at or below it (``columns[j]``). The count
    of a resample at or below band[j] is then Σ_b w_b·columns[j][b], a dot
    product, and a binary search over j finds the percentile in about 12 of
    them. A draw outside the band is computed in full (``slow``).
    """

    def __init__(self, blocks: _Blocks, p: float, spread: float = 8.0):
        self.blocks, self.p = blocks, p
        self.rank_scale = round(p * 10_000)
        if self.rank_scale != p * 10_000:
            raise ValueError(f"percentiles of up to 4 decimals, got {p!r}")
        n, runs = blocks.n, blocks.sorted
        r = nearest_rank(p, n)
        q = blocks.select.kth(r)
        d = [bisect_right(run, q) - p / 100.0 * len(run) for run in runs]
        sd = math.sqrt(max(0.0, math.fsum(x * x for x in d) - math.fsum(d) ** 2 / blocks.k))
        h = int(spread * sd) + 32
        low, high = blocks.select.kth(max(1, r - h)), blocks.select.kth(min(n, r + h))
        self.below = array("q", (bisect_left(run, low) for run in runs))
        band = sorted((v, b) for b, run in enumerate(runs) for v in run[bisect_left(run, low):bisect_right(run, high)])
        self.values = [v for v, _ in band]
        columns, current = [], self.below
        for _, b in band:
            current = array("q", current)
            current[b] += 1
            columns.append(current)
        self.columns = columns
        self.slow = 0

    def __call__(self, w: list, n_star: int) -> float:
        k = max(1, -(-self.rank_scale * n_star // 1_000_000))  # nearest_rank(p, n_star), for p of 4 decimals
        columns = self.columns
        if sum(map(mul, w, self.below)) >= k or sum(map(mul, w, columns[-1])) < k:
            self.slow += 1
            return SortedRuns([run for wb, run in zip(w, self.blocks.sorted) for _ in range(wb)]).kth(k)
        lo, hi = 0, len(columns) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if sum(map(mul, w, columns[mid])) >= k:
                hi = mid
            else:
                lo = mid + 1
        return self.values[lo]


def _weights(uniform, k: int) -> list:
    """How many times each of k blocks is drawn, k draws with replacement (``uniform``: a Random's random)."""
    w = [0] * k
    for _ in range(k):
        w[int(uniform() * k)] += 1
    return w


def _bootstrap(blocks: _Blocks, metrics: list, resamples: int, rng: random.Random) -> Iterator:
    """Yield progress (0–1) while resampling; the generator's return value is {metric: se of its log, or None}."""
    resamplers = {m: _PercentileResampler(blocks, _PERCENTILES[m]) for m in metrics if m in _PERCENTILES}
    with_mean = "mean_ms" in metrics
    logs = {m: [] for m in metrics}
    counts, sums, k, log, uniform = blocks.counts, blocks.sums, blocks.k, math.log, rng.random
    step = max(1, resamples // 20)
    for i in range(resamples):
        w = _weights(uniform, k)
        n_star = sum(map(mul, w, counts))
        if n_star:
            for m, resample in resamplers.items():
                v = resample(w, n_star)
                logs[m].append(log(v) if v > 0 else -math.inf)
            if with_mean:
                total = sum(map(mul, w, sums))
                logs["mean_ms"].append(log(total / n_star) if total > 0 else -math.inf)
        if (i + 1) % step == 0:
            yield (i + 1) / resamples
    scale = k / (k - 1)
    se = {}
    for m, values in logs.items():
        if len(values) < 2 or -math.inf in values:
            se[m] = None  # a resample at 0 ms: below the file's time resolution, no relative change
            continue
        mean = math.fsum(values) / len(values)
        se[m] = math.sqrt(scale * math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))
    return se


# -- the two runs --------------------------------------------------------------------

class _Side:
    """One run as compare sees it: its figures, its blocks of time, and why a metric cannot be tested."""

    def __init__(self, summary, role: str):
        s = summary.samples
        if s is None:
            raise PerfcalcError(f"{summary.file}: this summary holds no samples of its window (Summary.samples); "
                                "compare needs summaries from perfcalc.analyze (analyze_path, Analyzer.finish)")
        self.role, self.file, self.kind = role, summary.file, s.kind
        latency = getattr(summary, "latency", None)
        # What its time field times, as its parser declares it (a stated summary's words are generic).
        self.measures = latency.measures if latency is not None and s.kind == "requests" else ""
        self.values: dict = {}
        self.untested: dict = {}
        self.blocks = None
        if s.kind == "requests":
            window = getattr(summary, "window", None)
            self.blocks = _Blocks.of_requests(s, BLOCKS, window.start_s if window is not None else 0.0)
            self._requests(s, getattr(summary, "throughput_rps", None))
        else:
            self._stated(s)
        self.info = RunInfo(summary.file, s.format_label, s.kind, len(s.failed) if s.kind == "requests"
                            else (s.stated or {}).get("requests"), s.duration_s or None)

    def _requests(self, s: RunSamples, throughput_rps: float | None) -> None:
        b = self.blocks
        timed = b.sorted is not None and b.n > 0
        for name, p in _PERCENTILES.items():
            self.values[name] = b.percentile(p) if timed else None
        self.values["mean_ms"] = math.fsum(b.sums) / b.n if timed else None
        # The analyzer's own figure (it allows for the window's edges at fine time resolutions).
        self.values["throughput_rps"] = (throughput_rps if throughput_rps is not None
                                         else b.n / s.duration_s if s.duration_s else None)
        self.values["error_rate_pct"] = 100.0 * sum(b.failures) / b.n if b.n else None
        if not timed:
            for name in ("p50_ms", "p95_ms", "p99_ms", "mean_ms"):
                self.untested[name] = "records no response times"
        self._check_blocks()

    def _stated(self, s: RunSamples) -> None:
        stated = s.stated or {}
        percentiles = stated.get("percentiles_ms") or {}
        for name, p in _PERCENTILES.items():
            self.values[name] = percentiles.get(f"{p:g}", stated.get(name))
        requests, failures = stated.get("requests"), stated.get("failures")
        self.values["mean_ms"] = stated.get("mean_ms")
        self.values["throughput_rps"] = stated.get("throughput_rps")
        self.values["error_rate_pct"] = (100.0 * failures / requests if requests and failures is not None
                                         else stated.get("error_rate_pct"))
        rows = stated.get("intervals")
        if rows:  # Locust's history: a time series of counts, failures and latency sums, but no percentiles
            self.blocks = _Blocks.of_intervals(rows, s.duration_s, BLOCKS)
            for name in _PERCENTILES:
                self.untested[name] = ("states its percentiles for the whole run, ramp-up included, not for its "
                                       "window, and none per interval" if self.values[name] is not None else
                                       "states no percentiles for its window")
            if self.blocks.sums is None:
                self.untested["mean_ms"] = "states no mean response time per interval"
            self._check_blocks()
        else:
            for m in METRICS:
                self.untested[m.name] = (f"is an end-of-test summary ({s.format_label}): whole-run figures, "
                                         "no time series to measure their noise")

    def _check_blocks(self) -> None:
        b = self.blocks
        if b.n == 0 or b.duration_s <= 0 or b.filled < MIN_FILLED_BLOCKS:
            why = (f"holds requests in only {b.filled} of the {b.k} blocks of time its {b.duration_s:,.0f} s window "
                   f"is cut into (at least {MIN_FILLED_BLOCKS} needed): too short, or its times too coarse, "
                   "to measure its noise")
            for m in METRICS:
                self.untested.setdefault(m.name, why)

    def tail_check(self) -> None:
        """Leave untested a percentile beyond which the run holds fewer than ``MIN_TAIL_REQUESTS`` requests."""
        n = self.blocks.n
        for name, p in _PERCENTILES.items():
            beyond = n - nearest_rank(p, n) if n else 0
            if name not in self.untested and beyond < MIN_TAIL_REQUESTS:
                self.untested[name] = (f"has {beyond} requests beyond its {name[:3]} (at least {MIN_TAIL_REQUESTS} "
                                       f"needed: {math.ceil(MIN_TAIL_REQUESTS * 100 / (100 - p)):,} requests in "
                                       "its window)")

    def resampled(self) -> list:
        """The metrics this run's bootstrap must measure."""
        return [m for m in ("p50_ms", "p95_ms", "p99_ms", "mean_ms") if m not in self.untested]


# -- the comparison ------------------------------------------------------------------

def compare(baseline, candidate, *, resamples: int = RESAMPLES, seed: int = SEED) -> Comparison:
    """Compare two analysed runs (each a :class:`~.summary.Summary`, whose ``samples`` it reads)."""
    for item in compare_steps(baseline, candidate, resamples=resamples, seed=seed):
        if isinstance(item, Comparison):
            return item
    raise AssertionError("compare_steps ends with its Comparison")  # pragma: no cover


def compare_steps(baseline, candidate, *, resamples: int = RESAMPLES, seed: int = SEED) -> Iterator:
    """:func:`compare` in steps, for a page that shows progress: yields fractions done (0–1), then the Comparison.

    Deterministic: the resamples come from ``random.Random(seed)`` for the
    baseline and ``random.Random(seed + 1)`` for the candidate.
    """
    sides = (_Side(baseline, "baseline"), _Side(candidate, "candidate"))
    for side in sides:
        if side.kind == "requests":
            side.tail_check()
    errors = []
    for i, side in enumerate(sides):
        todo = [m for m in side.resampled() if all(m not in s.untested for s in sides)]
        errors.append({})
        if todo:
            steps = _bootstrap(side.blocks, todo, resamples, random.Random(seed + i))
            while True:
                try:
                    done = next(steps)
                except StopIteration as finished:
                    errors[i] = finished.value
                    break
                yield (i + done) / 2.0
    yield _comparison(sides, errors)


def _comparison(sides, errors) -> Comparison:
    changes, untested = [], {}
    for m in METRICS:
        change, why = (_error_change if m.name == "error_rate_pct" else _relative_change)(m, sides, errors)
        changes.append(change)
        if why:
            untested.setdefault(why, []).append(m.label)
    notes = [f"{_and(labels)} not tested: {why}." for why, labels in untested.items()]
    for side in sides:
        uneven = [m.label for m in METRICS if side.blocks is not None and m.name not in side.untested
                  and effective_df(side.blocks.influence(m.name)) < UNEVEN_DF]
        if uneven:
            notes.append(f"The {side.role}'s window is uneven for {', '.join(uneven)}: one or two of its {BLOCKS} "
                         "blocks of time differ from the rest (a warm-up, a burst, a pause), which widens those "
                         "intervals; its charts (perfcalc analyze) show where.")
    base, cand = sides[0].info, sides[1].info
    if sides[0].measures and sides[1].measures and sides[0].measures != sides[1].measures:
        notes.append(f"The two files time different things: the baseline's is {sides[0].measures}; the "
                     f"candidate's is {sides[1].measures}. A load generator's response time includes the network "
                     "and the queueing that a server's own time may leave out: compare like with like.")
    if any(c.metric == "throughput_rps" and c.verdict not in (None, NO_CHANGE) for c in changes):
        notes.append("Throughput measures the system only when the load generator pushed it to its limit; with a "
                     "fixed arrival rate (an open model) it measures the test, and a change means the two tests "
                     "sent different loads.")
    return Comparison(base, cand, tuple(changes), _method(), tuple(notes))


def _and(labels: list) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _reasons(m: Metric, sides) -> str | None:
    reasons = [s.untested.get(m.name) for s in sides]
    if reasons[0] is not None and reasons[0] == reasons[1]:
        return f"the baseline, like the candidate, {reasons[0]}"
    why = [f"the {s.role} {r}" for s, r in zip(sides, reasons) if r is not None]
    return "; ".join(why) if why else None


def _relative_change(m: Metric, sides, errors):
    b, c = (s.values[m.name] for s in sides)
    if b is None or c is None:
        return Change(m.name, b, c, None, None, None, None), _reasons(m, sides)
    if b <= 0 or c <= 0:
        zero = "baseline" if b <= 0 else "candidate"
        change = None if b <= 0 else -100.0
        return (Change(m.name, b, c, change, None, None, None),
                f"the {zero}'s is 0 {m.unit}, below its file's time resolution")
    change = 100.0 * (c / b - 1.0)
    why = _reasons(m, sides)
    if why:
        return Change(m.name, b, c, change, None, None, None), why
    se, df = [], []
    for s, err in zip(sides, errors):
        blocks = s.blocks
        if m.name == "throughput_rps":
            mean = blocks.n / blocks.k
            var = math.fsum((x - mean) ** 2 for x in blocks.counts) / (blocks.k - 1)
            # Never below a Poisson count's 1/n: a scheduled load puts equal counts in every block,
            # and a window's edges alone move a count by a request or two.
            se.append(math.sqrt(max(var / blocks.k / (mean * mean), 1.0 / blocks.n)))
        else:
            se.append(err.get(m.name))
        df.append(effective_df(blocks.influence(m.name)))
    if None in se:
        return (Change(m.name, b, c, change, None, None, None),
                f"some resamples reach 0 {m.unit}, below the files' time resolution")
    d = math.log(c / b)
    s2 = se[0] ** 2 + se[1] ** 2
    if s2 > 0:
        nu = s2 * s2 / (se[0] ** 4 / df[0] + se[1] ** 4 / df[1])
        half = student_t_quantile(1.0 - (1.0 - METRIC_CONFIDENCE) / 2.0, nu) * math.sqrt(s2)
    else:
        half = 0.0
    low, high = 100.0 * math.expm1(d - half), 100.0 * math.expm1(d + half)
    return Change(m.name, b, c, change, low, high, _verdict(m, low, high)), None


def _error_change(m: Metric, sides, errors):
    b, c = (s.values[m.name] for s in sides)
    if b is None or c is None:
        return Change(m.name, b, c, None, None, None, None), _reasons(m, sides)
    change = c - b
    why = _reasons(m, sides)
    if why:
        return Change(m.name, b, c, change, None, None, None), why
    level = 1.0 - (1.0 - METRIC_CONFIDENCE) / 2.0
    z = NormalDist().inv_cdf(level)
    shares = [sum(s.blocks.failures) / s.blocks.n for s in sides]
    # Failures cluster as much in both runs as in the burstier one: a run without failures
    # shows no bursts, and under "no change" the two runs are one process.
    deff = max(s.blocks.design_effect(m.name, share) for s, share in zip(sides, shares))
    # Korn & Graubard (1998): n/deff, shrunk by (z/t)² for a design effect measured on few
    # blocks, so that Wilson's z acts as Student's t would.
    t = student_t_quantile(level, min(effective_df(s.blocks.influence(m.name)) for s in sides))
    counts = []
    for s, share in zip(sides, shares):
        n_eff = s.blocks.n / deff * (z / t) ** 2
        counts += [share * n_eff, n_eff]
    low, high = (100.0 * x for x in newcombe_interval(*counts, z))
    return Change(m.name, b, c, change, low, high, _verdict(m, low, high)), None


def _verdict(m: Metric, low: float, high: float) -> str:
    if low > 0:
        return m.worse if m.worse_when_higher else m.better
    if high < 0:
        return m.better if m.worse_when_higher else m.worse
    return NO_CHANGE


def _method() -> str:
    return (f"Simultaneous {FAMILY_CONFIDENCE:.0%} intervals (each metric at {METRIC_CONFIDENCE:.2%}, Bonferroni "
            f"over six). Each steady window is cut into {BLOCKS} blocks of time, so that requests that queued "
            f"together are resampled together. Percentiles and the mean: block bootstrap ({RESAMPLES:,} resamples "
            "per run) for each run's standard error of the log, Student's t at Welch–Satterthwaite degrees of "
            "freedom (fewer when a run's blocks are heavy-tailed); a percentile is tested only where each run has "
            f"{MIN_TAIL_REQUESTS} requests beyond it. Throughput: batch means over "
            "the blocks. Error rate: Newcombe's hybrid score interval on Wilson intervals, each run's sample size "
            "divided by its design effect (failures come in bursts). The interval covers the noise within each "
            "run, not differences between the runs' conditions.")
