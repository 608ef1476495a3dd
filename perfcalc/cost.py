"""Capacity and cost: saturation ceilings, instance counts, serverless versus VMs.

A month is 730 hours (8760 / 12), the average month price sheets quote
monthly figures in. A bill counts the hours used: 744 in a 31-day month,
672 in February. The naive 720 hours is a 30-day month and under-counts a
year by 120 hours.

Sources: AWS Lambda pricing page (per-request and per-GB-second charges,
x86 and Arm rates, free tier; since 1 August 2025 the INIT phase of a cold
start is billed as duration). Its former worked example (3 million 1-second
invocations at 512 MB, x86) is the doctest below; an API Gateway in front
charges per request on top, which ``price_per_million_requests`` can carry.
Little's law for the ceilings (see :mod:`perfcalc.queueing`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .rounding import ceil_whole

__all__ = [
    "HOURS_PER_MONTH",
    "SECONDS_PER_MONTH",
    "SATURATED_PCT",
    "AVERAGE_UTILIZATION_LIMIT_PCT",
    "FleetCapacity",
    "InstancesForPeak",
    "ServerlessPricing",
    "ServerlessCost",
    "ServerlessVsVM",
    "saturation_rps",
    "monthly_cost",
    "fleet_capacity",
    "instances_needed",
    "instances_for_peak",
    "serverless_cost",
    "break_even_requests",
    "serverless_vs_vm",
]

HOURS_PER_MONTH = 8760 / 12  # 730
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
# The ceiling itself: every slot busy all the time, and the queue grows without bound.
SATURATED_PCT = 100.0
# An average hides the peaks, which are higher: when the month's average is
# above 70 % of the ceiling, the busy hours are already queueing. (70 % is
# also the instances calculator's default target.)
AVERAGE_UTILIZATION_LIMIT_PCT = 70.0


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


class FleetCapacity(NamedTuple):
    max_rps: float
    successful_rps: float
    successful_requests_per_month: float
    average_rps: float
    average_utilization_pct: float
    monthly_cost: float
    cost_per_million_successful: float


def fleet_capacity(
    response_time_ms: float,
    workers: int,
    servers: int,
    error_rate_pct: float,
    requests_per_month: float,
    server_cost_per_hour: float,
    cost_per_million_requests: float,
) -> FleetCapacity:
    """A fleet's saturation ceiling, its goodput, its average load, and its monthly bill.

    With c slots per server, s servers, mean response time R, error share e
    and N requests in a 730-hour month:

        X_max = c·s / R                 X_good = X_max·(1 − e)
        X̄ = N / (730 × 3600 s)          U = X̄ / X_max
        C = 730·p_hour·s + p_req·N      cost per million successes = C / (N·(1 − e)) × 10⁶

    Errors cut goodput, not capacity: a failed request still holds a slot.
    When nothing succeeds the cost per success is unbounded (``inf``), or 0
    if nothing costs anything either.

    Source: Little's law for the ceiling; the 730-hour month of cloud price
    sheets.

    Two servers of four slots at 120 ms, 0.5 % errors, 10 million requests
    a month at $0.10 an hour:

    >>> r = fleet_capacity(120, 4, 2, 0.5, 10_000_000, 0.10, 0.0)
    >>> round(r.max_rps, 1), round(r.average_rps, 2), round(r.monthly_cost, 2), round(r.cost_per_million_successful, 2)
    (66.7, 3.81, 146.0, 14.67)
    """
    good = 1.0 - error_rate_pct / 100.0
    max_rps = saturation_rps(response_time_ms, workers * servers)
    average_rps = requests_per_month / SECONDS_PER_MONTH
    monthly = monthly_cost(server_cost_per_hour, servers) + cost_per_million_requests * requests_per_month / 1e6
    successful = requests_per_month * good
    return FleetCapacity(
        max_rps=max_rps,
        successful_rps=max_rps * good,
        successful_requests_per_month=successful,
        average_rps=average_rps,
        average_utilization_pct=100.0 * average_rps / max_rps,
        monthly_cost=monthly,
        cost_per_million_successful=monthly * 1e6 / successful if successful > 0 else (
            0.0 if monthly == 0 else math.inf),
    )


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


class InstancesForPeak(NamedTuple):
    instances: int
    utilization_at_peak_pct: float
    monthly_cost: float


def instances_for_peak(
    peak_rps: float,
    instance_max_rps: float,
    target_utilization_pct: float,
    spare_instances: int,
    instance_cost_per_hour: float,
) -> InstancesForPeak:
    """Instances for a peak (:func:`instances_needed`), how busy they are at it, and their cost.

        n = ⌈X_peak / (X_instance·u)⌉ + spares
        U_peak = X_peak / (n·X_instance)      C = 730·n·p_hour

    The utilisation counts every instance serving, spares included.

    300 requests/s on instances good for 100 at most 70 % busy, one spare:

    >>> n, busy, monthly = instances_for_peak(300, 100, 70, 1, 0.10)
    >>> n, busy, round(monthly, 2)
    (6, 50.0, 438.0)
    """
    n = instances_needed(peak_rps, instance_max_rps, target_utilization_pct, spare_instances)
    return InstancesForPeak(n, 100.0 * peak_rps / (n * instance_max_rps), monthly_cost(instance_cost_per_hour, n))


class ServerlessPricing(NamedTuple):
    """What one function costs to run: its billed duration and memory, the prices, the free tier."""

    duration_ms: float
    memory_mb: float
    price_per_million_requests: float
    price_per_gb_second: float
    free_requests: float = 0.0
    free_gb_seconds: float = 0.0


class ServerlessCost(NamedTuple):
    gb_seconds: float
    compute_cost: float
    request_cost: float

    @property
    def total(self) -> float:
        """Compute plus requests."""
        return self.compute_cost + self.request_cost


def serverless_cost(requests: float, pricing: ServerlessPricing) -> ServerlessCost:
    """Monthly cost of a function-as-a-service, Lambda style.

    GB-seconds = N × duration × memory (MB / 1024);
    compute = max(0, GB-s − free GB-s) × price per GB-s;
    requests = max(0, N − free requests) × price per request.

    The worked example AWS's pricing page used to give (x86 prices): 3 million
    runs a month of 1 s at 512 MB, with the free tier of 1 million requests
    and 400,000 GB-s, at $0.20 per million requests and $0.00001667 per
    GB-s, costs $18.34 + $0.40 = $18.74. Billed duration includes a cold
    start's INIT phase; an API Gateway adds its own per-request price:

    >>> lambda_512 = ServerlessPricing(1000, 512, 0.20, 0.00001667, 1e6, 400_000)
    >>> gb_s, compute, req = serverless_cost(3e6, lambda_512)
    >>> gb_s, round(compute, 2), round(req, 2), round(serverless_cost(3e6, lambda_512).total, 2)
    (1500000.0, 18.34, 0.4, 18.74)
    """
    gb_seconds = requests * (pricing.duration_ms / 1000.0) * (pricing.memory_mb / 1024.0)
    compute = max(0.0, gb_seconds - pricing.free_gb_seconds) * pricing.price_per_gb_second
    request = max(0.0, requests - pricing.free_requests) / 1e6 * pricing.price_per_million_requests
    return ServerlessCost(gb_seconds, compute, request)


def break_even_requests(monthly_budget: float, pricing: ServerlessPricing) -> float | None:
    """Monthly requests at which serverless costs as much as ``monthly_budget``.

    Serverless cost is piecewise linear and non-decreasing in N, with kinks
    where each free tier runs out; walk the pieces and solve the linear one
    that crosses the budget. ``None`` when it never gets there (everything
    free). Zero budget: 0.

    With the prices above and a $50 VM, serverless is cheaper below about
    6.7 million requests a month:

    >>> lambda_512 = ServerlessPricing(1000, 512, 0.20, 0.00001667, 1e6, 400_000)
    >>> round(break_even_requests(50, lambda_512) / 1e6, 2)
    6.66
    """
    gb_per_request = pricing.duration_ms / 1000.0 * pricing.memory_mb / 1024.0
    free_gb_requests = pricing.free_gb_seconds / gb_per_request  # requests before GB-s are charged

    def cost(n: float) -> float:
        return serverless_cost(n, pricing).total

    if monthly_budget <= cost(0.0):
        return 0.0
    kinks = sorted({0.0, pricing.free_requests, free_gb_requests})
    for start, end in zip(kinks, kinks[1:] + [math.inf]):
        if end != math.inf and cost(end) < monthly_budget:
            continue
        # Exact slope on this piece: which charges are past their free tier.
        slope = (pricing.price_per_million_requests / 1e6 if start >= pricing.free_requests else 0.0) + (
            pricing.price_per_gb_second * gb_per_request if start >= free_gb_requests else 0.0)
        if slope <= 0:  # flat: the budget is met at the kink (float noise), or never
            return end if end != math.inf else None
        return min(end, start + (monthly_budget - cost(start)) / slope)
    return None


class ServerlessVsVM(NamedTuple):
    gb_seconds: float
    serverless_compute_cost: float
    serverless_request_cost: float
    serverless_monthly_cost: float
    vm_monthly_cost: float
    break_even_requests_per_month: float | None
    cheaper: str  # serverless, vm or equal


def serverless_vs_vm(
    requests_per_month: float,
    duration_ms: float,
    memory_mb: float,
    price_per_million_requests: float,
    price_per_gb_second: float,
    free_requests: float,
    free_gb_seconds: float,
    vm_cost_per_hour: float,
    vm_count: int,
) -> ServerlessVsVM:
    """A month of serverless (:func:`serverless_cost`) against k always-on VMs, and where they cross.

        GB-s = N·d·m/1024
        C_serverless = max(0, GB-s − F_GB-s)·p_GB-s + max(0, N − F_N)·p_N      C_VM = 730·k·p_hour

    The break-even volume is :func:`break_even_requests` at the VMs' cost
    (``None``: serverless never costs that much). Costs within a billionth
    of each other are ``equal``.

    AWS's example volume against two $0.0416 VMs: serverless is cheaper.

    >>> r = serverless_vs_vm(3e6, 1000, 512, 0.20, 0.00001667, 1e6, 400_000, 0.0416, 2)
    >>> round(r.serverless_monthly_cost, 2), round(r.vm_monthly_cost, 2), r.cheaper
    (18.74, 60.74, 'serverless')
    """
    pricing = ServerlessPricing(duration_ms, memory_mb, price_per_million_requests, price_per_gb_second,
                                free_requests, free_gb_seconds)
    bill = serverless_cost(requests_per_month, pricing)
    serverless = bill.total
    vm = monthly_cost(vm_cost_per_hour, vm_count)
    cheaper = "equal" if math.isclose(serverless, vm, rel_tol=1e-9, abs_tol=1e-9) else (
        "serverless" if serverless < vm else "vm")
    return ServerlessVsVM(bill.gb_seconds, bill.compute_cost, bill.request_cost, serverless, vm,
                          break_even_requests(vm, pricing), cheaper)
