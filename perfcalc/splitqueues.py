"""Split queues: worker processes that each queue their own connections, fed a share of the arrivals.

A Gunicorn ``gthread`` process accepts a connection as soon as its main
loop sees one and queues it for its own threads, busy or not; nothing moves
it to another process later (gunicorn/workers/gthread.py, 27.0.1:
``accept`` → ``enqueue_req`` → ``ThreadPoolExecutor.submit``). So P
processes × T threads are not one queue with P·T servers (M/M/PT, what a
``sync`` pool is, since a sync worker only accepts when idle) but P queues
with T servers each. Which process gets a connection is decided by which
one the kernel runs first when the listening socket wakes them all: a share
of the arrivals, not the idlest process. Measured on Linux (the lab,
``perfcalc lab``): about even on a busy host, and up to 90 % and more for
the last process booted on an idle one, whatever each process holds.

This module models that routing as a split: each arrival goes to process k
with probability s_k, independently of the state (Poisson thinning keeps
each process's arrivals Poisson at λ·s_k), so with exponential service

    P(T > t) = Σ_k s_k · P(T_k > t),   T_k the response time of M/M/T at λ·s_k

and percentiles by bisection; a process with λ·s_k·S ≥ T is overloaded and
its share waits without bound. :func:`simulate_split` runs the same system
for a finite number of requests (any service distribution; an overloaded
process's queue then grows for as long as the run lasts), and
:func:`fcfs_finish_times` replays given arrivals and service times through
FCFS servers, which is how the lab checks a run against the ideal queue.

Sources: L. Kleinrock, *Queueing Systems*, vol. 1, Wiley 1975, §2.6 (a
random split of a Poisson stream is Poisson), §3.5 (M/M/c); J. Kiefer and
J. Wolfowitz, Trans. AMS 78(1), 1955 (the FCFS recursion); M. Majkowski,
"Why does one NGINX worker take all the load?", Cloudflare blog, 2017 (the
kernel's last-in-first-out wake-up of processes waiting on one socket).
"""

from __future__ import annotations

import bisect
import heapq
import math
import random

from . import queueing
from .spec import PerfcalcError

__all__ = ["check_shares", "fcfs_finish_times", "split_survival", "split_percentiles", "simulate_split"]

_HALF_STEP = 2.0 ** -54  # random() can be 0: half its smallest step keeps −ln u finite


def check_shares(shares) -> tuple[float, ...]:
    """The shares as a tuple, if each is in [0, 1] and they sum to 1 (within 1e-9); else a PerfcalcError.

    >>> check_shares([0.5, 0.5])
    (0.5, 0.5)
    >>> check_shares([0.7, 0.2])
    Traceback (most recent call last):
    ...
    perfcalc.spec.PerfcalcError: shares must be from 0 to 1 and sum to 1, got 0.7, 0.2
    """
    shares = tuple(float(s) for s in shares)
    if not shares or any(not 0.0 <= s <= 1.0 for s in shares) or abs(math.fsum(shares) - 1.0) > 1e-9:
        raise PerfcalcError("shares must be from 0 to 1 and sum to 1, got " + ", ".join(f"{s:g}" for s in shares),
                            "shares")
    return shares


def fcfs_finish_times(arrivals: list[float], services: list[float], servers: int) -> list[float]:
    """When each request finishes at ``servers`` FCFS servers, given its arrival and service time.

    Arrivals in non-decreasing order; each request starts on the
    earliest-free server, at its arrival or when that server frees up (the
    Kiefer–Wolfowitz recursion; one heap of the servers' free times).

    Two servers, three requests at once, 10 s each: the third waits for the first.

    >>> fcfs_finish_times([0.0, 0.0, 0.0], [10.0, 10.0, 10.0], 2)
    [10.0, 10.0, 20.0]
    """
    free = [-math.inf] * servers
    finish = []
    for arrival, service in zip(arrivals, services):
        done = max(arrival, free[0]) + service
        heapq.heapreplace(free, done)
        finish.append(done)
    return finish


def split_survival(arrival_rate: float, service_time: float, threads: int, shares):
    """P(T > t) as a function of t for P M/M/threads queues fed λ·s_k each (exponential service).

    An overloaded process (λ·s_k·S ≥ threads) contributes s_k for every t:
    its requests wait without bound.

    One process holding every connection is M/M/c itself:

    >>> f = split_survival(8.0, 0.1, 1, [1.0])
    >>> math.isclose(f(0.5), queueing.mmc_response_survival(1, 8.0, 0.1, 0.5))
    True
    """
    parts = [(s, queueing._response_survival(threads, arrival_rate * s, service_time)) for s in check_shares(shares)
             if s > 0]
    return lambda t: math.fsum(s * survival(t) for s, survival in parts)


def split_percentiles(arrival_rate: float, service_time: float, threads: int, shares,
                      pcts: tuple[float, ...]) -> tuple[float, ...]:
    """Percentiles of response time for split queues, by bisection; ``inf`` where overloaded shares reach them.

    The pct-th percentile is unbounded when the overloaded processes' shares
    add up to more than 1 − pct/100 of the requests.

    Two processes of two threads, 56 requests/s at 50 ms (70 % busy), split
    evenly: each is M/M/2 at 28/s, whose p99 is 413 ms (M/M/4 at 56/s: 275 ms).
    With 88 % of the connections on one process it is overloaded and the
    median is unbounded:

    >>> [round(t * 1000) for t in split_percentiles(56, 0.05, 2, [0.5, 0.5], (50, 99))]
    [73, 413]
    >>> split_percentiles(56, 0.05, 2, [0.12, 0.88], (50,))
    (inf,)
    """
    shares = check_shares(shares)
    stuck = math.fsum(s for s in shares if arrival_rate * s * service_time >= threads)
    survival = split_survival(arrival_rate, service_time, threads, shares)
    return tuple(math.inf if stuck > 1.0 - pct / 100.0 else queueing._percentile(survival, service_time, pct)
                 for pct in pcts)


def simulate_split(arrival_rate: float, shares, threads: int, service_times, requests: int,
                   seed: int) -> tuple[list[float], list[int]]:
    """Response times of a seeded run of split queues, in arrival order, and the process of each request.

    Poisson arrivals at ``arrival_rate``; three uniforms per request from
    ``random.Random(seed)``: the gap (−ln u / λ), the service (``service_times``
    maps the list of service uniforms to times, in the unit of 1/λ) and the
    process (the first k whose cumulative share exceeds u). Each process is
    FCFS with ``threads`` servers (:func:`fcfs_finish_times`). With one
    share of 1 it is the shared queue, M/M/c for exponential service.

    >>> waits = lambda us: [-math.log1p(-u) * 0.05 for u in us]
    >>> times, procs = simulate_split(56.0, [0.5, 0.5], 2, waits, 2000, seed=1)
    >>> len(times), sorted(set(procs)), min(times) > 0
    (2000, [0, 1], True)
    """
    shares = check_shares(shares)
    uniform = random.Random(seed).random
    draws = [uniform() or _HALF_STEP for _ in range(3 * requests)]
    arrivals, clock = [], 0.0
    for u in draws[0::3]:
        clock -= math.log(u) / arrival_rate
        arrivals.append(clock)
    services = service_times(draws[1::3])
    bounds = [math.fsum(shares[:k + 1]) for k in range(len(shares) - 1)]  # u below bounds[k]: process k or earlier
    procs = [bisect.bisect_right(bounds, u) for u in draws[2::3]]
    times = [0.0] * requests
    for k in range(len(shares)):
        mine = [i for i, p in enumerate(procs) if p == k]
        finish = fcfs_finish_times([arrivals[i] for i in mine], [services[i] for i in mine], threads)
        for i, done in zip(mine, finish):
            times[i] = done - arrivals[i]
    return times, procs
