"""Simulating a worker pool whose service times are as variable as real ones.

The M/M/c model (:mod:`perfcalc.queueing`) assumes exponential service
times, whose p99 is 4.6 times the mean. Measured request times are often
more skewed: a mean of 50 ms with a p99 of 500 ms is common. This module
simulates c FCFS workers fed by Poisson arrivals with lognormal service
times given by the mean and p99 people measure, and sets the result beside
the exact M/M/c figures and the Allen–Cunneen approximation.

Its intervals are meant to be quoted: :func:`quantile_interval` (a
quantile of any stationary output sequence, by sectioning) and
:func:`mean_interval` (batch means) serve any simulation, and
:func:`simulate` states the p99's only where a coverage test found it true,
refusing runs too short to be right (:func:`relaxation_requests`).

Sources: A. M. Law, *Simulation Modeling and Analysis*, 5th ed.,
McGraw-Hill 2015, ch. 9 (batch means for steady-state confidence
intervals, deleting a warm-up period). S. Asmussen and P. W. Glynn,
*Stochastic Simulation: Algorithms and Analysis*, Springer 2007, ch. III
§5 and ch. IV (sectioning; steady-state simulation). B. Schmeiser, "Batch
size effects in the analysis of simulation output", Operations Research
30(3), 1982 (10 to 30 batches). W. Whitt, "Planning queueing simulations",
Management Science 35(11), 1989, and J. Abate and W. Whitt, "Transient
behavior of regulated Brownian motion, I", Adv. Appl. Prob. 19(3), 1987
(how long a queue takes to settle). S. Foss and D. Korshunov, "On large
delays in multi-server queues with heavy tails", Mathematics of Operations
Research 37(2), 2012 (long waits come from a few long requests holding
several workers). M. Abramowitz and I. A. Stegun, *Handbook of
Mathematical Functions*, 1964, 26.7 (Student's t). A. O. Allen, *Probability,
Statistics, and Queueing Theory*, 2nd ed., Academic Press 1990, §6.3 (the
Allen–Cunneen approximation); W. J. Hopp and M. L. Spearman, *Factory
Physics*, 3rd ed., Waveland 2008, ch. 8 (the same approximation as
Wq ≈ ((c_a² + c_e²)/2)·Wq(M/M/c)). M. J. Wichura, "Algorithm AS 241: the
percentage points of the normal distribution", Applied Statistics 37(3),
1988 (the normal quantiles, as in :class:`statistics.NormalDist`). The
FCFS recursion (each arrival starts on the earliest-free worker): J. Kiefer
and J. Wolfowitz, "On the theory of queues with many servers", Trans. AMS
78(1), 1955.
"""

from __future__ import annotations

import functools
import heapq
import math
import random
from typing import NamedTuple

from . import queueing
from .spec import PerfcalcError

__all__ = [
    "DISTRIBUTIONS",
    "Z_99",
    "MAX_P99_TO_MEAN",
    "BATCHES",
    "WARMUP_FRACTION",
    "WARMUP_RELAXATIONS",
    "FIGURE_RELAXATIONS",
    "INTERVAL_RELAXATIONS",
    "BURST_LOAD",
    "MAX_REQUESTS",
    "WIDE_INTERVAL_SHARE",
    "QuantileInterval",
    "Simulation",
    "lognormal_sigma",
    "service_cv",
    "HALF_STEP",
    "service_times",
    "allen_cunneen_wait",
    "relaxation_requests",
    "RunPlan",
    "plan_run",
    "bursts_rule",
    "busiest_simulable",
    "short_run_error",
    "student_t_quantile",
    "simulate_fcfs",
    "nearest_rank",
    "quantile_interval",
    "stated_interval",
    "mean_interval",
    "simulate",
]

DISTRIBUTIONS = ("lognormal", "exponential")
# The standard normal's 99th percentile, Φ⁻¹(0.99) (Wichura 1988; NormalDist().inv_cdf(0.99)).
Z_99 = 2.3263478740408408
# ln(q/m) = zσ − σ²/2 is largest, z²/2, at σ = z: no lognormal has a p99 more
# than e^(z²/2) ≈ 14.97 times its mean.
MAX_P99_TO_MEAN = math.exp(Z_99 * Z_99 / 2.0)
# Sectioning: the kept requests, in arrival order, form this many batches.
# Fewer, longer batches are closer to independent and to normal, at the price
# of a wider Student's t (Schmeiser 1982 weighs the two). These runs are short
# against a queue's memory, and the coverage test (300 seeds a point) found
# 5 batches holding the true p99 in 94.7 to 96.3 % of seeds at the points
# where 10 held 92.7 to 93.7 % (and 20 less still).
BATCHES = 5
# The run starts with every worker idle. At least this share of it is
# dropped as warm-up (Law 2015, §9.5.1, "deletion of an initial transient") …
WARMUP_FRACTION = 0.1
# … and at least this many relaxation times (relaxation_requests): a queue
# started empty is near its steady state after a few of them (Abate & Whitt
# 1987); twenty is a margin.
WARMUP_RELAXATIONS = 20
# Below this many relaxation times after the warm-up, even the figures are
# not right (near saturation the mean wait came out at a quarter of the exact
# value): the calculator refuses them and says how long a run would need.
FIGURE_RELAXATIONS = 500
# Below this many relaxation times the p99's interval is not stated: its
# batches are too short for the queue's slow swings, and the coverage test
# found such intervals held the true p99 in as few as 80 % of seeds.
INTERVAL_RELAXATIONS = 6000
# With service times heavier-tailed than exponential, long waits come from a
# few long requests holding workers at once (Foss & Korshunov 2012). If two
# such requests leave the other workers more than this busy, those episodes
# set the p99, and a run this short sees too few to measure its own error:
# no interval is stated (the coverage test: 80 % at 60 % busy on 5 workers,
# where two long requests leave the other three 100 % busy).
BURST_LOAD = 0.85
# The longest run the calculator simulates: 300 ms natively (make bench).
MAX_REQUESTS = 100_000
# An interval wider than ±10 % of the p99 is too loose to compare with M/M/c:
# a margin of this guide.
WIDE_INTERVAL_SHARE = 0.10
# The clock restarts from zero after this many mean inter-arrival times, so
# absolute times stay small and a wait computed as start − arrival keeps its
# digits (see simulate_fcfs).
_REBASE_GAPS = 4096.0
# random() is k/2⁵³ for k = 0 … 2⁵³ − 1; its 0 becomes half a step, so every
# uniform is inside (0, 1), where −ln u and Φ⁻¹(u) are finite.
HALF_STEP = 2.0 ** -54


def lognormal_sigma(mean: float, p99: float, field: str = "service_p99_ms") -> float:
    """σ of the lognormal with this mean and 99th percentile.

    With m = e^(μ + σ²/2) and q = e^(μ + zσ), z = Φ⁻¹(0.99):

        ln q − ln m = zσ − σ²/2,   so   σ = z − √(z² − 2·ln(q/m))

    the smaller root (the larger, σ ≥ z, has the same mean and p99 but a cv
    of at least 15: most of its mean lies beyond the p99, in a tail no
    measurement of request times shows). Written
    as 2d / (z + √(z² − 2d)) with d = ln(q/m), which keeps its digits when q
    is close to m. q = m gives σ = 0, a constant. A :class:`PerfcalcError`
    names ``field`` when q < m or q/m > e^(z²/2) ≈ 14.97 (no lognormal).

    A mean of 50 ms with a p99 of 500 ms:

    >>> round(lognormal_sigma(50, 500), 4)
    1.4282
    >>> lognormal_sigma(50, 1000)
    Traceback (most recent call last):
    ...
    perfcalc.spec.PerfcalcError: service_p99_ms must be at most 14.968 times the mean service time for a lognormal (no lognormal has a p99 further above its mean), got 1000 with a mean of 50
    """
    if p99 < mean:
        raise PerfcalcError(f"{field} must be at least the mean service time (a measured p99 is above the mean), "
                            f"got {p99:g} with a mean of {mean:g}", field)
    d = math.log(p99 / mean)
    discriminant = Z_99 * Z_99 - 2.0 * d
    if discriminant < 0:
        raise PerfcalcError(f"{field} must be at most {MAX_P99_TO_MEAN:.5g} times the mean service time for a "
                            "lognormal (no lognormal has a p99 further above its mean), "
                            f"got {p99:g} with a mean of {mean:g}", field)
    return 2.0 * d / (Z_99 + math.sqrt(discriminant))


def service_cv(sigma: float) -> float:
    """Coefficient of variation (standard deviation / mean) of a lognormal: √(e^(σ²) − 1).

    >>> round(service_cv(1.4282), 2), service_cv(0.0)
    (2.59, 0.0)
    """
    return math.sqrt(math.expm1(sigma * sigma))


def service_times(uniforms: list[float], mean: float, sigma: float | None) -> list[float]:
    """Service times with this mean from uniforms in (0, 1), by the inverse distribution function.

    Exponential (``sigma`` None): −ln(1 − u)·mean. Lognormal of shape σ:
    mean·e^(σZ − σ²/2) with Z = Φ⁻¹(u), so the mean is the one given
    (σ = 0: every request takes the mean). Every simulation here (simulate,
    stack, the lab's split queues) draws its service times this way.

    >>> [round(x, 3) for x in service_times([0.5, 0.99], 10.0, None)]
    [6.931, 46.052]
    >>> service_times([0.5, 0.99], 10.0, 0.0)
    [10.0, 10.0]
    """
    if sigma is None:
        return [-math.log1p(-u) * mean for u in uniforms]
    if sigma == 0:
        return [mean] * len(uniforms)
    from statistics import NormalDist  # here, not at the top: the browser imports perfcalc on start

    scale = NormalDist(-sigma * sigma / 2.0, sigma).inv_cdf
    return [mean * x for x in map(math.exp, map(scale, uniforms))]


def allen_cunneen_wait(mmc_wait: float, cv: float) -> float:
    """The Allen–Cunneen approximation of the mean wait in a G/G/c queue, here M/G/c.

        Wq ≈ Wq(M/M/c) × (c_a² + c_s²) / 2,   c_a = 1 for Poisson arrivals

    Exact for M/M/c (c_s = 1) and for M/G/1 (the Pollaczek–Khinchine
    formula); a good approximation for many servers, less so for very
    variable service.

    Source: Allen (1990) §6.3; Hopp & Spearman (2008) ch. 8.

    >>> allen_cunneen_wait(10.0, 1.0), allen_cunneen_wait(10.0, 0.0), round(allen_cunneen_wait(10.0, 2.59), 2)
    (10.0, 5.0, 38.54)
    """
    return mmc_wait * (1.0 + cv * cv) / 2.0


def relaxation_requests(utilization: float, cv: float) -> float:
    """How many requests a queue takes to forget its state: ρ²(1 + c_s²)/(1 − ρ)², heavy-traffic.

    Near saturation the number of requests in a G/G/c queue moves like a
    reflected Brownian motion with drift −c(1 − ρ)/S and variance
    λ(c_a² + c_s²) per unit time (c_a = 1 for Poisson arrivals); such a
    motion forgets where it was in about variance / drift² time units
    (Abate & Whitt 1987), which is ρ(1 + c_s²)/(c(1 − ρ)²) mean service
    times, or ρ²(1 + c_s²)/(1 − ρ)² arrivals: the number of workers
    cancels. Whitt (1989) plans simulation run lengths on the same scale:
    the run needed for a given precision grows as 1/(1 − ρ)², so at 99.9 %
    busy a queue needs a million times the requests it needs at 50 %.
    ``utilization`` is ρ = λS/c, between 0 and 1; ``cv`` the service
    time's coefficient of variation (1 for exponential).

    Source: J. Abate and W. Whitt, "Transient behavior of regulated Brownian
    motion, I", Adv. Appl. Prob. 19(3), 1987; W. Whitt, "Planning queueing
    simulations", Management Science 35(11), 1989.

    Exponential service at 90 % busy: about 160 requests; at 99.9 %, two
    million; lognormal service with a p99 ten times its mean (cv 2.59) at
    99.9 %, nearly eight million:

    >>> round(relaxation_requests(0.9, 1.0)), round(relaxation_requests(0.999, 1.0)), round(relaxation_requests(0.999, 2.59))
    (162, 1996002, 7692692)
    """
    return utilization * utilization * (1.0 + cv * cv) / ((1.0 - utilization) ** 2)


def student_t_quantile(confidence: float, df: int) -> float:
    """The t with P(|T| ≤ t) = ``confidence`` for Student's T with ``df`` degrees of freedom.

    For whole degrees of freedom the two-sided probability has a finite
    closed form in θ = arctan(t/√ν) (Abramowitz & Stegun, 26.7.3–26.7.4):

        ν odd:  A = (2/π)(θ + sin θ cos θ (1 + ⅔cos²θ + … + (2·4…(ν−3))/(3·5…(ν−2))·cos^(ν−3)θ))
        ν even: A = sin θ (1 + ½cos²θ + … + (1·3…(ν−3))/(2·4…(ν−2))·cos^(ν−2)θ)

    A rises with θ from 0 to 1, so bisection on θ finds it to the last bit.

    >>> round(student_t_quantile(0.95, 9), 6), round(student_t_quantile(0.95, 19), 6), round(student_t_quantile(0.5, 1), 12)
    (2.262157, 2.093024, 1.0)
    """
    if not (0.0 < confidence < 1.0) or df < 1 or df != int(df):
        raise PerfcalcError(f"confidence must be between 0 and 1 and df a whole number from 1, got {confidence}, {df}")
    return _t_quantile(float(confidence), int(df))


def _t_two_sided(theta: float, df: int) -> float:
    cos2, sin_t = math.cos(theta) ** 2, math.sin(theta)
    term, total = 1.0, 1.0
    if df % 2:
        for k in range(1, (df - 1) // 2):  # (2·4…2k)/(3·5…(2k+1)) cos^(2k)θ
            term *= cos2 * (2 * k) / (2 * k + 1)
            total += term
        return 2.0 / math.pi * (theta + (sin_t * math.cos(theta) * total if df > 1 else 0.0))
    for k in range(1, df // 2):  # (1·3…(2k−1))/(2·4…2k) cos^(2k)θ
        term *= cos2 * (2 * k - 1) / (2 * k)
        total += term
    return sin_t * total


@functools.lru_cache(maxsize=64)
def _t_quantile(confidence: float, df: int) -> float:
    low, high = 0.0, math.pi / 2
    for _ in range(200):
        mid = (low + high) / 2
        if mid in (low, high):
            break
        if _t_two_sided(mid, df) < confidence:
            low = mid
        else:
            high = mid
    return math.sqrt(df) * math.tan((low + high) / 2)


def simulate_fcfs(arrival_rate: float, service_times, workers: int, requests: int,
                  seed: int) -> tuple[list[float], list[float]]:
    """Waits and response times of c FCFS workers fed by Poisson arrivals, in arrival order.

    Each arrival starts on the earliest-free worker, at its arrival or when
    that worker frees up (the Kiefer–Wolfowitz recursion): one heap holds
    when each worker is next free, and each request replaces its top.

    Randomness: ``random.Random(seed).random()``, the Mersenne Twister's
    53-bit uniforms, the same bits on every platform; two per request (the
    gap before it, then its service), its one value 0 replaced by 2⁻⁵⁴
    (half its smallest step) so that every u is strictly between 0 and 1.
    The gap is −ln(u)/λ; ``service_times`` maps the list of service
    uniforms to service times through the inverse of their distribution
    function. Nothing is rejected or drawn conditionally, so a last-bit
    difference in ``log`` or ``exp`` between two platforms changes a time by
    that last bit and never which random number feeds which request, and
    the result is continuous in every time: the same seed gives the same
    figures to about 1e-12 everywhere. To keep those digits the clock
    restarts from zero every 4,096 mean gaps (busy workers' free times move
    with it, idle ones become 0; their order is kept).

    A single worker, arrivals rarer than service: most requests never wait.

    >>> exponential = lambda us: [-math.log1p(-u) * 0.1 for u in us]
    >>> waits, times = simulate_fcfs(1.0, exponential, 1, 1000, seed=1)
    >>> len(times), sum(w == 0 for w in waits) > 850, min(times) > 0
    (1000, True, True)
    """
    uniform, half_step = random.Random(seed).random, HALF_STEP
    draws = [uniform() or half_step for _ in range(2 * requests)]
    mean_gap = 1.0 / arrival_rate
    log = math.log
    gaps = [-log(u) * mean_gap for u in draws[0::2]]
    services = service_times(draws[1::2])
    rebase_after = _REBASE_GAPS * mean_gap
    heapreplace = heapq.heapreplace
    free = [0.0] * workers  # when each worker is next free: a heap, earliest first
    clock = 0.0
    waits = [0.0] * requests
    for i, gap in enumerate(gaps):
        clock += gap
        earliest = free[0]
        if earliest <= clock:
            heapreplace(free, clock + services[i])
        else:
            heapreplace(free, earliest + services[i])
            waits[i] = earliest - clock
        if clock > rebase_after:  # a monotone shift keeps the heap in order; idle workers are free "now"
            free = [f - clock if f > clock else 0.0 for f in free]
            clock = 0.0
    return waits, [w + s for w, s in zip(waits, services)]


def nearest_rank(ordered: list[float], pct: int) -> float:
    """The pct-th percentile of sorted data by the nearest-rank rule: the ⌈pct·n/100⌉-th value.

    Integer arithmetic decides the rank, so no float rounding moves it.

    >>> nearest_rank([1.0, 2.0, 3.0, 4.0], 50), nearest_rank([1.0, 2.0, 3.0, 4.0], 99)
    (2.0, 4.0)
    """
    return ordered[-(-pct * len(ordered) // 100) - 1]


class QuantileInterval(NamedTuple):
    estimate: float
    low: float
    high: float
    batches: int
    half_width: float  # max(estimate − low, high − estimate): estimate ± this holds [low, high]


def _level_rank(q: float, n: int) -> int:
    """⌈q·n⌉ for a fraction q, as a 1-based rank from 1 to n (q·n rounded first, so 0.99 × 45,000 is 44,550)."""
    return min(n, max(1, math.ceil(round(q * n, 6))))


def _batch_half_width(estimates: list[float], confidence: float) -> float:
    """Half-width of the batch-means interval: t · s / √B, s the spread of the B batch estimates.

    ``math.fsum`` makes the sums exactly rounded, so the same estimates give
    the same digits on every platform.
    """
    b = len(estimates)
    mean = math.fsum(estimates) / b
    variance = math.fsum((e - mean) ** 2 for e in estimates) / (b - 1)
    return student_t_quantile(confidence, b - 1) * math.sqrt(variance / b)


def _check_interval_args(n: int, confidence: float, batches: int) -> None:
    if not (0.0 < confidence < 1.0):
        raise PerfcalcError(f"confidence must be between 0 and 1, got {confidence}")
    if batches < 2 or batches != int(batches):
        raise PerfcalcError(f"batches must be a whole number from 2, got {batches}")
    if n < batches:
        raise PerfcalcError(f"an interval from {batches} batches needs at least {batches} samples, got {n}")


def quantile_interval(samples, q: float, confidence: float = 0.95, *, batches: int = BATCHES,
                      ordered=None) -> QuantileInterval:
    """A quantile of a stationary output sequence and its interval, by sectioning: (estimate, low, high).

    ``samples`` are one output per request (a response time, say) in the
    order the requests arrived, with the warm-up already dropped; ``q`` is
    the quantile as a fraction (0.99 for the p99). The estimate is the
    nearest-rank q-quantile of all of them, the ⌈q·n⌉-th smallest.

    The interval is sectioning (Asmussen & Glynn 2007, ch. III §5 and
    ch. IV): the point estimate comes from the whole run and only its spread
    from batches. The run is cut into ``batches`` consecutive batches; each
    gives the share of its samples above the estimate, and Student's t on
    those B shares gives a ``confidence`` interval p ± h for the true
    probability of exceeding it. A quantile's error is that probability's
    error divided by the density there (the Bahadur representation), so the
    order statistics at levels q − h and q + h bound the true q-quantile.
    Asking each batch for its own quantile instead would look at a handful
    of values per batch, with a bias of its own.

    Batches absorb the correlation between neighbours (in a queue slow
    requests come in runs) only when each is much longer than the queue's
    memory, and the t interval needs batch estimates that are nearly
    normal: whether the run is long enough is the caller's to decide
    (:func:`relaxation_requests`; :func:`simulate` states its rule). Pass
    ``ordered=sorted(samples)`` to reuse one sort for several quantiles.

    Source: S. Asmussen and P. W. Glynn, *Stochastic Simulation: Algorithms
    and Analysis*, Springer 2007; B. Schmeiser, "Batch size effects in the
    analysis of simulation output", Operations Research 30(3), 1982.

    Twenty thousand values repeating 0 … 99: every batch holds the same
    share above the p99, so the interval is the estimate itself.

    >>> data = [float(i % 100) for i in range(20_000)]
    >>> quantile_interval(data, 0.99)
    QuantileInterval(estimate=98.0, low=98.0, high=98.0, batches=5, half_width=0.0)
    """
    n = len(samples)
    _check_interval_args(n, confidence, batches)
    if not (0.0 < q < 1.0):
        raise PerfcalcError(f"q must be a fraction between 0 and 1 (0.99 for the p99), got {q}")
    ordered = sorted(samples) if ordered is None else ordered
    estimate = ordered[_level_rank(q, n) - 1]
    size = n // batches
    above = estimate.__lt__
    shares = [sum(map(above, samples[b * size:(b + 1) * size])) / size for b in range(batches)]
    h = _batch_half_width(shares, confidence)
    low, high = ordered[_level_rank(q - h, n) - 1], ordered[_level_rank(q + h, n) - 1]
    return QuantileInterval(estimate, low, high, batches, max(estimate - low, high - estimate))


def stated_interval(interval: QuantileInterval, scale: float = 1.0) -> tuple[float, float]:
    """The interval a calculator states for a quantile: its estimate ± the sectioning interval's larger side.

    Sectioning's own ends are lopsided, as the tail is, and, measured, a
    little too narrow on the short side: at 73 % busy on one worker (100,000
    requests, exponential service, 300 seeds) they held the exact p99 in
    92.3 % of seeds, the symmetric widening in 94.0 %
    (tests/test_simulation_coverage.py). ``scale`` converts units (the
    simulation's mean service times to ms).

    >>> stated_interval(QuantileInterval(10.0, 9.0, 12.0, 5, 2.0))
    (8.0, 12.0)
    """
    return ((interval.estimate - interval.half_width) * scale, (interval.estimate + interval.half_width) * scale)


def mean_interval(samples, confidence: float = 0.95, *, batches: int = BATCHES) -> tuple[float, float]:
    """The mean of a stationary output sequence and its interval's half-width, by batch means.

    As :func:`quantile_interval`: ``samples`` in arrival order after the
    warm-up; the mean of all of them ± t · s / √B, s the spread of the
    ``batches`` batch means.

    >>> mean_interval([1.0, 3.0] * 50)
    (2.0, 0.0)
    """
    n = len(samples)
    _check_interval_args(n, confidence, batches)
    size = n // batches
    means = [math.fsum(samples[b * size:(b + 1) * size]) / size for b in range(batches)]
    return math.fsum(samples) / n, _batch_half_width(means, confidence)


class Simulation(NamedTuple):
    utilization_pct: float
    service_cv: float
    mean_wait_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    p99_ci_ms: float  # the stated interval's half-width (p99 ± this); nan when none is stated
    p99_interval_ms: tuple  # (low, high): the p99's stated 95 % interval; (nan, nan) when none is stated
    mmc_p99_ms: float
    allen_cunneen_mean_wait_ms: float
    # For the warnings, the chart and the tests:
    offered_load: float
    sigma: float  # the lognormal's σ (nan for exponential service)
    relaxation_requests: float  # :func:`relaxation_requests` for this load and service
    warmup_requests: int  # dropped before anything is measured
    interval_rule: str  # why no interval is stated: "" (it is), "relaxation" or "bursts"
    interval_requests: float  # the shortest run the relaxation rule states an interval for
    kept_requests: int  # measured, after the warm-up
    burst_load_pct: float  # the load on the other workers while two hold long requests (inf for one or two workers)
    mean_wait_ci_ms: float  # the other intervals, by the same method, for the tests (not stated to readers)
    p50_ci_ms: float
    p95_ci_ms: float
    p99_low_ms: float  # sectioning's own ends, computed whatever the rule (lopsided; see stated_interval)
    p99_high_ms: float
    p99_half_width_ms: float  # the larger of p99 − low and high − p99, whatever the rule (not stated to readers)
    mmc_mean_wait_ms: float
    mmc_p50_ms: float
    mmc_p95_ms: float


def _service_sampler(service_distribution: str, service_time_ms: float, service_p99_ms: float):
    """(σ, cv, the function from service uniforms to service times in units of the mean)."""
    if service_distribution != "lognormal":
        return math.nan, 1.0, lambda uniforms: service_times(uniforms, 1.0, None)
    sigma = lognormal_sigma(service_time_ms, service_p99_ms)
    cv = 0.0 if sigma == 0 else service_cv(sigma)  # a p99 equal to the mean: every request takes the mean
    return sigma, cv, lambda uniforms: service_times(uniforms, 1.0, sigma)


def _warmup(requests: int, relaxation: float) -> int:
    """Requests dropped before measuring: max(10 % of the run, 20 relaxation times)."""
    return max(math.ceil(WARMUP_FRACTION * requests), math.ceil(WARMUP_RELAXATIONS * relaxation))


def _shortest_run(relaxations: float, relaxation: float) -> float:
    """The fewest requests that keep ``relaxations`` relaxation times after the warm-up (inf beyond any run)."""
    kept = relaxations * relaxation
    requests = math.ceil(max(kept + WARMUP_RELAXATIONS * relaxation, kept / (1 - WARMUP_FRACTION)))
    if requests > 10 * MAX_REQUESTS:
        return math.inf
    while requests - _warmup(requests, relaxation) < kept:  # the ceilings may cost a request or two
        requests += 1
    return requests


class RunPlan(NamedTuple):
    """What the run-length rules decide before a run: simulate's and stack's, one implementation."""

    relaxation_requests: float  # the queue's relaxation time, in requests (the slowest queue's, for a network)
    warmup_requests: int  # dropped before anything is measured
    kept_requests: int  # measured, after the warm-up
    interval_requests: float  # the shortest run the relaxation rule states an interval for (inf beyond any run)
    figures_requests: float  # the shortest run whose figures are right (inf beyond any run)
    interval_rule: str  # why no interval is stated: "" (it is), "relaxation" or "bursts"


def plan_run(requests: int, relaxation: float, bursts: bool) -> RunPlan:
    """The rules that decide, before a run of ``requests``, its warm-up and whether its figures and interval hold.

    ``relaxation`` is :func:`relaxation_requests` for the queue (for a
    network, the largest of its queues', in requests); ``bursts`` whether
    the bursts rule applies (see :func:`simulate`). The figures are right
    only if ``kept_requests`` ≥ ``figures_requests`` − warm-up, that is if
    ``requests >= figures_requests``: the caller refuses them otherwise
    (:func:`short_run_error`).

    >>> plan_run(50_000, 7.7, False)
    RunPlan(relaxation_requests=7.7, warmup_requests=5000, kept_requests=45000, interval_requests=51334, figures_requests=4278, interval_rule='relaxation')
    """
    warmup = _warmup(requests, relaxation)
    kept = requests - warmup
    if bursts:  # first: no longer run would help
        rule = "bursts"
    elif kept < INTERVAL_RELAXATIONS * relaxation:
        rule = "relaxation"
    else:
        rule = ""
    return RunPlan(relaxation, warmup, kept, _shortest_run(INTERVAL_RELAXATIONS, relaxation),
                   _shortest_run(FIGURE_RELAXATIONS, relaxation), rule)


def bursts_rule(cv: float, load: float, workers: int) -> bool:
    """Whether rare bursts of long requests set the p99: cv > 1 and λS/(c − 2) > ``BURST_LOAD`` (always for c ≤ 2).

    >>> bursts_rule(2.59, 3.0, 5), bursts_rule(2.59, 2.5, 5), bursts_rule(1.0, 3.0, 5), bursts_rule(2.59, 0.1, 2)
    (True, False, False, True)
    """
    return cv > 1.0 and (workers <= 2 or load / (workers - 2) > BURST_LOAD)


def busiest_simulable(max_requests: int, cv: float, arrivals_per_request: float = 1.0) -> float:
    """The highest utilisation a run of ``max_requests`` keeps 500 relaxation times of, after its warm-up.

    A run of N requests brings a queue N·a arrivals (a =
    ``arrivals_per_request``: a stack's visits × share; 1 for one pool), and
    needs τ ≤ N·a / span of them, so ρ/(1 − ρ) ≤ r = √(N·a / (span·(1 + cv²)))
    and ρ ≤ r/(1 + r).

    >>> round(busiest_simulable(100_000, 2.59), 4)
    0.8285
    """
    r = math.sqrt(max_requests * arrivals_per_request / _FIGURE_SPAN / (1 + cv * cv))
    return r / (1 + r)


# A run of N keeps N − max(0.1 N, 20 τ) requests; keeping 500 τ takes N ≥ span·τ:
_FIGURE_SPAN = max(WARMUP_RELAXATIONS + FIGURE_RELAXATIONS, FIGURE_RELAXATIONS / (1 - WARMUP_FRACTION))


def short_run_error(plan: RunPlan, requests: int, where: str, max_requests: int, too_busy: str) -> PerfcalcError:
    """The error that says why a run of ``requests`` cannot give right figures, and what would.

    ``where`` says which queue, how busy and how variable; ``too_busy`` what
    to do when even ``max_requests`` is too short (less traffic, and where
    the exact figures are).
    """
    what = (f"{where} the queue takes about {plan.relaxation_requests:,.0f} requests to forget its state, and a run "
            f"must span {_FIGURE_SPAN:,.0f} times that, or its waits and percentiles can be off by any factor")
    if plan.figures_requests <= max_requests:
        return PerfcalcError(f"requests must be at least {plan.figures_requests:,} here, got {requests:,}: {what}.",
                             "requests")
    return PerfcalcError(f"arrival_rps is too close to capacity to simulate: {what}, more than the "
                         f"{max_requests:,} requests this calculator simulates. {too_busy}", "arrival_rps")


def _refuse_short_run(plan: RunPlan, requests: int, utilization: float, cv: float, workers: int,
                      service_time_ms: float) -> None:
    """Raise the error that says why a run of ``requests`` cannot give right figures, and what would."""
    busiest = busiest_simulable(MAX_REQUESTS, cv)
    max_rps = math.floor(10 * busiest * workers / (service_time_ms / 1000.0)) / 10  # rounded down
    raise short_run_error(plan, requests, f"at {100 * utilization:.2f} % busy with service times this variable "
                          f"(cv {cv:.2f})", MAX_REQUESTS,
                          f"At {max_rps:,.1f} requests/s or less it can; with exponential service times, worker-pool "
                          "gives the exact M/M/c figures at any load; or add workers.")


def simulate(arrival_rps: float, service_time_ms: float, service_p99_ms: float, service_distribution: str,
             workers: int, requests: int, seed: int) -> Simulation:
    """A seeded simulation of c FCFS workers with lognormal (or exponential) service times, in ms.

    Service time: lognormal with mean m and 99th percentile q, σ from
    ln q − ln m = z·σ − σ²/2 (:func:`lognormal_sigma`), so a sample is
    m·e^(σZ − σ²/2) with Z standard normal; or, with ``exponential``, mean m
    (the p99 is then not used). Arrivals are Poisson at λ; ``requests``
    arrivals are simulated (:func:`simulate_fcfs`). Reported, from the
    requests after the warm-up:

        mean wait, p50, p95, p99 of response time (nearest rank)
        the p99's 95 % interval by sectioning over 5 batches
        (:func:`quantile_interval`), stated by its ends, ``p99_interval_ms``
        = (low, high), widened to be symmetric (:func:`stated_interval`)
        service cv = √(e^(σ²) − 1)          (1 for exponential)
        M/M/c p99 for the same mean         (:func:`perfcalc.queueing.mmc_response_percentile`)
        Allen–Cunneen mean wait = Wq(M/M/c) × (1 + cv²) / 2

    How long is long enough. A queue forgets its state in about
    τ = ρ²(1 + cv²)/(1 − ρ)² requests (:func:`relaxation_requests`), so:

        warm-up    the first max(10 % of the run, 20 τ) requests are dropped
        figures    refused (an error naming ``requests``, or ``arrival_rps``
                   when even ``MAX_REQUESTS`` would be too few) unless
                   500 τ requests remain: near saturation a shorter run's
                   mean wait can be a quarter of the true one
        interval   stated only if 6,000 τ requests remain, and, for service
                   heavier-tailed than exponential (cv > 1), only if two
                   long requests holding workers leave the others at most
                   85 % busy (λS/(c − 2) ≤ 0.85; never with one or two
                   workers): otherwise the p99 is set by rare episodes of
                   several long requests at once, which a run of this length
                   sees too few of to measure its own error.
                   ``p99_interval_ms`` is then ``(nan, nan)`` and
                   ``interval_rule`` says which rule withheld it (``bursts``
                   when both do). :func:`plan_run` decides all three, for
                   this calculator and for :func:`perfcalc.networks.stack`.

    Why rules decided in advance, and not a look at the run itself: the
    runs whose interval misses are the ones that met fewer slow episodes
    than usual, so their own spread looks small too (a third of the true
    variance, typically, at 60 % busy on 5 workers with a lognormal p99 ten
    times the mean). Nothing inside such a run shows what it missed. The
    thresholds are where a coverage test over many seeds (exact M/M/c
    percentiles for exponential service, long reference runs for lognormal;
    tests/test_simulation_coverage.py) found the stated interval holding
    the true p99 in at least 93 % of seeds. The interval this calculator
    used to state (20 batches, a 10 % warm-up, no rule) held it in 83 % of
    300 seeds at its old defaults (60 % busy), 82 % at 90 % busy on 5 workers and 17 % at
    95 % busy on one; ten batches instead of five, with the rules, held it in
    only 92.7 % at the busiest points 100,000 requests allow.

    Utilisation is the offered λS/c. λS ≥ c is overloaded: the queue grows
    for as long as the run lasts, so nothing is simulated and every wait and
    percentile is ``inf``. The same inputs and seed always give the same
    figures.

    Assumptions: independent service times; one FCFS queue in front of
    identical workers.

    Source: Law (2015) ch. 9; Asmussen & Glynn (2007); Whitt (1989); Foss &
    Korshunov (2012); Allen (1990) §6.3; Hopp & Spearman (2008) ch. 8.

    60 requests/s on 5 workers with a 50 ms mean (60 % busy): with
    exponential service the simulation brackets the exact M/M/c p99 of
    241 ms. Measured service times with a p99 of 500 ms (cv 2.6) make the
    response p99 more than twice as long, and Allen–Cunneen puts the mean
    wait at 3.8 times the M/M/c one; two long requests there leave the
    other three workers fully busy, so the p99 comes without an interval:

    >>> e = simulate(60, 50, 500, "exponential", 5, 100_000, seed=1)
    >>> round(e.mmc_p99_ms, 1), e.p99_low_ms <= e.mmc_p99_ms <= e.p99_high_ms, e.interval_rule
    (240.8, True, '')
    >>> r = simulate(60, 50, 500, "lognormal", 5, 100_000, seed=1)
    >>> round(r.service_cv, 2), round(r.p99_ms / r.mmc_p99_ms, 1), round(r.allen_cunneen_mean_wait_ms / r.mmc_mean_wait_ms, 2)
    (2.59, 2.2, 3.84)
    >>> r.interval_rule, r.p99_interval_ms
    ('bursts', (nan, nan))

    One worker at 99.9 % busy would need millions of requests to settle:

    >>> simulate(19.98, 50, 500, "lognormal", 1, 100_000, seed=1)
    Traceback (most recent call last):
    ...
    perfcalc.spec.PerfcalcError: arrival_rps is too close to capacity to simulate: at 99.90 % busy with service times this variable (cv 2.59) the queue takes about 7,672,691 requests to forget its state, and a run must span 556 times that, or its waits and percentiles can be off by any factor, more than the 100,000 requests this calculator simulates. At 16.5 requests/s or less it can; with exponential service times, worker-pool gives the exact M/M/c figures at any load; or add workers.
    """
    service_s = service_time_ms / 1000.0
    load = arrival_rps * service_s
    utilization = load / workers
    sigma, cv, draw = _service_sampler(service_distribution, service_time_ms, service_p99_ms)
    mmc_wait = queueing.mmc_mean_wait(workers, arrival_rps, service_s) * 1000.0
    mmc_p50, mmc_p95, mmc_p99 = (t * 1000.0 for t in queueing.mmc_response_percentiles(
        workers, arrival_rps, service_s, (50, 95, 99)))
    burst_load = load / (workers - 2) if workers > 2 else math.inf
    shared = dict(utilization_pct=100.0 * utilization, service_cv=cv, mmc_p99_ms=mmc_p99,
                  allen_cunneen_mean_wait_ms=allen_cunneen_wait(mmc_wait, cv), offered_load=load, sigma=sigma,
                  burst_load_pct=100.0 * burst_load, mmc_mean_wait_ms=mmc_wait, mmc_p50_ms=mmc_p50,
                  mmc_p95_ms=mmc_p95)
    if load >= workers:
        inf = math.inf
        return Simulation(mean_wait_ms=inf, p50_ms=inf, p95_ms=inf, p99_ms=inf, p99_interval_ms=(inf, inf),
                          p99_ci_ms=inf, p99_half_width_ms=inf, mean_wait_ci_ms=inf,
                          p50_ci_ms=inf, p95_ci_ms=inf, p99_low_ms=inf, p99_high_ms=inf, relaxation_requests=inf,
                          warmup_requests=0, interval_rule="", interval_requests=inf, kept_requests=0, **shared)

    plan = plan_run(requests, relaxation_requests(utilization, cv), bursts_rule(cv, load, workers))
    if requests < plan.figures_requests:
        _refuse_short_run(plan, requests, utilization, cv, workers, service_time_ms)
    rule, warmup = plan.interval_rule, plan.warmup_requests

    # Time in units of the mean service time, so every clock value is of order one.
    waits, times = simulate_fcfs(load, draw, workers, requests, seed)
    waits, times = waits[warmup:], times[warmup:]
    ordered = sorted(times)
    p50, p95, p99 = (quantile_interval(times, q, ordered=ordered) for q in (0.50, 0.95, 0.99))
    mean_wait, wait_half = mean_interval(waits)
    ms = service_time_ms
    return Simulation(
        mean_wait_ms=mean_wait * ms, p50_ms=p50.estimate * ms, p95_ms=p95.estimate * ms, p99_ms=p99.estimate * ms,
        p99_interval_ms=(math.nan, math.nan) if rule else stated_interval(p99, ms),
        p99_ci_ms=math.nan if rule else p99.half_width * ms, p99_half_width_ms=p99.half_width * ms,
        mean_wait_ci_ms=wait_half * ms,
        p50_ci_ms=p50.half_width * ms, p95_ci_ms=p95.half_width * ms, p99_low_ms=p99.low * ms,
        p99_high_ms=p99.high * ms, relaxation_requests=plan.relaxation_requests, warmup_requests=warmup,
        interval_rule=rule, interval_requests=plan.interval_requests, kept_requests=plan.kept_requests, **shared)
