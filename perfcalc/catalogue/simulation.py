"""The simulation calculator: simulate (model in :mod:`perfcalc.simulation`)."""

from __future__ import annotations

from .. import charts
from ..simulation import DISTRIBUTIONS, SLOW_MIXING_UTILIZATION_PCT, WIDE_INTERVAL_SHARE, simulate
from ..spec import Calculator, Field, Output
from .fields import count, ms, rate
from .queueing import overload_warning

# Seeds are 32-bit, like most tools' (and short enough to type and share).
MAX_SEED = 2**32 - 1


def _simulate_warnings(args, r):
    warnings = []
    if r.offered_load >= args["workers"]:
        warnings.append(overload_warning(f"{args['arrival_rps']:g} requests/s", r.offered_load, args["workers"],
                                         "The queue grows for as long as any run lasts, so nothing is simulated: "
                                         "waits and percentiles are unbounded (∞)."))
        return warnings
    if r.utilization_pct > SLOW_MIXING_UTILIZATION_PCT:
        warnings.append(f"Above {SLOW_MIXING_UTILIZATION_PCT:g} % busy the queue forgets its start slowly: the "
                        "figures need more requests to settle, and the interval may be too narrow.")
    if r.p99_ci_ms > WIDE_INTERVAL_SHARE * r.p99_ms:
        warnings.append("The p99's 95 % interval is wider than ±10 % of it: slow requests come in runs, so the tail "
                        "needs many requests to settle. Simulate more of them, or try other seeds, before you rely "
                        "on the figure.")
    if r.p99_low_ms > r.mmc_p99_ms:
        warnings.append(f"The simulated p99 is above the M/M/c p99 of {r.mmc_p99_ms:,.1f} ms with 95 % confidence "
                        f"(its interval starts at {r.p99_low_ms:,.1f} ms): with service times this variable, "
                        "exponential models understate the tail.")
    return warnings


SIMULATE = Calculator(
    id="simulate",
    title="Simulate a worker pool with realistic service times",
    summary="Response-time percentiles, with a confidence interval, when service times have the tail you measured.",
    fields=(
        rate("arrival_rps", "Arrival rate", default=60.0, maximum=1_000_000.0,
             help="Mean requests per second reaching the pool (Poisson arrivals)."),
        ms("service_time_ms", "Mean service time", default=50.0, help="Mean time a worker spends on one request."),
        ms("service_p99_ms", "p99 service time", default=500.0,
           help="99th percentile of the service time alone, as measured (lognormal only; at most about 15 × "
                "the mean)."),
        Field("service_distribution", "Service time distribution", kind="choice", default="lognormal",
              choices=DISTRIBUTIONS,
              help="lognormal: from the mean and p99; exponential: the M/M/c assumption, to check the simulation."),
        count("workers", "Workers", default=5, maximum=10_000, help="Requests served at once (processes × threads)."),
        count("requests", "Requests simulated", default=50_000, minimum=10_000, maximum=100_000, unit="requests",
              help="More requests give a narrower interval and a slower answer: 100,000 take a few tenths of a "
                   "second in a browser."),
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
        Output("p99_ci_ms", "p99 95 % interval (±)", unit="ms", decimals=1, none="unbounded",
               help="The p99 plus or minus this holds its 95 % interval (batch means over 20 batches)."),
        Output("mmc_p99_ms", "M/M/c p99 for the same mean", unit="ms", decimals=1, none="unbounded"),
        Output("allen_cunneen_mean_wait_ms", "Mean wait, Allen–Cunneen", unit="ms", decimals=2, none="unbounded"),
    ),
    model=simulate,
    warn=_simulate_warnings,
    assumptions=(
        "A discrete-event simulation: Poisson arrivals, independent lognormal service times with the given mean "
        "and p99, one FCFS queue in front of identical workers, the first 10 % of requests dropped as warm-up. "
        "The interval is for this run's p99; a different seed gives a different run."
    ),
    equations=(
        "\\ln q - \\ln m = z_{0.99}\\,\\sigma - \\frac{\\sigma^2}{2}\\ \\Rightarrow\\ \\sigma = z_{0.99} - \\sqrt{z_{0.99}^2 - 2\\ln(q/m)}\\qquad c_s = \\sqrt{e^{\\sigma^2} - 1}",
        "S_i = m\\,e^{\\sigma Z_i - \\sigma^2/2}\\qquad \\text{start}_i = \\max(a_i,\\ \\text{earliest free worker})",
        "\\hat t_{99} \\pm t_{0.975,\\,19}\\,\\frac{s_{\\text{batch}}}{\\sqrt{20}}\\qquad W_q^{AC} = W_q^{M/M/c}\\,\\frac{1 + c_s^2}{2}",
    ),
    chart=charts.simulate_chart,
)
