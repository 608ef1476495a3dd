"""Reliability and load-testing calculators: load-test, slo (models in :mod:`perfcalc.reliability`)."""

from __future__ import annotations

from ..reliability import (SLOW_PAGE_BUDGET_PCT, SLOW_PAGE_WINDOW_HOURS, SUSTAINABLE_BURN_RATE, alert_burn_rate,
                           load_test, slo_budget)
from ..spec import Calculator, Field, Output
from .fields import (MAX_PCT, MAX_POOL_RPS, MAX_WINDOW_DAYS, MAX_WINDOW_HOURS, MAX_YEAR_S, MIN_WINDOW_DAYS,
                     MIN_WINDOW_HOURS, ms, pct, rate, requests)

LOAD_TEST = Calculator(
    id="load-test",
    title="Load test sizing",
    summary="Virtual users for a target rate in closed and open models, and the requests a run sends.",
    fields=(
        rate("target_rps", "Target rate", default=200.0, maximum=MAX_POOL_RPS),
        ms("response_time_ms", "Expected response time", default=150.0, help="Mean response time at the target rate."),
        ms("think_time_ms", "Think time", default=1000.0, help="Pause between a user's requests (closed model).",
           minimum=0.0),
        Field("duration_s", "Duration", unit="s", default=600.0, minimum=1.0, maximum=MAX_YEAR_S),
    ),
    outputs=(
        Output("virtual_users", "Virtual users, closed model", unit="users", format="int"),
        Output("open_model_vus", "VUs in flight, open model", unit="users", format="int"),
        Output("total_requests", "Requests in the run", unit="requests", format="int"),
    ),
    model=load_test,
    assumptions="Little's law applied to the test loop, with mean response times. If the system slows down, the "
                "closed model's users offer less load (N / (R + Z) falls): a property of the model, so measure "
                "latency at a rate with an open-model (arrival-rate) executor. Coordinated omission is a separate "
                "measurement error (latency timed from when a request was sent, not when it was due); an open-model "
                "tool avoids it only while it has free VUs, so give it more than the mean figure here.",
    equations=(
        "N_{\\text{closed}} = \\bigl\\lceil X\\,(R + Z) \\bigr\\rceil\\qquad N_{\\text{open}} = \\lceil X R \\rceil\\qquad \\text{requests} = X\\,D",
    ),
)


def _slo_warnings(args, r):
    warnings = []
    slow_page = alert_burn_rate(SLOW_PAGE_BUDGET_PCT, SLOW_PAGE_WINDOW_HOURS, args["window_days"])
    if r.burn_rate >= r.page_burn_rate:
        warnings.append(f"Burn rate {r.burn_rate:.2f} is at or above the page threshold {r.page_burn_rate:.2f} "
                        "(2 % of the budget in one hour): page someone now.")
    elif r.burn_rate >= slow_page:
        warnings.append(f"Burn rate {r.burn_rate:.2f} is at or above the slower page threshold {slow_page:.2f} "
                        "(5 % of the budget in six hours): page someone once it has lasted six hours.")
    elif r.burn_rate >= r.ticket_burn_rate:
        warnings.append(f"Burn rate {r.burn_rate:.2f} is at or above the ticket threshold {r.ticket_burn_rate:.2f} "
                        "(10 % of the budget in three days): open a ticket.")
    if r.burn_rate > SUSTAINABLE_BURN_RATE:
        warnings.append("Burn rate above 1: the budget runs out before the window ends.")
    return warnings


SLO = Calculator(
    id="slo",
    title="SLO error budget and burn rate",
    summary="What an availability target allows, and how fast the current error rate spends it.",
    fields=(
        Field("slo_pct", "SLO", unit="%", default=99.9, minimum=0.0, maximum=MAX_PCT, exclusive_maximum=True,
              help="Share of requests that must succeed, e.g. 99.9."),
        Field("window_days", "SLO window", unit="days", default=30.0, minimum=MIN_WINDOW_DAYS, maximum=MAX_WINDOW_DAYS),
        requests("requests_per_window", "Requests in the window"),
        pct("error_rate_pct", "Current error rate", default=0.5, help="Share of requests failing now."),
        Field("alert_window_hours", "Alert window", unit="hours", default=1.0, minimum=MIN_WINDOW_HOURS, maximum=MAX_WINDOW_HOURS,
              help="How long the current error rate is assumed to last."),
    ),
    outputs=(
        Output("error_budget_pct", "Error budget", unit="%", format="pct", decimals=3),
        Output("allowed_downtime_min", "Allowed full downtime", unit="min", decimals=1),
        Output("allowed_failed_requests", "Allowed failed requests", unit="requests", format="int"),
        Output("burn_rate", "Burn rate", unit="×", decimals=2),
        Output("budget_consumed_pct", "Budget spent in the alert window", unit="%", format="pct", decimals=2),
        Output("hours_to_exhaustion", "Budget exhausted in", unit="hours", decimals=1, none="unbounded"),
        Output("page_burn_rate", "Page at burn rate", unit="×", decimals=2,
               help="Spends 2 % of this window's budget in one hour (14.4 for 30 days)."),
        Output("ticket_burn_rate", "Ticket at burn rate", unit="×", decimals=2,
               help="Spends 10 % of this window's budget in three days (1 for 30 days)."),
    ),
    model=slo_budget,
    warn=_slo_warnings,
    assumptions="Request-based SLO: budget = 100 − SLO; burn rate = error rate / budget. Downtime assumes total "
                "outage; a partial outage spends the budget more slowly. Alert thresholds are the SRE Workbook's "
                "shares of the budget (2 % in an hour or 5 % in six hours to page, 10 % in three days for a "
                "ticket) as burn rates for this window.",
    equations=(
        "B = 100 - \\text{SLO}\\qquad \\text{burn} = \\frac{e}{B}",
        "\\text{spent} = \\text{burn} \\cdot \\frac{t_{\\text{alert}}}{t_{\\text{window}}}\\qquad t_{\\text{exhausted}} = \\frac{t_{\\text{window}}}{\\text{burn}}",
        "\\text{page} = 0.02 \\cdot \\frac{t_{\\text{window}}}{1\\,\\text{h}}\\qquad \\text{ticket} = 0.10 \\cdot \\frac{t_{\\text{window}}}{72\\,\\text{h}}",
    ),
)
