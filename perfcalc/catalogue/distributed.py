"""Calls between services: fan-out, retries (models in :mod:`perfcalc.distributed`)."""

from __future__ import annotations

from .. import charts
from ..distributed import MAX_ATTEMPTS_PER_REQUEST, fan_out, retries
from ..spec import Calculator, Field, Output
from .fields import MAX_DEPLOYED, MAX_PCT, MAX_RETRIES, MAX_RETRY_LAYERS, count, pct, rate


def _fan_out_warnings(args, r):
    if r.request_slow_pct > args["target_slow_pct"]:
        return [f"{r.request_slow_pct:.1f} % of requests are slow, above the {args['target_slow_pct']:g} % target: "
                f"each of the {args['calls']} calls may be slow at most {r.per_call_slow_pct_needed:.3g} % of the "
                "time. Fewer calls per request, hedged requests (a second copy after a short delay) or a faster "
                "tail in every service close the gap."]
    return []


FAN_OUT = Calculator(
    id="fan-out",
    title="Fan-out tail latency",
    summary="How often a request that waits for n parallel calls is slow, and how rarely each call may be slow.",
    fields=(
        count("calls", "Parallel calls per request", default=20, maximum=MAX_DEPLOYED,
              help="Services, shards or queries a request waits for; it is as slow as the slowest."),
        pct("per_call_slow_pct", "Each call slow", default=1.0,
            help="Share of calls over the latency threshold: 1 % if the threshold is each call's p99."),
        pct("target_slow_pct", "Slow requests allowed", default=1.0,
            help="Share of whole requests allowed over the threshold: 1 % for a request p99."),
    ),
    outputs=(
        Output("request_slow_pct", "Requests slow", unit="%", format="pct", decimals=2),
        Output("per_call_slow_pct_needed", "Each call slow at most", unit="%", decimals=4,
               help="The per-call share that meets the target: 0.05 % means each call's p99.95."),
    ),
    model=fan_out,
    warn=_fan_out_warnings,
    assumptions="The request waits for every call, and calls are slow independently of each other. Shared causes "
                "(the network, a pause in the caller) correlate them, which makes the request tail somewhat "
                "better than this.",
    equations=(
        "P_{\\text{request}} = 1 - (1 - p)^{n}\\qquad p_{\\text{needed}} = 1 - (1 - t)^{1/n}",
    ),
    chart=charts.fan_out_chart,
)


def _retries_warnings(args, r):
    warnings = []
    if r.outage_amplification > MAX_ATTEMPTS_PER_REQUEST:
        warnings.append(
            f"If the service below fails outright, each request becomes {r.outage_amplification:,.0f} attempts on "
            f"it, more than the {MAX_ATTEMPTS_PER_REQUEST} per request the SRE book allows: retry at one layer only, "
            "or give every layer a retry budget."
        )
    return warnings


RETRIES = Calculator(
    id="retries",
    title="Retry amplification",
    summary="Load and success when every layer of a stack retries the call below it, in normal times and in an "
            "outage.",
    fields=(
        rate("base_rps", "Requests from users", default=100.0, help="Requests per second entering the top layer."),
        pct("failure_pct", "Attempts that fail", default=5.0,
            help="Share of calls to the bottom service that fail (errors and timeouts)."),
        count("max_retries", "Retries per call", default=3, minimum=0, maximum=MAX_RETRIES,
              help="Retries after the first attempt, at each layer."),
        count("layers", "Layers that retry", default=2, maximum=MAX_RETRY_LAYERS,
              help="Layers each retrying the one below: browser, app, API client, ORM …"),
        Field("retry_budget_pct", "Retry budget (optional)", unit="% of requests", default=10.0, minimum=0.0,
              maximum=MAX_PCT, optional=True,
              help="If set, retries at each layer are capped at this share of its requests (the SRE book uses 10 %)."),
    ),
    outputs=(
        Output("attempts_per_request", "Attempts at the bottom per request", unit="attempts", decimals=3),
        Output("downstream_rps", "Load on the bottom service", unit="requests/s", decimals=1),
        Output("success_pct", "Requests that succeed", unit="%", format="pct", decimals=4),
        Output("outage_amplification", "At a full outage", unit="×", decimals=0),
        Output("outage_downstream_rps", "Load on it at a full outage", unit="requests/s", decimals=1),
        Output("outage_amplification_with_budget", "At a full outage, with the budget", unit="×", decimals=2),
    ),
    model=retries,
    warn=_retries_warnings,
    assumptions="Each attempt fails independently with the same probability, and every layer retries up to the "
                "same number of times. At a real outage failures are not independent: that is the full-outage "
                "column, where every attempt fails.",
    equations=(
        "p_1 = p,\\quad p_{k+1} = p_k^{\\,r+1}\\qquad \\text{attempts} = \\prod_{k=1}^{L} \\frac{1 - p_k^{\\,r+1}}{1 - p_k}",
        "\\text{success} = 1 - p^{(r+1)^L}\\qquad \\text{outage} = (r + 1)^L\\qquad \\text{with budget } b:\\ (1 + b)^L",
    ),
)
