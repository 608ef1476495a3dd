"""The warnings several calculators give, worded once; each quotes its threshold from the constant itself.

A calculator's ``warn`` decides when a warning applies (comparing a result
with a named threshold); these functions only word it, so the same condition
reads the same in every calculator, and a threshold changed beside its model
changes every sentence that quotes it.
"""

from __future__ import annotations

from ..format import significant
from ..queueing import EXPONENTIAL_P99_TO_MEAN, HIGH_UTILIZATION_PCT, MAX_WORKERS_SEARCHED
from ..simulation import BURST_LOAD, INTERVAL_RELAXATIONS, WIDE_INTERVAL_SHARE

__all__ = ["overload_warning", "high_utilization_warning", "split_queues_warning", "wide_interval_warning",
           "no_interval_warning",
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


def no_interval_warning(plan, where: str, cv: float, burst_load_pct: float, max_requests: int,
                        more: str = "workers") -> str:
    """Why a simulation's p99 comes without an interval (:func:`perfcalc.simulation.plan_run`'s rule), and what would give one.

    ``plan`` has :class:`~perfcalc.simulation.RunPlan`'s fields (a plan, or simulate's result, which carries
    them). ``where`` names the queue and how busy it is ("at 95.0 % busy"); ``burst_load_pct`` the load two long
    requests leave on the queue's other servers (∞ for one or two); ``more`` what to add (workers, servers).

    >>> from perfcalc.simulation import plan_run
    >>> no_interval_warning(plan_run(20_000, 162.0, False), "at 90.0 % busy", 1.0, 0.0, 100_000)[:64]
    'No interval for the p99: at 90.0 % busy the queue swings slowly '
    """
    if plan.interval_rule == "bursts":
        if burst_load_pct == float("inf"):
            held = f"with one or two {more}, a long request or two hold them all"
        else:
            held = (f"two long requests holding {more} at once leave the others {burst_load_pct:.0f} % busy "
                    f"(over {BURST_LOAD * 100:.0f} %)")
        return (f"No interval for the p99: with service times this variable (cv {cv:.2f}), {held}, so "
                "the p99 is set by rare episodes of several long requests together, and "
                f"{plan.kept_requests:,} requests see too few of them to measure their own error (such intervals "
                "held the true p99 in as few as 80 % of seeds). The figure is one run's: other seeds show how much "
                f"it moves. More {more} or less load bring the interval back.")
    if plan.interval_requests <= max_requests:
        remedy = f"Simulate at least {plan.interval_requests:,} requests for one."
    else:
        remedy = (f"No run this calculator can simulate ({max_requests:,} requests) is long enough for one at this "
                  f"load: less load or more {more} would do it.")
    return (f"No interval for the p99: {where} the queue swings slowly (it takes about "
            f"{plan.relaxation_requests:,.0f} requests to forget its state), and {plan.kept_requests:,} requests "
            f"after the warm-up are too few to bound the p99's error (an interval needs about "
            f"{INTERVAL_RELAXATIONS:,} times that, as the coverage tests measured). The figure is one run's. {remedy}")


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
