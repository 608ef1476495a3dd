"""Caching models: effective latency, LRU hit ratio (Che), TTL caches.

Sources: H. Che, Y. Tung, Z. Wang, "Hierarchical Web caching systems:
modeling, design and experimental results", IEEE JSAC 20(7), 2002.
C. Fricker, P. Robert, J. Roberts, "A versatile and accurate approximation
for LRU cache performance", ITC 24, 2012 (why Che is accurate under Zipf).
J. Jung, A. W. Berger, H. Balakrishnan, "Modeling TTL-based Internet
caches", IEEE INFOCOM 2003 (timer set on a miss, not reset on hits).
"""

from __future__ import annotations

import math
from typing import NamedTuple

__all__ = [
    "Che",
    "CacheEffect",
    "LRUHitRatio",
    "TTLCache",
    "effective_time",
    "cache_effect",
    "zipf_che_hit_ratio",
    "zipf_che_hit_ratio_exact",
    "zipf_che_hit_ratios",
    "lru_hit_ratio",
    "ttl_hit_ratio",
    "ttl_cache",
]


def effective_time(hit_ratio: float, hit_time: float, miss_time: float) -> float:
    """Mean service time behind a cache: h·t_hit + (1 − h)·t_miss.

    ``hit_ratio`` is a fraction 0–1. A miss costs the full origin time (the
    lookup cost is folded into ``miss_time``).

    80 % hits at 2 ms, misses at 120 ms: on average 25.6 ms.

    >>> round(effective_time(0.8, 2, 120), 6)
    25.6
    """
    return hit_ratio * hit_time + (1.0 - hit_ratio) * miss_time


class CacheEffect(NamedTuple):
    effective_time_ms: float
    speedup: float
    origin_rps: float
    origin_load_reduction_pct: float


def cache_effect(hit_ratio_pct: float, hit_time_ms: float, miss_time_ms: float, arrival_rps: float) -> CacheEffect:
    """What a cache with hit ratio h does to latency and to the origin's load.

        t̄ = h·t_hit + (1 − h)·t_miss      speed-up = t_miss / t̄
        λ_origin = (1 − h)·λ              load removed = h

    Means only: the misses still set the tail. A cache whose mean time is 0
    has an unbounded speed-up (``inf``).

    Source: the definition of expected value; the origin sees the misses.

    80 % hits at 2 ms, 120 ms misses, 100 requests/s: 25.6 ms on average,
    4.7 times faster, and 20 requests/s left for the origin:

    >>> r = cache_effect(80, 2, 120, 100)
    >>> round(r.effective_time_ms, 6), round(r.speedup, 2), round(r.origin_rps, 6)
    (25.6, 4.69, 20.0)
    """
    h = hit_ratio_pct / 100.0
    effective = effective_time(h, hit_time_ms, miss_time_ms)
    return CacheEffect(
        effective_time_ms=effective,
        speedup=miss_time_ms / effective if effective > 0 else math.inf,
        origin_rps=(1.0 - h) * arrival_rps,
        origin_load_reduction_pct=100.0 * h,
    )


# Ranks below this are summed term by term; the smooth tail above it is
# integrated (midpoint rule: relative error ~ α(α+1)/(24·HEAD²) < 1e-5).
_HEAD = 200
# Searches for the characteristic time start below this (a cache one item
# short of a 10⁹-item catalogue at α = 3 needs about 10²⁸), so C^α cannot overflow.
_T_MAX = 1e200
# The integrand is smooth in ln x, so 8-point Gauss–Legendre panels one unit
# of ln x wide are plenty: over 300 random catalogues (10³–10⁹ items, α 0–3,
# any cache size) hit ratios differ from quarter-width panels by at most
# 3e-13, far below the midpoint rule's 1e-5. A 10⁹-item catalogue needs 128
# tail points instead of 496, so every Che solve costs half as much.
_PANEL_WIDTH = 1.0
# Gauss-Legendre nodes and weights on [-1, 1], 8 points (exact to degree 15).
_GL_NODES = (
    -0.9602898564975363, -0.7966664774136267, -0.5255324099163290, -0.1834346424956498,
    0.1834346424956498, 0.5255324099163290, 0.7966664774136267, 0.9602898564975363,
)
_GL_WEIGHTS = (
    0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.3626837833783620,
    0.3626837833783620, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763,
)


def _tail_grid(catalog_items: int, alpha: float) -> list[tuple[float, float]]:
    """Quadrature points (rank x, weight) for Σ over ranks HEAD+1..N of f(rank).

    The sum is replaced by ∫ f(x) dx from HEAD + ½ to N + ½ (midpoint rule),
    taken in u = ln x where the integrand is smooth; composite Gauss-Legendre
    with panels of width ≤ 1 in ln x (:data:`_PANEL_WIDTH`).
    """
    if catalog_items <= _HEAD:
        return []
    a, b = math.log(_HEAD + 0.5), math.log(catalog_items + 0.5)
    panels = max(4, math.ceil((b - a) / _PANEL_WIDTH))
    width = (b - a) / panels
    grid = []
    for p in range(panels):
        mid = a + (p + 0.5) * width
        for node, weight in zip(_GL_NODES, _GL_WEIGHTS):
            x = math.exp(mid + node * width / 2.0)
            grid.append((x, weight * width / 2.0 * x))  # dx = x du
    return grid


def _popularity(alpha: float, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """(multiplicity, request probability) for weighted rank points; independent of the cache size."""
    # fsum: exactly rounded, so native CPython and Pyodide agree to the bit.
    norm = math.fsum(w * x ** -alpha for x, w in points)
    return [(w, x ** -alpha / norm) for x, w in points]


class Che(NamedTuple):
    hit_ratio: float  # a fraction, 0–1
    characteristic_time: float  # in requests; inf when the cache holds everything


def _che(probs: list[tuple[float, float]], cache_items: int, guess: float) -> Che:
    """Solve Che's equation for one cache size over prepared popularities, searching from ``guess``."""

    def occupancy(t: float) -> float:
        return math.fsum(w * -math.expm1(-p * t) for w, p in probs)

    # Occupancy rises from 0 to N as T grows, concave: bracket T around the
    # guess, then Newton steps from the bracket's low end (below the root a
    # concave function's Newton steps stay below it), falling back to
    # bisection in log T whenever a step leaves the bracket.
    lo = hi = min(max(guess, 1e-300), _T_MAX)
    if occupancy(lo) < cache_items:
        hi = lo * 4.0
        while occupancy(hi) < cache_items:
            lo, hi = hi, hi * 4.0
    else:
        lo = hi / 4.0
        while occupancy(lo) >= cache_items:
            lo, hi = lo / 4.0, lo
    t = lo
    for _ in range(200):
        stays = [(w, p, math.expm1(-p * t)) for w, p in probs]  # e^(−pT) − 1, once per rank point
        gap = math.fsum(w * -m for w, _p, m in stays) - cache_items
        slope = math.fsum(w * p * (1.0 + m) for w, p, m in stays)
        if gap < 0:
            lo = t
        else:
            hi = t
        step = t - gap / slope if slope > 0 else -1.0
        new = step if lo < step < hi else math.sqrt(lo * hi)
        if abs(new - t) <= 1e-12 * t or hi / lo - 1.0 < 1e-12:
            t = new
            break
        t = new
    hit = math.fsum(w * p * -math.expm1(-p * t) for w, p in probs)
    return Che(min(1.0, hit), t)


def _first_guess(probs: list[tuple[float, float]], cache_items: int, alpha: float) -> float:
    """Where to start looking for T: an item is roughly cached while p·T ≥ 1, and under Zipf(α)
    the C-th most popular has p = p₁·C^(−α), so T ≈ C^α / p₁ (within a small factor)."""
    return min(cache_items ** alpha / max(p for _, p in probs), _T_MAX)


def _zipf_points(catalog_items: int, alpha: float) -> list[tuple[float, float]]:
    head = [(float(i), 1.0) for i in range(1, min(catalog_items, _HEAD) + 1)]
    return head + _tail_grid(catalog_items, alpha)


def zipf_che_hit_ratio(catalog_items: int, cache_items: int, zipf_alpha: float) -> Che:
    """LRU hit ratio for Zipf(α) popularity, by Che's approximation.

    Item i (rank 1 = most popular) is requested with probability
    p_i = i^(−α) / Σ_j j^(−α). Che's approximation: an LRU cache of C items
    behaves as if each item stays for a characteristic time T (counted in
    requests) after its last request, where T solves

        Σ_i (1 − e^(−p_i·T)) = C,   and then   hit = Σ_i p_i·(1 − e^(−p_i·T)).

    Assumes independent requests (the IRM model) and a fixed catalogue.
    Returns the hit ratio (a fraction) and T; a cache holding the whole
    catalogue hits every time and T is ``inf``.

    To answer at keystroke speed for catalogues of 10⁷ items, the first 200
    ranks are summed exactly and the tail is integrated (see ``_tail_grid``);
    tests check this against the full sum within 0.1 %.

    Source: Che et al. (2002); Fricker, Robert & Roberts (2012).

    A cache holding 1 % of a 1-million-item catalogue with α = 0.8 (typical
    of web objects) serves almost a quarter of requests:

    >>> hit, t = zipf_che_hit_ratio(1_000_000, 10_000, 0.8)
    >>> round(hit, 3)
    0.232
    """
    if cache_items >= catalog_items:
        return Che(1.0, math.inf)
    probs = _popularity(zipf_alpha, _zipf_points(catalog_items, zipf_alpha))
    return _che(probs, cache_items, _first_guess(probs, cache_items, zipf_alpha))


def zipf_che_hit_ratios(catalog_items: int, cache_sizes: list[int], zipf_alpha: float) -> list[float]:
    """Hit ratios for several cache sizes over one catalogue: the popularity grid is built once,
    and each search starts from a guess scaled from the last size's characteristic time.

    >>> [round(h, 3) for h in zipf_che_hit_ratios(1_000_000, [10_000, 1_000_000], 0.8)]
    [0.232, 1.0]
    """
    probs = _popularity(zipf_alpha, _zipf_points(catalog_items, zipf_alpha))
    ratios, last = [], None
    for size in cache_sizes:
        if size >= catalog_items:
            ratios.append(1.0)
            continue
        # Locally T grows like C^α (see _first_guess): from the last size's T the guess is close.
        guess = (_first_guess(probs, size, zipf_alpha) if last is None
                 else last[1] * (size / last[0]) ** zipf_alpha)
        hit, t = _che(probs, size, guess)
        ratios.append(hit)
        last = (size, t)
    return ratios


def zipf_che_hit_ratio_exact(catalog_items: int, cache_items: int, zipf_alpha: float) -> Che:
    """The same Che equations summed over every rank; slow, for checking.

    >>> h, _ = zipf_che_hit_ratio_exact(1000, 100, 0.8)
    >>> abs(h - zipf_che_hit_ratio(1000, 100, 0.8)[0]) < 1e-3
    True
    """
    if cache_items >= catalog_items:
        return Che(1.0, math.inf)
    probs = _popularity(zipf_alpha, [(float(i), 1.0) for i in range(1, catalog_items + 1)])
    return _che(probs, cache_items, _first_guess(probs, cache_items, zipf_alpha))


class LRUHitRatio(NamedTuple):
    hit_ratio_pct: float
    characteristic_time: float


def lru_hit_ratio(catalog_items: int, cache_items: int, zipf_alpha: float) -> LRUHitRatio:
    """An LRU cache's hit ratio, in per cent, under Zipf(α) popularity (Che).

    :func:`zipf_che_hit_ratio` in the calculator's units: p_i ∝ i^(−α);
    T solves Σ(1 − e^(−p_i·T)) = C; hit = Σ p_i·(1 − e^(−p_i·T)).

    Source: Che et al. (2002); Fricker, Robert & Roberts (2012).

    A cache holding 5 % of 100,000 items with α = 0.8 serves more than a
    third of all requests:

    >>> round(lru_hit_ratio(100_000, 5_000, 0.8).hit_ratio_pct, 1)
    36.9
    """
    hit, t = zipf_che_hit_ratio(catalog_items, cache_items, zipf_alpha)
    return LRUHitRatio(100.0 * hit, t)


def ttl_hit_ratio(key_rps: float, ttl_s: float) -> float:
    """Hit ratio of one key in a TTL cache whose timer starts on a miss.

    With Poisson requests at rate λ, a miss fills the cache for T seconds,
    every request in that window hits (λT on average), and the first request
    after it misses again: hit = λT / (1 + λT). Misses occur once per cycle
    of mean length T + 1/λ.

    Source: Jung, Berger & Balakrishnan (2003), eq. for the "timer on miss"
    cache.

    A key requested twice a second, cached for 60 s: 120 hits per miss.

    >>> round(ttl_hit_ratio(2.0, 60.0), 4)
    0.9917
    """
    n = key_rps * ttl_s
    return n / (1.0 + n)


class TTLCache(NamedTuple):
    hit_ratio_pct: float
    origin_rps_per_key: float
    max_staleness_s: float


def ttl_cache(key_rps: float, ttl_s: float) -> TTLCache:
    """One key in a TTL cache: hit ratio, origin rate, and how stale a hit can be.

        hit = λT / (1 + λT)      λ_origin = λ / (1 + λT)      staleness ≤ T

    The origin sees one miss per cycle of mean length T + 1/λ; a value
    stored at a miss is served unchanged until it expires, so a hit may be
    up to one TTL old.

    Source: Jung, Berger & Balakrishnan (2003), the "timer on miss" cache.

    A key asked for once a second with a 9 s TTL: 90 % hits, and the origin
    sees one request every 10 seconds:

    >>> r = ttl_cache(1.0, 9.0)
    >>> round(r.hit_ratio_pct, 6), round(r.origin_rps_per_key, 6), r.max_staleness_s
    (90.0, 0.1, 9.0)
    """
    return TTLCache(100.0 * ttl_hit_ratio(key_rps, ttl_s), key_rps / (1.0 + key_rps * ttl_s), ttl_s)
