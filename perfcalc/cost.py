"""Capacity and cost: saturation ceilings, instance counts, serverless versus VMs.

A month is 730 hours (8760 / 12): cloud price sheets bill hourly rates over
730-hour months. The naive 720 hours is a 30-day month and under-counts a
year by 120 hours.

Sources: AWS Lambda pricing page (per-request and per-GB-second charges,
free tier, and its worked example of 3 million 1-second invocations at
512 MB). Little's law for the ceilings (see :mod:`perfcalc.queueing`).
"""

from __future__ import annotations

import math

from .rounding import ceil_whole

__all__ = [
    "HOURS_PER_MONTH",
    "SECONDS_PER_MONTH",
    "saturation_rps",
    "monthly_cost",
    "instances_needed",
    "serverless_cost",
    "break_even_requests",
]

HOURS_PER_MONTH = 8760 / 12  # 730
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600


def saturation_rps(response_time_ms: float, concurrency: int) -> float:
    """The throughput ceiling: every slot busy, back to back, L/W = λ.

    This is what "RPS = 1000 / latency × concurrency" really computes: the
    most a system can complete when every one of its slots is always busy.
    At that load the queue in front of it grows without bound, so it is a
    ceiling to stay well below, not a capacity to plan for.

    Eight workers at 40 ms: 200 requests/s, at best.

    >>> saturation_rps(40, 8)
    200.0
    """
    return concurrency * 1000.0 / response_time_ms


def monthly_cost(cost_per_hour: float, units: int = 1, hours: float = HOURS_PER_MONTH) -> float:
    """Cost of ``units`` machines for ``hours`` (a 730-hour month by default).

    >>> round(monthly_cost(0.10, 2), 2)
    146.0
    """
    return cost_per_hour * units * hours


def instances_needed(peak_rps: float, instance_max_rps: float, target_utilization_pct: float, spare_instances: int) -> int:
    """Instances to carry a peak at a target utilisation, plus spares.

    ⌈peak / (capacity × target)⌉ + spares. Running below 100 % leaves room
    for the queueing delay that grows sharply near saturation; spares (N+1)
    carry the load while one instance fails or deploys.

    1,000 requests/s, 150 per instance, at most 70 % busy, one spare:

    >>> instances_needed(1000, 150, 70, 1)
    11
    >>> instances_needed(0.001, 150, 70, 0)   # a trickle still needs a server
    1
    """
    usable = instance_max_rps * target_utilization_pct / 100.0
    # Any load needs one instance; float noise must not add one (ceil_whole).
    return max(1, ceil_whole(peak_rps / usable)) + spare_instances


def serverless_cost(
    requests: float,
    duration_ms: float,
    memory_mb: float,
    price_per_million_requests: float,
    price_per_gb_second: float,
    free_requests: float = 0.0,
    free_gb_seconds: float = 0.0,
) -> tuple[float, float, float]:
    """Monthly cost of a function-as-a-service, Lambda style.

    GB-seconds = N × duration × memory (MB / 1024);
    compute = max(0, GB-s − free GB-s) × price per GB-s;
    requests = max(0, N − free requests) × price per request.

    Returns ``(gb_seconds, compute_cost, request_cost)``.

    AWS's worked example: 3 million runs a month of 1 s at 512 MB, with the
    free tier of 1 million requests and 400,000 GB-s, at $0.20 per million
    requests and $0.00001667 per GB-s, costs $18.34 + $0.40 = $18.74:

    >>> gb_s, compute, req = serverless_cost(3e6, 1000, 512, 0.20, 0.00001667, 1e6, 400_000)
    >>> gb_s, round(compute, 2), round(req, 2), round(compute + req, 2)
    (1500000.0, 18.34, 0.4, 18.74)
    """
    gb_seconds = requests * (duration_ms / 1000.0) * (memory_mb / 1024.0)
    compute = max(0.0, gb_seconds - free_gb_seconds) * price_per_gb_second
    request = max(0.0, requests - free_requests) / 1e6 * price_per_million_requests
    return gb_seconds, compute, request


def break_even_requests(
    monthly_budget: float,
    duration_ms: float,
    memory_mb: float,
    price_per_million_requests: float,
    price_per_gb_second: float,
    free_requests: float = 0.0,
    free_gb_seconds: float = 0.0,
) -> float | None:
    """Monthly requests at which serverless costs as much as ``monthly_budget``.

    Serverless cost is piecewise linear and non-decreasing in N, with kinks
    where each free tier runs out; walk the pieces and solve the linear one
    that crosses the budget. ``None`` when it never gets there (everything
    free). Zero budget: 0.

    With the prices above and a $50 VM, serverless is cheaper below about
    6.7 million requests a month:

    >>> round(break_even_requests(50, 1000, 512, 0.20, 0.00001667, 1e6, 400_000) / 1e6, 2)
    6.66
    """
    gb_per_request = duration_ms / 1000.0 * memory_mb / 1024.0
    free_gb_requests = free_gb_seconds / gb_per_request  # requests before GB-s are charged

    def cost(n: float) -> float:
        _, c, r = serverless_cost(n, duration_ms, memory_mb, price_per_million_requests,
                                  price_per_gb_second, free_requests, free_gb_seconds)
        return c + r

    if monthly_budget <= cost(0.0):
        return 0.0
    kinks = sorted({0.0, free_requests, free_gb_requests})
    for start, end in zip(kinks, kinks[1:] + [math.inf]):
        if end != math.inf and cost(end) < monthly_budget:
            continue
        # Exact slope on this piece: which charges are past their free tier.
        slope = (price_per_million_requests / 1e6 if start >= free_requests else 0.0) + (
            price_per_gb_second * gb_per_request if start >= free_gb_requests else 0.0)
        if slope <= 0:  # flat: the budget is met at the kink (float noise), or never
            return end if end != math.inf else None
        return min(end, start + (monthly_budget - cost(start)) / slope)
    return None
