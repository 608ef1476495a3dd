"""Capacity and cost models: published examples and invariants."""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from perfcalc import calculate, cost

LAMBDA_512 = cost.ServerlessPricing(duration_ms=1000, memory_mb=512, price_per_million_requests=0.20,
                                    price_per_gb_second=0.00001667, free_requests=1e6, free_gb_seconds=400_000)


def test_aws_lambda_pricing_example():
    """AWS Lambda pricing page, example 1: 3 million invocations a month, 512 MB,
    1 s each; free tier 1M requests and 400,000 GB-s; $0.20 per million requests
    and $0.00001667 per GB-s. Compute $18.34, requests $0.40, total $18.74.
    """
    o = calculate("serverless-vs-vm", requests_per_month=3e6, duration_ms=1000, memory_mb=512,
                  price_per_million_requests=0.20, price_per_gb_second=0.00001667,
                  free_requests=1e6, free_gb_seconds=400_000).outputs
    assert o["gb_seconds"] == 1_500_000
    assert round(o["serverless_compute_cost"], 2) == 18.34
    assert round(o["serverless_request_cost"], 2) == 0.40
    assert round(o["serverless_monthly_cost"], 2) == 18.74


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 10**10), d=st.floats(1, 60_000), m=st.floats(128, 10240),
       pr=st.one_of(st.just(0.0), st.floats(1e-4, 10)), pg=st.one_of(st.just(0.0), st.floats(1e-9, 1e-3)), fr=st.floats(0, 1e7), fg=st.floats(0, 1e7), vm=st.floats(0, 100), k=st.integers(1, 50))
def test_break_even_is_where_costs_meet(n, d, m, pr, pg, fr, fg, vm, k):
    o = calculate("serverless-vs-vm", requests_per_month=n, duration_ms=d, memory_mb=m, price_per_million_requests=pr,
                  price_per_gb_second=pg, free_requests=fr, free_gb_seconds=fg, vm_cost_per_hour=vm, vm_count=k).outputs
    be = o["break_even_requests_per_month"]
    if be is None:  # serverless never costs as much as the VMs
        assert pr == 0 and pg == 0
        return
    _, c, r = cost.serverless_cost(be, cost.ServerlessPricing(d, m, pr, pg, fr, fg))
    assert c + r == pytest.approx(o["vm_monthly_cost"], rel=1e-6, abs=1e-6)
    if o["cheaper"] == "serverless":
        assert n <= be * (1 + 1e-9)
    elif o["cheaper"] == "vm":
        assert n >= be * (1 - 1e-9)


def test_break_even_unbounded_when_everything_is_free():
    o = calculate("serverless-vs-vm", price_per_million_requests=0, price_per_gb_second=0).outputs
    assert o["break_even_requests_per_month"] is None and o["cheaper"] == "serverless"


def test_month_is_730_hours():
    assert cost.HOURS_PER_MONTH == 730
    o = calculate("capacity", servers=1, server_cost_per_hour=1.0, cost_per_million_requests=0).outputs
    assert o["monthly_cost"] == pytest.approx(730.0)


@settings(max_examples=200, deadline=None)
@given(rate=st.floats(0, 1e4), units=st.integers(1, 1000), h1=st.floats(0, 1e4), h2=st.floats(0, 1e4))
def test_cost_is_linear_in_hours(rate, units, h1, h2):
    assert cost.monthly_cost(rate, units, h1 + h2) == pytest.approx(
        cost.monthly_cost(rate, units, h1) + cost.monthly_cost(rate, units, h2), rel=1e-12, abs=1e-9)
    assert cost.monthly_cost(rate, units, 2 * h1) == pytest.approx(2 * cost.monthly_cost(rate, units, h1), rel=1e-12)


def test_capacity_replaces_the_naive_formula_honestly():
    """The seed formula 1000/latency × concurrency is the saturation ceiling; errors cut goodput only."""
    o = calculate("capacity", response_time_ms=100, workers=4, servers=1, error_rate_pct=10).outputs
    assert o["max_rps"] == pytest.approx(40.0)
    assert o["successful_rps"] == pytest.approx(36.0)
    little = calculate("littles-law", concurrency=4, response_time_ms=100, throughput_rps="").outputs
    assert little["throughput_rps"] == pytest.approx(o["max_rps"])


def test_capacity_overload_warns_and_total_failure_is_unbounded():
    r = calculate("capacity", response_time_ms=1000, workers=1, servers=1, requests_per_month=1e10)
    assert r.outputs["average_utilization_pct"] > 100 and r.warnings
    r = calculate("capacity", error_rate_pct=100)
    assert r.outputs["cost_per_million_successful"] is None


def test_instances_example_and_invariants():
    o = calculate("instances", peak_rps=1000, instance_max_rps=150, target_utilization_pct=70,
                  spare_instances=1, instance_cost_per_hour=0.1).outputs
    assert o["instances"] == 11  # ⌈1000 / 105⌉ = 10, plus one spare
    assert o["monthly_cost"] == pytest.approx(11 * 0.1 * 730)
    exact = calculate("instances", peak_rps=300, instance_max_rps=100, target_utilization_pct=100, spare_instances=0)
    assert exact.outputs["instances"] == 3 and exact.outputs["utilization_at_peak_pct"] == pytest.approx(100)


@settings(max_examples=200, deadline=None)
@given(peak=st.floats(0.01, 1e6), cap=st.floats(0.01, 1e6), target=st.floats(1, 100), spare=st.integers(0, 5))
def test_instances_meet_the_target(peak, cap, target, spare):
    assume(peak / (cap * target / 100) < 1e6)
    n = calculate("instances", peak_rps=peak, instance_max_rps=cap, target_utilization_pct=target,
                  spare_instances=spare).outputs["instances"]
    assert peak / ((n - spare) * cap) * 100 <= target * (1 + 1e-6)
    assert n - spare == 1 or peak / ((n - spare - 1) * cap) * 100 > target * (1 - 1e-6)


def test_aws_lambda_pricing_example_from_the_model():
    """The same AWS example through cost.serverless_cost and one ServerlessPricing value."""
    bill = cost.serverless_cost(3e6, LAMBDA_512)
    assert bill.gb_seconds == 1_500_000
    assert (round(bill.compute_cost, 2), round(bill.request_cost, 2), round(bill.total, 2)) == (18.34, 0.40, 18.74)
    assert bill.total == bill.compute_cost + bill.request_cost


def test_pricing_has_no_free_tier_unless_given():
    assert cost.ServerlessPricing(1000, 512, 0.20, 0.00001667) == (1000, 512, 0.20, 0.00001667, 0.0, 0.0)


@settings(max_examples=100, deadline=None)
@given(n=st.floats(0, 1e10), budget=st.floats(0.01, 1e5))
def test_break_even_volume_costs_the_budget(n, budget):
    even = cost.break_even_requests(budget, LAMBDA_512)
    assert cost.serverless_cost(even, LAMBDA_512).total == pytest.approx(budget, rel=1e-9)
    bill = cost.serverless_cost(n, LAMBDA_512).total  # never falls as volume grows
    if n < even * (1 - 1e-9):
        assert bill <= budget
    elif n > even * (1 + 1e-9):
        assert bill >= budget


def test_serverless_vs_vm_model_is_the_calculator():
    r = cost.serverless_vs_vm(3e6, 1000, 512, 0.20, 0.00001667, 1e6, 400_000, 0.0416, 2)
    assert r.serverless_monthly_cost == cost.serverless_cost(3e6, LAMBDA_512).total
    assert r.vm_monthly_cost == pytest.approx(2 * 0.0416 * 730)
    assert r.cheaper == "serverless"
    assert r.break_even_requests_per_month == cost.break_even_requests(r.vm_monthly_cost, LAMBDA_512)
    tie = cost.serverless_vs_vm(0, 1000, 512, 0.20, 0.00001667, 1e6, 400_000, 0.0, 1)
    assert tie.cheaper == "equal"


def test_fleet_capacity_worked_example():
    """Two servers of 4 slots at 120 ms: X_max = 8 / 0.12 s = 66.7/s; 10 million requests in a
    730-hour month average 3.81/s, 5.7 % of it; $0.10 × 2 × 730 h = $146, or $14.67 per million of
    the 9.95 million that succeed."""
    r = cost.fleet_capacity(120, 4, 2, 0.5, 10_000_000, 0.10, 0.0)
    assert r.max_rps == pytest.approx(200 / 3)
    assert r.successful_rps == pytest.approx(200 / 3 * 0.995)
    assert r.average_rps == pytest.approx(10_000_000 / (730 * 3600))
    assert r.average_utilization_pct == pytest.approx(100 * r.average_rps / r.max_rps)
    assert r.monthly_cost == pytest.approx(146.0)
    assert r.cost_per_million_successful == pytest.approx(146.0 / 9.95)


def test_fleet_capacity_when_nothing_succeeds():
    assert cost.fleet_capacity(120, 4, 2, 100, 10_000_000, 0.10, 0.0).cost_per_million_successful == math.inf
    assert cost.fleet_capacity(120, 4, 2, 100, 10_000_000, 0.0, 0.0).cost_per_million_successful == 0.0


@settings(max_examples=100, deadline=None)
@given(r=st.floats(1, 10_000), c=st.integers(1, 1000), s=st.integers(1, 1000), e=st.floats(0, 99),
       n=st.integers(1, 10**12))
def test_fleet_goodput_and_utilisation(r, c, s, e, n):
    cap = cost.fleet_capacity(r, c, s, e, n, 0.1, 0.0)
    assert cap.max_rps == pytest.approx(cost.saturation_rps(r, c * s))
    assert cap.successful_rps <= cap.max_rps
    assert cap.successful_requests_per_month == pytest.approx(n * (1 - e / 100))
    # Little's law: the average load keeps average_utilization_pct % of the slots busy.
    assert cap.average_rps * r / 1000 == pytest.approx(cap.average_utilization_pct / 100 * c * s, rel=1e-9)


def test_instances_for_peak_worked_example():
    r = cost.instances_for_peak(1000, 150, 70, 1, 0.10)
    assert r.instances == 11  # ⌈1000 / 105⌉ = 10, plus one spare
    assert r.utilization_at_peak_pct == pytest.approx(100 * 1000 / 1650)
    assert r.monthly_cost == pytest.approx(11 * 0.10 * 730)


def test_instances_ignore_float_noise_above_a_whole_number():
    """1.1 × 100 is 110.00000000000001 in floats: 110 instances at 100 % of 1 request/s each, not 111."""
    assert 1.1 * 100 > 110
    assert cost.instances_needed(1.1 * 100, 1, 100, 0) == 110
    assert cost.instances_needed(110.5, 1, 100, 0) == 111
