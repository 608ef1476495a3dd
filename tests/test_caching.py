"""Caching: Che approximation against the full sum, TTL and effective-time invariants."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfcalc import caching, calculate


@pytest.mark.parametrize(
    "n,c,alpha",
    [(1000, 10, 0.8), (10_000, 100, 1.0), (100_000, 1_000, 0.6), (100_000, 50_000, 1.2),
     (300_000, 3_000, 0.0), (200_000, 20, 2.5), (1_000_000, 10_000, 0.8)],
)
def test_che_aggregation_within_0_1_pct_of_the_full_sum(n, c, alpha):
    fast, t_fast = caching.zipf_che_hit_ratio(n, c, alpha)
    exact, t_exact = caching.zipf_che_hit_ratio_exact(n, c, alpha)
    assert fast == pytest.approx(exact, rel=1e-3)
    assert t_fast == pytest.approx(t_exact, rel=1e-3)


def test_che_equation_is_solved():
    """The characteristic time fills the cache: Σ(1 − e^(−p_i T)) = C."""
    n, c, alpha = 5000, 250, 0.9
    _, t = caching.zipf_che_hit_ratio_exact(n, c, alpha)
    h = sum(i ** -alpha for i in range(1, n + 1))
    occupancy = sum(-math.expm1(-(i ** -alpha / h) * t) for i in range(1, n + 1))
    assert occupancy == pytest.approx(c, rel=1e-8)


def test_uniform_popularity_hits_in_proportion_to_size():
    """α = 0: every item equally popular, so hit ratio = C/N exactly under Che."""
    hit, _ = caching.zipf_che_hit_ratio(10_000_000, 2_500_000, 0.0)
    assert hit == pytest.approx(0.25, rel=1e-6)


def test_che_matches_lru_simulation():
    """Che's approximation is known to be accurate for LRU under IRM (Fricker et al. 2012)."""
    import random
    from collections import OrderedDict

    n, c, alpha = 2000, 100, 0.8
    weights = [i ** -alpha for i in range(1, n + 1)]
    rng = random.Random(7)
    requests = rng.choices(range(n), weights=weights, k=200_000)
    cache, hits = OrderedDict(), 0
    for k, item in enumerate(requests):
        if item in cache:
            cache.move_to_end(item)
            hits += k >= 20_000
        else:
            cache[item] = True
            if len(cache) > c:
                cache.popitem(last=False)
    simulated = hits / 180_000
    assert caching.zipf_che_hit_ratio(n, c, alpha)[0] == pytest.approx(simulated, abs=0.01)


def test_whole_catalogue_cached():
    r = calculate("cache-size", catalog_items=100, cache_items=100)
    assert r.outputs["hit_ratio_pct"] == 100.0 and r.outputs["characteristic_time"] is None
    assert r.warnings


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 10_000_000), frac=st.floats(0.0001, 0.99), alpha=st.floats(0, 3))
def test_bigger_cache_never_hits_less(n, frac, alpha):
    c = max(1, int(n * frac))
    small, _ = caching.zipf_che_hit_ratio(n, c, alpha)
    large, _ = caching.zipf_che_hit_ratio(n, min(n, c * 2), alpha)
    assert 0 <= small <= large + 1e-9 <= 1 + 1e-9


@settings(max_examples=200, deadline=None)
@given(h=st.floats(0, 100), hit=st.floats(0, 1000), miss=st.floats(0.001, 1000), lam=st.floats(0, 1e6))
def test_cache_invariants(h, hit, miss, lam):
    o = calculate("cache", hit_ratio_pct=h, hit_time_ms=hit, miss_time_ms=miss, arrival_rps=lam).outputs
    assert min(hit, miss) - 1e-9 <= o["effective_time_ms"] <= max(hit, miss) + 1e-9
    assert o["origin_rps"] == pytest.approx((1 - h / 100) * lam, abs=1e-9)
    assert o["origin_rps"] <= lam + 1e-9


def test_full_hit_ratio_means_zero_origin_load():
    o = calculate("cache", hit_ratio_pct=100, arrival_rps=5000).outputs
    assert o["origin_rps"] == 0 and o["origin_load_reduction_pct"] == 100
    o = calculate("cache", hit_ratio_pct=0, arrival_rps=5000).outputs
    assert o["origin_rps"] == 5000 and o["speedup"] == pytest.approx(1.0)


def test_slow_cache_warns():
    assert calculate("cache", hit_time_ms=50, miss_time_ms=40).warnings


def test_ttl_reference_and_invariants():
    """Jung, Berger & Balakrishnan (2003): hit = λT/(1 + λT) for a timer-on-miss cache."""
    o = calculate("ttl-cache", key_rps=1, ttl_s=9).outputs
    assert o["hit_ratio_pct"] == pytest.approx(90.0)
    assert o["origin_rps_per_key"] == pytest.approx(0.1)
    assert o["max_staleness_s"] == 9


@settings(max_examples=200, deadline=None)
@given(lam=st.floats(1e-6, 1e6), ttl=st.floats(1e-3, 1e7))
def test_ttl_conservation(lam, ttl):
    """Every request is a hit or goes to the origin; a longer TTL never hits less."""
    o = calculate("ttl-cache", key_rps=lam, ttl_s=ttl).outputs
    assert o["origin_rps_per_key"] + lam * o["hit_ratio_pct"] / 100 == pytest.approx(lam, rel=1e-9)
    assert caching.ttl_hit_ratio(lam, ttl * 2) >= caching.ttl_hit_ratio(lam, ttl)


def test_cache_effect_model():
    """80 % hits at 2 ms, misses at 120 ms: 0.8 × 2 + 0.2 × 120 = 25.6 ms, 120 / 25.6 = 4.69× faster."""
    r = caching.cache_effect(80, 2, 120, 100)
    assert r.effective_time_ms == pytest.approx(25.6)
    assert r.speedup == pytest.approx(120 / 25.6)
    assert r.origin_rps == pytest.approx(20.0) and r.origin_load_reduction_pct == pytest.approx(80.0)
    assert caching.cache_effect(100, 0, 120, 100).speedup == math.inf


def test_lru_hit_ratio_is_che_in_percent():
    hit, t = caching.zipf_che_hit_ratio(100_000, 5_000, 0.8)
    assert caching.lru_hit_ratio(100_000, 5_000, 0.8) == (100 * hit, t)
    assert caching.lru_hit_ratio(100, 100, 0.8) == (100.0, math.inf)


def test_ttl_cache_model():
    """Jung et al. (2003), timer on miss: λ = 2/s, T = 60 s gives 120 hits per miss; the origin
    sees one request per cycle of T + 1/λ = 60.5 s."""
    r = caching.ttl_cache(2.0, 60.0)
    assert r.hit_ratio_pct == pytest.approx(100 * 120 / 121)
    assert r.origin_rps_per_key == pytest.approx(1 / 60.5)
    assert r.max_staleness_s == 60.0
