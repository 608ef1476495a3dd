"""Whole-stack calculators: mva (closed) and stack (open) (models in :mod:`perfcalc.networks`)."""

from __future__ import annotations

from .. import charts
from ..networks import (MAX_SIMULATED_VISITS, MAX_USERS, MIN_REQUESTS, TIERS_RULE, max_stack_requests, mva,
                        parse_tiers, stack)
from ..queueing import HIGH_UTILIZATION_PCT, SHARED_QUEUE
from ..simulation import (BATCHES, BURST_LOAD, DISTRIBUTIONS, FIGURE_RELAXATIONS, INTERVAL_RELAXATIONS,
                          WARMUP_FRACTION, WARMUP_RELAXATIONS, WIDE_INTERVAL_SHARE)
from ..spec import Calculator, Field, Output
from .fields import MAX_PCT, MAX_POOL_RPS, MAX_SEED, MAX_SIMULATED_REQUESTS, count, ms, rate
from .warnings import high_utilization_warning, no_interval_warning, split_queues_warning, wide_interval_warning

# Flask-shaped defaults: Gunicorn's workers, three PostgreSQL queries per request on two cores, one Redis call.
DEFAULT_TIERS = "gunicorn:20:4, postgres:2:2:3, redis:0.5"


def _tiers_field() -> Field:
    return Field("tiers", "Tiers", kind="text", default=DEFAULT_TIERS, max_length=2_000, text_rule=TIERS_RULE,
                 parser=parse_tiers,
                 help="service_ms: one visit's service time; servers: the workers, cores or threads that share "
                      "its queue (PxT: P processes of T threads, each process with its own queue); visits: how "
                      "many times a request uses it (3 queries: 3).")


def _split_tiers(args) -> list:
    return [t for t in args["tiers"] if t.processes > SHARED_QUEUE]


def _mva_warnings(args, r):
    warnings = []
    if args["users"] > r.knee_users:
        warnings.append(f"Past the knee: {args['users']:,} users are more than N* ≈ {r.knee_users:,.0f}, so "
                        f"{r.bottleneck} is saturated; more users add only waiting, almost all of it at "
                        f"{r.bottleneck}, and throughput stays near {r.max_throughput_rps:,.1f} requests/s.")
    elif r.bottleneck_utilization_pct > HIGH_UTILIZATION_PCT:
        warnings.append(high_utilization_warning("the knee is near, and a few more users now cost a lot of response "
                                                 "time.", tier=r.bottleneck))
    for tier in _split_tiers(args):
        warnings.append(split_queues_warning(tier, "evenly at random", ", so waits can be far longer; the stack "
                                                                       "calculator takes that share."))
    return warnings


MVA = Calculator(
    id="mva",
    title="Your stack under a load test (closed system, exact MVA)",
    summary="Throughput, response time and the bottleneck when a fixed number of users each send a request, "
            "wait for it, think and send again.",
    fields=(
        count("users", "Users", default=50, maximum=MAX_USERS, unit="users",
              help="Virtual users of a load test (k6 VUs, Locust users) or clients with one request in flight each."),
        ms("think_time_ms", "Think time", default=1000.0, minimum=0.0,
           help="Pause between a response and the same user's next request (k6's sleep, Locust's wait_time); "
                "0 for users that send again at once."),
        _tiers_field(),
    ),
    outputs=(
        Output("throughput_rps", "Throughput", unit="requests/s", decimals=1),
        Output("response_time_ms", "Mean response time", unit="ms", decimals=1),
        Output("bottleneck", "Bottleneck", format="text",
               help="The tier with the most demand per server: the first to saturate."),
        Output("bottleneck_utilization_pct", "Bottleneck utilisation", unit="%", format="pct", decimals=1),
        Output("max_throughput_rps", "Throughput ceiling", unit="requests/s", decimals=1,
               help="No number of users gets more: the bottleneck's servers / its demand."),
        Output("knee_users", "Knee (N*)", unit="users", decimals=1,
               help="Where the asymptotic bounds meet: (total demand + think time) / the bottleneck's demand per "
                    "server."),
        Output("utilization_by_tier", "Utilisation by tier", format="text"),
        Output("residence_by_tier", "Time at each tier", format="text",
               help="Mean time a request spends at each tier, all its visits, waiting included: they add up to "
                    "the response time."),
    ),
    model=mva,
    warn=_mva_warnings,
    assumptions=(
        "A closed product-form network, solved exactly (no approximation): a fixed number of users, exponential "
        "service at each FCFS tier, a request at one tier at a time (a worker waiting on the database is not "
        "counted busy: see the page for when that matters), split tiers split evenly at random."
    ),
    equations=(
        "G(z) = e^{Zz}\\prod_k \\frac{Q_{c_k}(D_k z)}{1 - (D_k/c_k)\\,z},\\quad Q_c(y) = \\sum_{j<c}\\Bigl(1 - \\frac{j}{c}\\Bigr)\\frac{y^j}{j!}\\qquad X(N) = \\frac{G_{N-1}}{G_N}",
        "\\gamma'(n) = \\rho + \\alpha(n)\\,p_0(n-1),\\quad p_0(n) = \\frac{\\alpha(n)\\,p_0(n-1)}{\\gamma'(n)}\\qquad \\alpha, \\gamma = \\frac{G_n}{G_{n-1}}\\ \\text{before and after a factor}",
        "R(N) = \\frac{N}{X(N)} - Z\\qquad U_k = \\frac{X\\,D_k}{c_k}\\qquad R_k = \\frac{Q_k}{X},\\quad D_k = S_k v_k",
        "X(N) \\le \\min\\Bigl(\\frac{N}{D + Z},\\ \\frac{1}{\\max_k D_k/c_k}\\Bigr)\\qquad R(N) \\ge \\max\\Bigl(D,\\ N\\max_k \\frac{D_k}{c_k} - Z\\Bigr)\\qquad N^* = \\frac{D + Z}{\\max_k D_k/c_k}",
    ),
    chart=charts.mva_chart,
)


def _stack_warnings(args, r):
    warnings = []
    if args["arrival_rps"] >= r.max_rps:
        warnings.append(f"Overloaded: {args['arrival_rps']:g} requests/s is at or above the stack's ceiling of "
                        f"{r.max_rps:,.1f} requests/s, set by {r.bottleneck}. Its queue grows for as long as any "
                        "run lasts, so nothing is simulated: waits and percentiles are unbounded (∞).")
        return warnings
    if r.bottleneck_utilization_pct > HIGH_UTILIZATION_PCT:
        warnings.append(high_utilization_warning("small increases in traffic now cost a lot of latency.",
                                                 tier=r.bottleneck))
    if r.plan.interval_rule:
        queue = r.bursty if r.plan.interval_rule == "bursts" else r.slowest
        warnings.append(no_interval_warning(r.plan, f"at {queue.tier}, {queue.utilization_pct:.1f} % busy,",
                                            r.service_cv, queue.burst_load_pct, max_stack_requests(args["tiers"]),
                                            more=f"servers at {queue.tier}"))
    elif r.p99_ci_ms > WIDE_INTERVAL_SHARE * r.p99_ms:
        warnings.append(wide_interval_warning("simulate more requests, or try other seeds, before you rely on the "
                                              "figure."))
    if args["busiest_process_pct"] is None:
        for tier in _split_tiers(args):
            warnings.append(split_queues_warning(tier, "evenly", " (the guide's lab measured 85 % and 90 % to one "
                                                                 "of two); set busiest_process_pct to see that."))
    return warnings


STACK = Calculator(
    id="stack",
    title="Your stack under production traffic (open system)",
    summary="Mean response time, percentiles and the bottleneck when visitors arrive at a rate and every request "
            "crosses every tier.",
    fields=(
        rate("arrival_rps", "Arrival rate", default=100.0, maximum=MAX_POOL_RPS,
             help="Mean requests per second reaching the stack (Poisson arrivals)."),
        _tiers_field(),
        Field("service_distribution", "Service time distribution", kind="choice", default="exponential",
              choices=tuple(sorted(DISTRIBUTIONS)),
              help="exponential: the mean is exact (Jackson); lognormal: service times with the p99 below."),
        ms("service_p99_ms", "p99 service time (lognormal)", default=150.0, optional=True,
           help="The p99 of a request's service time over all its tiers, no waiting: as measured at low load "
                "(lognormal only; at most about 15 × the total demand)."),
        Field("busiest_process_pct", "Busiest process's share (split tiers)", unit="%", default=None,
              minimum=0.0, maximum=MAX_PCT, optional=True,
              help="For tiers written PxT, the share of their visits the busiest process takes; empty: an even "
                   "split (a busy host); 90: what an idle Linux host gave one of two Gunicorn processes."),
        count("requests", "Requests simulated", default=20_000, minimum=MIN_REQUESTS, maximum=MAX_SIMULATED_REQUESTS,
              unit="requests",
              help=f"More give narrower intervals and slower answers; a run simulates at most "
                   f"{MAX_SIMULATED_VISITS:,} visits (requests × visits per request)."),
        count("seed", "Random seed", default=1, minimum=0, maximum=MAX_SEED,
              help="The same seed and inputs give the same figures, here and everywhere."),
    ),
    outputs=(
        Output("mean_response_ms", "Mean response time", unit="ms", decimals=2, none="unbounded",
               help="Exact (Jackson network) for exponential service; the simulation's mean for lognormal."),
        Output("p50_ms", "p50 response time", unit="ms", decimals=1, none="unbounded"),
        Output("p95_ms", "p95 response time", unit="ms", decimals=1, none="unbounded"),
        Output("p99_ms", "p99 response time", unit="ms", decimals=1, none="unbounded"),
        Output("p99_interval_ms", "p99 95 % interval", unit="ms", format="interval", decimals=1, none="n/a",
               help=f"Where the true p99 lies, with 95 % confidence (sectioning over {BATCHES} batches, as simulate); "
                    "— when the run cannot vouch for one (the warning says why), or when overloaded."),
        Output("max_rps", "Throughput ceiling", unit="requests/s", decimals=1),
        Output("bottleneck", "Bottleneck", format="text", help="The tier that saturates first."),
        Output("bottleneck_utilization_pct", "Bottleneck utilisation", unit="%", format="pct", decimals=1),
        Output("utilization_by_tier", "Utilisation by tier", format="text",
               help="Of each tier's servers; of the busiest process's threads for a split tier."),
        Output("wait_by_tier", "Queueing by tier (M/M/c)", format="text",
               help="Mean time a request waits in each tier's queue, all its visits: exact for exponential "
                    "service."),
    ),
    model=stack,
    warn=_stack_warnings,
    assumptions=(
        "An open network: Poisson arrivals, every request visits the tiers in the order given (each tier its "
        "visits in a row, queueing afresh each time), FCFS servers, independent service times; a split tier's "
        "processes each take a fixed share of the visits, whatever they hold (as gthread's do). The run-length "
        "rules are simulate's, for the stack's slowest queue: its warm-up (10 % of the run, or 20 relaxation "
        f"times if longer) is dropped; a run shorter than {FIGURE_RELAXATIONS} relaxation times after it is "
        f"refused; the p99's 95 % interval is stated for runs of {INTERVAL_RELAXATIONS:,} relaxation times, and "
        "not where rare bursts of long requests at any tier decide the tail."
    ),
    equations=(
        "\\lambda_k = \\lambda v_k\\qquad A_k = \\lambda_k S_k\\qquad W_{q,k} = \\frac{C(c_k, A_k)\\,S_k}{c_k - A_k}\\qquad \\bar R = \\sum_k v_k\\,(W_{q,k} + S_k)",
        "\\text{split tier: } P \\text{ queues of } T \\text{ threads at } \\lambda_k s_p\\qquad \\lambda_{\\max} = \\min_k \\frac{T_k}{v_k\\,s_k^{\\max} S_k}",
        f"\\tau = \\max_{{k,p}} \\frac{{\\rho_{{kp}}^2 (1 + c_s^2)}}{{(1 - \\rho_{{kp}})^2\\, v_k s_p}}\\ \\text{{requests}}\\qquad "
        f"\\text{{warm-up}} = \\max({WARMUP_FRACTION:g}\\,n,\\ {WARMUP_RELAXATIONS}\\tau)\\qquad n_{{\\text{{kept}}}} \\ge "
        f"{FIGURE_RELAXATIONS}\\,\\tau\\ \\text{{(figures)}},\\ {INTERVAL_RELAXATIONS}\\,\\tau\\ \\text{{(interval)}}",
        f"t_{{99}} \\in \\left[R_{{(\\lceil (0.99 - h) n \\rceil)}},\\ R_{{(\\lceil (0.99 + h) n \\rceil)}}\\right],\\ "
        f"h = t_{{0.975,\\,{BATCHES - 1}}}\\,\\frac{{s(\\hat p_b)}}{{\\sqrt{{{BATCHES}}}}}\\qquad \\text{{none if }} c_s > 1 "
        f"\\text{{ and }} \\frac{{\\lambda v_k s_p S_k}}{{T_k - 2}} > {BURST_LOAD:g} \\text{{ at any tier}}",
        "\\text{lognormal: } c_v^2 = c_{v,\\text{req}}^2\\,\\frac{(\\sum_k v_k S_k)^2}{\\sum_k v_k S_k^2}",
    ),
    chart=charts.stack_chart,
)
