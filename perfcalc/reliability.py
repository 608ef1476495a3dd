"""Reliability and load testing: error budgets, burn rates, virtual users.

Sources: B. Beyer et al., *The Site Reliability Workbook*, O'Reilly 2018,
ch. 5 "Alerting on SLOs" (burn rate; page when 2 % of the budget goes in one
hour, a burn rate of 14.4 for a 30-day window; ticket when 10 % goes in three
days, a burn rate of 1). k6 documentation, "Open and closed models", the
constant-arrival-rate executor and "Dropped iterations". G. Tene, "How NOT to
measure latency" (coordinated omission: a measurement error, distinct from
the closed model's falling load; see :func:`closed_model_users`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .rounding import ceil_whole

__all__ = [
    "PAGE_BUDGET_PCT",
    "PAGE_WINDOW_HOURS",
    "SLOW_PAGE_BUDGET_PCT",
    "SLOW_PAGE_WINDOW_HOURS",
    "TICKET_BUDGET_PCT",
    "TICKET_WINDOW_HOURS",
    "SUSTAINABLE_BURN_RATE",
    "ErrorBudget",
    "LoadTest",
    "SLOBudget",
    "budget_pct",
    "error_budget",
    "burn_rate",
    "alert_burn_rate",
    "slo_budget",
    "closed_model_users",
    "open_model_users",
    "load_test",
]

# The Workbook's alerts, as shares of the budget spent within an alert window
# (Beyer et al. 2018, ch. 5, table 5-8, for a 30-day SLO): page when 2 % goes
# in one hour (burn rate 0.02 × 720 h / 1 h = 14.4) or 5 % in six hours
# (0.05 × 720 h / 6 h = 6); open a ticket when 10 % goes in three days
# (0.10 × 720 h / 72 h = 1). The same shares give other windows their rates.
PAGE_BUDGET_PCT = 2.0
PAGE_WINDOW_HOURS = 1.0
SLOW_PAGE_BUDGET_PCT = 5.0
SLOW_PAGE_WINDOW_HOURS = 6.0
TICKET_BUDGET_PCT = 10.0
TICKET_WINDOW_HOURS = 72.0
# Burn rate 1 spends exactly the budget over the window; above it, the
# budget runs out first.
SUSTAINABLE_BURN_RATE = 1.0


class ErrorBudget(NamedTuple):
    error_budget_pct: float
    allowed_downtime_min: float
    allowed_failed_requests: float


def budget_pct(slo_pct: float) -> float:
    """100 − SLO, in %, as the SLO was written: exact for any number of nines.

    A float holds 99.9 as 99.900000000000005684…, so ``100 - 99.9`` is
    0.09999999999999432 and each further nine loses a digit more: with
    fifteen significant digits, 100 − 99.9999999999999 is 9.95e-14, half a
    percent off 1e-13, and every burn rate with it. The SLO was typed (or
    written) in decimal, and the shortest decimal that reads back as the
    same float (``repr``) is what was typed whenever it had at most 15
    significant digits (IEEE 754 doubles keep 15; Python's ``repr`` is the
    shortest round-trip form since 3.1), so the subtraction is done on that
    decimal, exactly, and rounded once.

    >>> 100 - 99.9999999999999, budget_pct(99.9999999999999), budget_pct(99.9), budget_pct(99.95)
    (9.947598300641403e-14, 1e-13, 0.1, 0.05)
    """
    return float(100 - _typed(slo_pct))


def _typed(pct: float):
    """A percentage as the decimal it was typed as: the shortest decimal that reads back as the same float."""
    from decimal import Decimal  # here, not at the top: the browser imports perfcalc on start

    return Decimal(repr(float(pct)))


def error_budget(slo_pct: float, window_days: float, requests_per_window: float) -> ErrorBudget:
    """The error budget of an availability SLO: 100 − SLO, in time and requests.

    Downtime assumes failure is total while it lasts; for a request-based SLO
    the request count is the budget that matters.

    99.9 % over 30 days: 43.2 minutes, or one request in a thousand.

    >>> b, minutes, failed = error_budget(99.9, 30, 10_000_000)
    >>> b, round(minutes, 6), round(failed)
    (0.1, 43.2, 10000)
    """
    budget = budget_pct(slo_pct)
    return ErrorBudget(budget, budget / 100.0 * window_days * 24 * 60, budget / 100.0 * requests_per_window)


def burn_rate(error_rate_pct: float, slo_pct: float) -> float:
    """How fast errors spend the budget: error rate / (100 − SLO).

    1 spends exactly the budget over the window; 14.4 spends a 30-day
    budget's 2 % in one hour, the Workbook's fast-burn page threshold for
    that window (:func:`alert_burn_rate` for others).

    Both are percentages as typed, so the ratio is taken on their decimal
    forms (see :func:`budget_pct`): 0.6 % against a 99.9 % SLO burns at 6
    exactly, not at 5.999999999999999, and a rate typed at a threshold is at
    it.

    >>> burn_rate(1.44, 99.9), burn_rate(0.6, 99.9), 0.6 / (100 - 99.9)
    (14.4, 6.0, 6.000000000000341)
    """
    return float(_typed(error_rate_pct) / (100 - _typed(slo_pct)))


def alert_burn_rate(budget_pct: float, alert_window_hours: float, window_days: float) -> float:
    """The burn rate that spends a share of the budget within an alert window.

    A burn rate b spends b × t / T of the budget in t hours of a T-hour
    window, so spending a share f in t hours takes b = f × T / t. The
    Workbook's thresholds are shares in fixed alert windows, so their burn
    rates scale with the SLO window: the 30-day page at 14.4 is 3.36 for a
    7-day window.

    Source: Beyer et al. (2018), ch. 5, "Alerting on SLOs".

    Computed on the inputs' decimal forms, like :func:`burn_rate`, so that a
    burn rate typed at a threshold is at it (5 % in six hours of 28 days is
    5.6, not 5.6000000000000005).

    >>> alert_burn_rate(2, 1, 30), alert_burn_rate(10, 72, 30), alert_burn_rate(2, 1, 7), alert_burn_rate(5, 6, 28)
    (14.4, 1.0, 3.36, 5.6)
    """
    return float(_typed(budget_pct) / 100 * _typed(window_days) * 24 / _typed(alert_window_hours))


class SLOBudget(NamedTuple):
    error_budget_pct: float
    allowed_downtime_min: float
    allowed_failed_requests: float
    burn_rate: float
    budget_consumed_pct: float
    hours_to_exhaustion: float
    page_burn_rate: float
    ticket_burn_rate: float


def slo_budget(
    slo_pct: float,
    window_days: float,
    requests_per_window: float,
    error_rate_pct: float,
    alert_window_hours: float,
) -> SLOBudget:
    """An SLO's error budget, what the current error rate does to it, and when to alert.

        B = 100 − SLO      burn = e / B
        spent in the alert window = burn × t_alert / t_window
        exhausted after t_window / burn hours
        page at 0.02 × t_window / 1 h      ticket at 0.10 × t_window / 72 h

    With no errors the budget is never exhausted (``inf``). The paging and
    ticket thresholds are the Workbook's shares of the budget (2 % in an
    hour, 10 % in three days) as burn rates for this window
    (:func:`alert_burn_rate`).

    Source: Beyer et al. (2018), ch. 5.

    The Workbook's numbers: 99.9 % over 30 days with 1.44 % of requests
    failing burns at 14.4, spends 2 % of the budget in an hour, has none
    left after 50 hours, and pages:

    >>> r = slo_budget(99.9, 30, 10_000_000, 1.44, 1)
    >>> round(r.burn_rate, 6), round(r.budget_consumed_pct, 6), round(r.hours_to_exhaustion, 6)
    (14.4, 2.0, 50.0)
    >>> round(r.page_burn_rate, 6), round(r.ticket_burn_rate, 6)
    (14.4, 1.0)

    Over a 7-day window, 2 % of the budget in an hour is a burn rate of 3.36:

    >>> round(slo_budget(99.9, 7, 10_000_000, 0.5, 1).page_burn_rate, 6)
    3.36
    """
    budget, downtime, failed = error_budget(slo_pct, window_days, requests_per_window)
    rate = burn_rate(error_rate_pct, slo_pct)
    window_h = window_days * 24.0
    return SLOBudget(budget, downtime, failed, rate, 100.0 * rate * alert_window_hours / window_h,
                     window_h / rate if rate > 0 else math.inf,
                     alert_burn_rate(PAGE_BUDGET_PCT, PAGE_WINDOW_HOURS, window_days),
                     alert_burn_rate(TICKET_BUDGET_PCT, TICKET_WINDOW_HOURS, window_days))


def closed_model_users(target_rps: float, response_time_ms: float, think_time_ms: float) -> int:
    """Virtual users a closed-loop load test needs to offer ``target_rps``.

    Each user loops: request (R), then think (Z). By Little's law applied to
    the loop, N = X·(R + Z). The target is reached only while R holds: if
    the system slows to R′, the same N users offer N / (R′ + Z), less load
    exactly when the system struggles. That is the closed model working as
    designed (a fixed population waits for its answers), not a measurement
    error; the shorter Z is against R, the larger the fall.

    Coordinated omission is a different fault, in the measurement: latency
    timed from when a request was sent rather than from when it was due, so
    the requests a stalled system held back are never recorded. Closed-loop
    generators driven at an intended rate suffer from it (ab, wrk, JMeter
    thread groups); k6's arrival-rate executors avoid it only while they
    have free VUs and count what they could not start as
    ``dropped_iterations``; wrk2 and HdrHistogram's expected-interval
    correction time each request from its scheduled start.

    200 requests/s at 150 ms with 1 s of think time: 230 users.

    >>> closed_model_users(200, 150, 1000)
    230
    """
    return ceil_whole(target_rps * (response_time_ms + think_time_ms) / 1000.0)


def open_model_users(target_rps: float, response_time_ms: float) -> int:
    """Virtual users an open-model (arrival-rate) test must have in flight: X·R.

    An open model starts requests on a schedule whatever the responses do;
    the tool needs enough VUs for the requests in flight at once. This is
    the mean: pre-allocate for the response time under stress (p99, or the
    timeout), because an arrival-rate executor with no free VU drops the
    iteration instead of sending it late.

    >>> open_model_users(200, 150)
    30
    """
    return ceil_whole(target_rps * response_time_ms / 1000.0)


class LoadTest(NamedTuple):
    virtual_users: int
    open_model_vus: int
    total_requests: int


def load_test(target_rps: float, response_time_ms: float, think_time_ms: float, duration_s: float) -> LoadTest:
    """Size a load test: users for a closed model, VUs for an open one, requests in the run.

        N_closed = ⌈X·(R + Z)⌉      N_open = ⌈X·R⌉      requests = ⌈X·D⌉

    Little's law applied to the test loop (:func:`closed_model_users`,
    :func:`open_model_users`).

    Source: k6 documentation, "Open and closed models".

    100 requests/s at 200 ms with 800 ms of think time, for a minute:

    >>> load_test(100, 200, 800, 60)
    LoadTest(virtual_users=100, open_model_vus=20, total_requests=6000)
    """
    return LoadTest(closed_model_users(target_rps, response_time_ms, think_time_ms),
                    open_model_users(target_rps, response_time_ms), ceil_whole(target_rps * duration_s))
