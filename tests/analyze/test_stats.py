"""The statistics under the analysis: nearest-rank percentiles, selection over runs, steady state, load steps."""

import math
import statistics
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfcalc.analyze.stats import (STEADY_FRACTION, SortedRuns, log_bin_edges, nearest_rank, percentile, plateaus,
                                    steady_window)

durations = st.floats(min_value=0.0, max_value=1e7, allow_nan=False, allow_infinity=False)
samples = st.lists(durations, min_size=1, max_size=300)
percents = st.one_of(st.sampled_from([0, 50, 90, 95, 99, 99.9, 99.99, 100]),
                     st.floats(min_value=0, max_value=100, allow_nan=False))


def brute_force_percentile(values, p):
    """The definition itself: the smallest value with at least p % of the values at or below it."""
    n = len(values)
    return min(v for v in values if sum(1 for w in values if w <= v) * 100 >= p * n)


def test_wikipedia_nearest_rank_examples():
    # Wikipedia, "Percentile", nearest-rank method, both worked examples.
    assert [percentile([15, 20, 35, 40, 50], p) for p in (5, 30, 40, 50, 100)] == [15, 20, 20, 35, 50]
    data = [3, 6, 7, 8, 8, 10, 13, 15, 16, 20]
    assert [percentile(data, p) for p in (25, 50, 75, 100)] == [7, 8, 15, 20]


def test_rank_is_exact_where_floats_are_not():
    # 99.9 / 100 × 1000 = 999.0000000000001 in floating point: a naive ⌈⌉ gives rank 1000.
    assert math.ceil(99.9 / 100 * 1000) == 1000
    assert nearest_rank(99.9, 1000) == 999 and nearest_rank(99.9, 3000) == 2997
    assert nearest_rank(95, 20) == 19 and nearest_rank(99.99, 10_000) == 9999
    assert nearest_rank(0, 5) == 1 and nearest_rank(100, 5) == 5
    with pytest.raises(ValueError):
        nearest_rank(101, 5)


@settings(max_examples=300, deadline=None)  # no timing in tests: the machine is shared
@given(samples, percents)
def test_percentile_matches_the_definition(values, p):
    assert percentile(sorted(values), p) == brute_force_percentile(values, p)


@settings(max_examples=200, deadline=None)
@given(st.lists(durations, min_size=2, max_size=200))
def test_percentile_agrees_with_statistics_quantiles(values):
    # An independent implementation: statistics.quantiles interpolates (method="inclusive"),
    # so it lies between the nearest-rank values on either side of it.
    ordered = sorted(values)
    for i, q in enumerate(statistics.quantiles(values, n=100, method="inclusive"), start=1):
        h = (len(values) - 1) * i / 100
        assert ordered[math.floor(h)] <= q * (1 + 1e-12) + 1e-300
        assert q <= ordered[math.ceil(h)] * (1 + 1e-12) + 1e-300
        assert percentile(ordered, i) in (ordered[math.floor(h)], ordered[math.ceil(h)],
                                          ordered[min(len(values) - 1, math.ceil(h) + 1)],
                                          ordered[max(0, math.floor(h) - 1)])


@settings(max_examples=300, deadline=None)  # no timing in tests: the machine is shared
@given(st.lists(st.lists(durations, max_size=60), min_size=1, max_size=12), st.data())
def test_selection_over_runs_equals_sorting_everything(runs, data):
    values = sorted(v for run in runs for v in run)
    if not values:
        return
    r = SortedRuns([array("d", sorted(run)) for run in runs])
    k = data.draw(st.integers(min_value=1, max_value=len(values)))
    assert r.count == len(values)
    assert r.kth(k) == values[k - 1]
    assert r.min == values[0] and r.max == values[-1]
    x = data.draw(st.sampled_from(values))
    assert r.count_at_or_below(x) == sum(1 for v in values if v <= x)
    assert r.count_below(x) == sum(1 for v in values if v < x)


@given(st.lists(st.lists(durations, max_size=40), min_size=1, max_size=8))
def test_percentiles_are_monotone(runs):
    r = SortedRuns([sorted(run) for run in runs])
    if not r.count:
        return
    values = [r.percentile(p) for p in (0, 10, 50, 90, 95, 99, 99.9, 100)]
    assert values == sorted(values)


def test_selection_finds_values_that_differ_in_the_last_bit():
    a, b = 1.0, math.nextafter(1.0, 2.0)
    r = SortedRuns([[a, b], [b], [a]])
    assert [r.kth(k) for k in range(1, 5)] == [a, a, b, b]


def test_steady_window_trims_ramps_not_dips():
    ramp_up, plateau, ramp_down = [5, 20, 40, 60], [100] * 10, [70, 30]
    counts = ramp_up + plateau[:5] + [50] + plateau[5:] + ramp_down  # a dip in the middle stays in
    start, end = steady_window(counts)
    assert (start, end) == (4, 15)
    assert all(c >= STEADY_FRACTION * 100 for c in counts[start:end] if c != 50)


def test_steady_window_keeps_a_flat_or_short_run():
    assert steady_window([10] * 20) == (0, 20)
    assert steady_window([1, 100, 1]) == (0, 3)
    assert steady_window([]) == (0, 0)


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=5, max_size=200))
def test_steady_window_edges_reach_the_threshold(counts):
    start, end = steady_window(counts)
    assert 0 <= start < end <= len(counts)
    middle = sorted(counts[len(counts) // 4: len(counts) - len(counts) // 4])
    threshold = STEADY_FRACTION * middle[(len(middle) - 1) // 2]
    assert counts[start] >= threshold and counts[end - 1] >= threshold
    assert all(c < threshold for c in counts[:start] + counts[end:])


def test_plateaus_keep_steps_drop_ramps_and_settle():
    levels = [None, 1, 2, 3, 4] + [5] * 12 + [None] + [10] * 8 + [11, 12]
    found = plateaus(levels, 1.0)
    assert [(p.level, p.first, p.end, p.kept_first) for p in found] == [(5, 5, 17, 8)]  # 8 s at 10 is too short
    assert plateaus(levels, 2.0)[1][:3] == (10, 18, 26)  # at 2 s an interval, 8 intervals are 16 s
    assert plateaus(list(range(100)), 1.0) == []  # a ramp has no step


def test_histogram_edges_cover_the_range_with_bounded_bins():
    edges = log_bin_edges(0.37, 1234.0)
    assert edges[0] <= 0.37 and edges[-1] >= 1234.0 and len(edges) <= 61
    assert edges == sorted(edges)
    assert len(log_bin_edges(1e-6, 1e9)) <= 61
    assert log_bin_edges(5.0, 5.0)[0] <= 5.0 <= log_bin_edges(5.0, 5.0)[-1]
