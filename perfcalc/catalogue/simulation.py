"""The simulation calculator: simulate (model in :mod:`perfcalc.simulation`)."""

from __future__ import annotations

from .. import charts
from ..simulation import (BATCHES, BURST_LOAD, DISTRIBUTIONS, FIGURE_RELAXATIONS, INTERVAL_RELAXATIONS, MAX_REQUESTS,
                          WARMUP_FRACTION, WARMUP_RELAXATIONS, WIDE_INTERVAL_SHARE, simulate)
from ..format import figure
from ..spec import Calculator, Field, Output
from .fields import MAX_POOL, MAX_POOL_RPS, MAX_SEED, MIN_SIMULATED_REQUESTS, count, ms, rate
from .queueing import overload_warning
from .warnings import no_interval_warning, wide_interval_warning


def _simulate_warnings(args, r):
    warnings = []
    if r.offered_load >= args["workers"]:
        warnings.append(overload_warning(f"{args['arrival_rps']:g} requests/s", r.offered_load, args["workers"],
                                         "The queue grows for as long as any run lasts, so nothing is simulated: "
                                         "waits and percentiles are unbounded (∞)."))
        return warnings
    if r.interval_rule:
        warnings.append(no_interval_warning(r, f"at {r.utilization_pct:.1f} % busy", r.service_cv,
                                            r.burst_load_pct, MAX_REQUESTS))
        return warnings
    if r.p99_half_width_ms > WIDE_INTERVAL_SHARE * r.p99_ms:
        warnings.append(wide_interval_warning("slow requests come in runs, so the tail needs many requests to "
                                              "settle. Simulate more of them before you rely on the figure."))
    low = r.p99_interval_ms[0]
    if low > r.mmc_p99_ms:
        warnings.append(f"The simulated p99 is above the M/M/c p99 of {r.mmc_p99_ms:,.1f} ms with 95 % confidence "
                        f"(its interval starts at {figure(low, 'ms')}): with service times this variable, "
                        "exponential models understate the tail.")
    return warnings


SIMULATE = Calculator(
    id="simulate",
    title="Simulate a worker pool with realistic service times",
    summary="Response-time percentiles, with a confidence interval, when service times have the tail you measured.",
    fields=(
        rate("arrival_rps", "Arrival rate", default=50.0, maximum=MAX_POOL_RPS,
             help="Mean requests per second reaching the pool (Poisson arrivals)."),
        ms("service_time_ms", "Mean service time", default=50.0, help="Mean time a worker spends on one request."),
        ms("service_p99_ms", "p99 service time", default=500.0,
           help="99th percentile of the service time alone, as measured (lognormal only; at most about 15 × "
                "the mean)."),
        Field("service_distribution", "Service time distribution", kind="choice", default="lognormal",
              choices=DISTRIBUTIONS,
              help="lognormal: from the mean and p99; exponential: the M/M/c assumption, to check the simulation."),
        count("workers", "Workers", default=5, maximum=MAX_POOL, help="Requests served at once (processes × threads)."),
        count("requests", "Requests simulated", default=60_000, minimum=MIN_SIMULATED_REQUESTS, maximum=MAX_REQUESTS,
              unit="requests",
              help="More requests give a narrower interval and a slower answer: 100,000 take a few tenths of a "
                   "second in a browser. Near saturation a run must be long to be right: too short, and the "
                   "calculator says how many it needs."),
        count("seed", "Random seed", default=1, minimum=0, maximum=MAX_SEED,
              help="The same seed and inputs give the same figures, here and everywhere."),
    ),
    outputs=(
        Output("utilization_pct", "Utilisation", unit="%", format="pct", decimals=1),
        Output("service_cv", "Service time variability (cv)", decimals=2,
               help="Standard deviation over mean: 1 for exponential."),
        Output("mean_wait_ms", "Mean wait in queue", unit="ms", decimals=2, none="unbounded"),
        Output("p50_ms", "p50 response time", unit="ms", decimals=1, none="unbounded"),
        Output("p95_ms", "p95 response time", unit="ms", decimals=1, none="unbounded"),
        Output("p99_ms", "p99 response time", unit="ms", decimals=1, none="unbounded"),
        Output("p99_ci_ms", "p99 95 % interval (±)", unit="ms", decimals=1, none="n/a",
               help="Half the width of the interval below: the true p99 lies within p99 ± this, with 95 % "
                    "confidence. — when the run cannot vouch for one."),
        Output("p99_interval_ms", "p99 95 % interval", unit="ms", format="interval", decimals=1, none="n/a",
               help=f"Where the true p99 lies, with 95 % confidence (sectioning over {BATCHES} batches); lopsided as "
                    "the tail is. — when the run cannot vouch for one (the warning says why)."),
        Output("mmc_p99_ms", "M/M/c p99 for the same mean", unit="ms", decimals=1, none="unbounded"),
        Output("allen_cunneen_mean_wait_ms", "Mean wait, Allen–Cunneen", unit="ms", decimals=2, none="unbounded"),
    ),
    model=simulate,
    warn=_simulate_warnings,
    assumptions=(
        "A discrete-event simulation: Poisson arrivals, independent lognormal service times with the given mean "
        "and p99, one FCFS queue in front of identical workers. The warm-up (10 % of the run, or 20 relaxation "
        f"times of the queue if longer) is dropped; a run shorter than {FIGURE_RELAXATIONS} relaxation times after "
        "it is refused. The 95 % interval is for the true p99, and is stated only where a coverage test over many "
        f"seeds found it true: runs of {INTERVAL_RELAXATIONS:,} relaxation times, and no rare bursts of long "
        "requests deciding the tail."
    ),
    equations=(
        "\\ln q - \\ln m = z_{0.99}\\,\\sigma - \\frac{\\sigma^2}{2}\\ \\Rightarrow\\ \\sigma = z_{0.99} - \\sqrt{z_{0.99}^2 - 2\\ln(q/m)}\\qquad c_s = \\sqrt{e^{\\sigma^2} - 1}",
        "S_i = m\\,e^{\\sigma Z_i - \\sigma^2/2}\\qquad \\text{start}_i = \\max(a_i,\\ \\text{earliest free worker})",
        f"\\tau = \\frac{{\\rho^2 (1 + c_s^2)}}{{(1 - \\rho)^2}}\\ \\text{{requests}}\\qquad \\text{{warm-up}} = "
        f"\\max({WARMUP_FRACTION:g}\\,n,\\ {WARMUP_RELAXATIONS}\\tau)\\qquad n_{{\\text{{kept}}}} \\ge {FIGURE_RELAXATIONS}\\,\\tau"
        f"\\ \\text{{(figures)}},\\ {INTERVAL_RELAXATIONS}\\,\\tau\\ \\text{{(interval)}}",
        f"\\hat p_b = \\frac{{\\#\\{{i \\in b : R_i > \\hat t_{{99}}\\}}}}{{|b|}}\\qquad h = t_{{0.975,\\,{BATCHES - 1}}}\\,"
        f"\\frac{{s(\\hat p_b)}}{{\\sqrt{{{BATCHES}}}}}\\qquad t_{{99}} \\in \\left[R_{{(\\lceil (0.99 - h) n \\rceil)}},\\ "
        "R_{(\\lceil (0.99 + h) n \\rceil)}\\right]",
        f"\\text{{no interval if }} c_s > 1 \\text{{ and }} \\frac{{\\lambda S}}{{c - 2}} > {BURST_LOAD:g}"
        "\\qquad W_q^{AC} = W_q^{M/M/c}\\,\\frac{1 + c_s^2}{2}",
    ),
    chart=charts.simulate_chart,
)
