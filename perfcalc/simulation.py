"""Simulating a worker pool whose service times are as variable as real ones.

The M/M/c model (:mod:`perfcalc.queueing`) assumes exponential service
times, whose p99 is 4.6 times the mean. Measured request times are often
more skewed: a mean of 50 ms with a p99 of 500 ms is common. This module
simulates c FCFS workers fed by Poisson arrivals with lognormal service
times given by the mean and p99 people measure, and sets the result beside
the exact M/M/c figures and the Allen–Cunneen approximation.

Sources: A. M. Law, *Simulation Modeling and Analysis*, 5th ed.,
McGraw-Hill 2015, ch. 9 (batch means for steady-state confidence
intervals, deleting a warm-up period). A. O. Allen, *Probability,
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
    "WARMUP_FRACTION",
    "BATCHES",
    "T_975_BATCHES",
    "SLOW_MIXING_UTILIZATION_PCT",
    "WIDE_INTERVAL_SHARE",
    "Simulation",
    "lognormal_sigma",
    "service_cv",
    "HALF_STEP",
    "service_times",
    "allen_cunneen_wait",
    "simulate_fcfs",
    "nearest_rank",
    "batch_half_width",
    "percentile_interval",
    "simulate",
]

DISTRIBUTIONS = ("lognormal", "exponential")
# The standard normal's 99th percentile, Φ⁻¹(0.99) (Wichura 1988; NormalDist().inv_cdf(0.99)).
Z_99 = 2.3263478740408408
# ln(q/m) = zσ − σ²/2 is largest, z²/2, at σ = z: no lognormal has a p99 more
# than e^(z²/2) ≈ 14.97 times its mean.
MAX_P99_TO_MEAN = math.exp(Z_99 * Z_99 / 2.0)
# The simulation starts with every worker idle; the first tenth of the
# requests is discarded so that start does not bias the figures (Law 2015,
# §9.5.1, "deletion of an initial transient").
WARMUP_FRACTION = 0.1
# Batch means: the kept requests, in arrival order, form this many batches;
# each batch's percentile is one nearly independent estimate (Law 2015,
# §9.5.3, recommends 10 to 30 batches).
BATCHES = 20
# Student's t, 97.5th percentile, 19 degrees of freedom (two-sided 95 %
# interval from 20 batches); tests check it by integrating the density.
T_975_BATCHES = 2.093024054408263
# Above 90 % busy a queue forgets its start slowly and consecutive batches
# stay correlated: the interval then understates the error (Law 2015, §9.5.3).
SLOW_MIXING_UTILIZATION_PCT = 90.0
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


def batch_half_width(estimates: list[float]) -> float:
    """Half-width of the 95 % batch-means interval: t₀.₉₇₅,B−1 · s / √B, s the spread of the batch estimates.

    ``math.fsum`` makes the sums exactly rounded, so the same estimates give
    the same digits on every platform.

    >>> round(batch_half_width([1.0, 2.0] * 10), 4)
    0.2401
    """
    mean = math.fsum(estimates) / len(estimates)
    variance = math.fsum((e - mean) ** 2 for e in estimates) / (len(estimates) - 1)
    return T_975_BATCHES * math.sqrt(variance / len(estimates))


def percentile_interval(times: list[float], ordered: list[float], pct: int) -> tuple[float, float, float]:
    """A percentile of correlated data and its 95 % interval: (estimate, low, high).

    The estimate is the nearest-rank percentile q of all the data. For the
    interval, each of the 20 batches (consecutive stretches of ``times``, in
    arrival order) gives the share of its values above q, and batch means
    give that share's 95 % interval, (1 − p) ± h; the response times at
    those two ranks of the sorted data bound q (the Bahadur representation
    links a quantile's error to the error of that share). Splitting into
    batches absorbs the correlation between neighbours: in a queue, slow
    requests come in runs. Asking each batch for its own p99 instead looks
    at a handful of values per batch and understates the spread several
    times over.

    Source: Law (2015) §9.5.3 (batch means) and §9.7 (estimating quantiles).

    >>> data = [float(i % 100) for i in range(2000)]
    >>> percentile_interval(data, sorted(data), 99)
    (98.0, 98.0, 98.0)
    """
    q = nearest_rank(ordered, pct)
    size = len(times) // BATCHES
    shares = [sum(map(q.__lt__, times[b * size:(b + 1) * size])) / size for b in range(BATCHES)]
    h = batch_half_width(shares)
    n = len(ordered)

    def at(level: float) -> float:  # the nearest-rank value at a level between 0 and 1
        return ordered[min(n - 1, max(0, math.ceil(level * n) - 1))]

    return q, at(pct / 100.0 - h), at(pct / 100.0 + h)


class Simulation(NamedTuple):
    utilization_pct: float
    service_cv: float
    mean_wait_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    p99_ci_ms: float  # p99 ± this holds the p99's 95 % interval
    mmc_p99_ms: float
    allen_cunneen_mean_wait_ms: float
    # For the warnings, the chart and the tests:
    offered_load: float
    sigma: float  # the lognormal's σ (nan for exponential service)
    mean_wait_ci_ms: float
    p50_ci_ms: float
    p95_ci_ms: float
    p99_low_ms: float  # the interval's ends (it may be lopsided; p99 ± p99_ci_ms holds it)
    p99_high_ms: float
    mmc_mean_wait_ms: float
    mmc_p50_ms: float
    mmc_p95_ms: float


def simulate(arrival_rps: float, service_time_ms: float, service_p99_ms: float, service_distribution: str,
             workers: int, requests: int, seed: int) -> Simulation:
    """A seeded simulation of c FCFS workers with lognormal (or exponential) service times, in ms.

    Service time: lognormal with mean m and 99th percentile q, σ from
    ln q − ln m = z·σ − σ²/2 (:func:`lognormal_sigma`), so a sample is
    m·e^(σZ − σ²/2) with Z standard normal; or, with ``exponential``, mean m
    (the p99 is then not used). Arrivals are Poisson at λ; ``requests``
    arrivals are simulated (:func:`simulate_fcfs`), the first 10 % dropped
    as warm-up. Reported, from the rest:

        mean wait, p50, p95, p99 of response time (nearest rank)
        a 95 % interval for the p99 by batch means over 20 batches
        (:func:`percentile_interval`), widened to be symmetric:
        p99 ± ``p99_ci_ms``
        service cv = √(e^(σ²) − 1)          (1 for exponential)
        M/M/c p99 for the same mean         (:func:`perfcalc.queueing.mmc_response_percentile`)
        Allen–Cunneen mean wait = Wq(M/M/c) × (1 + cv²) / 2

    Utilisation is the offered λS/c. λS ≥ c is overloaded: the queue grows
    for as long as the run lasts, so nothing is simulated and every wait and
    percentile is ``inf``. The same inputs and seed always give the same
    figures.

    Assumptions: independent service times; one FCFS queue in front of
    identical workers; a steady state that 90 % of the run reaches.

    Source: Law (2015) ch. 9; Allen (1990) §6.3; Hopp & Spearman (2008) ch. 8.

    60 requests/s on 5 workers with a 50 ms mean (60 % busy): with
    exponential service the simulation brackets the exact M/M/c p99 of
    241 ms. Measured service times with a p99 of 500 ms (cv 2.6) make the
    response p99 more than twice as long, and Allen–Cunneen puts the mean
    wait at 3.8 times the M/M/c one:

    >>> e = simulate(60, 50, 500, "exponential", 5, 100_000, seed=1)
    >>> round(e.mmc_p99_ms, 1), e.p99_low_ms <= e.mmc_p99_ms <= e.p99_high_ms
    (240.8, True)
    >>> r = simulate(60, 50, 500, "lognormal", 5, 100_000, seed=1)
    >>> round(r.service_cv, 2), round(r.p99_ms / r.mmc_p99_ms, 1), round(r.allen_cunneen_mean_wait_ms / r.mmc_mean_wait_ms, 2)
    (2.59, 2.2, 3.84)
    """
    service_s = service_time_ms / 1000.0
    load = arrival_rps * service_s
    if service_distribution == "lognormal":
        sigma = lognormal_sigma(service_time_ms, service_p99_ms)
        cv = service_cv(sigma)
        shape = sigma
    else:
        sigma, cv, shape = math.nan, 1.0, None  # shape None: exponential

    mmc_wait = queueing.mmc_mean_wait(workers, arrival_rps, service_s) * 1000.0
    mmc_p50, mmc_p95, mmc_p99 = (t * 1000.0 for t in queueing.mmc_response_percentiles(
        workers, arrival_rps, service_s, (50, 95, 99)))
    shared = dict(utilization_pct=100.0 * load / workers, service_cv=cv, mmc_p99_ms=mmc_p99,
                  allen_cunneen_mean_wait_ms=allen_cunneen_wait(mmc_wait, cv), offered_load=load, sigma=sigma,
                  mmc_mean_wait_ms=mmc_wait, mmc_p50_ms=mmc_p50, mmc_p95_ms=mmc_p95)
    if load >= workers:
        inf = math.inf
        return Simulation(mean_wait_ms=inf, p50_ms=inf, p95_ms=inf, p99_ms=inf, p99_ci_ms=inf, mean_wait_ci_ms=inf,
                          p50_ci_ms=inf, p95_ci_ms=inf, p99_low_ms=inf, p99_high_ms=inf, **shared)

    # Time in units of the mean service time, so every clock value is of order one.
    waits, times = simulate_fcfs(load, lambda us: service_times(us, 1.0, shape), workers, requests, seed)
    kept = requests - int(requests * WARMUP_FRACTION)
    waits, times = waits[-kept:], times[-kept:]
    ordered = sorted(times)
    (p50, low50, high50), (p95, low95, high95), (p99, low99, high99) = (
        [x * service_time_ms for x in percentile_interval(times, ordered, p)] for p in (50, 95, 99))
    size = kept // BATCHES
    wait_half = batch_half_width([math.fsum(waits[b * size:(b + 1) * size]) / size for b in range(BATCHES)])
    return Simulation(
        mean_wait_ms=math.fsum(waits) / kept * service_time_ms,
        p50_ms=p50, p95_ms=p95, p99_ms=p99, p99_ci_ms=max(p99 - low99, high99 - p99),
        mean_wait_ci_ms=wait_half * service_time_ms, p50_ci_ms=max(p50 - low50, high50 - p50),
        p95_ci_ms=max(p95 - low95, high95 - p95), p99_low_ms=low99, p99_high_ms=high99, **shared)
