"""Reliability and load-testing models: error budgets, burn rates, virtual users."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfcalc import calculate, reliability


def test_load_test_littles_law():
    o = calculate("load-test", target_rps=100, response_time_ms=200, think_time_ms=800, duration_s=60).outputs
    assert o == {"virtual_users": 100, "open_model_vus": 20, "total_requests": 6000}


def test_slo_workbook_numbers():
    """SRE Workbook ch. 5: a 99.9 % SLO over 30 days; burn rate 14.4 spends 2 % in 1 h."""
    o = calculate("slo", slo_pct=99.9, window_days=30, error_rate_pct=1.44, alert_window_hours=1).outputs
    assert o["allowed_downtime_min"] == pytest.approx(43.2)
    assert o["burn_rate"] == pytest.approx(14.4)
    assert o["budget_consumed_pct"] == pytest.approx(2.0)
    assert o["hours_to_exhaustion"] == pytest.approx(50.0)
    assert calculate("slo", error_rate_pct=0).outputs["hours_to_exhaustion"] is None


@pytest.mark.parametrize("nines", range(1, 15))
def test_any_number_of_nines_leaves_the_budget_typed(nines):
    """99.9…9 % with k nines after the point leaves 10⁻ᵏ %, exactly: 100 − SLO in binary floating point would
    keep the input's representation error (99.9999999999999 is 99.99999999999990052… as a float, and
    100 minus it 9.95e-14, not 1e-13). Typed (a string, as the page and the CLI deliver it) or passed."""
    typed = "99." + "9" * nines
    budget = float(f"1e-{nines}")
    for slo in (typed, float(typed)):
        o = calculate("slo", slo_pct=slo, error_rate_pct=0.5, requests_per_window=10 ** 13).outputs
        assert o["error_budget_pct"] == budget
        assert o["burn_rate"] == 5 * 10 ** (nines - 1)
        assert o["allowed_failed_requests"] == pytest.approx(10 ** 11 * budget, rel=1e-15)
    assert reliability.burn_rate(0.5, float(typed)) == 5 * 10 ** (nines - 1)
    assert reliability.error_budget(float(typed), 30, 1).error_budget_pct == budget


def test_the_audits_fifteen_nines():
    """The audit's case: 99.9999999999999 % gives a budget of 1e-13 %, an allowance of 2.592e-9 minutes a month."""
    o = calculate("slo", slo_pct="99.9999999999999", window_days=30).outputs
    assert o["error_budget_pct"] == 1e-13
    assert o["allowed_downtime_min"] == pytest.approx(1e-15 * 30 * 24 * 60, rel=1e-15)


@settings(max_examples=200, deadline=None)
@given(slo=st.floats(50, 99.9999), err=st.floats(0, 100), days=st.floats(1, 365), hours=st.floats(0.1, 720))
def test_slo_invariants(slo, err, days, hours):
    o = calculate("slo", slo_pct=slo, error_rate_pct=err, window_days=days, alert_window_hours=hours).outputs
    assert o["error_budget_pct"] == pytest.approx(100 - slo)
    if o["hours_to_exhaustion"] is not None:
        # Spending at the burn rate for hours_to_exhaustion consumes exactly the budget.
        assert o["burn_rate"] * o["hours_to_exhaustion"] == pytest.approx(days * 24, rel=1e-9)


def test_load_test_model():
    """Little's law on the test loop: 100/s × (0.2 s + 0.8 s) = 100 users; 100/s × 0.2 s = 20 in flight."""
    assert reliability.load_test(100, 200, 800, 60) == (100, 20, 6000)
    assert reliability.load_test(1.5, 100, 0, 3).total_requests == 5  # 4.5 requests: the run starts a fifth


def test_load_test_counts_ignore_float_noise():
    """1.1 requests/s for 30 million seconds is 33,000,000 requests; floats say 33000000.000000004."""
    assert 1.1 * 30_000_000 > 33_000_000
    assert calculate("load-test", target_rps=1.1, duration_s=30_000_000).outputs["total_requests"] == 33_000_000


def test_total_requests_past_ten_million_carry_no_extra_request():
    """75,378.6 requests/s for 94,275 s is 7,106,317,515 requests (exact in decimals); floats give
    7106317515.000001, and the old guard ⌈x − 1e-9⌉ made that 7,106,317,516."""
    x = 75378.6 * 94275
    assert x > 7_106_317_515 and math.ceil(x - 1e-9) == 7_106_317_516  # the absolute guard it replaced
    o = calculate("load-test", target_rps=75378.6, duration_s=94275).outputs
    assert o["total_requests"] == 7_106_317_515


def test_a_trickle_still_needs_one_user():
    """One request in a million seconds at 6 µs each: ⌈6e-12⌉ is one user, not zero."""
    o = calculate("load-test", target_rps=1e-6, response_time_ms=0.006, think_time_ms=0, duration_s=1_000_000).outputs
    assert (o["virtual_users"], o["open_model_vus"], o["total_requests"]) == (1, 1, 1)


def test_slo_budget_model():
    """SRE Workbook ch. 5: 99.9 % over 30 days; 1.44 % errors burn at 14.4, 2 % of the budget an hour."""
    r = reliability.slo_budget(99.9, 30, 10_000_000, 1.44, 1)
    assert r.error_budget_pct == pytest.approx(0.1)
    assert r.allowed_downtime_min == pytest.approx(43.2)
    assert r.allowed_failed_requests == pytest.approx(10_000)
    assert r.burn_rate == pytest.approx(r.page_burn_rate) and r.page_burn_rate == pytest.approx(14.4)
    assert r.budget_consumed_pct == pytest.approx(2.0)
    assert r.hours_to_exhaustion == pytest.approx(50.0)
    assert reliability.slo_budget(99.9, 30, 10_000_000, 0, 1).hours_to_exhaustion == float("inf")


def test_thresholds_are_the_workbooks_for_a_30_day_window():
    """SRE Workbook ch. 5, for 30 days: page at 14.4 (2 % of the budget in one hour), ticket at 1
    (10 % in three days)."""
    o = calculate("slo", window_days=30).outputs
    assert o["page_burn_rate"] == pytest.approx(14.4) and o["ticket_burn_rate"] == pytest.approx(1.0)


def test_thresholds_follow_the_window():
    """2 % of a 7-day budget in one hour is a burn rate of 0.02 × 168 = 3.36, not 14.4; 10 % in three
    days is 0.1 × 168 / 72 = 0.233."""
    r = calculate("slo", slo_pct=99.9, window_days=7, error_rate_pct=0.5)  # burn rate 5
    assert r.outputs["page_burn_rate"] == pytest.approx(3.36)
    assert r.outputs["ticket_burn_rate"] == pytest.approx(0.1 * 168 / 72)
    assert r.warnings[0].startswith("Burn rate 5.00 is at or above the page threshold 3.36")


@settings(max_examples=200, deadline=None)
@given(days=st.floats(0.01, 3660), slo=st.floats(50, 99.999))
def test_page_threshold_spends_two_percent_in_an_hour(days, slo):
    """At the page threshold, one hour spends 2 % of the budget; at the ticket threshold, 72 hours spend 10 %."""
    page = calculate("slo", window_days=days, slo_pct=slo).outputs["page_burn_rate"]
    at_page = reliability.slo_budget(slo, days, 1000, page * (100 - slo), 1)
    assert at_page.budget_consumed_pct == pytest.approx(2.0, rel=1e-9)
    ticket = calculate("slo", window_days=days, slo_pct=slo).outputs["ticket_burn_rate"]
    at_ticket = reliability.slo_budget(slo, days, 1000, min(100.0, ticket * (100 - slo)), 72)
    if ticket * (100 - slo) <= 100:
        assert at_ticket.budget_consumed_pct == pytest.approx(10.0, rel=1e-9)


def test_slo_warnings_at_the_thresholds():
    at_page = calculate("slo", slo_pct=99.9, error_rate_pct=1.44)
    assert at_page.warnings == [
        "Burn rate 14.40 is at or above the page threshold 14.40 (2 % of the budget in one hour): page someone now.",
        "Burn rate above 1: the budget runs out before the window ends."]
    assert calculate("slo", slo_pct=99.9, error_rate_pct=0.2).warnings == [
        "Burn rate 2.00 is at or above the ticket threshold 1.00 (10 % of the budget in three days): open a ticket.",
        "Burn rate above 1: the budget runs out before the window ends."]
    assert calculate("slo", slo_pct=99.9, error_rate_pct=0.09).warnings == []


def test_slo_warns_of_the_slower_page_between_the_two_rates():
    """Workbook table 5-8: 5 % of the budget in six hours pages too (burn rate 6 for 30 days, 5.6 for 28)."""
    assert calculate("slo", slo_pct=99.9, error_rate_pct=0.6).warnings[0] == (
        "Burn rate 6.00 is at or above the slower page threshold 6.00 (5 % of the budget in six hours): "
        "page someone once it has lasted six hours.")
    assert calculate("slo", slo_pct=99.9, error_rate_pct=0.59).warnings[0].startswith("Burn rate 5.90 is at or above "
                                                                                      "the ticket threshold")
    # A 90 % SLO in a total outage burns at 10: under the 1-hour page (14.4), over the 6-hour one.
    assert "slower page threshold" in calculate("slo", slo_pct=90, error_rate_pct=100).warnings[0]
    four_weeks = calculate("slo", slo_pct=99.9, window_days=28, error_rate_pct=0.56).warnings[0]
    assert four_weeks.startswith("Burn rate 5.60 is at or above the slower page threshold 5.60")
    at_six = reliability.slo_budget(99.9, 30, 1000, 0.6, 6)
    assert at_six.budget_consumed_pct == pytest.approx(reliability.SLOW_PAGE_BUDGET_PCT)
