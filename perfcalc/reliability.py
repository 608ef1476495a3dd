"""Reliability and load testing: error budgets, burn rates, virtual users.

Sources: B. Beyer et al., *The Site Reliability Workbook*, O'Reilly 2018,
ch. 5 "Alerting on SLOs" (burn rate; 2 % of a 30-day budget in one hour is a
burn rate of 14.4). k6 documentation, "Open and closed models" and the
constant-arrival-rate executor. G. Tene, "How NOT to measure latency"
(coordinated omission in closed-loop load generators).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .rounding import ceil_whole

__all__ = [
    "PAGE_BURN_RATE",
    "SUSTAINABLE_BURN_RATE",
    "ErrorBudget",
    "LoadTest",
    "SLOBudget",
    "error_budget",
    "burn_rate",
    "slo_budget",
    "closed_model_users",
    "open_model_users",
    "load_test",
]

# The Workbook's fast-burn page: 2 % of a 30-day budget spent in one hour,
# 0.02 × 720 h = 14.4 (Beyer et al. 2018, ch. 5).
PAGE_BURN_RATE = 14.4
# Burn rate 1 spends exactly the budget over the window; above it, the
# budget runs out first.
SUSTAINABLE_BURN_RATE = 1.0


class ErrorBudget(NamedTuple):
    error_budget_pct: float
    allowed_downtime_min: float
    allowed_failed_requests: float


def error_budget(slo_pct: float, window_days: float, requests_per_window: float) -> ErrorBudget:
    """The error budget of an availability SLO: 100 − SLO, in time and requests.

    Downtime assumes failure is total while it lasts; for a request-based SLO
    the request count is the budget that matters.

    99.9 % over 30 days: 43.2 minutes, or one request in a thousand.

    >>> b, minutes, failed = error_budget(99.9, 30, 10_000_000)
    >>> round(b, 6), round(minutes, 6), round(failed)
    (0.1, 43.2, 10000)
    """
    budget = 100.0 - slo_pct
    return ErrorBudget(budget, budget / 100.0 * window_days * 24 * 60, budget / 100.0 * requests_per_window)


def burn_rate(error_rate_pct: float, slo_pct: float) -> float:
    """How fast errors spend the budget: error rate / (100 − SLO).

    1 spends exactly the budget over the window; 14.4 spends a 30-day
    budget's 2 % in one hour, the Workbook's fast-burn page threshold.

    >>> round(burn_rate(1.44, 99.9), 6)
    14.4
    """
    return error_rate_pct / (100.0 - slo_pct)


class SLOBudget(NamedTuple):
    error_budget_pct: float
    allowed_downtime_min: float
    allowed_failed_requests: float
    burn_rate: float
    budget_consumed_pct: float
    hours_to_exhaustion: float


def slo_budget(
    slo_pct: float,
    window_days: float,
    requests_per_window: float,
    error_rate_pct: float,
    alert_window_hours: float,
) -> SLOBudget:
    """An SLO's error budget, and what the current error rate does to it.

        B = 100 − SLO      burn = e / B
        spent in the alert window = burn × t_alert / t_window
        exhausted after t_window / burn hours

    With no errors the budget is never exhausted (``inf``).

    Source: Beyer et al. (2018), ch. 5.

    The Workbook's numbers: 99.9 % over 30 days with 1.44 % of requests
    failing burns at 14.4, spends 2 % of the budget in an hour, and has
    none left after 50 hours:

    >>> r = slo_budget(99.9, 30, 10_000_000, 1.44, 1)
    >>> round(r.burn_rate, 6), round(r.budget_consumed_pct, 6), round(r.hours_to_exhaustion, 6)
    (14.4, 2.0, 50.0)
    """
    budget, downtime, failed = error_budget(slo_pct, window_days, requests_per_window)
    rate = burn_rate(error_rate_pct, slo_pct)
    window_h = window_days * 24.0
    return SLOBudget(budget, downtime, failed, rate, 100.0 * rate * alert_window_hours / window_h,
                     window_h / rate if rate > 0 else math.inf)


def closed_model_users(target_rps: float, response_time_ms: float, think_time_ms: float) -> int:
    """Virtual users a closed-loop load test needs to offer ``target_rps``.

    Each user loops: request (R), then think (Z). By Little's law applied to
    the loop, N = X·(R + Z). If the system slows down, a closed model sends
    less load (coordinated omission), so the target is reached only while R
    holds.

    200 requests/s at 150 ms with 1 s of think time: 230 users.

    >>> closed_model_users(200, 150, 1000)
    230
    """
    return ceil_whole(target_rps * (response_time_ms + think_time_ms) / 1000.0)


def open_model_users(target_rps: float, response_time_ms: float) -> int:
    """Virtual users an open-model (arrival-rate) test must have in flight: X·R.

    An open model starts requests on a schedule whatever the responses do;
    the tool needs enough VUs for the requests in flight at once.

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
