"""The warnings several calculators give, worded once; each quotes its threshold from the constant itself.

A calculator's ``warn`` decides when a warning applies (comparing a result
with a named threshold); these functions only word it, so the same condition
reads the same in every calculator, and a threshold changed beside its model
changes every sentence that quotes it.
"""

from __future__ import annotations

from ..format import significant
from ..queueing import EXPONENTIAL_P99_TO_MEAN, HIGH_UTILIZATION_PCT, MAX_WORKERS_SEARCHED
from ..simulation import WIDE_INTERVAL_SHARE

__all__ = ["overload_warning", "high_utilization_warning", "split_queues_warning", "wide_interval_warning",
           "p99_floor_warning", "workers_searched_warning"]


def overload_warning(arrivals: str, load: float, workers: int, consequence: str) -> str:
    """The words for a pool that cannot keep up: what arrives, the busy workers it needs, what follows.

    >>> overload_warning("90 requests/s", 5.4, 5, "Waits grow without bound.")
    'Overloaded: 90 requests/s need 5.40 busy workers on average but there are 5. Waits grow without bound.'
    """
    return f"Overloaded: {arrivals} need {load:.2f} busy workers on average but there are {workers}. {consequence}"


def high_utilization_warning(consequence: str, tier: str | None = None) -> str:
    """Busier than :data:`perfcalc.queueing.HIGH_UTILIZATION_PCT`: the pool's, or one ``tier``'s, and what it costs.

    >>> high_utilization_warning("small increases in load now cost a lot of latency.")
    'Utilisation is above 80 %: small increases in load now cost a lot of latency.'
    >>> high_utilization_warning("the knee is near.", tier="gunicorn")
    'gunicorn is above 80 % busy: the knee is near.'
    """
    if tier is None:
        return f"Utilisation is above {HIGH_UTILIZATION_PCT:g} %: {consequence}"
    return f"{tier} is above {HIGH_UTILIZATION_PCT:g} % busy: {consequence}"


def split_queues_warning(tier, how: str, then: str) -> str:
    """A tier whose processes each queue their own requests, modelled as an even split: the best case.

    ``then`` follows "Linux hands most new connections to one process".

    >>> from perfcalc.networks import parse_tiers
    >>> split_queues_warning(parse_tiers("gunicorn:20:2x4")[0], "evenly", ".")
    "gunicorn's 2 processes each queue their own requests, split evenly here: the best case. On an idle host Linux \
hands most new connections to one process."
    """
    return (f"{tier.name}'s {tier.processes} processes each queue their own requests, split {how} here: the best "
            f"case. On an idle host Linux hands most new connections to one process{then}")


def wide_interval_warning(advice: str) -> str:
    """A p99 whose interval is wider than :data:`perfcalc.simulation.WIDE_INTERVAL_SHARE` of it, and what to do.

    >>> wide_interval_warning("simulate more requests.")
    "The p99's 95 % interval is wider than ±10 % of it: simulate more requests."
    """
    return f"The p99's 95 % interval is wider than ±{significant(WIDE_INTERVAL_SHARE * 100)} % of it: {advice}"


def p99_floor_warning(target_ms: float, floor_ms: float, what: str) -> str:
    """No pool meets a p99 below the service time's own (ln 100 ≈ 4.6 times the mean, exponential).

    >>> text = p99_floor_warning(100, 230.26, "workers")
    >>> text[:44], "alone is 230.3 ms (4.6 × the mean)" in text
    ('No number of workers meets a p99 of 100 ms: ', True)
    """
    return (f"No number of {what} meets a p99 of {target_ms:g} ms: with exponential service times the p99 of "
            f"service alone is {floor_ms:.1f} ms ({EXPONENTIAL_P99_TO_MEAN:.1f} × the mean). Only faster service "
            "helps, unless your service times are steadier than exponential: check the target with the simulation "
            "(simulate) and your measured p99.")


def workers_searched_warning(target: str) -> str:
    """A target no pool of up to :data:`perfcalc.queueing.MAX_WORKERS_SEARCHED` workers meets.

    >>> workers_searched_warning("p99 wait target")
    'Meeting the p99 wait target needs more than 100,000 workers.'
    """
    return f"Meeting the {target} needs more than {MAX_WORKERS_SEARCHED:,} workers."
