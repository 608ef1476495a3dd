"""Queueing: published examples, invariants, and a simulation as an independent check."""

import heapq
import math
import random
import sys
import time

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import perfcalc
from perfcalc import PerfcalcError, calculate, charts, queueing


def test_erlang_c_call_centre_example():
    """Offered load 48 erlangs on 55 agents, 240 s handling time.

    Source: the standard Erlang C worked example (e.g. callcentrehelper.com,
    "Erlang C formula – made simple"): P(wait) ≈ 23.9 %, average speed of
    answer ≈ 8.18 s.
    """
    assert queueing.erlang_c(55, 48.0) == pytest.approx(0.239, abs=5e-4)
    assert queueing.mmc_mean_wait(55, 48 / 240, 240.0) == pytest.approx(8.18, abs=0.01)


def test_mm1_textbook_example():
    """M/M/1 with λ = 8/s and μ = 10/s (ρ = 0.8).

    Source: Kleinrock (1975) §3.2 / Harchol-Balter (2013) ch. 13: W = 1/(μ − λ)
    = 0.5 s, Wq = ρ/(μ − λ) = 0.4 s; T ~ Exp(μ − λ), so P(T > t) = e^{−2t}
    and the p99 is ln(100)/2 s.
    """
    r = calculate("worker-pool", arrival_rps=8, service_time_ms=100, workers=1, target_p99_ms=None)
    assert r.outputs["utilization_pct"] == pytest.approx(80.0)
    assert r.outputs["prob_wait_pct"] == pytest.approx(80.0)  # C(1, ρ) = ρ
    assert r.outputs["mean_wait_ms"] == pytest.approx(400.0)
    assert r.outputs["mean_response_ms"] == pytest.approx(500.0)
    assert r.outputs["p50_ms"] == pytest.approx(500 * math.log(2), rel=1e-9)
    assert r.outputs["p99_ms"] == pytest.approx(500 * math.log(100), rel=1e-9)


def test_erlang_b_table_value():
    """Erlang B: 10 erlangs on 10 trunks blocks 21.46 % (standard Erlang B table)."""
    assert queueing.erlang_b(10, 10.0) == pytest.approx(0.2146, abs=1e-4)


def test_erlang_recursion_survives_hundreds_of_workers():
    c = queueing.erlang_c(1000, 990.0)
    assert 0 < c < 1 and math.isfinite(c)
    r = calculate("worker-pool", arrival_rps=9900, service_time_ms=100, workers=1000)
    assert all(v is None or math.isfinite(v) for v in r.outputs.values() if not isinstance(v, str))
    assert r.outputs["p50_ms"] <= r.outputs["p95_ms"] <= r.outputs["p99_ms"]


def test_delta_equals_mu_special_case_is_continuous():
    """c = 2, λ = μ gives δ = 2μ − λ = μ exactly: the Erlang-2 branch."""
    s = 0.1
    exact = queueing.mmc_response_survival(2, 1 / s, s, 0.3)
    near = queueing.mmc_response_survival(2, 1 / s * (1 + 1e-9), s, 0.3)
    assert exact == pytest.approx(near, rel=1e-7)


def _simulate_mmc(c, lam, s, n, seed):
    """FCFS M/M/c by event simulation: each arrival takes the earliest-free worker."""
    rng = random.Random(seed)
    free = [0.0] * c
    t, times = 0.0, []
    for _ in range(n):
        t += rng.expovariate(lam)
        start = max(t, heapq.heappop(free))
        done = start + rng.expovariate(1 / s)
        heapq.heappush(free, done)
        times.append(done - t)
    times = sorted(times[n // 10:])  # drop warm-up
    return times


@pytest.mark.parametrize("c,lam,s", [(1, 7.0, 0.1), (3, 25.0, 0.1), (8, 70.0, 0.1)])
def test_percentiles_match_simulation(c, lam, s):
    """An independent check of the exact response-time distribution."""
    times = _simulate_mmc(c, lam, s, 200_000, seed=c)
    for pct in (50, 95, 99):
        simulated = times[int(len(times) * pct / 100)]
        assert queueing.mmc_response_percentile(c, lam, s, pct) == pytest.approx(simulated, rel=0.06)


def test_overload_is_a_result_not_an_error():
    r = calculate("worker-pool", arrival_rps=120, service_time_ms=50, workers=5)
    assert r.outputs["utilization_pct"] == pytest.approx(120.0)
    for name in ("mean_wait_ms", "mean_response_ms", "p50_ms", "p95_ms", "p99_ms"):
        assert r.outputs[name] is None
    assert r.outputs["prob_wait_pct"] == 100.0
    assert r.outputs["max_rps"] == pytest.approx(100.0)
    assert any("Overloaded" in w for w in r.warnings)


def test_exactly_saturated_is_overloaded():
    r = calculate("worker-pool", arrival_rps=100, service_time_ms=50, workers=5)
    assert r.outputs["p99_ms"] is None and r.warnings


def test_workers_for_target_is_the_smallest():
    for lam, s, target in [(80, 0.05, 0.25), (500, 0.02, 0.1), (3, 1.0, 6.0), (1000, 0.1, 0.5)]:
        n = queueing.workers_for_p99(lam, s, target)
        assert queueing.mmc_response_percentile(n, lam, s, 99) <= target
        assert n == 1 or queueing.mmc_response_percentile(n - 1, lam, s, 99) > target


@settings(max_examples=150, deadline=None)
@given(load=st.floats(0.001, 80_000), extra=st.floats(-0.5, 3.0))
def test_erlang_b_from_below_the_load_is_the_full_recursion(load, extra):
    """Starting √(128·A) below the load loses nothing against the recursion from k = 0."""
    c = max(1, round(load * (1 + extra)))
    fast, full = queueing.erlang_b(c, load), queueing._erlang_b_from_zero(c, load)
    if full < sys.float_info.min:
        assert fast == 0.0
    else:
        assert fast == pytest.approx(full, rel=1e-13)


@settings(max_examples=150, deadline=None)
@given(lam=st.floats(0.1, 2000), s_ms=st.floats(1, 2000), factor=st.floats(1.0001, 10))
def test_workers_for_target_is_the_first_pool_a_linear_scan_finds(lam, s_ms, factor):
    """The search agrees with checking every pool size in turn."""
    s = s_ms / 1000
    target = queueing.p99_floor(s) * factor
    assume(lam * s < 2000)
    found = queueing.workers_for_p99(lam, s, target)
    c = math.floor(lam * s) + 1
    while queueing.mmc_response_percentile(c, lam, s, 99) > target:
        c += 1
    assert found == c


def test_seventy_thousand_workers_are_sized_within_a_frame():
    """A million requests/s at 70 ms with a 350 ms p99 target needs 70,004 workers. Found by checking
    every candidate pool with an O(c) Erlang recursion it took 61–130 ms; the budget is 16 ms."""
    args = dict(arrival_rps=1_000_000, service_time_ms=70, workers=10_000, target_p99_ms=350)
    assert calculate("worker-pool", **args).outputs["workers_for_target"] == 70_004
    cpu_ms = []
    for _ in range(5):
        start = time.process_time()
        calculate("worker-pool", **args)
        cpu_ms.append((time.process_time() - start) * 1000)
    assert min(cpu_ms) < 16, cpu_ms


def test_unreachable_target_warns():
    r = calculate("worker-pool", arrival_rps=10, service_time_ms=100, target_p99_ms=400)
    assert r.outputs["workers_for_target"] is None
    assert any("faster service" in w for w in r.warnings)


def test_littles_law_rejects_wrong_count():
    from perfcalc import PerfcalcError

    with pytest.raises(PerfcalcError, match="exactly two"):
        calculate("littles-law", concurrency=3)  # with both defaults: three given
    with pytest.raises(PerfcalcError, match="exactly two"):
        calculate("littles-law", throughput_rps="", response_time_ms="")


rates = st.floats(0.1, 5000)
services = st.floats(0.5, 2000)  # ms


@settings(max_examples=150, deadline=None)
@given(lam=rates, s_ms=services, c=st.integers(1, 300))
def test_more_workers_never_increase_waiting(lam, s_ms, c):
    s = s_ms / 1000
    assume(lam * s < c)
    assert queueing.mmc_mean_wait(c + 1, lam, s) <= queueing.mmc_mean_wait(c, lam, s) * (1 + 1e-9)
    assert queueing.erlang_c(c + 1, lam * s) <= queueing.erlang_c(c, lam * s) + 1e-12
    p99 = queueing.mmc_response_percentile(c, lam, s, 99)
    assert queueing.mmc_response_percentile(c + 1, lam, s, 99) <= p99 * (1 + 1e-9)


@settings(max_examples=150, deadline=None)
@given(lam=rates, s_ms=services, c=st.integers(1, 300))
def test_percentiles_ordered_and_above_service_floor(lam, s_ms, c):
    s = s_ms / 1000
    assume(lam * s < c * 0.999)
    r = calculate("worker-pool", arrival_rps=lam, service_time_ms=s_ms, workers=c, target_p99_ms=None)
    o = r.outputs
    assert 0 < o["p50_ms"] <= o["p95_ms"] <= o["p99_ms"]
    # Waiting only adds: each percentile is at least the service-time percentile.
    assert o["p99_ms"] >= s_ms * math.log(100) * (1 - 1e-9)
    assert o["mean_response_ms"] == pytest.approx(o["mean_wait_ms"] + s_ms)


@settings(max_examples=150, deadline=None)
@given(lam=rates, s_ms=services, c=st.integers(1, 300))
def test_littles_law_consistent_across_calculators(lam, s_ms, c):
    """L = λW: worker-pool's mean response, fed to littles-law, gives M/M/c's L = A + Lq."""
    s = s_ms / 1000
    assume(lam * s < c * 0.999)
    pool = calculate("worker-pool", arrival_rps=lam, service_time_ms=s_ms, workers=c, target_p99_ms=None).outputs
    little = calculate("littles-law", throughput_rps=lam, response_time_ms=pool["mean_response_ms"]).outputs
    load = lam * s
    rho = load / c
    expected_l = load + queueing.erlang_c(c, load) * rho / (1 - rho)  # Kleinrock eq. 3.41
    assert little["concurrency"] == pytest.approx(expected_l, rel=1e-9)
    # Ceiling agrees with capacity and with Little at full occupancy.
    ceiling = calculate("littles-law", concurrency=c, response_time_ms=s_ms, throughput_rps="").outputs
    assert ceiling["throughput_rps"] == pytest.approx(pool["max_rps"])


@settings(max_examples=100, deadline=None)
@given(l=st.floats(0.01, 1e6), x=st.floats(0.01, 1e6))
def test_littles_law_round_trips(l, x):
    assume(0.001 <= l * 1000 / x <= 3_600_000)  # within response_time_ms's declared bounds
    w = calculate("littles-law", concurrency=l, throughput_rps=x, response_time_ms="").outputs["response_time_ms"]
    back = calculate("littles-law", concurrency="", throughput_rps=x, response_time_ms=w).outputs["concurrency"]
    assert back == pytest.approx(l, rel=1e-9)


def test_littles_law_named_result():
    assert queueing.littles_law(throughput_rps=200, response_time_ms=150) == (30.0, 200.0, 150.0)
    assert queueing.littles_law(concurrency=8, response_time_ms=40).throughput_rps == 200.0


def test_worker_pool_model_is_mm1_textbook():
    """Kleinrock (1975) M/M/1, λ = 8/s, S = 100 ms: ρ = 0.8, Wq = 400 ms, W = 500 ms, p99 = 500·ln 100."""
    r = queueing.worker_pool(8, 100, 1)
    assert r.utilization_pct == pytest.approx(80.0) and r.prob_wait_pct == pytest.approx(80.0)
    assert r.mean_wait_ms == pytest.approx(400.0) and r.mean_response_ms == pytest.approx(500.0)
    assert r.p99_ms == pytest.approx(500 * math.log(100), rel=1e-9)
    assert r.max_rps == pytest.approx(10.0) and r.offered_load == pytest.approx(0.8)
    assert r.workers_for_target is None and r.p99_floor_ms == pytest.approx(100 * math.log(100))


def test_overloaded_worker_pool_is_unbounded():
    r = queueing.worker_pool(120, 50, 5)
    assert r.utilization_pct == pytest.approx(120.0) and r.prob_wait_pct == 100.0
    assert all(math.isinf(x) for x in (r.mean_wait_ms, r.mean_response_ms, r.p50_ms, r.p95_ms, r.p99_ms))


def test_p99_floor_is_exponential_service_alone():
    """P(Exp(1/S) > t) = e^(−t/S) is 1 % at t = S·ln 100; no worker count gets below it."""
    assert math.exp(-queueing.p99_floor(0.05) / 0.05) == pytest.approx(0.01)
    assert queueing.workers_for_p99(10, 0.1, queueing.p99_floor(0.1)) is None
    assert queueing.mmc_response_percentile(1000, 10, 0.1, 99) == pytest.approx(queueing.p99_floor(0.1), rel=1e-6)


def test_worker_pool_warnings_at_the_thresholds():
    assert calculate("worker-pool", arrival_rps=79, target_p99_ms=None).warnings == []
    assert calculate("worker-pool", arrival_rps=81, target_p99_ms=None).warnings == [
        "Utilisation is above 80 %: small increases in load now cost a lot of latency."]
    huge = calculate("worker-pool", arrival_rps=1_000_000, service_time_ms=200, target_p99_ms=2000)  # A = 200,000
    assert huge.outputs["workers_for_target"] is None
    assert huge.warnings[-1] == "Meeting the p99 target needs more than 100,000 workers."


def test_background_jobs_call_centre_example():
    """The standard Erlang C example (e.g. Westbay Engineers, "The Erlang-C Formula"): 360 calls per half
    hour of 4 minutes each on 55 agents is 48 erlangs; 24 % wait, 8.2 s on average; the service-level formula
    1 − C·e^{−(c − A)t/S} gives 84.6 % answered within 15 s."""
    o = calculate("background-jobs", jobs_per_s=360 / 1800, job_time_s=240, workers=55, backlog_jobs=0,
                  target_wait_s=None).outputs
    assert o["utilization_pct"] == pytest.approx(100 * 48 / 55)
    assert o["prob_wait_pct"] == pytest.approx(23.9, abs=0.05)
    assert o["mean_wait_s"] == pytest.approx(8.18, abs=0.01)
    assert 1 - queueing.mmc_wait_survival(55, 0.2, 240, 15) == pytest.approx(0.846, abs=5e-4)
    # p99: C·e^{−(c/S − λ)t} = 1 % at t = ln(C/0.01)/(c/S − λ).
    c_wait = queueing.erlang_c(55, 48.0)
    assert o["p99_wait_s"] == pytest.approx(math.log(c_wait / 0.01) / (55 / 240 - 0.2), rel=1e-12)
    assert o["drain_time_s"] == 0


def test_background_jobs_drain_by_hand():
    """10,000 queued jobs, 12 workers at 2 s a job (6 a second), 5 new ones a second: 10,000 / (6 − 5) s."""
    assert calculate("background-jobs", jobs_per_s=5, job_time_s=2, workers=12,
                     backlog_jobs=10_000).outputs["drain_time_s"] == pytest.approx(10_000)
    overloaded = calculate("background-jobs", jobs_per_s=5, job_time_s=2, workers=10)
    assert overloaded.outputs["drain_time_s"] is None and overloaded.outputs["p99_wait_s"] is None
    assert overloaded.warnings[0].startswith("Overloaded: 5 jobs/s need 10.00 busy workers on average but there are 10.")


def test_wait_percentile_matches_simulation():
    """An independent check of P(Wq > t) = C·e^{−(cμ−λ)t}: waits in a simulated M/M/c queue."""
    rng = random.Random(5)
    c, lam, s = 4, 3.2, 1.0
    free = [0.0] * c
    t, waits = 0.0, []
    for _ in range(300_000):
        t += rng.expovariate(lam)
        start = max(t, heapq.heappop(free))
        heapq.heappush(free, start + rng.expovariate(1 / s))
        waits.append(start - t)
    waits = sorted(waits[30_000:])
    for pct in (90, 99):
        simulated = waits[int(len(waits) * pct / 100)]
        assert queueing.mmc_wait_percentile(c, lam, s, pct) == pytest.approx(simulated, rel=0.06)
    assert sum(w > 0 for w in waits) / len(waits) == pytest.approx(queueing.erlang_c(c, lam * s), abs=0.01)


@settings(max_examples=150, deadline=None)
@given(lam=st.floats(0.001, 1000), s=st.floats(0.01, 10), extra=st.integers(0, 300), backlog=st.integers(0, 10**9))
def test_more_workers_never_lengthen_the_job_queue(lam, s, extra, backlog):
    c = math.floor(lam * s) + 1 + extra
    now = queueing.background_jobs(lam, s, c, backlog)
    more = queueing.background_jobs(lam, s, c + 1, backlog)
    for name in ("prob_wait_pct", "mean_wait_s", "p99_wait_s", "drain_time_s"):
        assert getattr(more, name) <= getattr(now, name) * (1 + 1e-9) + 1e-300, name
    assert 0 <= now.p99_wait_s and now.mean_wait_s >= 0


@settings(max_examples=100, deadline=None)
@given(lam=st.floats(0.01, 500), s=st.floats(0.01, 60), target=st.floats(0, 100))
def test_workers_for_a_wait_target_is_the_first_that_meets_it(lam, s, target):
    assume(lam * s < 3000)
    found = queueing.background_jobs(lam, s, 1, 0, target_wait_s=target).workers_for_target
    c = math.floor(lam * s) + 1
    while queueing.mmc_wait_percentile(c, lam, s, 99) > target:
        c += 1
    assert found == c


def test_background_jobs_chart_is_the_model():
    r = calculate("background-jobs", jobs_per_s=5, job_time_s=2, workers=12, target_wait_s=1)
    chart = perfcalc.get("background-jobs").chart(r.inputs, r.outputs)
    curve, target, now = chart.series
    assert curve.points[0][0] == 11.0  # the first pool at most 95 % busy
    for c, y in curve.points:
        assert y == pytest.approx(queueing.mmc_wait_percentile(int(c), 5, 2, 99))
    assert [y for _, y in curve.points] == sorted((y for _, y in curve.points), reverse=True)
    assert now.points == ((12.0, pytest.approx(r.outputs["p99_wait_s"])),) and target.points[0][1] == 1
    assert curve.points[-1][0] >= r.outputs["workers_for_target"]
    overloaded = calculate("background-jobs", jobs_per_s=5, job_time_s=2, workers=9)
    chart = perfcalc.get("background-jobs").chart(overloaded.inputs, overloaded.outputs)
    assert [s.name for s in chart.series] == ["p99 wait", "target"] and "overloaded" in chart.description


def test_background_jobs_chart_of_a_load_no_pool_keeps_up_with():
    """A million jobs a second of a day each: no curve to draw (each point would be an Erlang C over 10¹⁰ workers)."""
    r = calculate("background-jobs", jobs_per_s=1e6, job_time_s=86_400, workers=10_000)
    start = time.process_time()
    chart = perfcalc.get("background-jobs").chart(r.inputs, r.outputs)
    assert time.process_time() - start < 0.05
    assert chart.series == () and "more than 100,000 workers" in chart.description


def test_background_jobs_errors_name_the_field_the_rule_and_the_value():
    for inputs, message in [
        ({"workers": 0}, "workers must be a whole number from 1 to 10000, got 0"),
        ({"job_time_s": "0"}, "job_time_s must be a number from 0.001 to 86400, got 0"),
        ({"backlog_jobs": "1.5"}, "backlog_jobs must be a whole number from 0 to 1000000000000, got 1.5"),
        ({"target_wait_s": "soon"}, "target_wait_s must be a number from 0 to 86400 (or left empty), got 'soon'"),
    ]:
        with pytest.raises(PerfcalcError) as err:
            calculate("background-jobs", **inputs)
        assert str(err.value) == message and err.value.field == next(iter(inputs))


@settings(max_examples=100, deadline=None)
@given(load=st.floats(0.01, 90_000), start=st.floats(-0.2, 0.5), step=st.integers(1, 500), count=st.integers(1, 40))
def test_erlang_c_series_is_erlang_c_pool_by_pool(load, start, step, count):
    first = max(1, round(load * (1 + start)))
    pools = [first + step * i for i in range(count)]
    assert queueing.erlang_c_series(pools, load) == [queueing.erlang_c(c, load) for c in pools]


def test_wait_percentile_just_below_saturation_is_finite_and_huge():
    """Found by make bench's worst-case search: c/S − λ rounds to 0 while λS < c (the chart divided by zero)."""
    c, lam, s = 3081, 8.973530411166898, 343.3431279361267
    assert lam * s < c and c / s - lam == 0
    t = queueing.mmc_wait_percentile(c, lam, s, 99)
    assert math.isfinite(t) and t > 1e12
    chart = charts.background_jobs_chart({"jobs_per_s": lam, "job_time_s": s, "workers": c}, {})
    assert all(math.isfinite(y) for series in chart.series for _, y in series.points)


# λS just below c, where c/S − λ rounds to zero or below: found by stepping λ = c/S down one ulp at a time.
_NEAR_SATURATION = [(3, 4.285714285714286, 0.7), (12, 17.142857142857142, 0.7), (29, 26.36363636363636, 1.1),
                    (45, 19.565217391304348, 2.3)]


@pytest.mark.parametrize("servers, arrival_rate, service_time", _NEAR_SATURATION)
def test_drain_time_is_finite_wherever_the_pool_keeps_up(servers, arrival_rate, service_time):
    """The pool keeps up (A < c), so the backlog drains: once B / (c/S − λ) said never (c/S − λ rounded to 0)."""
    assert servers / service_time - arrival_rate <= 0 < servers - arrival_rate * service_time
    expected = 100 * service_time / (servers - arrival_rate * service_time)
    assert queueing.drain_time(100, servers, arrival_rate, service_time) == pytest.approx(expected, rel=1e-12)
    r = queueing.background_jobs(arrival_rate, service_time, servers, 100, None)
    assert math.isfinite(r.drain_time_s) and math.isfinite(r.mean_wait_s)


@pytest.mark.parametrize("servers, arrival_rate, service_time", [(4, 30.0, 0.1), (55, 0.2, 240.0), *_NEAR_SATURATION])
def test_every_function_drains_at_one_rate(servers, arrival_rate, service_time):
    """drain_rate is the cμ − λ of the wait's tail, its percentiles, its mean and the drain time alike."""
    delta = queueing.drain_rate(servers, arrival_rate, service_time)
    c_wait = queueing.erlang_c(servers, arrival_rate * service_time)
    assert queueing.mmc_mean_wait(servers, arrival_rate, service_time) == pytest.approx(c_wait / delta, rel=1e-12)
    assert queueing.drain_time(7, servers, arrival_rate, service_time) == pytest.approx(7 / delta, rel=1e-12)
    t = 1.0 / delta
    assert queueing.mmc_wait_survival(servers, arrival_rate, service_time, t) == pytest.approx(c_wait * math.exp(-1))
