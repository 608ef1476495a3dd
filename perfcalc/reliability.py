"""Reliability and load testing: error budgets, burn rates, virtual users.

Sources: B. Beyer et al., *The Site Reliability Workbook*, O'Reilly 2018,
ch. 5 "Alerting on SLOs" (burn rate; 2 % of a 30-day budget in one hour is a
burn rate of 14.4). k6 documentation, "Open and closed models" and the
constant-arrival-rate executor. G. Tene, "How NOT to measure latency"
(coordinated omission in closed-loop load generators).
"""

from __future__ import annotations

from .rounding import ceil_whole

__all__ = ["error_budget", "burn_rate", "closed_model_users", "open_model_users"]


def error_budget(slo_pct: float, window_days: float, requests_per_window: float) -> tuple[float, float, float]:
    """The error budget of an availability SLO: 100 − SLO, in time and requests.

    Returns ``(error_budget_pct, allowed_downtime_min, allowed_failed_requests)``.
    Downtime assumes failure is total while it lasts; for a request-based SLO
    the request count is the budget that matters.

    99.9 % over 30 days: 43.2 minutes, or one request in a thousand.

    >>> b, minutes, failed = error_budget(99.9, 30, 10_000_000)
    >>> round(b, 6), round(minutes, 6), round(failed)
    (0.1, 43.2, 10000)
    """
    budget = 100.0 - slo_pct
    return budget, budget / 100.0 * window_days * 24 * 60, budget / 100.0 * requests_per_window


def burn_rate(error_rate_pct: float, slo_pct: float) -> float:
    """How fast errors spend the budget: error rate / (100 − SLO).

    1 spends exactly the budget over the window; 14.4 spends a 30-day
    budget's 2 % in one hour, the Workbook's fast-burn page threshold.

    >>> round(burn_rate(1.44, 99.9), 6)
    14.4
    """
    return error_rate_pct / (100.0 - slo_pct)


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
