"""Chart data: the curves around a calculator's current answer.

Pure data, no drawing: each function sweeps one input of a model and returns
a :class:`Chart` (series of points, axis labels, and a one-paragraph text
alternative). The site draws them; tests check them against the models.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import caching, cost, distributed, networks, queueing, scalability
from .format import interval as format_interval, money as _money, significant as _n  # short: dense with figures

__all__ = ["Chart", "Series", "worker_pool_chart", "cache_size_chart", "usl_fit_chart", "usl_chart", "serverless_chart",
           "fan_out_chart", "background_jobs_chart", "simulate_chart", "mva_chart", "stack_chart"]


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple  # ((x, y), ...)
    kind: str = "line"  # line | dashed (a bound, a limit) | points
    axis: str = "left"  # left | right: which y axis the points are read on (right needs the chart's y2_label)
    colour: int | None = None  # the colour of another series (by index), to pair a curve with its bound


@dataclass(frozen=True)
class Chart:
    title: str
    x_label: str
    y_label: str
    series: tuple
    description: str  # the text alternative: what the chart shows, in words
    x_log: bool = False
    y2_label: str = ""  # the right axis's title, when a series is read on it


# The utilisations a load sweep visits: every 5 %, then closer steps where waits climb steeply.
_BUSY_SWEEP = tuple(0.05 * k for k in range(1, 19)) + (0.92, 0.94, 0.96, 0.97)


def worker_pool_chart(v: dict, out: dict) -> Chart:
    """p50, p95 and p99 response time as the arrival rate climbs towards the ceiling.

    With several processes each queueing its own requests, each is M/M/T at
    λ/P (an even split), and so are the curves.

    >>> c = worker_pool_chart({"arrival_rps": 80, "service_time_ms": 50, "workers": 5}, {})
    >>> [s.name for s in c.series]
    ['p50', 'p95', 'p99', 'now (p99)']
    """
    service_s, c = v["service_time_ms"] / 1000.0, v["workers"]
    processes = v.get("processes", 1)
    threads = c // processes
    ceiling = c / service_s
    busy = _BUSY_SWEEP + (0.98,)
    curves = {p: [] for p in (50, 95, 99)}
    for rho in busy:
        lam = rho * ceiling
        for p, t in zip(curves, queueing.mmc_response_percentiles(threads, lam / processes, service_s, tuple(curves))):
            curves[p].append((lam, t * 1000.0))
    series = [Series(f"p{p}", tuple(points)) for p, points in curves.items()]
    lam = v["arrival_rps"]
    if lam < ceiling:
        now = queueing.mmc_response_percentile(threads, lam / processes, service_s, 99) * 1000.0
        series.append(Series("now (p99)", ((lam, now),), "points"))
        where = f"At {_n(lam)} requests/s ({_n(100 * lam / ceiling)} % busy) the p99 is {_n(now)} ms."
    else:
        where = f"At {_n(lam)} requests/s the pool is overloaded: waits grow without bound."
    p99_high = curves[99][-1][1]
    pool = (f"{c} workers" if processes == 1 else
            f"{c} workers in {processes} processes that each queue their own requests (an even split)")
    description = (
        f"Response-time percentiles of {pool} with {_n(v['service_time_ms'])} ms mean service, as arrivals "
        f"rise to {_n(100 * busy[-1])} % of the {_n(ceiling)} requests/s ceiling. {where} At {_n(100 * busy[-1])} % "
        f"busy the p99 reaches {_n(p99_high)} ms."
    )
    return Chart("Response time as load rises", "Arrival rate (requests/s)", "Response time (ms)", tuple(series), description)


def cache_size_chart(v: dict, out: dict) -> Chart:
    """LRU hit ratio (Che) as the cache grows from a sliver of the catalogue to all of it.

    >>> c = cache_size_chart({"catalog_items": 100_000, "cache_items": 5_000, "zipf_alpha": 0.8},
    ...                      {"hit_ratio_pct": 36.9})
    >>> c.series[0].points[-1]
    (100000.0, 100.0)
    """
    n, alpha = v["catalog_items"], v["zipf_alpha"]
    low = max(1.0, n / 10_000)
    steps = 8  # one Che solve each (about 1 ms natively)
    sizes = sorted({max(1, round(low * (n / low) ** (k / steps))) for k in range(steps + 1)})
    points = tuple((float(size), 100.0 * hit) for size, hit in zip(sizes, caching.zipf_che_hit_ratios(n, sizes, alpha)))
    now = out["hit_ratio_pct"]  # the answer itself: no second solve
    series = (Series("hit ratio", points), Series("now", ((float(min(v["cache_items"], n)), now),), "points"))
    half = next((x for x, y in points if y >= 50), None)
    half_text = f" Half of all requests hit once the cache holds about {_n(half, 2)} items." if half and half < n else ""
    description = (
        f"LRU hit ratio for {_n(n)} items with Zipf exponent {_n(alpha)}, cache sizes from {_n(sizes[0])} to "
        f"{_n(n)} items (logarithmic axis). At {_n(v['cache_items'])} items it is {_n(now)} %.{half_text}"
    )
    return Chart("Hit ratio against cache size", "Cache size (items, log scale)", "Hit ratio (%)", series, description,
                 x_log=True)


def _usl_curve(sigma, kappa, lam, n_max, steps=40):
    return tuple((n, scalability.usl_throughput(n, sigma, kappa, lam))
                 for n in (1 + (n_max - 1) * k / steps for k in range(steps + 1)))


def usl_fit_chart(v: dict, out: dict) -> Chart:
    """Measured throughput and the fitted USL curve through it."""
    points = v["measurements"].parsed  # read once, in validation (spec.ParsedText)
    n_top = max(n for n, _ in points)
    peak = out.get("peak_concurrency")
    n_max = max(n_top * 1.25, min(peak * 1.3, n_top * 4) if peak else 0, 2.0)
    curve = _usl_curve(out["sigma"], out["kappa"], out["lambda_rps"], n_max)
    peak_text = (f"The fitted curve peaks at {_n(out['peak_throughput_rps'])} requests/s with {_n(peak)} clients."
                 if peak else "The fitted curve has no peak: coherency cost is zero.")
    description = (
        f"{len(points)} measured points (concurrency against throughput) and the Universal Scalability Law fitted "
        f"to them, σ = {_n(out['sigma'])}, κ = {_n(out['kappa'])}, λ = {_n(out['lambda_rps'])} requests/s. {peak_text}"
    )
    series = (Series("fitted USL", curve), Series("measured", tuple((float(n), float(x)) for n, x in points), "points"))
    return Chart("Throughput against concurrency", "Concurrency (clients)", "Throughput (requests/s)", series, description)


def usl_chart(v: dict, out: dict) -> Chart:
    """The USL curve, linear scaling for comparison, and the current concurrency."""
    peak = out.get("peak_concurrency")
    n_max = max(v["concurrency"] * 1.5, min(peak * 1.5, v["concurrency"] * 10) if peak else 0, 2.0)
    curve = _usl_curve(v["sigma"], v["kappa"], v["lambda_rps"], n_max)
    top = max(y for _, y in curve)
    linear = tuple((n, v["lambda_rps"] * n) for n, _ in curve if v["lambda_rps"] * n <= top * 1.5)
    series = (Series("USL", curve), Series("linear scaling", linear),
              Series("now", ((v["concurrency"], out["throughput_rps"]),), "points"))
    description = (
        f"Throughput from 1 to {_n(n_max)} clients for σ = {_n(v['sigma'])}, κ = {_n(v['kappa'])}, "
        f"λ = {_n(v['lambda_rps'])} requests/s, against linear scaling. At {_n(v['concurrency'])} clients: "
        f"{_n(out['throughput_rps'])} requests/s, {_n(out['efficiency_pct'])} % of linear."
    )
    return Chart("Throughput against concurrency", "Concurrency (clients)", "Throughput (requests/s)", series, description)


def serverless_chart(v: dict, out: dict) -> Chart:
    """Monthly cost of serverless and of the VMs as volume grows, with the break-even point."""
    pricing = cost.ServerlessPricing._make(v[name] for name in cost.ServerlessPricing._fields)
    even = out.get("break_even_requests_per_month")
    top = max(v["requests_per_month"] * 2, (even or 0) * 1.5, 1_000_000.0)
    xs = [top * k / 30 for k in range(31)]
    serverless = tuple((x, cost.serverless_cost(x, pricing).total) for x in xs)
    vm = out["vm_monthly_cost"]
    series = [Series("serverless", serverless), Series("VMs", ((0.0, vm), (top, vm)))]
    if even is not None and even <= top:
        series.append(Series("break-even", ((even, vm),), "points"))
        even_text = f"They cost the same, {_money(vm)} a month, at {_n(even)} requests."
    else:
        even_text = "Within this range serverless never costs as much as the VMs."
    description = (
        f"Monthly cost from 0 to {_n(top)} requests a month: serverless rises with volume, the VMs cost "
        f"{_money(vm)} whatever the load. {even_text} At {_n(v['requests_per_month'])} requests serverless costs "
        f"{_money(out['serverless_monthly_cost'])}."
    )
    return Chart("Monthly cost against volume", "Requests per month", "Monthly cost ($)", tuple(series), description)


def fan_out_chart(v: dict, out: dict) -> Chart:
    """The share of slow requests as the fan-out grows, for the current per-call slow share.

    >>> c = fan_out_chart({"calls": 100, "per_call_slow_pct": 1.0, "target_slow_pct": 1.0},
    ...                   {"request_slow_pct": 63.4})
    >>> c.series[0].points[0], [s.name for s in c.series]
    ((1.0, 1.0), ['requests slow', 'target', 'now'])
    """
    n, p = v["calls"], v["per_call_slow_pct"] / 100.0
    top = max(100, 10 * n)
    calls = sorted({max(1, round(top ** (k / 40))) for k in range(41)})
    curve = tuple((float(k), 100.0 * distributed.slow_share(k, p)) for k in calls)
    target = v["target_slow_pct"]
    series = (Series("requests slow", curve), Series("target", ((1.0, target), (float(top), target))),
              Series("now", ((float(n), out["request_slow_pct"]),), "points"))
    half = next((k for k, y in curve if y >= 50), None)
    half_text = f" Half of all requests are slow from about {_n(half, 2)} calls." if half else ""
    description = (
        f"Share of requests slower than the threshold when each waits for 1 to {_n(top)} parallel calls, each "
        f"slow {_n(v['per_call_slow_pct'])} % of the time (logarithmic axis), against the {_n(target)} % target. "
        f"At {_n(n)} calls it is {_n(out['request_slow_pct'])} %.{half_text}"
    )
    return Chart("Slow requests against fan-out", "Parallel calls per request (log scale)", "Requests slow (%)",
                 series, description, x_log=True)


def background_jobs_chart(v: dict, out: dict) -> Chart:
    """The p99 wait in the queue as workers are added, from a busy pool to a comfortable one.

    >>> c = background_jobs_chart({"jobs_per_s": 5.0, "job_time_s": 2.0, "workers": 12, "target_wait_s": 1.0},
    ...                           {"p99_wait_s": 3.81, "workers_for_target": 15})
    >>> [s.name for s in c.series], c.series[0].points[0][0]
    (['p99 wait', 'target', 'now'], 11.0)
    """
    lam, s, c = v["jobs_per_s"], v["job_time_s"], v["workers"]
    load = lam * s
    low = math.floor(load) + 1  # the smallest pool that keeps up
    if low > queueing.MAX_WORKERS_SEARCHED:  # each point is an Erlang C: no curve past the searched sizes
        description = (f"{_n(lam)} jobs/s of {_n(s)} s each need more than {queueing.MAX_WORKERS_SEARCHED:,} "
                       f"workers to keep up; with {c} the queue grows without bound.")
        return Chart("p99 wait against workers", "Workers", "p99 wait in queue (s)", (), description)
    if low < c:  # start where the pool is at most 95 % busy, unless the reader's pool is busier
        low = min(c, max(low, math.ceil(load / 0.95)))
    high = max(c, out.get("workers_for_target") or 0, low) + max(4, math.ceil(2 * math.sqrt(load)))
    step = max(1, math.ceil((high - low) / 40))
    pools = list(range(low, high + 1, step))
    waits = queueing.erlang_c_series(pools, load)  # one Erlang recursion for the whole sweep
    curve = tuple((float(k), queueing.mmc_wait_percentile(k, lam, s, 99, c_wait=w)) for k, w in zip(pools, waits))
    series = [Series("p99 wait", curve)]
    target = v.get("target_wait_s")
    if target is not None:
        series.append(Series("target", ((float(pools[0]), target), (float(pools[-1]), target))))
    if out.get("p99_wait_s") is not None:
        series.append(Series("now", ((float(c), out["p99_wait_s"]),), "points"))
        now = f"With {c} workers the p99 wait is {_n(out['p99_wait_s'])} s."
    else:
        now = f"With {c} workers the pool is overloaded: the queue grows without bound."
    description = (
        f"The time 99 % of jobs wait in the queue, for {_n(lam)} jobs/s of {_n(s)} s each, as the pool grows from "
        f"{pools[0]} to {pools[-1]} workers (at least {low} keep up). {now}"
    )
    return Chart("p99 wait against workers", "Workers", "p99 wait in queue (s)", tuple(series), description)


def simulate_chart(v: dict, out: dict) -> Chart:
    """Simulated p50, p95 and p99 (with the p99's interval) against the M/M/c percentiles for the same mean.

    The x axis is the share of requests slower than the time on the y axis
    (logarithmic: 50 % is the p50, 1 % the p99). The M/M/c curve is exact and
    cheap; the simulated points come from the outputs, so drawing the chart
    never runs the simulation again.

    >>> c = simulate_chart({"arrival_rps": 80, "service_time_ms": 50, "workers": 5, "requests": 20000,
    ...                     "service_distribution": "lognormal"},
    ...                    {"p50_ms": 56.0, "p95_ms": 500.0, "p99_ms": 940.0, "p99_interval_ms": (840.0, 1040.0),
    ...                     "mmc_p99_ms": 304.0})
    >>> [s.name for s in c.series], c.series[1].points[-1], c.series[2].points
    (['M/M/c', 'simulated', 'p99 interval'], (1.0, 940.0), ((1.0, 840.0), (1.0, 1040.0)))
    >>> "(95 % interval [840.0, 1,040.0] ms)" in c.description
    True
    """
    lam, service_s, c = v["arrival_rps"], v["service_time_ms"] / 1000.0, v["workers"]
    x_label, y_label = "Requests slower than the time (%, log scale)", "Response time (ms)"
    if out.get("p99_ms") is None:
        description = (f"At {_n(lam)} requests/s the {c} workers are overloaded: the queue grows without bound, so "
                       "there is nothing to simulate or plot.")
        return Chart("Simulated against M/M/c percentiles", x_label, y_label, (), description, x_log=True)
    pcts = (50, 60, 70, 80, 85, 90, 92.5, 95, 96, 97, 98, 99, 99.5)
    times = queueing.mmc_response_percentiles(c, lam, service_s, pcts)
    mmc = tuple((100.0 - p, t * 1000.0) for p, t in zip(pcts, times))
    simulated = tuple((100.0 - p, out[f"p{p}_ms"]) for p in (50, 95, 99))
    series = (Series("M/M/c", mmc), Series("simulated", simulated, "points"))
    if out["p99_interval_ms"] is None:  # the run cannot vouch for an interval (the warnings say why)
        interval = "no interval stated"
    else:
        low, high = out["p99_interval_ms"]
        series += (Series("p99 interval", ((1.0, low), (1.0, high))),)
        interval = f"95 % interval {format_interval(low, high, 'ms', 1)}"
    description = (
        f"Response-time percentiles of {c} workers at {_n(lam)} requests/s with {_n(v['service_time_ms'])} ms mean "
        f"service: {_n(v['requests'])} simulated requests with {v['service_distribution']} service times, against "
        f"the M/M/c model (exponential service, the same mean). Simulated p50, p95 and p99: {_n(out['p50_ms'])}, "
        f"{_n(out['p95_ms'])} and {_n(out['p99_ms'])} ms ({interval}); M/M/c p99: {_n(out['mmc_p99_ms'])} ms."
    )
    return Chart("Simulated against M/M/c percentiles", x_label, y_label, series, description, x_log=True)


def mva_chart(v: dict, out: dict) -> Chart:
    """Throughput (left axis) and response time (right axis) against users, each with its asymptotic bound.

    The bounds (Lazowska et al. 1984, ch. 5) are the lines the exact curves
    approach: throughput under N/(D + Z) and under the ceiling, response
    time over the total demand D and over N·max(D_k/c_k) − Z; they meet at
    the knee N*.

    >>> from perfcalc.spec import ParsedText
    >>> tiers = ParsedText("app:20:4", networks.parse_tiers("app:20:4"))
    >>> c = mva_chart({"users": 50, "think_time_ms": 1000.0, "tiers": tiers},
    ...               {"throughput_rps": 48.8, "response_time_ms": 24.6, "knee_users": 204.0,
    ...                "max_throughput_rps": 200.0, "bottleneck": "app", "bottleneck_utilization_pct": 24.4})
    >>> [(s.name, s.axis) for s in c.series][:4], c.series[1].points[-1]
    ([('throughput', 'left'), ('throughput bound', 'left'), ('response time', 'right'), ('response time bound', 'right')], (408.0, 200.0))
    """
    tiers, think, users = v["tiers"].parsed, v["think_time_ms"], v["users"]
    curve = networks.throughput_curve(users, think, tiers)
    total = sum(t.demand_ms for t in tiers)
    ceiling, knee = out["max_throughput_rps"], out["knee_users"]
    per_server = 1000.0 / ceiling  # the bottleneck's demand per server, ms
    top = float(curve[-1][0])
    corners = sorted({1.0, top} | ({knee} if knee < top else set()))
    throughput_bound = tuple((n, min(1000.0 * n / (total + think), ceiling)) for n in corners)
    response_bound = tuple((n, max(total, n * per_server - think)) for n in corners)
    series = (
        Series("throughput", tuple((float(n), x) for n, x, _ in curve)),
        Series("throughput bound", throughput_bound, "dashed", colour=0),
        Series("response time", tuple((float(n), r) for n, _, r in curve), axis="right", colour=2),
        Series("response time bound", response_bound, "dashed", axis="right", colour=2),
        Series(f"now ({users:,} users)", ((float(users), out["throughput_rps"]),), "points", colour=0),
        Series("now (response time)", ((float(users), out["response_time_ms"]),), "points", axis="right",
               colour=2),
    )
    description = (
        f"Exact throughput and mean response time from 1 to {_n(top)} users with {_n(think)} ms of think time, "
        f"with their asymptotic bounds: throughput at most {_n(1000.0 / (total + think), 3)} requests/s per user "
        f"and at most {_n(ceiling)} requests/s (the ceiling set by {out['bottleneck']}); response time at least "
        f"the {_n(total)} ms of total demand, and at least {_n(per_server)} ms per user beyond the knee at "
        f"{_n(knee)} users. With {users:,} users: {_n(out['throughput_rps'])} requests/s and "
        f"{_n(out['response_time_ms'])} ms, {out['bottleneck']} {_n(out['bottleneck_utilization_pct'])} % busy."
    )
    return Chart("Throughput and response time against users", "Users", "Throughput (requests/s)", series,
                 description, y2_label="Response time (ms)")


def stack_chart(v: dict, out: dict) -> Chart:
    """Mean response time (exact for exponential service) as traffic climbs to the ceiling, and the answer now.

    >>> from perfcalc.spec import ParsedText
    >>> tiers = ParsedText("app:20:4", networks.parse_tiers("app:20:4"))
    >>> c = stack_chart({"arrival_rps": 150.0, "tiers": tiers, "busiest_process_pct": None},
    ...                 {"max_rps": 200.0, "mean_response_ms": 38.0, "p99_ms": 160.0, "p99_interval_ms": (150.0, 170.0),
    ...                  "bottleneck": "app"})
    >>> [s.name for s in c.series]
    ['mean (M/M/c network)', 'now: mean', 'now: p99 (simulated)', 'p99 interval']
    """
    tiers, rate, ceiling = v["tiers"].parsed, v["arrival_rps"], out["max_rps"]
    busy = _BUSY_SWEEP
    curve = tuple((b * ceiling, sum(f.residence_ms for f in networks.jackson_network(
        b * ceiling, tiers, v["busiest_process_pct"]))) for b in busy)
    series = [Series("mean (M/M/c network)", curve)]
    if out.get("p99_ms") is None:
        where = f"At {_n(rate)} requests/s the stack is overloaded: waits grow without bound."
    else:
        series += [Series("now: mean", ((rate, out["mean_response_ms"]),), "points"),
                   Series("now: p99 (simulated)", ((rate, out["p99_ms"]),), "points")]
        if out["p99_interval_ms"] is None:  # the run cannot vouch for an interval (the warnings say why)
            interval = "no interval stated"
        else:
            low, high = out["p99_interval_ms"]
            series.append(Series("p99 interval", ((rate, low), (rate, high))))
            interval = f"95 % interval {format_interval(low, high, 'ms', 1)}"
        where = (f"At {_n(rate)} requests/s the mean is {_n(out['mean_response_ms'])} ms and the simulated p99 "
                 f"{_n(out['p99_ms'])} ms ({interval}).")
    description = (
        f"Mean response time of the whole stack as traffic rises to {_n(100 * busy[-1])} % of its {_n(ceiling)} "
        "requests/s ceiling "
        f"(set by {out['bottleneck']}), from the M/M/c network (exact for exponential service). {where}"
    )
    return Chart("Response time as traffic rises", "Arrival rate (requests/s)", "Response time (ms)",
                 tuple(series), description)
