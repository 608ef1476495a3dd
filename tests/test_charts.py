"""Chart data agrees with the models it plots."""

import math

import pytest

import perfcalc
from perfcalc import charts, cost, queueing


def _chart(cid, **inputs):
    r = perfcalc.calculate(cid, **inputs)
    return perfcalc.get(cid).chart(r.inputs, r.outputs), r


def test_worker_pool_curves_are_the_model():
    chart, r = _chart("worker-pool", arrival_rps=60, workers=4, service_time_ms=40)
    p50, p95, p99, now = chart.series
    for (x50, y50), (x95, y95), (x99, y99) in zip(p50.points, p95.points, p99.points):
        assert x50 == x95 == x99 < r.outputs["max_rps"]
        assert y50 <= y95 <= y99
        assert y99 == pytest.approx(queueing.mmc_response_percentile(4, x99, 0.04, 99) * 1000)
    assert now.points == ((60.0, pytest.approx(r.outputs["p99_ms"])),)
    assert f"{r.outputs['p99_ms']:.0f} ms" in chart.description


def test_overloaded_pool_has_no_current_point():
    chart, _ = _chart("worker-pool", arrival_rps=500)
    assert [s.name for s in chart.series] == ["p50", "p95", "p99"] and "overloaded" in chart.description


def test_cache_curve_rises_to_100_pct():
    chart, r = _chart("cache-size", catalog_items=50_000, cache_items=2_000, zipf_alpha=1.0)
    ys = [y for _, y in chart.series[0].points]
    assert ys == sorted(ys) and ys[-1] == 100.0 and chart.x_log
    assert chart.series[1].points[0][1] == pytest.approx(r.outputs["hit_ratio_pct"])


def test_serverless_break_even_point_is_where_lines_cross():
    chart, r = _chart("serverless-vs-vm")
    serverless, vms, even = chart.series
    x, y = even.points[0]
    assert y == pytest.approx(r.outputs["vm_monthly_cost"])
    assert x == pytest.approx(r.outputs["break_even_requests_per_month"])
    pricing = cost.ServerlessPricing(*(r.inputs[k] for k in ("duration_ms", "memory_mb", "price_per_million_requests",
                                                              "price_per_gb_second", "free_requests", "free_gb_seconds")))
    assert sum(cost.serverless_cost(x, pricing)[1:]) == pytest.approx(y, rel=1e-6)


def test_usl_fit_curve_goes_through_its_fit():
    chart, r = _chart("usl-fit")
    curve, measured = chart.series
    assert measured.kind == "points" and len(measured.points) == 7
    o = r.outputs
    for n, x in curve.points:
        assert x == pytest.approx(perfcalc.scalability.usl_throughput(n, o["sigma"], o["kappa"], o["lambda_rps"]))
    assert max(n for n, _ in curve.points) >= o["peak_concurrency"]


def test_usl_chart_marks_now():
    chart, r = _chart("usl", concurrency=10)
    assert chart.series[2].points == ((10.0, pytest.approx(r.outputs["throughput_rps"])),)
    assert all(y <= 100 * n * (1 + 1e-12) for n, y in chart.series[0].points)  # never above linear
