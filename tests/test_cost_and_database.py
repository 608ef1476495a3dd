"""Cost, capacity, database and worker models: published examples and invariants."""

import json
import math

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from perfcalc import calculate, cost, database, workers


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
    _, c, r = cost.serverless_cost(be, d, m, pr, pg, fr, fg)
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


def test_hikaricp_pool_formula():
    """HikariCP wiki, "About Pool Sizing": (core_count × 2) + effective_spindle_count;
    a 4-core i7 server with one disk: 9 (the wiki rounds to "9 or 10")."""
    assert database.hikari_pool_size(4, 1) == 9
    assert calculate("connection-pool", db_cores=16, db_effective_spindles=0).outputs["hikari_pool_size"] == 32


def test_connection_pool_defaults_show_the_classic_overflow():
    """SQLAlchemy's 5 + 10 per process, 10 processes, PostgreSQL's 100 − 3: does not fit."""
    r = calculate("connection-pool")
    assert r.outputs == {"connections_needed": 150, "connections_available": 97, "headroom": -53,
                         "fits": False, "hikari_pool_size": 9}
    assert any("PgBouncer" in w for w in r.warnings)
    assert calculate("connection-pool", pool_size_per_worker=5, workers_per_instance=4).outputs["fits"] is True


def test_reserved_must_be_below_max():
    from perfcalc import PerfcalcError

    with pytest.raises(PerfcalcError, match="db_reserved_connections must be less than db_max_connections"):
        calculate("connection-pool", db_max_connections=10, db_reserved_connections=10)


def test_n_plus_one():
    o = calculate("n-plus-one", items=100, query_time_ms=1.5, eager_queries=1).outputs
    assert o["lazy_queries"] == 101 and o["lazy_db_time_ms"] == pytest.approx(151.5)
    assert o["eager_db_time_ms"] == pytest.approx(1.5) and o["slowdown"] == pytest.approx(101)
    assert calculate("n-plus-one", items=0).outputs["lazy_queries"] == 1


def test_btree_levels_are_exact_integers():
    assert [database.btree_levels(r, 10) for r in (1, 10, 11, 100, 101, 10**12)] == [1, 1, 2, 2, 3, 12]
    o = calculate("index-scan", rows=10**12, rows_per_page=100, fanout=1000).outputs
    assert o["btree_levels"] == 4 and o["scan_pages"] == 10**10


@settings(max_examples=200, deadline=None)
@given(rows=st.integers(1, 10**12), fanout=st.integers(2, 100_000))
def test_btree_levels_definition(rows, fanout):
    levels = database.btree_levels(rows, fanout)
    assert fanout ** levels >= rows and (levels == 1 or fanout ** (levels - 1) < rows)


def test_session_cookie_matches_flask():
    """Our size model against Flask's own signed-cookie session.

    Flask compresses when that is shorter: then the model is an upper bound.
    When it does not (short or high-entropy data), the size must match to the
    byte (timestamps are 4 bytes until 2106).
    """
    flask = pytest.importorskip("flask")
    import base64
    import os

    app = flask.Flask(__name__)
    app.secret_key = "test"

    @app.route("/<int:size>")
    def set_session(size):
        flask.session["d"] = base64.b64encode(os.urandom(size)).decode()
        return flask.session["d"]

    client = app.test_client()
    uncompressed = 0
    for size in (1, 4, 8, 12, 300, 1500, 2900):
        response = client.get(f"/{size}")
        cookie = response.headers["Set-Cookie"].split(";")[0]
        session_bytes = len(json.dumps({"d": response.get_data(as_text=True)}, separators=(",", ":")))
        predicted = database.session_cookie_bytes(session_bytes)
        if cookie.startswith("session=."):  # compressed
            assert len(cookie) <= predicted
        else:
            uncompressed += 1
            assert len(cookie) == predicted
    assert uncompressed >= 2


def test_session_over_limit():
    r = calculate("session-size", session_bytes=3100)
    assert r.outputs["over_browser_limit"] is True and r.warnings
    assert calculate("session-size", session_bytes=3000).outputs["over_browser_limit"] is False


def test_gunicorn_heuristic_and_memory_ceiling():
    """Gunicorn docs: "(2 x $num_cores) + 1" as a starting point."""
    o = calculate("gunicorn", cores=4, memory_mb=4096, worker_memory_mb=200).outputs
    assert o["heuristic_workers"] == 9 and o["workers"] == 9 and o["max_workers_by_memory"] == 20
    r = calculate("gunicorn", cores=8, memory_mb=1024, worker_memory_mb=200)
    assert r.outputs["workers"] == 5 and any("Memory limits" in w for w in r.warnings)


def test_gunicorn_sync_with_threads_is_gthread():
    r = calculate("gunicorn", worker_class="sync", threads=4)
    assert r.outputs["concurrency_slots"] == r.outputs["workers"] * 4 and r.warnings


def test_gunicorn_gil_binds_for_cpu_work_with_threads():
    """One process, 8 threads, pure CPU: threads do not add throughput past one core."""
    r = workers.gunicorn_capacity(1, 8, "gthread", 8, 1000, 50, 0)
    assert r["bottleneck"] == "gil" and r["max_rps"] == pytest.approx(20.0)


@settings(max_examples=300, deadline=None)
@example(w=100, cores=1, wc="sync", threads=1, conns=1, s=1.0, io=99.0)  # slots and CPU tie to the last bit
@given(w=st.integers(1, 500), cores=st.integers(1, 256), wc=st.sampled_from(["sync", "gthread", "gevent"]),
       threads=st.integers(1, 100), conns=st.integers(1, 5000), s=st.floats(0.01, 10_000), io=st.floats(0, 100))
def test_gunicorn_ceiling_is_the_minimum(w, cores, wc, threads, conns, s, io):
    r = workers.gunicorn_capacity(w, cores, wc, threads, conns, s, io)
    assert r["max_rps"] == pytest.approx(min(r["ceilings"].values()), rel=1e-9)  # ties go to the first-named limit
    assert r["ceilings"][r["bottleneck"]] == r["max_rps"]
    # More I/O wait never lowers the ceiling.
    if io <= 90:
        assert workers.gunicorn_capacity(w, cores, wc, threads, conns, s, io + 10)["max_rps"] >= r["max_rps"] * (1 - 1e-9)


def test_blocking_io_reference():
    o = calculate("blocking-io", cpu_time_ms=10, io_wait_ms=90, workers=4).outputs
    assert o == {"max_rps_blocking": pytest.approx(40), "max_rps_offloaded": pytest.approx(400),
                 "capacity_lost_pct": pytest.approx(90)}


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
