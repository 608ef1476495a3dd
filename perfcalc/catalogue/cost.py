"""Capacity and cost calculators: capacity, instances, serverless-vs-vm (models in :mod:`perfcalc.cost`)."""

from __future__ import annotations

from .. import charts
from ..cost import (AVERAGE_UTILIZATION_LIMIT_PCT, SATURATED_PCT, fleet_capacity, instances_for_peak,
                    serverless_vs_vm)
from ..spec import Calculator, Field, Output
from .fields import (LAMBDA_MAX_MEMORY_MB, LAMBDA_MIN_MEMORY_MB, MAX_DEPLOYED, MAX_FREE_TIER, MAX_POOL,
                     MAX_PRICE_PER_GB_SECOND, MAX_PRICE_PER_MILLION, count, money, ms, pct, rate, requests)


def _capacity_warnings(args, r):
    warnings = []
    if r.average_utilization_pct >= SATURATED_PCT:
        warnings.append(
            f"The average load ({r.average_rps:,.1f} requests/s) is at or above the saturation ceiling "
            f"({r.max_rps:,.1f} requests/s): queues grow without bound. Add workers or servers, or cut response time."
        )
    elif r.average_utilization_pct > AVERAGE_UTILIZATION_LIMIT_PCT:
        warnings.append(f"Average utilisation is above {AVERAGE_UTILIZATION_LIMIT_PCT:g} %: queueing delay grows "
                        "steeply from here, and peaks are higher than the average. Check the p99 with the "
                        "worker-pool calculator.")
    if r.successful_requests_per_month == 0 and r.monthly_cost > 0:
        warnings.append("No request succeeds, so the cost per million successful requests is unbounded.")
    return warnings


CAPACITY = Calculator(
    id="capacity",
    title="Capacity and monthly cost",
    summary="The saturation ceiling of a server fleet, the average load against it, and what a 730-hour month costs.",
    fields=(
        ms("response_time_ms", "Mean response time", default=120.0, help="Mean time a worker spends on one request."),
        count("workers", "Concurrency slots per server", default=4,
              help="Requests one server handles at once: Gunicorn workers × threads."),
        count("servers", "Servers", default=2, help="Identical servers behind the load balancer.", maximum=MAX_DEPLOYED),
        pct("error_rate_pct", "Error rate", default=0.5, help="Share of requests that fail (5xx, and 4xx you caused)."),
        requests("requests_per_month", "Requests per month", help="Total requests in a month, successful or not."),
        money("server_cost_per_hour", "Cost per server-hour", default=0.10, help="On-demand price of one server."),
        money("cost_per_million_requests", "Cost per million requests", default=0.0,
              help="Per-request charges: load balancer, egress, API gateway.", unit="$/million"),
    ),
    outputs=(
        Output("max_rps", "Saturation ceiling", unit="requests/s", decimals=1,
               help="Every slot busy all the time (Little's law). Plan to stay well below it."),
        Output("successful_rps", "Successful requests at the ceiling", unit="requests/s", decimals=1),
        Output("successful_requests_per_month", "Successful requests per month", unit="requests", format="int"),
        Output("average_rps", "Average load", unit="requests/s", decimals=2),
        Output("average_utilization_pct", "Average utilisation", unit="%", format="pct", decimals=1),
        Output("monthly_cost", "Monthly cost (730 h)", unit="$", format="money"),
        Output("cost_per_million_successful", "Cost per million successful requests", unit="$", format="money",
               none="unbounded"),
    ),
    model=fleet_capacity,
    warn=_capacity_warnings,
    assumptions=(
        "The ceiling is workers × servers × 1000 / response time: every slot busy back to back, which is where "
        "queues explode, not a load to plan for. Errors reduce goodput, not capacity (a failed request still "
        "occupies a worker). A month is 730 hours (8760 / 12), the average month price sheets use; a bill counts "
        "the hours used (744 in a 31-day month), and 720 is a 30-day month."
    ),
    equations=(
        "X_{\\max} = \\frac{c\\,s}{R}\\qquad X_{\\text{good}} = X_{\\max}\\,(1 - e)",
        "\\bar X = \\frac{N_{\\text{month}}}{730 \\times 3600\\ \\text{s}}\\qquad U = \\frac{\\bar X}{X_{\\max}}",
        "C_{\\text{month}} = 730\\,p_{\\text{hour}}\\,s + p_{\\text{req}}\\,N_{\\text{month}}",
    ),
)


INSTANCES = Calculator(
    id="instances",
    title="Instances for a peak",
    summary="How many instances carry the peak at a target utilisation, with spares, and their monthly cost.",
    fields=(
        rate("peak_rps", "Peak load", default=300.0),
        rate("instance_max_rps", "Instance ceiling", default=100.0,
             help="Measured saturation throughput of one instance (from a load test)."),
        pct("target_utilization_pct", "Target utilisation", default=70.0, help="Highest utilisation you accept at peak.",
            minimum=1.0),
        count("spare_instances", "Spare instances", default=1, help="N+1: capacity to lose one instance or deploy.",
              minimum=0, maximum=MAX_POOL),
        money("instance_cost_per_hour", "Cost per instance-hour", default=0.10, help="On-demand price."),
    ),
    outputs=(
        Output("instances", "Instances", unit="instances", format="int"),
        Output("utilization_at_peak_pct", "Utilisation at peak, all serving", unit="%", format="pct", decimals=1),
        Output("monthly_cost", "Monthly cost (730 h)", unit="$", format="money"),
    ),
    model=instances_for_peak,
    assumptions="Load balances evenly; instance ceiling measured, not estimated; always-on instances (autoscaling "
                "would lower the average cost but not the peak count).",
    equations=(
        "n = \\left\\lceil \\frac{X_{\\text{peak}}}{X_{\\text{instance}}\\,u} \\right\\rceil + n_{\\text{spare}}\\qquad C_{\\text{month}} = 730\\,n\\,p_{\\text{hour}}",
    ),
)


def _serverless_warnings(args, r):
    if r.cheaper == "vm":
        return ["The VM cost assumes the VMs can carry this load; check with the capacity calculator."]
    return []


SERVERLESS_VS_VM = Calculator(
    id="serverless-vs-vm",
    title="Serverless versus always-on VMs",
    summary="Monthly cost of a function-as-a-service against a fixed fleet of VMs, and where they cross.",
    fields=(
        requests("requests_per_month", "Requests per month"),
        ms("duration_ms", "Billed duration per request", default=200.0, help="Mean billed time of one invocation."),
        Field("memory_mb", "Function memory", unit="MB", default=512.0, minimum=LAMBDA_MIN_MEMORY_MB, maximum=LAMBDA_MAX_MEMORY_MB,
              help="Memory configured for the function."),
        Field("price_per_million_requests", "Price per million requests", unit="$", default=0.20, minimum=0.0,
              maximum=MAX_PRICE_PER_MILLION),
        Field("price_per_gb_second", "Price per GB-second", unit="$", default=0.0000166667, minimum=0.0, maximum=MAX_PRICE_PER_GB_SECOND),
        Field("free_requests", "Free requests per month", unit="requests", default=1_000_000.0, minimum=0.0,
              maximum=MAX_FREE_TIER),
        Field("free_gb_seconds", "Free GB-seconds per month", unit="GB-s", default=400_000.0, minimum=0.0,
              maximum=MAX_FREE_TIER),
        money("vm_cost_per_hour", "VM cost per hour", default=0.0416, help="e.g. a 2-vCPU, 4 GB general-purpose VM."),
        count("vm_count", "VMs", default=2, help="Always-on VMs (two for redundancy).", maximum=MAX_DEPLOYED),
    ),
    outputs=(
        Output("gb_seconds", "GB-seconds", unit="GB-s", decimals=0),
        Output("serverless_compute_cost", "Serverless compute", unit="$", format="money"),
        Output("serverless_request_cost", "Serverless requests", unit="$", format="money"),
        Output("serverless_monthly_cost", "Serverless per month", unit="$", format="money"),
        Output("vm_monthly_cost", "VMs per month (730 h)", unit="$", format="money"),
        Output("break_even_requests_per_month", "Break-even volume", unit="requests/month", format="int",
               none="unbounded"),
        Output("cheaper", "Cheaper", format="text"),
    ),
    model=serverless_vs_vm,
    warn=_serverless_warnings,
    assumptions="Lambda-style billing with the free tier applied; prices are inputs (check your provider's sheet). "
                "Leaves out API gateway, egress, and cold-start latency; VMs are billed 730 h a month.",
    equations=(
        "\\text{GB-s} = N\\,d\\,\\frac{m}{1024}",
        "C_{\\text{serverless}} = \\max(0,\\ \\text{GB-s} - F_{\\text{GB-s}})\\,p_{\\text{GB-s}} + \\max(0,\\ N - F_N)\\,p_N\\qquad C_{\\text{VM}} = 730\\,k\\,p_{\\text{hour}}",
    ),
    chart=charts.serverless_chart,
)
