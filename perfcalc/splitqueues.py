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

This module is the guide's one model of that routing, which the
``worker-pool`` calculator (``processes``), the ``stack`` calculator's split
tiers (:mod:`perfcalc.networks`) and the lab's predictions all call: each
arrival goes to process k with probability s_k, independently of the state
(Poisson thinning keeps each process's arrivals Poisson at λ·s_k), so with
exponential service

    P(T > t) = Σ_k s_k · P(T_k > t),   T_k the response time of M/M/T at λ·s_k
    P(wait) = Σ_k s_k · C(T, λ·s_k·S)      Wq = Σ_k s_k · Wq(M/M/T at λ·s_k)

and percentiles by bisection (:func:`split_percentiles`,
:func:`split_waits`); a process with λ·s_k·S ≥ T is overloaded and its
share waits without bound. Processes with equal shares are one term
(weight: their shares' sum), so an even split of thousands of processes
costs one M/M/T. :func:`route` sends each request to its process and
:func:`fcfs_finish_times` serves each process's requests on its
earliest-free thread: :func:`simulate_split` (the lab's finite-run ranges)
and :func:`perfcalc.networks.simulate_network` (``stack``) are both built
on them, and the lab's replay of a real run too.

Sources: L. Kleinrock, *Queueing Systems*, vol. 1, Wiley 1975, §2.6 (a
random split of a Poisson stream is Poisson), §3.5 (M/M/c); J. Kiefer and
J. Wolfowitz, Trans. AMS 78(1), 1955 (the FCFS recursion); M. Majkowski,
"Why does one NGINX worker take all the load?", Cloudflare blog, 2017 (the
kernel's last-in-first-out wake-up of processes waiting on one socket).
"""

from __future__ import annotations

import heapq
import math
import random
from bisect import bisect_right
from collections import Counter
from itertools import accumulate
from typing import NamedTuple

from . import queueing
from .simulation import HALF_STEP
from .spec import PerfcalcError

__all__ = ["check_shares", "even_shares", "route", "fcfs_finish_times", "split_survival", "split_percentiles",
           "SplitWaits", "split_waits", "simulate_split"]


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


def even_shares(processes: int) -> tuple[float, ...]:
    """Each of ``processes`` takes the same share: the best case of a split (a busy host's).

    >>> even_shares(4)
    (0.25, 0.25, 0.25, 0.25)
    """
    return (1.0 / processes,) * processes


def _terms(shares) -> list[tuple[float, float]]:
    """(share, weight) for each distinct share above 0, weight the sum of the processes' shares that have it."""
    return [(s, math.fsum([s] * n)) for s, n in Counter(check_shares(shares)).items() if s > 0]


def route(uniforms: list[float], shares) -> list[int]:
    """The process each request goes to, one uniform in [0, 1) each: the first k whose cumulative share exceeds u.

    >>> route([0.1, 0.5, 0.95], [0.5, 0.4, 0.1])
    [0, 1, 2]
    """
    bounds = list(accumulate(shares[:-1]))  # u below bounds[k]: process k or an earlier one
    return [bisect_right(bounds, u) for u in uniforms]


def fcfs_finish_times(arrivals: list[float], services: list[float], servers: int, routes: list[int] | None = None,
                      order=None) -> list[float]:
    """When each request finishes at FCFS servers, given its arrival and service time (and its process).

    Requests are taken in ``order`` (their indices; by default as listed),
    which must be by non-decreasing arrival; each starts on the
    earliest-free server, at its arrival or when that server frees up (the
    Kiefer–Wolfowitz recursion; one heap of the servers' free times). With
    ``routes``, request i goes to process ``routes[i]``, which has
    ``servers`` servers and a queue of its own.

    Two servers, three requests at once, 10 s each: the third waits for the first.

    >>> fcfs_finish_times([0.0, 0.0, 0.0], [10.0, 10.0, 10.0], 2)
    [10.0, 10.0, 20.0]

    The same requests on two processes of one thread, the first two to the first process:

    >>> fcfs_finish_times([0.0, 0.0, 0.0], [10.0, 10.0, 10.0], 1, routes=[0, 0, 1])
    [10.0, 20.0, 10.0]
    """
    processes = 1 if routes is None else max(routes, default=0) + 1
    free = [[-math.inf] * servers for _ in range(processes)]  # each process's servers' next free times: heaps
    finish = [0.0] * len(arrivals)
    replace = heapq.heapreplace
    indices = range(len(arrivals)) if order is None else order
    if routes is None:  # one queue: no lookup per request (stack serves most tiers this way)
        heap = free[0]
        for i in indices:
            time, earliest = arrivals[i], heap[0]
            finish[i] = end = (time if earliest <= time else earliest) + services[i]
            replace(heap, end)
        return finish
    for i in indices:
        heap = free[routes[i]]
        time, earliest = arrivals[i], heap[0]
        finish[i] = end = (time if earliest <= time else earliest) + services[i]
        replace(heap, end)
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
    parts = [(w, queueing._response_survival(threads, arrival_rate * s, service_time)) for s, w in _terms(shares)]
    return lambda t: math.fsum(w * survival(t) for w, survival in parts)


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
    terms = _terms(shares)
    stuck = math.fsum(w for s, w in terms if arrival_rate * s * service_time >= threads)
    survival = split_survival(arrival_rate, service_time, threads, shares)
    return tuple(math.inf if stuck > 1.0 - pct / 100.0 else queueing._percentile(survival, service_time, pct)
                 for pct in pcts)


class SplitWaits(NamedTuple):
    probability: float  # that a request waits for a thread (1 if a process it may go to is overloaded)
    mean: float  # mean wait in its process's queue, in the unit of the service time (inf if any is overloaded)


def split_waits(arrival_rate: float, service_time: float, threads: int, shares) -> SplitWaits:
    """The chance of waiting and the mean wait of split queues: each process's M/M/T, weighted by its share.

    Two processes of two threads at 70 % busy, evenly split, wait as M/M/2
    at half the arrivals does (48 ms on average); with 60 % of them on one
    process, longer; with 90 %, that process is overloaded:

    >>> w = split_waits(56, 0.05, 2, [0.5, 0.5])
    >>> round(w.probability, 3), round(w.mean * 1000, 1)
    (0.576, 48.0)
    >>> round(split_waits(56, 0.05, 2, [0.6, 0.4]).mean * 1000, 1), split_waits(56, 0.05, 2, [0.9, 0.1]).mean
    (81.0, inf)
    """
    terms = _terms(shares)
    waits = [queueing.mmc_mean_wait(threads, arrival_rate * s, service_time) for s, _ in terms]
    mean = math.fsum(w * x for (_, w), x in zip(terms, waits)) if all(map(math.isfinite, waits)) else math.inf
    probability = math.fsum(w * queueing.erlang_c(threads, arrival_rate * s * service_time) for s, w in terms)
    return SplitWaits(probability, mean)


def simulate_split(arrival_rate: float, shares, threads: int, service_times, requests: int,
                   seed: int) -> tuple[list[float], list[int]]:
    """Response times of a seeded run of split queues, in arrival order, and the process of each request.

    Poisson arrivals at ``arrival_rate``; three uniforms per request from
    ``random.Random(seed)``: the gap (−ln u / λ), the service (``service_times``
    maps the list of service uniforms to times, in the unit of 1/λ) and the
    process (:func:`route`). Each process is FCFS with ``threads`` servers
    (:func:`fcfs_finish_times`). With one share of 1 it is the shared queue,
    M/M/c for exponential service.

    >>> waits = lambda us: [-math.log1p(-u) * 0.05 for u in us]
    >>> times, procs = simulate_split(56.0, [0.5, 0.5], 2, waits, 2000, seed=1)
    >>> len(times), sorted(set(procs)), min(times) > 0
    (2000, [0, 1], True)
    """
    shares = check_shares(shares)
    uniform = random.Random(seed).random
    draws = [uniform() or HALF_STEP for _ in range(3 * requests)]
    arrivals, clock = [], 0.0
    for u in draws[0::3]:
        clock -= math.log(u) / arrival_rate
        arrivals.append(clock)
    procs = route(draws[2::3], shares)
    finish = fcfs_finish_times(arrivals, service_times(draws[1::3]), threads, procs)
    return [done - arrival for done, arrival in zip(finish, arrivals)], procs
