"""What the models say about a run: nominal, adjusted, the spread of a run this long, and the replay.

- **Nominal**: the catalogue's calculators at the scenario's own inputs
  (``worker-pool``, M/M/c, for exponential service; ``simulate`` for
  lognormal, and for fixed service as a lognormal whose p99 is its mean);
  for gthread also the split the processes really make
  (:mod:`perfcalc.splitqueues`, even shares).
- **Adjusted**: the same models at what the run really offered: the
  realised arrival rate, and the time a worker was busy per request, the
  mean ``%(D)s`` plus the overhead outside it the lab calibrated; for
  gthread, split queues fed the shares each process really took.
- **Finite-run range**: a run of N requests is one draw. The same model is
  simulated for N requests over many seeds (the first tenth dropped, as in
  the run), and the 5th and 95th percentiles of each figure over the seeds
  give the range a correct model leaves a run of this length in.
- **Replay**: the run's own send times and ``%(D)s`` (plus the overhead)
  through ideal FCFS servers (one queue for sync; each process its own,
  with the requests it really took, for gthread). It has the run's luck and
  none of the model's assumptions: when the replay matches the measurement
  and the model does not, the gap is sampling; when the replay misses too,
  the server is not the queue the model assumes.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from .. import calculate
from ..simulation import lognormal_sigma
from ..splitqueues import fcfs_finish_times, simulate_split, split_percentiles
from .measure import Sample, percentiles
from .scenarios import WARMUP_FRACTION, Scenario

__all__ = ["RANGE_SEEDS", "RANGE_PCTS", "model_figures", "split_figures", "finite_run_ranges", "replay",
           "service_times"]

# Seeds for a finite-run range: its 5th and 95th percentiles are then the 10th and 190th of 200 runs.
RANGE_SEEDS = 200
RANGE_PCTS = (5, 95)
# The simulate calculator's run for a nominal figure (its largest).
SIMULATED_REQUESTS = 100_000


def service_times(distribution: str, mean_ms: float, p99_ms: float | None):
    """Uniforms → service times in ms, for :func:`perfcalc.splitqueues.simulate_split`."""
    if distribution == "exponential":
        return lambda us: [-math.log1p(-u) * mean_ms for u in us]
    sigma = 0.0 if distribution == "fixed" else lognormal_sigma(mean_ms, p99_ms)
    if sigma == 0.0:
        return lambda us: [mean_ms] * len(us)
    inv = NormalDist(math.log(mean_ms) - sigma * sigma / 2.0, sigma).inv_cdf
    return lambda us: [math.exp(inv(u)) for u in us]


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


def finite_run_ranges(arrival_rps: float, service, threads: int, shares, requests: int,
                      seeds: int = RANGE_SEEDS) -> dict:
    """The 5–95 % range of p50, p95 and p99 over ``seeds`` simulated runs of ``requests`` requests.

    ``service`` maps uniforms to times in ms (:func:`service_times`). Each run
    starts empty and drops its first tenth, like the lab's runs. Also
    returns each figure's median over the runs (a finite run's p99 sits
    below the infinite-horizon p99 more often than above it).
    """
    rate_per_ms = arrival_rps / 1000.0
    kept_from = int(requests * WARMUP_FRACTION)
    runs = []
    for seed in range(1, seeds + 1):
        times, _ = simulate_split(rate_per_ms, shares, threads, service, requests, seed)
        runs.append(percentiles(times[kept_from:]))
    out = {}
    for j, name in enumerate(("p50", "p95", "p99")):
        values = sorted(run[j] for run in runs)
        low, median, high = (values[min(len(values) - 1, math.ceil(p * len(values) / 100) - 1)]
                             for p in (RANGE_PCTS[0], 50, RANGE_PCTS[1]))
        out[f"{name}_range_ms"] = [low, high]
        out[f"{name}_median_ms"] = median
    return out


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
    groups: dict = {}
    for s in sent:
        groups.setdefault(s.pid if per_process else None, []).append(s)
    latency = {}
    for group in groups.values():
        group.sort(key=lambda s: s.record.sent)
        busy = [((s.d_ms if s.d_ms is not None else s.service_ms + inside) + overhead_ms) / 1000.0 for s in group]
        finish = fcfs_finish_times([s.record.sent for s in group], busy, servers)
        for s, done in zip(group, finish):
            latency[s.record.index] = (done - s.record.scheduled) * 1000.0
    kept = [latency[s.record.index] for s in sent if window[0] <= s.record.scheduled < window[1]]
    p50, p95, p99 = percentiles(kept)
    return {"p50_ms": p50, "p95_ms": p95, "p99_ms": p99}


def nominal(scenario: Scenario) -> dict:
    """The catalogue's figures at the scenario's own inputs (and, for gthread, the even split)."""
    s = scenario
    shared = model_figures(s.distribution, s.arrival_rps, s.service_mean_ms, s.service_p99_ms, s.slots)
    if s.worker_class == "sync" or s.workers == 1:
        return shared
    even = split_figures(s.arrival_rps, s.service_mean_ms, s.threads, [1.0 / s.workers] * s.workers)
    return {**even, "shared_queue": shared}
