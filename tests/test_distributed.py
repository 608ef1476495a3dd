"""Fan-out and retries: the published figures, invariants, and a simulation of layered retries."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfcalc import PerfcalcError, calculate, charts, distributed


def test_fan_out_tail_at_scale_figures():
    """Dean & Barroso, "The Tail at Scale" (CACM 2013): a server slow (over 1 s) 1 % of the time, with a
    request waiting for 100 of them, makes 63 % of requests slow; one in 10,000 slow servers, 2,000 per
    request, make "almost one in five" requests slow (18.1 %)."""
    assert calculate("fan-out", calls=100, per_call_slow_pct=1).outputs["request_slow_pct"] == pytest.approx(63.4, abs=0.05)
    assert calculate("fan-out", calls=2000, per_call_slow_pct=0.01).outputs["request_slow_pct"] == pytest.approx(
        18.1, abs=0.05)


def test_fan_out_per_call_target():
    """For 1 % slow requests over 100 calls, each call may be slow 1 − 0.99^(1/100) = 0.01005 % of the time."""
    o = calculate("fan-out", calls=100, per_call_slow_pct=1, target_slow_pct=1).outputs
    assert o["per_call_slow_pct_needed"] == pytest.approx(100 * (1 - 0.99 ** (1 / 100)), rel=1e-12)
    assert distributed.fan_out(100, 1, 1).per_call_percentile_needed == pytest.approx(99.98995, abs=1e-5)


@settings(max_examples=200, deadline=None)
@given(p=st.floats(0, 100), t=st.floats(0, 100))
def test_fan_out_of_one_is_the_per_call_figure(p, t):
    o = distributed.fan_out(1, p, t)
    assert o.request_slow_pct == pytest.approx(p, rel=1e-12, abs=1e-12)
    assert o.per_call_slow_pct_needed == pytest.approx(t, rel=1e-12, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 100_000), p=st.floats(0, 100), t=st.floats(0, 99.9))
def test_fan_out_invariants(n, p, t):
    o = distributed.fan_out(n, p, t)
    # More calls are never faster; never below the per-call share; never above 100 %.
    assert p * (1 - 1e-12) - 1e-300 <= o.request_slow_pct <= 100.0
    assert distributed.fan_out(n + 1, p, t).request_slow_pct >= o.request_slow_pct * (1 - 1e-12)
    # The per-call share it asks for gives exactly the target back.
    assert distributed.fan_out(n, o.per_call_slow_pct_needed, t).request_slow_pct == pytest.approx(t, rel=1e-9,
                                                                                                   abs=1e-12)
    assert o.per_call_slow_pct_needed <= t * (1 + 1e-12)


def test_fan_out_warns_when_the_target_is_missed():
    (warning,) = calculate("fan-out", calls=20, per_call_slow_pct=1, target_slow_pct=1).warnings
    assert warning.startswith("18.2 % of requests are slow, above the 1 % target: each of the 20 calls may be slow "
                              "at most 0.0502 % of the time.")
    assert calculate("fan-out", calls=1, per_call_slow_pct=1, target_slow_pct=1).warnings == []


def test_errors_name_the_field_the_rule_and_the_value():
    for cid, inputs, message in [
        ("fan-out", {"calls": 0}, "calls must be a whole number from 1 to 100000, got 0"),
        ("fan-out", {"per_call_slow_pct": "101"}, "per_call_slow_pct must be a number from 0 to 100, got 101"),
        ("retries", {"max_retries": 21}, "max_retries must be a whole number from 0 to 20, got 21"),
        ("retries", {"layers": "two"}, "layers must be a whole number from 1 to 10, got 'two'"),
        ("retries", {"retry_budget_pct": "-5"},
         "retry_budget_pct must be a number from 0 to 100 (or left empty), got -5"),
    ]:
        with pytest.raises(PerfcalcError) as err:
            calculate(cid, **inputs)
        assert str(err.value) == message and err.value.field == next(iter(inputs))


def test_retries_sre_book_figures():
    """SRE book ch. 22: three layers each retrying 3 times (4 attempts) give 4³ = 64 attempts on an overloaded
    database; ch. 21's retry budget of 10 % of requests caps it at 1.1 per layer."""
    o = calculate("retries", base_rps=100, failure_pct=100, max_retries=3, layers=3, retry_budget_pct=10).outputs
    assert o["outage_amplification"] == 64 and o["outage_downstream_rps"] == pytest.approx(6400)
    assert o["attempts_per_request"] == pytest.approx(64) and o["success_pct"] == 0
    assert o["outage_amplification_with_budget"] == pytest.approx(1.1 ** 3)


def test_retries_one_layer_by_hand():
    """One layer, 3 retries, half the attempts failing: 1 + ½ + ¼ + ⅛ = 1.875 attempts, 1 − ½⁴ = 93.75 % succeed."""
    o = calculate("retries", base_rps=10, failure_pct=50, max_retries=3, layers=1).outputs
    assert o["attempts_per_request"] == 1.875 and o["downstream_rps"] == 18.75
    assert o["success_pct"] == pytest.approx(93.75, rel=1e-12)


def test_a_budget_cannot_add_retries():
    """With no retries a budget changes nothing; a budget above r retries per request allows r."""
    assert distributed.retries(100, 100, 0, 3, 10).outage_amplification_with_budget == 1.0
    assert distributed.retries(100, 100, 1, 2, 100).outage_amplification_with_budget == 4.0
    assert distributed.retries(100, 100, 3, 2).outage_amplification_with_budget is None


rates = st.floats(0.001, 1e6)


@settings(max_examples=200, deadline=None)
@given(base=rates, r=st.integers(0, 20), layers=st.integers(1, 10))
def test_retries_with_zero_failure_cost_nothing(base, r, layers):
    o = distributed.retries(base, 0.0, r, layers, 10.0)
    assert o.attempts_per_request == 1.0 and o.downstream_rps == base and o.success_pct == 100.0


@settings(max_examples=300, deadline=None)
@given(base=rates, p=st.floats(0, 100), r=st.integers(0, 20), layers=st.integers(1, 10))
def test_retries_invariants(base, p, r, layers):
    o = distributed.retries(base, p, r, layers)
    assert 1.0 <= o.attempts_per_request <= o.outage_amplification * (1 + 1e-12)
    assert o.outage_amplification == (r + 1) ** layers
    assert 0.0 <= o.success_pct <= 100.0
    # Retries never lower the success rate, and never beat a single attempt's failure rate raised to the attempts.
    if r == 0:
        assert o.attempts_per_request == 1.0 and o.success_pct == pytest.approx(100 - p, abs=1e-9)
    more = distributed.retries(base, p, r + 1, layers)
    assert more.success_pct >= o.success_pct * (1 - 1e-12)
    # A higher failure rate never means fewer attempts.
    worse = distributed.retries(base, min(100.0, p * 1.1 + 0.1), r, layers)
    assert worse.attempts_per_request >= o.attempts_per_request * (1 - 1e-12)


def _layered_attempts(rng, p, r, layer):
    """One call at this layer: (bottom attempts, succeeded), each layer retrying the one below up to r times."""
    attempts = 0
    for _ in range(r + 1):
        if layer == 0:
            attempts += 1
            ok = rng.random() >= p
        else:
            below, ok = _layered_attempts(rng, p, r, layer - 1)
            attempts += below
        if ok:
            return attempts, True
    return attempts, False


@pytest.mark.parametrize("p,r,layers", [(0.3, 2, 2), (0.6, 3, 2), (0.5, 1, 3)])
def test_retries_match_a_simulation_of_layered_retries(p, r, layers):
    """An independent check of the product formula (Wald's identity across layers)."""
    rng = random.Random(9)
    runs = [_layered_attempts(rng, p, r, layers - 1) for _ in range(60_000)]
    mean = sum(a for a, _ in runs) / len(runs)
    success = sum(ok for _, ok in runs) / len(runs)
    o = distributed.retries(1.0, 100 * p, r, layers)
    assert o.attempts_per_request == pytest.approx(mean, rel=0.02)
    assert o.success_pct / 100 == pytest.approx(success, abs=0.01)


def test_retries_warn_past_three_attempts_per_request():
    warnings = calculate("retries", max_retries=3, layers=2).warnings
    assert warnings == ["If the service below fails outright, each request becomes 16 attempts on it, more than the "
                        "3 per request the SRE book allows: retry at one layer only, or give every layer a retry "
                        "budget."]
    assert calculate("retries", max_retries=2, layers=1).warnings == []


def test_fan_out_chart_is_the_model():
    r = calculate("fan-out", calls=50, per_call_slow_pct=0.5, target_slow_pct=2)
    chart = charts.fan_out_chart(r.inputs, r.outputs)
    curve, target, now = chart.series
    assert curve.points[0] == (1.0, pytest.approx(0.5))
    for n, y in curve.points:
        assert y == pytest.approx(100 * distributed.slow_share(int(n), 0.005))
    assert [y for _, y in curve.points] == sorted(y for _, y in curve.points)
    assert target.points[0][1] == 2 and now.points == ((50.0, r.outputs["request_slow_pct"]),)
    assert chart.x_log and curve.points[-1][0] == 500


def test_slow_share_keeps_its_digits():
    """A tiny per-call share over many calls: 1 − (1 − p)^n computed directly would lose every digit."""
    assert distributed.slow_share(1000, 1e-17) == pytest.approx(1e-14, rel=1e-9)
    assert 1 - (1 - 1e-17) ** 1000 == 0.0
    assert math.isclose(distributed.per_call_slow_share(1000, 1e-14), 1e-17, rel_tol=1e-9)
