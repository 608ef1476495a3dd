"""Reliability and load-testing models: error budgets, burn rates, virtual users."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfcalc import calculate


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


@settings(max_examples=200, deadline=None)
@given(slo=st.floats(50, 99.9999), err=st.floats(0, 100), days=st.floats(1, 365), hours=st.floats(0.1, 720))
def test_slo_invariants(slo, err, days, hours):
    o = calculate("slo", slo_pct=slo, error_rate_pct=err, window_days=days, alert_window_hours=hours).outputs
    assert o["error_budget_pct"] == pytest.approx(100 - slo)
    if o["hours_to_exhaustion"] is not None:
        # Spending at the burn rate for hours_to_exhaustion consumes exactly the budget.
        assert o["burn_rate"] * o["hours_to_exhaustion"] == pytest.approx(days * 24, rel=1e-9)


def test_load_test_counts_ignore_float_noise():
    """1.1 requests/s for 30 million seconds is 33,000,000 requests; floats say 33000000.000000004."""
    assert 1.1 * 30_000_000 > 33_000_000
    assert calculate("load-test", target_rps=1.1, duration_s=30_000_000).outputs["total_requests"] == 33_000_000


def test_a_trickle_still_needs_one_user():
    """One request in a million seconds at 6 µs each: ⌈6e-12⌉ is one user, not zero."""
    o = calculate("load-test", target_rps=1e-6, response_time_ms=0.006, think_time_ms=0, duration_s=1_000_000).outputs
    assert (o["virtual_users"], o["open_model_vus"], o["total_requests"]) == (1, 1, 1)
