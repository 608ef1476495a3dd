"""Field helpers and bounds shared by the catalogue's declarations.

The upper bounds keep every computation fast enough for a keystroke and lie
far beyond any real deployment; they are not physical limits. The lower
bounds of quantities that divide are realistic floors, so a reader who types
1e-300 is told the real limit instead of getting a meaningless number.
"""

from __future__ import annotations

from ..spec import Field

__all__ = ["MAX_MS", "MAX_RPS", "MAX_COUNT", "MAX_REQUESTS", "MIN_MS", "MIN_RPS", "MIN_S", "MAX_S", "MAX_YEAR_S",
           "MAX_POOL_RPS", "MAX_WHOLE", "MAX_MONEY", "MAX_PCT", "MAX_DEPLOYED", "MAX_POOL", "MAX_ITEMS",
           "MAX_ZIPF_ALPHA", "MAX_TTL_S", "LAMBDA_MIN_MEMORY_MB", "LAMBDA_MAX_MEMORY_MB", "MAX_PRICE_PER_MILLION",
           "MAX_PRICE_PER_GB_SECOND", "MAX_FREE_TIER", "MAX_EAGER_QUERIES", "MAX_CONNECTIONS", "MAX_SESSION_BYTES",
           "MIN_FANOUT", "MAX_RETRIES", "MAX_RETRY_LAYERS", "MIN_WINDOW_DAYS", "MAX_WINDOW_DAYS", "MIN_WINDOW_HOURS",
           "MAX_WINDOW_HOURS", "MIN_CONCURRENCY", "MAX_CONCURRENCY", "MAX_CLIENTS", "MAX_CORES", "MAX_THREADS",
           "MAX_MEMORY_MB", "MAX_SIMULATED_REQUESTS",
           "ms", "pct", "count", "money", "rate", "requests"]

# Every bound a declaration uses is named here (tests/test_catalogue.py refuses a number written in a
# declaration's minimum= or maximum=, but for 0 and 1).
MAX_MS = 3_600_000.0  # one hour
MAX_RPS = 10_000_000.0
MAX_COUNT = 1_000_000_000_000
MAX_REQUESTS = 10**13  # requests in a month or an SLO window: 3.8 million a second for a month
MIN_MS = 0.001  # one microsecond
MIN_RPS = 1e-6  # also jobs a second: one every eleven days
MIN_S = 0.001  # a millisecond, for times given in seconds
MAX_S = 86_400.0  # a day: a job's time, a wait target
MAX_YEAR_S = 31_536_000.0  # a year: a load test's duration
MAX_POOL_RPS = 1_000_000.0  # arrivals at one pool or one stack: beyond any one service
MAX_WHOLE = 1_000_000  # count()'s upper bound unless a field names another
MAX_MONEY = 1_000_000.0  # a price an hour
MAX_PCT = 100.0
MAX_DEPLOYED = 100_000  # servers, instances, processes, threads, pool slots, calls: anything deployed by the many
MAX_POOL = 10_000  # the workers of one queueing pool (Erlang C is a loop over them), cores, spare instances
MAX_ITEMS = 1_000_000_000  # cache keys
MAX_ZIPF_ALPHA = 3.0  # web objects measure 0.6–1.0; at 3 nearly every request is for the top few items
MAX_TTL_S = 1e8  # about three years
LAMBDA_MIN_MEMORY_MB = 128.0  # AWS Lambda's configurable memory, 128 MB to 10,240 MB
LAMBDA_MAX_MEMORY_MB = 10_240.0
MAX_PRICE_PER_MILLION = 1000.0  # $ per million requests: 5,000 times Lambda's
MAX_PRICE_PER_GB_SECOND = 1.0  # $: 60,000 times Lambda's
MAX_FREE_TIER = 1e12  # free requests or GB-seconds a month
MAX_EAGER_QUERIES = 100  # queries an eager load issues: one per relationship level
MAX_CONNECTIONS = 10_000_000  # a database's max_connections
MAX_SESSION_BYTES = 10_000_000  # a session's JSON: far over any cookie's 4 KB
MIN_FANOUT = 2  # an index page with fewer keys does not branch
MAX_RETRIES = 20
MAX_RETRY_LAYERS = 10
MIN_WINDOW_DAYS = 0.01  # a quarter of an hour
MAX_WINDOW_DAYS = 3660.0  # ten years
MIN_WINDOW_HOURS = 0.01
MAX_WINDOW_HOURS = MAX_WINDOW_DAYS * 24
MIN_CONCURRENCY = 1e-6  # a mean in flight: one request a second of a microsecond
MAX_CONCURRENCY = 1e9
MAX_CLIENTS = 10_000_000.0  # the USL's N: its curve is swept up to here
MAX_CORES = 1024  # one machine's
MAX_THREADS = 1000  # per Gunicorn worker
MAX_MEMORY_MB = 4_194_304.0  # 4 TB, one machine's
MAX_SIMULATED_REQUESTS = 100_000  # a simulation's requests: 300 ms natively at the most (make bench)
MIN_SIMULATED_REQUESTS = 10_000  # fewer leave too few beyond a p99 for its interval
MAX_SEED = 2**32 - 1  # seeds are 32-bit, like most tools' (and short enough to type and share)


def ms(name: str, label: str, *, default: float | None, help: str, minimum: float = MIN_MS,
       optional: bool = False) -> Field:
    """A duration in milliseconds, up to an hour."""
    return Field(name, label, unit="ms", kind="float", default=default, minimum=minimum, maximum=MAX_MS,
                 optional=optional, help=help)


def pct(name: str, label: str, *, default: float, help: str, minimum: float = 0.0) -> Field:
    """A percentage, 0–100."""
    return Field(name, label, unit="%", kind="float", default=default, minimum=minimum, maximum=MAX_PCT, help=help)


def count(name: str, label: str, *, default: int, help: str, minimum: int = 1, maximum: int = MAX_WHOLE,
          unit: str = "") -> Field:
    """A whole number of things: workers, servers, items."""
    return Field(name, label, unit=unit, kind="int", default=default, minimum=minimum, maximum=maximum, help=help)


def money(name: str, label: str, *, default: float, help: str, unit: str = "$/hour") -> Field:
    """A price in the one currency unit."""
    return Field(name, label, unit=unit, kind="float", default=default, minimum=0.0, maximum=MAX_MONEY, help=help)


def rate(name: str, label: str, *, default: float | None, help: str = "", minimum: float = MIN_RPS,
         maximum: float = MAX_RPS, optional: bool = False) -> Field:
    """A rate in requests per second."""
    return Field(name, label, unit="requests/s", kind="float", default=default, minimum=minimum, maximum=maximum,
                 optional=optional, help=help)


def requests(name: str, label: str, *, help: str = "", default: int = 10_000_000) -> Field:
    """A number of requests over a month or a window."""
    return Field(name, label, unit="requests", kind="int", default=default, minimum=0, maximum=MAX_REQUESTS,
                 help=help)
