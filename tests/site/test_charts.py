"""The chart drawing (site/perfcalc_site/charts.py): round ticks, every point inside the plot, an SVG the page can trust."""

import math
import re
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

import perfcalc

from perfcalc_site import charts

CHARTED = [cid for cid, calc in perfcalc.CALCULATORS.items() if calc.chart]
SVG = "{http://www.w3.org/2000/svg}"


def _drawn(cid, **inputs):
    r = perfcalc.calculate(cid, **inputs)
    chart = perfcalc.get(cid).chart(r.inputs, r.outputs)
    return chart, charts.render_svg(chart)


@given(low=st.floats(-1e9, 1e9), span=st.floats(0, 1e9))
def test_ticks_are_round_and_cover_the_range(low, span):
    high = low + span
    ticks = charts.nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high
    assert 3 <= len(ticks) <= 12
    steps = [b - a for a, b in zip(ticks, ticks[1:])]
    step = steps[0]
    assert all(abs(s - step) <= 1e-9 * max(step, abs(ticks[-1])) for s in steps)  # evenly spaced
    mantissa = step / 10 ** math.floor(math.log10(step))
    noise = 1e-12 * max(abs(t) for t in ticks) / step * 10  # float subtraction of large, close ticks
    assert min(abs(mantissa - m) for m in (1, 2, 2.5, 5, 10)) < 1e-9 + noise  # 1, 2, 2.5 or 5 times a power of ten

@pytest.mark.parametrize("cid", CHARTED)
def test_svg_is_self_contained_and_styled_only_by_classes(cid):
    chart, svg = _drawn(cid)
    root = ElementTree.fromstring(svg)  # well-formed XML
    assert root.tag == f"{SVG}svg"
    lowered = svg.lower()
    assert "<script" not in lowered and "<style" not in lowered and " style=" not in lowered
    assert re.findall(r"\son\w+=", svg) == []  # no event handler attributes
    assert re.findall(r"https?://(?!www\.w3\.org/2000/svg)", svg) == []
    assert " id=" not in svg  # nothing that could collide with another chart or change between builds
    figure = charts.render_figure(chart, "pc-x")
    assert chart.description.replace("'", "&#x27;") in figure


@pytest.mark.parametrize("cid", CHARTED)
def test_every_point_is_inside_the_plot(cid):
    _, svg = _drawn(cid)
    root = ElementTree.fromstring(svg)
    left, right = charts.LEFT, charts.WIDTH - charts.RIGHT
    top, bottom = charts.TOP, charts.HEIGHT - charts.BOTTOM
    points = []
    for line in root.iter(f"{SVG}polyline"):
        points += [tuple(map(float, p.split(","))) for p in line.get("points").split()]
    for dot in root.iter(f"{SVG}circle"):
        if float(dot.get("cy")) < bottom + 10:  # legend swatches sit below the plot
            points.append((float(dot.get("cx")), float(dot.get("cy"))))
    assert points
    for x, y in points:
        assert left - 0.05 <= x <= right + 0.05 and top - 0.05 <= y <= bottom + 0.05, (x, y)


def test_one_legend_entry_per_series_and_labels_from_the_data():
    chart, svg = _drawn("worker-pool", workers=5)
    legend = re.findall(r'class="pc-chart__legend"[^>]*>([^<]*)<', svg)
    assert legend == [s.name for s in chart.series]
    assert chart.x_label in svg and chart.y_label in svg


def test_log_axis_is_labelled_in_the_data_units():
    chart, svg = _drawn("cache-size", catalog_items=1_000_000, cache_items=5_000)
    assert chart.x_log
    ticks = re.findall(r'class="pc-chart__tick" x="[^"]*" y="[^"]*" text-anchor="middle">([^<]*)<', svg)
    assert "1,000" in ticks and "1M" in ticks


def test_the_same_data_draws_the_same_bytes():
    assert _drawn("usl-fit")[1] == _drawn("usl-fit")[1]
