"""Queueing models: Little's law and the M/M/c worker pool.

A WSGI server with ``c`` workers in front of a Poisson stream of requests is,
to a first approximation, an M/M/c queue: requests arrive at rate λ, each
worker serves one request at a time for an exponentially distributed time of
mean S, and a request that finds every worker busy waits in line (FCFS).

A pool of Celery or RQ workers fed by jobs is the same queue in slower
time: the waiting that matters is the job's time in the queue.

Sources: J. D. C. Little, "A proof for the queuing formula L = λW",
Operations Research 9(3), 1961. L. Kleinrock, *Queueing Systems, Vol. 1*,
Wiley 1975, §3.5 (M/M/m). M. Harchol-Balter, *Performance Modeling and Design
of Computer Systems*, CUP 2013, ch. 14 (M/M/k, Erlang C).
"""

from __future__ import annotations

import math
import sys
from typing import NamedTuple

from .spec import PerfcalcError

__all__ = [
    "HIGH_UTILIZATION_PCT",
    "EXPONENTIAL_P99_TO_MEAN",
    "MAX_WORKERS_SEARCHED",
    "SHARED_QUEUE",
    "LittlesLaw",
    "WorkerPool",
    "BackgroundJobs",
    "littles_law",
    "erlang_b",
    "erlang_c",
    "erlang_c_series",
    "mmc_mean_wait",
    "mmc_wait_survival",
    "mmc_wait_percentile",
    "mmc_response_survival",
    "mmc_response_percentile",
    "mmc_response_percentiles",
    "p99_floor",
    "smallest_pool",
    "workers_for_p99",
    "worker_pool",
    "drain_rate",
    "drain_time",
    "background_jobs",
]

# Past about 80 % busy, waiting climbs steeply: in M/M/1 the mean wait grows
# as ρ/(1 − ρ), so from 80 % to 90 % busy it more than doubles (Harchol-Balter
# 2013, ch. 13–14; M/M/c behaves alike near saturation).
HIGH_UTILIZATION_PCT = 80.0
# An exponential time's p99 over its mean: P(Exp > t) = e^{−t/S} = 1 % at t = S·ln(100) ≈ 4.6·S.
EXPONENTIAL_P99_TO_MEAN = math.log(100.0)
# Processes whose workers share one queue: one (sync workers all accept from one socket; so do the threads
# of one gthread process). More processes that each accept connections are that many queues.
SHARED_QUEUE = 1
# workers_for_p99 checks pools of up to this size: far beyond any one pool
# of Gunicorn workers or Celery processes.
MAX_WORKERS_SEARCHED = 100_000
# Erlang B starts its recursion √(this × A) below the load A: the error of
# starting there shrinks by e^(−this/2) = e^(−64) (see erlang_b).
_ERLANG_B_SKIP = 128.0
_LOG_FLOAT_MIN = math.log(sys.float_info.min)


class LittlesLaw(NamedTuple):
    concurrency: float
    throughput_rps: float
    response_time_ms: float


def littles_law(
    concurrency: float | None = None,
    throughput_rps: float | None = None,
    response_time_ms: float | None = None,
) -> LittlesLaw:
    """Solve L = λW for the one quantity left out.

    Little's law holds for any stable system, whatever the arrival or service
    distributions: the mean number of requests in flight L equals the
    throughput λ times the mean time each spends inside W. Pass exactly two
    of the three; the result holds all three.

    Source: Little (1961); any text on operational analysis.

    A service handles 200 requests per second, each taking 150 ms on
    average. How many are in flight at any moment?

    >>> littles_law(throughput_rps=200, response_time_ms=150)
    LittlesLaw(concurrency=30.0, throughput_rps=200.0, response_time_ms=150.0)

    With 8 workers always busy at 40 ms each, the ceiling is 200 per second:

    >>> littles_law(concurrency=8, response_time_ms=40).throughput_rps
    200.0
    """
    given = [v is not None for v in (concurrency, throughput_rps, response_time_ms)]
    if sum(given) != 2:
        raise PerfcalcError(
            "littles-law needs exactly two of concurrency, throughput_rps and "
            f"response_time_ms, got {sum(given)}"
        )
    if concurrency is None:
        concurrency = throughput_rps * response_time_ms / 1000.0
    elif throughput_rps is None:
        if response_time_ms == 0:
            raise PerfcalcError("response_time_ms must be greater than 0 to solve for throughput_rps, got 0", "response_time_ms")
        throughput_rps = concurrency * 1000.0 / response_time_ms
    else:
        if throughput_rps == 0:
            raise PerfcalcError("throughput_rps must be greater than 0 to solve for response_time_ms, got 0", "throughput_rps")
        response_time_ms = concurrency * 1000.0 / throughput_rps
    return LittlesLaw(float(concurrency), float(throughput_rps), float(response_time_ms))


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability of an M/M/c/c loss system (Erlang B).

    Uses the recursion B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)), which
    never forms A^c or c! and so stays finite for thousands of servers.

    It need not start at k = 0. In terms of R = 1/B each step is affine,
    R(k) = 1 + (k/A)·R(k−1), so a relative error in R(k−1) reaches R(k)
    multiplied by 1 − B(k), which is at most k/A (a loss system carries at
    most k of the A erlangs offered). Below the load the errors die fast:
    from k₀ = A − m up to A they shrink by at least e^(−m²/2A). Starting at
    k₀ with m = √(128·A) from any guess no worse than a factor A (here
    B(k₀) = 1; the truth is at least m/A) leaves an error below A·e^(−64),
    far under a rounding error, and costs O(√A) steps instead of O(A):
    sizing a pool of 70,000 workers stays interactive. The recursion also
    stops, with 0, once B falls below the smallest normal float (far more
    servers than load; it would otherwise crawl through subnormal numbers),
    or once it provably will: past the load each step multiplies B by less
    than A/k.

    Source: Harchol-Balter (2013) §14.4; the recursion is standard in
    teletraffic engineering (e.g. ITU-T E-series handbooks). Its forward
    stability: D. L. Jagerman, "Some properties of the Erlang loss
    function", Bell System Technical Journal 53(3), 1974.

    >>> round(erlang_b(1, 1.0), 3)
    0.5
    >>> 0 < erlang_b(2000, 1900.0) < 1   # no overflow
    True
    >>> math.isclose(erlang_b(75_000, 70_000.0), _erlang_b_from_zero(75_000, 70_000.0), rel_tol=1e-13)
    True
    """
    start = max(0, math.floor(min(servers, offered_load) - math.sqrt(_ERLANG_B_SKIP * offered_load)))
    b = 1.0
    for k in range(start + 1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
        if b < sys.float_info.min:  # no probability is that small: done, before slow subnormal steps
            return 0.0
        # Past the load each step multiplies B by less than A/k, so B(c) < B(k)·(A/k)^(c−k). Once that
        # bound is a factor e below the smallest float, the loop would end in 0 anyway: say so now.
        if k % 64 == 0 and k > offered_load and (
                math.log(b) + (servers - k) * math.log(offered_load / k) < _LOG_FLOAT_MIN - 1.0):
            return 0.0
    return b


def _erlang_b_from_zero(servers: int, offered_load: float) -> float:
    """Erlang B by the full recursion from k = 0: O(c), for checking :func:`erlang_b`."""
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return b


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arriving request must wait, M/M/c (Erlang C).

    C(c, A) = c·B / (c − A·(1 − B)) with B = Erlang B(c, A), valid for
    A < c. At or beyond saturation (A ≥ c) every arrival eventually waits:
    returns 1.

    Source: Harchol-Balter (2013) §14.5.

    A call centre is offered 48 erlangs (calls × handling time) and staffs
    55 agents. About a quarter of callers wait:

    >>> round(erlang_c(55, 48.0), 3)
    0.239
    """
    if offered_load >= servers:
        return 1.0
    b = erlang_b(servers, offered_load)
    return servers * b / (servers - offered_load * (1.0 - b))


def erlang_c_series(pools: list[int], offered_load: float) -> list[float]:
    """Erlang C for ascending pool sizes, with one Erlang B recursion shared between them.

    The recursion for c + 1 servers continues the one for c, so a sweep
    over pools costs O(√A + largest − smallest) steps instead of that for
    each pool, and gives the same numbers as :func:`erlang_c` pool by pool.

    >>> [round(c, 3) for c in erlang_c_series([50, 55, 60], 48.0)] == [round(erlang_c(c, 48.0), 3) for c in (50, 55, 60)]
    True
    """
    series, b, k = [], None, 0
    for c in pools:
        if offered_load >= c:
            series.append(1.0)
            continue
        if b is None:
            b, k = erlang_b(c, offered_load), c
        while k < c:
            k += 1
            b = offered_load * b / (k + offered_load * b)
            if b < sys.float_info.min:  # as erlang_b: zero from here on
                b, k = 0.0, c
        series.append(c * b / (c - offered_load * (1.0 - b)))
    return series


def drain_rate(servers: int, arrival_rate: float, service_time: float) -> float:
    """cμ − λ, the rate at which a pool whose workers are all busy works off its queue.

    Every function that needs it calls this one, so they agree on its
    rounding. It is written as (c − A)/S with A = λS, which is positive
    whenever A < c: the textbook c/S − λ subtracts two nearly equal numbers
    near saturation and can round to zero or below while A < c still says the
    pool keeps up. Zero or negative (A ≥ c): the queue never drains.

    12 workers at 2 s a job with 5 new jobs a second clear 1 job a second:

    >>> drain_rate(12, 5.0, 2.0)
    1.0
    >>> drain_rate(3, 4.285714285714286, 0.7) > 0 >= 3 / 0.7 - 4.285714285714286
    True
    """
    return (servers - arrival_rate * service_time) / service_time


def mmc_mean_wait(servers: int, arrival_rate: float, service_time: float) -> float:
    """Mean time in line before service, M/M/c: Wq = C·S / (c − A).

    Times come back in the unit ``service_time`` is given in; ``arrival_rate``
    must be per that same unit. Overloaded (A ≥ c): ``math.inf``.

    Source: Kleinrock (1975) eq. 3.43; Harchol-Balter (2013) §14.5.

    The same call centre, 240 s per call: the mean wait is about 8 seconds.

    >>> round(mmc_mean_wait(55, 48 / 240, 240.0), 2)
    8.18
    """
    load = arrival_rate * service_time
    if load >= servers:
        return math.inf
    return erlang_c(servers, load) / drain_rate(servers, arrival_rate, service_time)


def mmc_wait_survival(servers: int, arrival_rate: float, service_time: float, t: float) -> float:
    """P(Wq > t), the chance of waiting longer than t in the queue of an M/M/c FCFS system.

    A job waits at all with probability C (Erlang C), and a waiting job
    waits an exponential time of rate cμ − λ (the pool drains one job per
    S/c while all workers are busy), so

        P(Wq > t) = C·e^{−(cμ − λ)t}.

    Overloaded (λS ≥ c): 1 for every t.

    Source: Kleinrock (1975) §3.5; the call-centre "service level" formula,
    P(answered within t) = 1 − C·e^{−(c − A)t/S}.

    The standard Erlang C worked example (e.g. Westbay Engineers, "The
    Erlang-C Formula"): 360 calls per half hour, 4 minutes each, 55 agents,
    a 15-second answer target. About 24 % of callers wait, and the service
    level is 84.6 %:

    >>> round(erlang_c(55, 48.0), 3), round(1 - mmc_wait_survival(55, 360 / 1800, 240.0, 15.0), 3)
    (0.239, 0.846)
    """
    load = arrival_rate * service_time
    if load >= servers:
        return 1.0
    return erlang_c(servers, load) * math.exp(-drain_rate(servers, arrival_rate, service_time) * t)


def mmc_wait_percentile(servers: int, arrival_rate: float, service_time: float, pct: float,
                        c_wait: float | None = None) -> float:
    """The pct-th percentile of the time in the queue, M/M/c: inverting P(Wq > t) = C·e^{−(cμ−λ)t}.

        t_p = max(0, ln(C / (1 − p)) / (cμ − λ))

    Zero when fewer than 1 − p of the jobs wait at all. Overloaded: ``math.inf``.

    The same call centre: 1 call in 100 waits longer than about 109 seconds.

    >>> round(mmc_wait_percentile(55, 360 / 1800, 240.0, 99), 1)
    108.8
    """
    load = arrival_rate * service_time
    if load >= servers:
        return math.inf
    if c_wait is None:  # a sweep over pools passes it in (erlang_c_series)
        c_wait = erlang_c(servers, load)
    tail = 1.0 - pct / 100.0
    if c_wait <= tail:
        return 0.0
    return math.log(c_wait / tail) / drain_rate(servers, arrival_rate, service_time)


def _sum_of_exponentials_survival(rate_a: float, rate_b: float, t: float) -> float:
    """P(X + Y > t) for independent X ~ Exp(rate_a), Y ~ Exp(rate_b).

    The textbook form (b·e^{−at} − a·e^{−bt}) / (b − a) cancels
    catastrophically as a → b. With lo ≤ hi and gap = hi − lo it equals
    e^{−lo·t}·(1 + lo·(1 − e^{−gap·t})/gap), computed with expm1; at
    gap = 0 the sum is Erlang-2 and the bracket is exactly 1 + lo·t.
    """
    lo, hi = min(rate_a, rate_b), max(rate_a, rate_b)
    gap = hi - lo
    spread = t if gap * t < 1e-15 else -math.expm1(-gap * t) / gap
    return math.exp(-lo * t) * (1.0 + lo * spread)


def mmc_response_survival(servers: int, arrival_rate: float, service_time: float, t: float) -> float:
    """P(T > t) for the response time T (wait + service) of an M/M/c FCFS queue.

    With μ = 1/S and δ = cμ − λ, the wait is 0 with probability 1 − C and
    Exp(δ) with probability C; service is Exp(μ) and independent of it, so

        P(T > t) = (1 − C)·e^{−μt} + C·P(Exp(δ) + Exp(μ) > t).

    The special case δ = μ (the sum is Erlang-2) is handled exactly.
    Overloaded (λS ≥ c): 1 for every t.

    Source: Kleinrock (1975) §3.5; Harchol-Balter (2013) ch. 14.

    For one worker it is exponential with rate μ − λ (M/M/1):

    >>> math.isclose(mmc_response_survival(1, 8.0, 0.1, 0.5), math.exp(-1.0))
    True
    """
    return _response_survival(servers, arrival_rate, service_time)(t)


def _response_survival(servers: int, arrival_rate: float, service_time: float):
    """P(T > t) as a function of t, with Erlang C computed once (it is O(c))."""
    mu = 1.0 / service_time
    load = arrival_rate * service_time
    if load >= servers:
        return lambda t: 1.0
    c_wait = erlang_c(servers, load)
    delta = drain_rate(servers, arrival_rate, service_time)

    def survival(t: float) -> float:
        return (1.0 - c_wait) * math.exp(-mu * t) + c_wait * _sum_of_exponentials_survival(delta, mu, t)

    return survival


def mmc_response_percentile(servers: int, arrival_rate: float, service_time: float, pct: float) -> float:
    """The pct-th percentile of M/M/c response time, by bisection on P(T > t).

    Not "k × mean": the tail of a queue is exponential with rate cμ − λ,
    which collapses as utilisation nears 100 %. Overloaded: ``math.inf``.

    An M/M/1 server at 80 % load with 100 ms service: response time is
    exponential with mean 500 ms, so the p99 is 500·ln(100) ≈ 2303 ms.

    >>> round(mmc_response_percentile(1, 8.0, 100.0 / 1000, 99) * 1000)
    2303
    """
    return mmc_response_percentiles(servers, arrival_rate, service_time, (pct,))[0]


def mmc_response_percentiles(servers: int, arrival_rate: float, service_time: float,
                             pcts: tuple[float, ...]) -> tuple[float, ...]:
    """Several percentiles of M/M/c response time, with Erlang C computed once (it is the costly part).

    >>> [round(t * 1000) for t in mmc_response_percentiles(1, 8.0, 0.1, (50, 99))]
    [347, 2303]
    """
    if arrival_rate * service_time >= servers:
        return tuple(math.inf for _ in pcts)
    survival = _response_survival(servers, arrival_rate, service_time)
    return tuple(_percentile(survival, service_time, pct) for pct in pcts)


def _percentile(survival, scale: float, pct: float) -> float:
    """The t with survival(t) = 1 − pct/100, by doubling from ``scale`` and then bisection."""
    target = 1.0 - pct / 100.0
    lo, hi = 0.0, scale
    while survival(hi) > target:
        lo, hi = hi, hi * 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if survival(mid) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * hi:
            break
    return (lo + hi) / 2.0


def p99_floor(service_time: float) -> float:
    """The p99 of an exponential service time alone, S·ln(100): no pool's p99 is lower.

    Response time is wait plus service, and waiting only adds, so however
    many workers serve it, an M/M/c queue's p99 is at least the service
    time's own: P(Exp(1/S) > t) = e^{−t/S} = 1 % at t = S·ln(100). Times
    come back in the unit ``service_time`` is given in.

    50 ms requests: no worker count gets the p99 under 230 ms.

    >>> round(p99_floor(50.0), 1)
    230.3
    """
    return service_time * EXPONENTIAL_P99_TO_MEAN


def smallest_pool(meets, offered_load: float, limit: int = MAX_WORKERS_SEARCHED) -> int | None:
    """The fewest workers c for which ``meets(c)`` holds, searching from the smallest stable pool.

    ``meets`` must never turn false as c grows (waits only shrink with more
    workers). The smallest stable pool is ⌊A⌋ + 1; queueing needs about
    A + β√A workers for any fixed target (square-root staffing), so the
    search steps up from there by √A, doubling the step until ``meets``
    holds, then bisects: O(log √A) checks. ``None`` if even ``limit``
    workers do not meet it (or the stable pool exceeds it).

    Source: the square-root staffing rule, S. Halfin and W. Whitt,
    "Heavy-traffic limits for queues with many exponential servers",
    Operations Research 29(3), 1981.

    >>> smallest_pool(lambda c: c >= 120, 100.0)
    120
    >>> smallest_pool(lambda c: False, 100.0, limit=1000) is None
    True
    """
    lo = math.floor(offered_load) + 1
    if lo > limit:
        return None
    if meets(lo):
        return lo
    step = max(1, math.isqrt(lo))
    while True:  # invariant: meets(lo) is false
        hi = min(lo + step, limit)
        if meets(hi):
            break
        if hi >= limit:
            return None
        lo, step = hi, step * 2
    while hi - lo > 1:  # meets(lo) false, meets(hi) true
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    return hi


def workers_for_p99(arrival_rate: float, service_time: float, target_p99: float,
                    limit: int = MAX_WORKERS_SEARCHED) -> int | None:
    """The smallest worker count whose M/M/c p99 response time meets a target.

    The p99 falls as workers are added but never below :func:`p99_floor`; a
    tighter target cannot be met by adding workers (only by faster service)
    and gives ``None``, as does a pool larger than ``limit``. A pool meets
    the target when P(T > target) ≤ 1 %, one evaluation of the response-time
    distribution per pool size (:func:`smallest_pool` picks the sizes).

    80 requests/s at 50 ms each, p99 target 250 ms:

    >>> workers_for_p99(80, 0.050, 0.250)
    6
    """
    if target_p99 <= p99_floor(service_time):
        return None
    return smallest_pool(
        lambda c: _response_survival(c, arrival_rate, service_time)(target_p99) <= 1.0 - 99 / 100.0,
        arrival_rate * service_time, limit)


class WorkerPool(NamedTuple):
    utilization_pct: float
    prob_wait_pct: float
    mean_wait_ms: float
    mean_response_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_rps: float
    workers_for_target: int | None
    offered_load: float  # A = λS, the mean number of busy workers a stable pool needs
    p99_floor_ms: float  # the p99 of service alone: no worker count gets below it
    shared_queue_p99_ms: float  # the p99 were all the workers to share one queue (M/M/c)


def worker_pool(arrival_rps: float, service_time_ms: float, workers: int,
                target_p99_ms: float | None = None, processes: int = 1) -> WorkerPool:
    """Everything about a pool of c workers fed by random arrivals, M/M/c, in ms.

    With offered load A = λS (busy workers needed on average):

        utilisation = A / c          ceiling = c / S
        P(wait) = C(c, A)            Wq = C·S / (c − A)
        mean response = Wq + S       percentiles by bisection on P(T > t)

    and, if a p99 target is given, the fewest workers that meet it
    (:func:`workers_for_p99`; ``None`` if none can). λ ≥ c/S is not an
    error: the pool is overloaded, P(wait) is 100 % and every wait and
    percentile is ``inf`` (unbounded).

    ``processes`` > 1 splits the workers into that many processes of
    T = c / P threads that each queue their own requests: Gunicorn's gthread
    worker accepts a connection into its own thread pool's queue whether or
    not a thread is free, and nothing moves it to another process. With an
    even random split each process is an M/M/T queue fed λ/P (a random split
    of a Poisson stream is Poisson: Kleinrock 1975, §2.6), exactly, and
    every figure above is that queue's; the fewest workers for the target
    keep P processes (:mod:`perfcalc.splitqueues`, the guide's one model of
    per-process queues, which the stack calculator and the lab use too). The
    even split is the best case: measured on Gunicorn
    27 under Linux (the guide's "Do the models hold?" lab runs), the committed runs handed 85 % and 90 % of new connections to one
    of two processes (an unpublished run on a busier host split them about
    evenly), whose queue then runs away long before the
    ceiling c/S.

    Source: Kleinrock (1975) §3.5; Harchol-Balter (2013) ch. 14.

    80 requests/s at 50 ms on 5 workers: 80 % busy, a p99 of 304 ms, and 6
    workers for a 250 ms p99:

    >>> r = worker_pool(80, 50, 5, target_p99_ms=250)
    >>> round(r.utilization_pct), round(r.p99_ms, 1), r.workers_for_target
    (80, 304.0, 6)

    At 120 requests/s the same pool cannot keep up:

    >>> worker_pool(120, 50, 5).p99_ms
    inf

    Two gthread processes of two threads at 70 % busy: two M/M/2 queues,
    whose p99 is half as long again as the 275 ms of four workers sharing one:

    >>> r = worker_pool(56, 50, 4, processes=2)
    >>> round(r.p99_ms), round(r.shared_queue_p99_ms)
    (413, 275)
    """
    if workers % processes:
        raise PerfcalcError(f"processes must divide workers evenly (each process runs workers / processes threads), "
                            f"got {processes} processes for {workers} workers", "processes")
    from . import splitqueues  # it builds on this module's M/M/c, so it is imported when needed

    threads, shares = workers // processes, splitqueues.even_shares(processes)
    service_s = service_time_ms / 1000.0
    load = arrival_rps * service_s
    p50, p95, p99 = (t * 1000.0 for t in splitqueues.split_percentiles(arrival_rps, service_s, threads, shares,
                                                                       (50, 95, 99)))
    waits = splitqueues.split_waits(arrival_rps, service_s, threads, shares)
    wait_ms = waits.mean * 1000.0
    target = None
    if target_p99_ms is not None:  # the same number of processes, each M/M/T at its even share λ/P
        fewest = workers_for_p99(arrival_rps / processes, service_s, target_p99_ms / 1000.0)
        target = None if fewest is None else fewest * processes
    shared = p99 if processes == 1 else mmc_response_percentile(workers, arrival_rps, service_s, 99) * 1000.0
    return WorkerPool(
        utilization_pct=100.0 * load / workers,
        prob_wait_pct=100.0 * waits.probability,
        mean_wait_ms=wait_ms,
        mean_response_ms=wait_ms + service_time_ms,
        p50_ms=p50,
        p95_ms=p95,
        p99_ms=p99,
        max_rps=workers / service_s,
        workers_for_target=target,
        offered_load=load,
        p99_floor_ms=p99_floor(service_time_ms),
        shared_queue_p99_ms=shared,
    )


def drain_time(backlog: float, servers: int, arrival_rate: float, service_time: float) -> float:
    """Time for c busy workers to clear a backlog while new work keeps arriving: B / (c/S − λ).

    While a backlog remains every worker is busy, so the pool completes c/S
    jobs per unit of time and λ of them are new: the backlog shrinks at
    c/S − λ (:func:`drain_rate`). It never drains when λ ≥ c/S (``math.inf``); an empty backlog
    takes no time. Fluid approximation: it ignores randomness, which matters
    only when the backlog is a handful of jobs.

    10,000 queued jobs, 12 workers at 2 s a job, 5 new jobs a second: the
    pool clears 6 a second and gains 5, so an hour and 40 minutes:

    >>> drain_time(10_000, 12, 5.0, 2.0)
    10000.0
    """
    if backlog == 0:
        return 0.0
    if arrival_rate * service_time >= servers:
        return math.inf
    return backlog / drain_rate(servers, arrival_rate, service_time)


class BackgroundJobs(NamedTuple):
    utilization_pct: float
    prob_wait_pct: float
    mean_wait_s: float
    p99_wait_s: float
    drain_time_s: float
    workers_for_target: int | None
    offered_load: float  # A = λS, the mean number of busy workers a stable pool needs


def background_jobs(jobs_per_s: float, job_time_s: float, workers: int, backlog_jobs: int,
                    target_wait_s: float | None = None) -> BackgroundJobs:
    """A pool of background workers (Celery, RQ) as an M/M/c queue, in seconds.

    c is every job that can run at once (Celery: processes × concurrency;
    RQ: worker processes). With A = λS:

        utilisation = A / c          P(wait) = C(c, A)        mean wait = C·S / (c − A)
        P(Wq > t) = C·e^{−(c/S − λ)t}, so p99 wait = max(0, ln(C / 0.01) / (c/S − λ))
        backlog B drains in B / (c/S − λ)

    and, if a target is given, the fewest workers whose p99 wait meets it
    (:func:`smallest_pool`; any target can be met, but not by more than
    :data:`MAX_WORKERS_SEARCHED` workers). λ ≥ c/S is a result: waits and
    the drain time are ``inf``.

    Assumptions: Poisson arrivals, exponential job times, one FCFS queue
    (per Celery queue; prefetching lets a worker hold jobs it has not
    started, which this ignores).

    Source: Kleinrock (1975) §3.5; Harchol-Balter (2013) ch. 14.

    Five jobs a second of 2 s each on 12 workers: 83 % busy, 1 job in 100
    waits more than 3.8 s, and a backlog of 10,000 jobs takes 10,000 s to
    clear; 15 workers keep the p99 wait under a second:

    >>> r = background_jobs(5, 2, 12, 10_000, target_wait_s=1)
    >>> round(r.utilization_pct, 1), round(r.p99_wait_s, 2), r.drain_time_s, r.workers_for_target
    (83.3, 3.81, 10000.0, 15)
    """
    load = jobs_per_s * job_time_s
    target = None
    if target_wait_s is not None:
        target = smallest_pool(
            lambda c: mmc_wait_survival(c, jobs_per_s, job_time_s, target_wait_s) <= 1.0 - 99 / 100.0, load)
    return BackgroundJobs(
        utilization_pct=100.0 * load / workers,
        prob_wait_pct=100.0 * erlang_c(workers, load),
        mean_wait_s=mmc_mean_wait(workers, jobs_per_s, job_time_s),
        p99_wait_s=mmc_wait_percentile(workers, jobs_per_s, job_time_s, 99),
        drain_time_s=drain_time(backlog_jobs, workers, jobs_per_s, job_time_s),
        workers_for_target=target,
        offered_load=load,
    )
