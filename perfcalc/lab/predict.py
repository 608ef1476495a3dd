"""What the models say about a run: nominal, adjusted, the spread of a run this long, and the replay.

- **Nominal**: the catalogue's calculators at the scenario's own inputs
  (``worker-pool``, M/M/c, for exponential service; ``simulate`` for
  lognormal, and for fixed service as a lognormal whose p99 is its mean);
  for gthread also the split the processes really make
  (:mod:`perfcalc.splitqueues`, even shares). Beside them, the whole-stack
  calculator ``stack`` with Gunicorn as its one tier,
  ``gunicorn:SERVICE_MS:WORKERS`` (``PxT`` for gthread's P processes of T
  threads, split evenly): what a reader who models their stack gets for
  this server alone (:func:`stack_figures`).
- **Adjusted**: the same models at what the run really offered: the
  realised arrival rate, and the time a worker was busy per request, the
  mean ``%(D)s`` plus the overhead outside it the lab calibrated; for
  gthread, split queues fed the shares each process really took (and
  ``stack`` with the busiest process's measured share).
- **Finite-run range**: a run of N requests is one draw. The same model is
  simulated for N requests over many seeds (the first tenth dropped, as in
  the run). A run holds when its p50, p95 and p99 all fall inside their
  ranges, so the ranges are set together: the narrowest symmetric
  percentile band (the q-th to (100 − q)-th percentile over the seeds, the
  same q for all three, at most the 5–95 % band) inside which at least
  90 % of the simulated runs keep all three figures at once. Separate
  5–95 % ranges would fail a correct model in about one run in five.
- **Replay**: the run's own send times and ``%(D)s`` (plus the overhead)
  through ideal FCFS servers (one queue for sync; each process its own,
  with the requests it really took, for gthread). It has the run's luck and
  none of the model's assumptions: when the replay matches the measurement
  and the model does not, the gap is sampling; when the replay misses too,
  the server is not the queue the model assumes.
"""

from __future__ import annotations

import math

from .. import calculate
from ..spec import PerfcalcError
from ..simulation import lognormal_sigma
from ..simulation import service_times as draw_service_times
from ..splitqueues import fcfs_finish_times, simulate_split, split_percentiles
from .measure import Sample, percentiles
from .scenarios import WARMUP_FRACTION, Scenario

__all__ = ["RANGE_SEEDS", "RANGE_PCTS", "JOINT_COVERAGE_PCT", "model_figures", "split_figures", "stack_figures", "finite_run_ranges",
           "replay", "service_times"]

# Seeds for a finite-run range: its 5th and 95th percentiles are then the 10th and 190th of 200 runs.
RANGE_SEEDS = 200
# The widest band a range may use, and the share of a correct model's runs that must fall inside all
# three ranges at once (the joint band is found between this and the seeds' extremes).
RANGE_PCTS = (5, 95)
JOINT_COVERAGE_PCT = 90.0
# The simulate calculator's run for a nominal figure (its largest).
SIMULATED_REQUESTS = 100_000


def service_times(distribution: str, mean_ms: float, p99_ms: float | None):
    """Uniforms → service times in ms, for :func:`perfcalc.splitqueues.simulate_split`."""
    if distribution == "exponential":
        sigma = None
    else:
        sigma = 0.0 if distribution == "fixed" else lognormal_sigma(mean_ms, p99_ms)
    return lambda us: draw_service_times(us, mean_ms, sigma)


def model_figures(distribution: str, arrival_rps: float, mean_ms: float, p99_ms: float | None, slots: int) -> dict:
    """p50/p95/p99 of one shared queue from the catalogue: worker-pool (exponential) or simulate."""
    if distribution == "exponential":
        r = calculate("worker-pool", arrival_rps=arrival_rps, service_time_ms=mean_ms, workers=slots)
        model = f"worker-pool (M/M/{slots})"
    else:
        p99 = mean_ms if distribution == "fixed" else p99_ms
        r = calculate("simulate", arrival_rps=arrival_rps, service_time_ms=mean_ms, service_p99_ms=p99,
                      service_distribution="lognormal", workers=slots, requests=SIMULATED_REQUESTS, seed=1)
        model = f"simulate ({'fixed' if distribution == 'fixed' else 'lognormal'}, {slots} workers)"
    out = {k: r.outputs[k] for k in ("p50_ms", "p95_ms", "p99_ms")}
    return {"model": model, **out, "arrival_rps": arrival_rps, "service_time_ms": mean_ms,
            "utilization_pct": 100.0 * arrival_rps * mean_ms / 1000.0 / slots, "warnings": list(r.warnings)}


def split_figures(arrival_rps: float, mean_ms: float, threads: int, shares: list[float]) -> dict:
    """p50/p95/p99 of split queues (exponential service), ``None`` where unbounded."""
    figures = split_percentiles(arrival_rps, mean_ms / 1000.0, threads, shares, (50, 95, 99))
    p50, p95, p99 = (None if math.isinf(t) else t * 1000.0 for t in figures)
    name = " / ".join(f"{100 * s:.0f} %" for s in shares)
    return {"model": f"split queues: {len(shares)} × M/M/{threads}, shares {name}", "p50_ms": p50,
            "p95_ms": p95, "p99_ms": p99, "shares": list(shares)}


def _tier_ms(ms: float) -> str:
    """A service time as a tier takes it: to the microsecond, no trailing zeros (51.25, 50)."""
    return f"{ms:.3f}".rstrip("0").rstrip(".")


def stack_figures(distribution: str, arrival_rps: float, mean_ms: float, p99_ms: float | None, processes: int,
                  threads: int, shares: list[float] | None = None) -> dict:
    """The ``stack`` calculator with Gunicorn as its one tier: p50/p95/p99, its p99 interval and mean, in ms.

    The tier is ``gunicorn:MEAN:SERVERS``: SERVERS is ``PxT`` for P > 1
    processes of T threads, each its own queue (gthread), else T (one
    queue: sync's workers, or one process's threads). The tier syntax has
    no shares: ``busiest_process_pct`` carries the largest of ``shares``
    and the calculator splits the rest evenly, exact for two processes
    (``shares_note`` says when it is not); no shares is its even split.
    Service as in :func:`model_figures` (fixed: a lognormal whose p99 is
    its mean). A refusal is kept as ``refused``, without figures.
    """
    ms = _tier_ms(mean_ms)
    split = processes > 1
    tiers = f"gunicorn:{ms}:{processes}x{threads}" if split else f"gunicorn:{ms}:{threads}"
    busiest = 100.0 * max(shares) if split and shares is not None else None
    how = "" if not split else ", split evenly" if busiest is None else f", busiest process {busiest:.0f} %"
    out = {"model": f"stack ({tiers}{how})", "tiers": tiers, "busiest_process_pct": busiest}
    if busiest is not None and len(shares) > 2:
        rest = sorted(shares)[:-1]
        if rest[-1] - rest[0] > 0.01:
            out["shares_note"] = ("the tier syntax takes only the busiest process's share: the other processes "
                                  "split the rest evenly here, not as measured")
    p99 = None if distribution == "exponential" else float(ms) if distribution == "fixed" else p99_ms
    try:
        r = calculate("stack", arrival_rps=arrival_rps, tiers=tiers,
                      service_distribution="exponential" if p99 is None else "lognormal", service_p99_ms=p99,
                      busiest_process_pct=busiest, requests=SIMULATED_REQUESTS, seed=1)
    except PerfcalcError as exc:
        return {**out, "refused": str(exc), "p50_ms": None, "p95_ms": None, "p99_ms": None}
    figures = {k: r.outputs[k] for k in ("p50_ms", "p95_ms", "p99_ms", "p99_interval_ms", "mean_response_ms", "max_rps")}
    return {**out, **figures, "warnings": list(r.warnings)}


def finite_run_ranges(arrival_rps: float, service, threads: int, shares, requests: int,
                      seeds: int = RANGE_SEEDS) -> dict:
    """The ranges of p50, p95 and p99 inside which 90 % of ``seeds`` simulated runs of ``requests`` fall together.

    ``service`` maps uniforms to times in ms (:func:`service_times`). Each run
    starts empty and drops its first tenth, like the lab's runs. Returns each
    figure's range, the band's percentiles (``range_pcts``) and how many of
    the simulated runs fell inside all three (``range_joint_pct``), and each
    figure's median over the runs (a finite run's p99 sits below the
    infinite-horizon p99 more often than above it).
    """
    rate_per_ms = arrival_rps / 1000.0
    kept_from = int(requests * WARMUP_FRACTION)
    runs = []
    for seed in range(1, seeds + 1):
        times, _ = simulate_split(rate_per_ms, shares, threads, service, requests, seed)
        runs.append(percentiles(times[kept_from:]))
    columns = [sorted(run[j] for run in runs) for j in range(3)]
    tail_pct, bands, inside_pct = joint_band(runs, columns)
    out = {"range_pcts": [tail_pct, 100.0 - tail_pct], "range_joint_pct": inside_pct}
    for j, name in enumerate(("p50", "p95", "p99")):
        out[f"{name}_range_ms"] = bands[j]
        out[f"{name}_median_ms"] = _order_statistic(columns[j], 50.0)
    return out


def _order_statistic(values: list[float], pct: float) -> float:
    """The ``pct``-th percentile of sorted ``values`` (nearest rank; 0 gives the smallest)."""
    return values[max(0, min(len(values) - 1, math.ceil(pct * len(values) / 100) - 1))]


def joint_band(runs: list, columns: list[list[float]]) -> tuple[float, list[list[float]], float]:
    """The narrowest common tail q (≤ RANGE_PCTS[0], in half-per-cent steps) keeping ≥ 90 % of runs inside all bands.

    Two hundred runs whose three figures rise together need no more than the 5–95 % band:

    >>> together = [(float(k), float(k), float(k)) for k in range(1, 201)]
    >>> q, bands, inside = joint_band(together, [sorted(r[j] for r in together) for j in range(3)])
    >>> q, bands[0], inside
    (5.0, [10.0, 190.0], 90.5)

    If the p95 moves on its own, each band must widen to 2.5–97.5 % for 90 % of runs to fit all three:

    >>> apart = [(float(k), float(k * 37 % 200 + 1), float(k)) for k in range(1, 201)]
    >>> q, bands, inside = joint_band(apart, [sorted(r[j] for r in apart) for j in range(3)])
    >>> q, bands[1], inside
    (2.5, [5.0, 195.0], 91.5)
    """
    tail = float(RANGE_PCTS[0])
    while True:
        bands = [[_order_statistic(c, tail), _order_statistic(c, 100.0 - tail)] for c in columns]
        inside = sum(all(lo <= run[j] <= hi for j, (lo, hi) in enumerate(bands)) for run in runs)
        inside_pct = 100.0 * inside / len(runs)
        if inside_pct >= JOINT_COVERAGE_PCT or tail <= 0.0:
            return tail, bands, inside_pct
        tail -= 0.5


def replay(samples: list[Sample], overhead_ms: float, servers: int, per_process: bool,
           window: tuple[float, float]) -> dict:
    """The run's own arrivals and service times through ideal FCFS servers: p50/p95/p99 from the scheduled start.

    Service of a request = its ``%(D)s`` + ``overhead_ms`` (a request with no
    log line: what it asked for + the run's mean gap between the two). With
    ``per_process``, each process is its own queue of ``servers`` threads
    and takes the requests it really took.
    """
    sent = [s for s in samples if s.record.sent is not None and (s.ok or not per_process)]
    logged = [s.d_ms - s.service_ms for s in sent if s.d_ms is not None]
    inside = math.fsum(logged) / len(logged) if logged else 0.0
    sent.sort(key=lambda s: s.record.sent)
    processes = {pid: k for k, pid in enumerate(dict.fromkeys(s.pid for s in sent))} if per_process else None
    busy = [((s.d_ms if s.d_ms is not None else s.service_ms + inside) + overhead_ms) / 1000.0 for s in sent]
    finish = fcfs_finish_times([s.record.sent for s in sent], busy, servers,
                               [processes[s.pid] for s in sent] if per_process else None)
    latency = {s.record.index: (done - s.record.scheduled) * 1000.0 for s, done in zip(sent, finish)}
    kept = [latency[s.record.index] for s in sent if window[0] <= s.record.scheduled < window[1]]
    p50, p95, p99 = percentiles(kept)
    return {"p50_ms": p50, "p95_ms": p95, "p99_ms": p99}


def nominal(scenario: Scenario) -> dict:
    """The catalogue's figures at the scenario's own inputs (for gthread, the even split), and ``stack``'s."""
    s = scenario
    shared = model_figures(s.distribution, s.arrival_rps, s.service_mean_ms, s.service_p99_ms, s.slots)
    split = s.worker_class == "gthread" and s.workers > 1
    stack = stack_figures(s.distribution, s.arrival_rps, s.service_mean_ms, s.service_p99_ms,
                          s.workers if split else 1, s.threads if split else s.slots)
    if not split:
        return {**shared, "stack": stack}
    even = split_figures(s.arrival_rps, s.service_mean_ms, s.threads, [1.0 / s.workers] * s.workers)
    return {**even, "shared_queue": shared, "stack": stack}
