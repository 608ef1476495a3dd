"""Calls between services: the tail of a fan-out, and what retries multiply.

A request that calls n services in parallel is as slow as the slowest of
them, so a rare slow call becomes a common slow request. A call retried at
every layer of a stack multiplies the load on the layer that is failing,
exactly when it can least take it.

Sources: J. Dean and L. A. Barroso, "The Tail at Scale", Communications of
the ACM 56(2), 2013 (fan-out: a server slow 1 % of the time makes 63 % of
requests that wait for 100 such servers slow). B. Beyer, C. Jones, J. Petoff
and N. R. Murphy (eds.), *Site Reliability Engineering*, O'Reilly 2016,
ch. 21 "Handling Overload" (at most three attempts per request; a per-client
retry budget of 10 % of requests) and ch. 22 "Addressing Cascading Failures"
(retries at several layers multiply: three retries at each of three layers
send 4³ = 64 attempts to the database).
"""

from __future__ import annotations

import math
from typing import NamedTuple

__all__ = [
    "MAX_ATTEMPTS_PER_REQUEST",
    "FanOut",
    "Retries",
    "slow_share",
    "per_call_slow_share",
    "fan_out",
    "attempts_per_call",
    "retries",
]

# The SRE book's per-request limit: "up to three attempts" (Beyer et al.
# 2016, ch. 21). More than that per user request at an outage multiplies the
# load on the failing service past what retrying can recover.
MAX_ATTEMPTS_PER_REQUEST = 3


def slow_share(calls: int, per_call_slow: float) -> float:
    """The share of requests slower than a threshold when each waits for n independent calls.

        P(request slow) = 1 − (1 − p)^n

    ``per_call_slow`` is a fraction 0–1; computed as −expm1(n·log1p(−p)), so
    a tiny p over many calls keeps its digits.

    Dean & Barroso's example: servers slow 1 % of the time, 100 of them per
    request: 63 % of requests are slow.

    >>> round(slow_share(100, 0.01), 3)
    0.634
    """
    if per_call_slow >= 1.0:
        return 1.0
    return -math.expm1(calls * math.log1p(-per_call_slow))


def per_call_slow_share(calls: int, request_slow: float) -> float:
    """The largest per-call slow share that keeps requests of n calls slow at most a share t.

        p = 1 − (1 − t)^(1/n)      (the inverse of :func:`slow_share`)

    To keep only 1 % of requests that call 100 services slow, each call may
    be slow 0.01 % of the time: its p99.99, not its p99, must meet the
    threshold.

    >>> round(per_call_slow_share(100, 0.01) * 100, 5)
    0.01005
    """
    if request_slow >= 1.0:
        return 1.0
    return -math.expm1(math.log1p(-request_slow) / calls)


class FanOut(NamedTuple):
    request_slow_pct: float
    per_call_slow_pct_needed: float
    per_call_percentile_needed: float  # 100 − the above: the percentile each call must meet


def fan_out(calls: int, per_call_slow_pct: float, target_slow_pct: float) -> FanOut:
    """Tail latency of a request that calls n services in parallel and waits for all of them.

        slow requests = 1 − (1 − p)^n                 (:func:`slow_share`)
        per-call slow share for a target t = 1 − (1 − t)^(1/n)

    "Slow" is beyond any latency threshold: if each call exceeds it with
    probability p (p = 1 % at the call's p99), a request exceeds it unless
    every call stays under. Assumes the calls' latencies are independent;
    shared causes (a slow network, a garbage-collection pause in the
    caller) make them correlated, and then the request tail is a little
    better than this and the per-call figure a little pessimistic.

    Source: Dean & Barroso (2013).

    Their figures: 100 calls each slow 1 % of the time make 63.4 % of
    requests slow; 2,000 calls each slow 0.01 % of the time make 18.1 %
    slow ("almost one in five"):

    >>> round(fan_out(100, 1.0, 1.0).request_slow_pct, 1), round(fan_out(2000, 0.01, 1.0).request_slow_pct, 1)
    (63.4, 18.1)
    >>> round(fan_out(100, 1.0, 1.0).per_call_percentile_needed, 3)
    99.99
    """
    needed = 100.0 * per_call_slow_share(calls, target_slow_pct / 100.0)
    return FanOut(100.0 * slow_share(calls, per_call_slow_pct / 100.0), needed, 100.0 - needed)


def attempts_per_call(failure: float, max_retries: int) -> float:
    """Expected attempts of a call retried up to r times, each failing independently with probability p.

        1 + p + p² + … + p^r = (1 − p^(r+1)) / (1 − p)

    summed term by term, so p = 1 (every attempt fails) gives r + 1 exactly.

    >>> attempts_per_call(0.5, 3), attempts_per_call(1.0, 3), attempts_per_call(0.0, 3)
    (1.875, 4.0, 1.0)
    """
    total, term = 0.0, 1.0
    for _ in range(max_retries + 1):
        total += term
        term *= failure
    return total


class Retries(NamedTuple):
    attempts_per_request: float
    downstream_rps: float
    success_pct: float
    outage_amplification: float
    outage_downstream_rps: float
    outage_amplification_with_budget: float | None


def retries(base_rps: float, failure_pct: float, max_retries: int, layers: int,
            retry_budget_pct: float | None = None) -> Retries:
    """Load and success when every one of L layers retries the call below it up to r times.

    The bottom call fails with probability p. Layer 1 retries it: it fails
    only if all r + 1 attempts fail, p₂ = p^(r+1); layer 2 retries layer 1,
    and so on, p_{k+1} = p_k^(r+1). Each layer makes Σ_{i≤r} p_k^i calls to
    the one below per call it receives (:func:`attempts_per_call`), and
    since whether it calls again depends only on earlier calls, the expected
    counts multiply (Wald's identity):

        attempts at the bottom per request = Π_{k=1..L} (1 − p_k^(r+1)) / (1 − p_k)
        success = 1 − p^((r+1)^L)
        at a full outage (p = 1): (r + 1)^L attempts per request

    A retry budget b (retries at most a share b of requests, per layer, as
    in the SRE book's per-client budget of 10 %) caps the outage at
    (1 + b)^L; a budget above r retries per request allows no more than r,
    so the cap is (1 + min(b, r))^L. Attempts are assumed independent; at a
    real outage they are not (that is the outage case).

    Source: Beyer et al. (2016), ch. 21 and 22.

    The SRE book's example: three layers each retrying 3 times turn one
    user action into 4³ = 64 attempts on an overloaded database; a 10 %
    retry budget per layer holds it to 1.1³ = 1.33:

    >>> r = retries(100, 100, 3, 3, 10)
    >>> r.outage_amplification, round(r.outage_amplification_with_budget, 3), r.outage_downstream_rps
    (64.0, 1.331, 6400.0)

    At 10 % failures the same stack sends 11 % more load downstream and
    almost every request succeeds:

    >>> r = retries(100, 10, 3, 3)
    >>> round(r.attempts_per_request, 4), round(r.success_pct, 6)
    (1.1111, 100.0)
    """
    p = failure_pct / 100.0
    attempts, failure = 1.0, p
    for _ in range(layers):
        attempts *= attempts_per_call(failure, max_retries)
        failure = failure ** (max_retries + 1)
    # 1 − p^((r+1)^L) directly: the product of many p_k loses the digits that matter near 100 %
    exponent = float((max_retries + 1) ** layers)
    success = 1.0 if p == 0.0 else -math.expm1(exponent * math.log(p))
    budget = None if retry_budget_pct is None else (1.0 + min(retry_budget_pct / 100.0, max_retries)) ** layers
    return Retries(attempts, base_rps * attempts, 100.0 * success, exponent, base_rps * exponent, budget)
