"""Caching calculators: cache, cache-size, ttl-cache (models in :mod:`perfcalc.caching`)."""

from __future__ import annotations

from .. import charts
from ..caching import cache_effect, lru_hit_ratio, ttl_cache
from ..spec import Calculator, Field, Output
from .fields import MAX_ITEMS, MAX_RPS, MAX_TTL_S, MAX_ZIPF_ALPHA, MIN_S, count, ms, pct, rate


def _cache_warnings(args, r):
    if args["hit_time_ms"] >= args["miss_time_ms"]:
        return ["A hit is no faster than a miss: this cache adds latency and work; it only helps if it protects the origin."]
    return []


CACHE = Calculator(
    id="cache",
    title="Cache: latency and origin load",
    summary="Mean response time and origin traffic for a given hit ratio.",
    fields=(
        pct("hit_ratio_pct", "Hit ratio", default=80.0, help="Share of requests answered from the cache."),
        ms("hit_time_ms", "Time on a hit", default=2.0, help="Cache lookup and response, e.g. a Redis GET.", minimum=0.0),
        ms("miss_time_ms", "Time on a miss", default=120.0, help="Full origin work plus the cache lookup and fill."),
        rate("arrival_rps", "Request rate", default=100.0, minimum=0.0, maximum=MAX_RPS, help="Requests reaching the cache."),
    ),
    outputs=(
        Output("effective_time_ms", "Mean response time", unit="ms", decimals=2),
        Output("speedup", "Speed-up over no cache", unit="×", decimals=2, none="unbounded"),
        Output("origin_rps", "Load on the origin", unit="requests/s", decimals=2),
        Output("origin_load_reduction_pct", "Origin load removed", unit="%", format="pct", decimals=1),
    ),
    model=cache_effect,
    warn=_cache_warnings,
    assumptions="Mean time h·t_hit + (1 − h)·t_miss; the origin sees (1 − h)·λ. Means only: misses still set the tail "
                "latency, and a cold or flushed cache sends the full load to the origin at once.",
    equations=(
        "\\bar t = h\\,t_{\\text{hit}} + (1 - h)\\,t_{\\text{miss}}\\qquad \\lambda_{\\text{origin}} = (1 - h)\\,\\lambda",
    ),
)


def _cache_size_warnings(args, r):
    if args["cache_items"] >= args["catalog_items"]:
        return ["The cache holds the whole catalogue: after warm-up every request hits (only cold misses remain)."]
    return []


CACHE_SIZE = Calculator(
    id="cache-size",
    title="LRU hit ratio from cache size (Che approximation)",
    summary="How many requests an LRU cache of a given size serves when popularity follows Zipf's law.",
    fields=(
        count("catalog_items", "Distinct items", default=100_000,
              help="Distinct cacheable keys (pages, objects, query results).", maximum=MAX_ITEMS),
        count("cache_items", "Cache capacity", default=5_000, help="Items the cache holds (memory / item size).",
              maximum=MAX_ITEMS),
        Field("zipf_alpha", "Zipf exponent α", default=0.8, minimum=0.0, maximum=MAX_ZIPF_ALPHA,
              help="Popularity skew: 0 is uniform; web objects measure about 0.6–1.0."),
    ),
    outputs=(
        Output("hit_ratio_pct", "Hit ratio", unit="%", format="pct", decimals=1),
        Output("characteristic_time", "Characteristic time", unit="requests", decimals=0, none="unbounded",
               help="Requests an item survives in the cache without being asked for."),
    ),
    model=lru_hit_ratio,
    warn=_cache_size_warnings,
    assumptions="Independent requests with fixed Zipf popularity (the independent reference model); LRU eviction; "
                "warm cache. Real traffic has temporal locality, which usually helps LRU.",
    equations=(
        "p_i = \\frac{i^{-\\alpha}}{\\sum_{j=1}^{N} j^{-\\alpha}}",
        "\\sum_{i=1}^{N} \\left(1 - e^{-p_i T}\\right) = C\\qquad h = \\sum_{i=1}^{N} p_i \\left(1 - e^{-p_i T}\\right)",
    ),
    chart=charts.cache_size_chart,
)


TTL_CACHE = Calculator(
    id="ttl-cache",
    title="TTL cache: hit ratio and staleness",
    summary="Hit ratio and origin load of one key cached for a fixed time after each miss.",
    fields=(
        rate("key_rps", "Requests for the key", default=2.0, help="Requests per second for this one key."),
        Field("ttl_s", "TTL", unit="s", default=60.0, minimum=MIN_S, maximum=MAX_TTL_S,
              help="Time to live set when the value is stored (Redis SET … EX)."),
    ),
    outputs=(
        Output("hit_ratio_pct", "Hit ratio", unit="%", format="pct", decimals=2),
        Output("origin_rps_per_key", "Origin requests for the key", unit="requests/s", decimals=4),
        Output("max_staleness_s", "Worst-case staleness", unit="s", decimals=1),
    ),
    model=ttl_cache,
    assumptions="Poisson requests; the timer starts on a miss and is not extended by hits; no invalidation on write, "
                "so a value can be up to one TTL old.",
    equations=(
        "h = \\frac{\\lambda T}{1 + \\lambda T}\\qquad \\lambda_{\\text{origin}} = \\frac{\\lambda}{1 + \\lambda T}",
    ),
)
