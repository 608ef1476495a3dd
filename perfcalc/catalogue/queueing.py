"""Queueing calculators: littles-law, worker-pool, background-jobs (models in :mod:`perfcalc.queueing`)."""

from __future__ import annotations

from .. import charts
from ..queueing import HIGH_UTILIZATION_PCT, SHARED_QUEUE, background_jobs, littles_law, worker_pool
from ..spec import Calculator, Field, Output
from .fields import (MAX_CONCURRENCY, MAX_COUNT, MAX_POOL, MAX_POOL_RPS, MAX_S, MIN_CONCURRENCY, MIN_RPS, MIN_S,
                     count, ms, rate)
from .warnings import (high_utilization_warning, overload_warning,  # noqa: F401 (overload_warning: simulation's)
                       p99_floor_warning, workers_searched_warning)

LITTLES_LAW = Calculator(
    id="littles-law",
    title="Little's law",
    summary="Requests in flight = throughput × time in system. Give any two, get the third.",
    fields=(
        Field("concurrency", "Requests in flight", unit="requests", default=None, minimum=MIN_CONCURRENCY, maximum=MAX_CONCURRENCY,
              optional=True, help="Mean number of requests inside the system. Leave empty to solve for it."),
        rate("throughput_rps", "Throughput", default=200.0, optional=True,
             help="Completed requests per second. Leave empty to solve for it."),
        ms("response_time_ms", "Mean response time", default=150.0,
           help="Mean time in the system. Leave empty to solve for it.", optional=True),
    ),
    outputs=(
        Output("concurrency", "Requests in flight", unit="requests", decimals=2),
        Output("throughput_rps", "Throughput", unit="requests/s", decimals=2),
        Output("response_time_ms", "Mean response time", unit="ms", decimals=2),
    ),
    model=littles_law,
    assumptions="Holds for any stable system over a long enough window: means, not percentiles; throughput is "
                "completions per second, equal to arrivals when nothing is dropped.",
    equations=(
        "L = \\lambda\\,W",
    ),
)


def _worker_pool_warnings(args, r):
    warnings = []
    if args["processes"] > SHARED_QUEUE and r.offered_load < args["workers"]:
        warnings.append(f"The {args['processes']} processes each queue their own requests: the p99 is "
                        f"{r.p99_ms:,.1f} ms where one queue shared by all {args['workers']} workers would give "
                        f"{r.shared_queue_p99_ms:,.1f} ms. That assumes an even split, the best case: on an idle "
                        "Linux host most new connections go to one process, whose queue runs away long before "
                        "the ceiling.")
    if r.offered_load >= args["workers"]:
        warnings.append(overload_warning(f"{args['arrival_rps']:g} requests/s", r.offered_load, args["workers"],
                                         "The queue grows without bound, so waits and percentiles are unbounded (∞)."))
    elif r.utilization_pct > HIGH_UTILIZATION_PCT:
        warnings.append(high_utilization_warning("small increases in load now cost a lot of latency."))
    target = args["target_p99_ms"]
    if target is not None and r.workers_for_target is None:
        if target <= r.p99_floor_ms:
            warnings.append(p99_floor_warning(target, r.p99_floor_ms, "workers"))
        else:
            warnings.append(workers_searched_warning("p99 target"))
    return warnings


WORKER_POOL = Calculator(
    id="worker-pool",
    title="Worker pool (M/M/c queue)",
    summary="Waiting, percentiles and the worker count for a p99 target, for c workers fed by random arrivals.",
    fields=(
        rate("arrival_rps", "Arrival rate", default=80.0, maximum=MAX_POOL_RPS,
             help="Mean requests per second reaching the pool."),
        ms("service_time_ms", "Mean service time", default=50.0,
           help="Mean time a worker spends on one request, excluding waiting."),
        count("workers", "Workers", default=5, help="Requests served at once (processes × threads).", maximum=MAX_POOL),
        count("processes", "Processes with their own queue", default=1, maximum=MAX_POOL,
              help="1: every worker takes from one queue (Gunicorn sync workers). More: the workers are split "
                   "across that many processes that each queue their own requests (gthread: workers = processes "
                   "× threads)."),
        ms("target_p99_ms", "p99 target (optional)", default=250.0,
           help="If set, the smallest worker count whose p99 response time meets it.", optional=True),
    ),
    outputs=(
        Output("utilization_pct", "Utilisation", unit="%", format="pct", decimals=1),
        Output("prob_wait_pct", "Requests that wait", unit="%", format="pct", decimals=1, help="Erlang C probability."),
        Output("mean_wait_ms", "Mean wait in queue", unit="ms", decimals=2, none="unbounded"),
        Output("mean_response_ms", "Mean response time", unit="ms", decimals=2, none="unbounded"),
        Output("p50_ms", "p50 response time", unit="ms", decimals=1, none="unbounded"),
        Output("p95_ms", "p95 response time", unit="ms", decimals=1, none="unbounded"),
        Output("p99_ms", "p99 response time", unit="ms", decimals=1, none="unbounded"),
        Output("max_rps", "Throughput ceiling", unit="requests/s", decimals=1),
        Output("workers_for_target", "Workers for the p99 target", unit="workers", format="int",
               help="With the same number of processes."),
    ),
    model=worker_pool,
    warn=_worker_pool_warnings,
    assumptions=(
        "M/M/c: Poisson arrivals, exponential service times, one FCFS queue in front of identical workers. "
        "Exponential service puts the p99 of service alone at ln 100 ≈ 4.6 × the mean, at any load: "
        "pessimistic for a steady endpoint (a measured p99 below 4.6 × its mean), optimistic for a "
        "heavy-tailed one (a p99 of 10 × the mean is common); for those, the simulation (simulate) takes "
        "your measured mean and p99. One shared queue fits Gunicorn's sync workers, which all accept from "
        "one listen socket (unless --reuse-port gives each worker its own); a gthread or gevent worker "
        "accepts connections into its own queue (and a keep-alive connection stays with one worker), so a request can wait behind a busy worker while "
        "another is idle, and real waits are longer than these."
    ),
    equations=(
        "A = \\lambda S\\qquad \\rho = \\frac{A}{c}\\qquad X_{\\max} = \\frac{c}{S}",
        "B(0) = 1,\\quad B(k) = \\frac{A\\,B(k-1)}{k + A\\,B(k-1)}\\qquad C(c, A) = \\frac{c\\,B(c)}{c - A\\,\\bigl(1 - B(c)\\bigr)}",
        "W_q = \\frac{C(c, A)\\,S}{c - A}",
        "P(T > t) = (1 - C)\\,e^{-\\mu t} + C\\,\\frac{\\mu\\,e^{-\\delta t} - \\delta\\,e^{-\\mu t}}{\\mu - \\delta},\\qquad \\mu = \\frac{1}{S},\\ \\delta = c\\mu - \\lambda",
        "t_p:\\ P(T > t_p) = 1 - \\frac{p}{100}\\quad\\text{(bisection)}",
        "P \\text{ processes: } P \\text{ queues } M/M/T,\\ T = c/P, \\text{ each fed } \\lambda/P",
    ),
    chart=charts.worker_pool_chart,
)


def _background_jobs_warnings(args, r):
    warnings = []
    if r.offered_load >= args["workers"]:
        warnings.append(overload_warning(f"{args['jobs_per_s']:g} jobs/s", r.offered_load, args["workers"],
                                         "The queue, and any backlog, grow without bound."))
    elif r.utilization_pct > HIGH_UTILIZATION_PCT:
        warnings.append(high_utilization_warning("a burst of jobs now waits a long time, and a backlog drains slowly."))
    if args["target_wait_s"] is not None and r.workers_for_target is None:
        warnings.append(workers_searched_warning("p99 wait target"))
    return warnings


BACKGROUND_JOBS = Calculator(
    id="background-jobs",
    title="Background job queue (Celery, RQ)",
    summary="How long jobs wait for a worker, how fast a backlog drains, and the workers for a target wait.",
    fields=(
        Field("jobs_per_s", "Jobs arriving", unit="jobs/s", default=5.0, minimum=MIN_RPS, maximum=MAX_POOL_RPS,
              help="Mean jobs enqueued per second."),
        Field("job_time_s", "Mean job time", unit="s", default=2.0, minimum=MIN_S, maximum=MAX_S,
              help="Mean time a worker spends on one job."),
        count("workers", "Workers", default=12, maximum=MAX_POOL,
              help="Jobs run at once: Celery processes × concurrency, or RQ worker processes."),
        count("backlog_jobs", "Backlog", default=10_000, minimum=0, maximum=MAX_COUNT, unit="jobs",
              help="Jobs already queued, for the time to clear them."),
        Field("target_wait_s", "p99 wait target (optional)", unit="s", default=1.0, minimum=0.0, maximum=MAX_S,
              optional=True, help="If set, the fewest workers with 99 % of jobs waiting at most this long."),
    ),
    outputs=(
        Output("utilization_pct", "Utilisation", unit="%", format="pct", decimals=1),
        Output("prob_wait_pct", "Jobs that wait", unit="%", format="pct", decimals=1, help="Erlang C probability."),
        Output("mean_wait_s", "Mean wait in queue", unit="s", decimals=3, none="unbounded"),
        Output("p99_wait_s", "p99 wait in queue", unit="s", decimals=3, none="unbounded"),
        Output("drain_time_s", "Backlog cleared in", unit="s", decimals=0, none="unbounded"),
        Output("workers_for_target", "Workers for the p99 wait target", unit="workers", format="int"),
    ),
    model=background_jobs,
    warn=_background_jobs_warnings,
    assumptions=(
        "M/M/c: jobs arrive at random (Poisson), job times are exponential, one FCFS queue feeds identical "
        "workers. More variable job times make waits longer; a Celery worker instance reserves jobs ahead "
        "(prefetch), which can leave them waiting on a busy host while another host idles: this ignores it. The backlog drains with every worker busy (a fluid approximation)."
    ),
    equations=(
        "A = \\lambda S\\qquad \\rho = \\frac{A}{c}\\qquad W_q = \\frac{C(c, A)\\,S}{c - A}",
        "P(W_q > t) = C(c, A)\\,e^{-(c/S - \\lambda)\\,t}\\qquad t_{99} = \\max\\!\\left(0,\\ \\frac{\\ln\\bigl(C(c, A)/0.01\\bigr)}{c/S - \\lambda}\\right)",
        "t_{\\text{drain}} = \\frac{B}{c/S - \\lambda}",
    ),
    chart=charts.background_jobs_chart,
)
