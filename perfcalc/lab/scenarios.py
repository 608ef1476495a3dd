"""The lab's scenarios: a server, a service-time distribution, a load, a length, a seed.

A scenario is data (:class:`Scenario`); :func:`schedule` turns it into the
run's requests, each with its scheduled start and the service time its view
will sleep, from ``random.Random(seed)`` alone, so a run's load can be
rebuilt exactly from its scenario. :data:`FULL` is the set the guide's page
shows (about 30 minutes); :data:`QUICK` a few of them, short (under three
minutes).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from ..simulation import lognormal_sigma
from ..spec import PerfcalcError

__all__ = ["Scenario", "FULL", "QUICK", "WORKER_CLASSES", "DISTRIBUTIONS", "MAX_REQUESTS", "MAX_DURATION_S",
           "WARMUP_FRACTION", "schedule", "service_quantile"]

WORKER_CLASSES = ("sync", "gthread")
DISTRIBUTIONS = ("exponential", "lognormal", "fixed")
# Bounds on one run: the lab must stop by itself.
MAX_REQUESTS = 200_000
MAX_DURATION_S = 900.0
MAX_UTILIZATION_PCT = 98.0
# The first tenth of each run is dropped (the server starts empty), as simulate drops the first tenth of its
# requests: the finite-run ranges then cover the same part of a run as the measurement.
WARMUP_FRACTION = 0.1


@dataclass(frozen=True)
class Scenario:
    """One run: ``workers`` processes of ``worker_class`` (× ``threads`` for gthread) at a nominal load."""

    name: str
    worker_class: str
    workers: int
    threads: int
    distribution: str
    utilization_pct: float
    duration_s: float
    service_mean_ms: float = 50.0
    service_p99_ms: float | None = None   # lognormal only
    seed: int = 1

    def __post_init__(self):
        if self.worker_class not in WORKER_CLASSES:
            raise PerfcalcError(f"worker_class must be one of {', '.join(WORKER_CLASSES)}, got {self.worker_class}")
        if self.distribution not in DISTRIBUTIONS:
            raise PerfcalcError(f"distribution must be one of {', '.join(DISTRIBUTIONS)}, got {self.distribution}")
        if not (1 <= self.workers <= 64 and 1 <= self.threads <= 64):
            raise PerfcalcError(f"{self.name}: workers and threads must be from 1 to 64")
        if self.worker_class == "sync" and self.threads != 1:
            raise PerfcalcError(f"{self.name}: a sync worker has one thread, got threads={self.threads}")
        if not 0 < self.utilization_pct <= MAX_UTILIZATION_PCT:
            raise PerfcalcError(f"{self.name}: utilization_pct must be above 0 and at most {MAX_UTILIZATION_PCT:g} "
                                f"(at 100 % the queue grows without bound), got {self.utilization_pct:g}")
        if not 1 <= self.duration_s <= MAX_DURATION_S:
            raise PerfcalcError(f"{self.name}: duration_s must be from 1 to {MAX_DURATION_S:g}, "
                                f"got {self.duration_s:g}")
        if not 0.1 <= self.service_mean_ms <= 10_000:
            raise PerfcalcError(f"{self.name}: service_mean_ms must be from 0.1 to 10000")
        if self.distribution == "lognormal":
            if self.service_p99_ms is None:
                raise PerfcalcError(f"{self.name}: a lognormal service time needs service_p99_ms")
            lognormal_sigma(self.service_mean_ms, self.service_p99_ms)
        if self.expected_requests > MAX_REQUESTS:
            raise PerfcalcError(f"{self.name}: about {self.expected_requests:,.0f} requests; at most "
                                f"{MAX_REQUESTS:,} in one run")

    @property
    def slots(self) -> int:
        """Requests served at once: processes × threads."""
        return self.workers * self.threads

    @property
    def arrival_rps(self) -> float:
        """The nominal arrival rate: utilisation × slots / mean service time."""
        return self.utilization_pct * self.slots * 10.0 / self.service_mean_ms  # U/100 × c / (S/1000)

    @property
    def expected_requests(self) -> float:
        return self.arrival_rps * self.duration_s

    @property
    def label(self) -> str:
        """``sync ×4, exponential, 70 %`` and the like (``, seed 2`` for any seed but the first)."""
        server = (f"sync ×{self.workers}" if self.worker_class == "sync"
                  else f"gthread {self.workers} × {self.threads} threads")
        dist = self.distribution if self.distribution != "lognormal" else f"lognormal p99 {self.service_p99_ms:g} ms"
        return f"{server}, {dist}, {self.utilization_pct:g} %" + (f", seed {self.seed}" if self.seed != 1 else "")

    def with_(self, **changes) -> "Scenario":
        return Scenario(**{**self.__dict__, **changes})


def service_quantile(scenario: Scenario):
    """The inverse distribution function of the scenario's service time, in ms: u in (0, 1) → time."""
    mean = scenario.service_mean_ms
    if scenario.distribution == "exponential":
        return lambda u: -math.log1p(-u) * mean
    if scenario.distribution == "fixed":
        return lambda u: mean
    sigma = lognormal_sigma(mean, scenario.service_p99_ms)
    from statistics import NormalDist
    inv = NormalDist(math.log(mean) - sigma * sigma / 2.0, sigma).inv_cdf if sigma > 0 else None
    return (lambda u: math.exp(inv(u))) if inv else (lambda u: mean)


def schedule(scenario: Scenario) -> list[tuple[float, float]]:
    """The run's requests: ``(scheduled offset in s, service time in ms)``, Poisson arrivals, in order.

    Gaps are exponential with mean 1/λ, service times drawn from the
    scenario's distribution; two uniforms per request from
    ``random.Random(seed)``, so the same scenario always gives the same run.

    >>> s = Scenario("t", "sync", 4, 1, "exponential", 50, 10, seed=3)
    >>> run = schedule(s)
    >>> run == schedule(s), 300 < len(run) < 500, all(0 < t <= 10 for t, _ in run)
    (True, True, True)
    """
    rng = random.Random(scenario.seed)
    quantile = service_quantile(scenario)
    rate = scenario.arrival_rps
    t, out = 0.0, []
    while True:
        t += -math.log1p(-rng.random()) / rate
        u = rng.random() or 2.0 ** -54
        if t > scenario.duration_s:
            return out
        out.append((t, quantile(u)))


def _set(*scenarios: Scenario) -> tuple[Scenario, ...]:
    names = [s.name for s in scenarios]
    assert len(set(names)) == len(names), names
    return scenarios


_SYNC4 = dict(worker_class="sync", workers=4, threads=1)
_GTHREAD = dict(worker_class="gthread", workers=2, threads=2)
_LOGNORMAL = dict(distribution="lognormal", service_p99_ms=250.0)

# The page's table: sync from half busy to near saturation, three seeds at 85 % (a run's scatter), service
# times more variable and less, and gthread split across processes beside one process with all the threads.
FULL = _set(
    Scenario("sync-exp-50", **_SYNC4, distribution="exponential", utilization_pct=50, duration_s=120),
    Scenario("sync-exp-70", **_SYNC4, distribution="exponential", utilization_pct=70, duration_s=120),
    Scenario("sync-exp-85", **_SYNC4, distribution="exponential", utilization_pct=85, duration_s=120),
    Scenario("sync-exp-85-seed2", **_SYNC4, distribution="exponential", utilization_pct=85, duration_s=120, seed=2),
    Scenario("sync-exp-85-seed3", **_SYNC4, distribution="exponential", utilization_pct=85, duration_s=120, seed=3),
    Scenario("sync-exp-92", **_SYNC4, distribution="exponential", utilization_pct=92, duration_s=240),
    Scenario("sync-lognormal-70", **_SYNC4, **_LOGNORMAL, utilization_pct=70, duration_s=120),
    Scenario("sync-lognormal-85", **_SYNC4, **_LOGNORMAL, utilization_pct=85, duration_s=120),
    Scenario("sync-fixed-85", **_SYNC4, distribution="fixed", utilization_pct=85, duration_s=120),
    Scenario("gthread-2x2-exp-50", **_GTHREAD, distribution="exponential", utilization_pct=50, duration_s=120),
    Scenario("gthread-2x2-exp-70", **_GTHREAD, distribution="exponential", utilization_pct=70, duration_s=120),
    Scenario("gthread-1x4-exp-70", worker_class="gthread", workers=1, threads=4, distribution="exponential",
             utilization_pct=70, duration_s=120),
)
# Under three minutes with the server starts, calibrations and predictions (2 min 40 s on a busy 2-core VM).
# No 85 % run: at 85 % busy a run's median scatters by ±20 % over a minute (the finite-run range says so),
# too much to check a model with.
QUICK = _set(
    Scenario("sync-exp-50", **_SYNC4, distribution="exponential", utilization_pct=50, duration_s=25),
    Scenario("sync-exp-70", **_SYNC4, distribution="exponential", utilization_pct=70, duration_s=65),
    Scenario("gthread-2x2-exp-70", **_GTHREAD, distribution="exponential", utilization_pct=70, duration_s=40),
)
