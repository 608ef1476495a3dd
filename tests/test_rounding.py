"""The whole-number guard: float noise never adds one to a count; a real fraction always does."""

import math
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfcalc.rounding import WHOLE_REL_TOL, ceil_whole, floor_whole

EPS = sys.float_info.epsilon


def test_noise_above_a_whole_number_is_that_number():
    assert 1.1 * 100 == 110.00000000000001 and ceil_whole(1.1 * 100) == 110
    assert 1.1 * 30_000_000 == 33000000.000000004 and ceil_whole(1.1 * 30_000_000) == 33_000_000


def test_the_absolute_guard_it_replaces_failed_both_ways():
    """⌈x − 1e-9⌉ kept the noise past 10⁷ and dropped real fractions below 1e-9."""
    assert math.ceil(1.1 * 30_000_000 - 1e-9) == 33_000_001 and ceil_whole(1.1 * 30_000_000) == 33_000_000
    assert math.ceil(6e-12 - 1e-9) == 0 and ceil_whole(6e-12) == 1


@pytest.mark.parametrize("whole", [ceil_whole, floor_whole])
@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 10**14), ulps=st.integers(-3, 3))
def test_a_few_ulps_from_a_whole_number(whole, n, ulps):
    x = float(n)
    for _ in range(abs(ulps)):
        x = math.nextafter(x, math.inf if ulps > 0 else -math.inf)
    assert whole(x) == n


@settings(max_examples=300, deadline=None)
@given(x=st.floats(0, 1e15))
def test_never_below_the_value_beyond_the_tolerance(x):
    n = ceil_whole(x)
    assert n in (math.ceil(x), round(x))
    assert n >= x * (1 - WHOLE_REL_TOL) and n - 1 < x


def test_floor_division_of_floats_loses_a_whole_one():
    """2048 MB holds ten workers of 204.8 MB: // on the binary values says nine, the guard says ten."""
    assert 2048 // 204.8 == 9.0 and floor_whole(2048 / 204.8) == 10
    assert math.floor(0.7 / 0.1) == 6 and floor_whole(0.7 / 0.1) == 7


@settings(max_examples=300, deadline=None)
@given(x=st.floats(0, 1e15))
def test_floor_never_above_the_value_beyond_the_tolerance(x):
    n = floor_whole(x)
    assert n in (math.floor(x), round(x))
    assert n <= x * (1 + WHOLE_REL_TOL) and n + 1 > x
