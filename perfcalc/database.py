"""Database-side costs: N+1 queries, connection pools, indexes, session cookies.

Sources: SQLAlchemy ORM documentation, "Relationship Loading Techniques"
(lazy, joined and selectin loading), and "Connection Pooling" (``QueuePool``
opens connections lazily; ``pool_size`` 5, ``max_overflow`` 10). HikariCP wiki, "About Pool Sizing"
(connections = (core_count × 2) + effective_spindle_count). PostgreSQL
documentation, "max_connections" and "superuser_reserved_connections".
R. Bayer, E. McCreight, "Organization and maintenance of large ordered
indexes", Acta Informatica 1, 1972 (B-tree height). RFC 6265 §6.1 (browsers
support cookies of at least 4096 bytes). Flask ``SecureCookieSessionInterface``
and itsdangerous ``URLSafeTimedSerializer`` (cookie layout).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .spec import PerfcalcError

__all__ = [
    "BROWSER_COOKIE_LIMIT_BYTES",
    "POOL_OVERSUBSCRIPTION_LIMIT",
    "NPlusOne",
    "ConnectionPool",
    "IndexScan",
    "SessionSize",
    "n_plus_one",
    "connections_per_worker",
    "pool_connections",
    "hikari_pool_size",
    "connection_pool",
    "btree_levels",
    "index_vs_scan",
    "session_cookie_bytes",
    "session_size",
]

# HikariCP's figure is how many connections a database can usefully run at
# once; pools several times larger only move the queue into the database.
# The factor of four is a heuristic, this guide's rule of thumb: it leaves
# room for idle and briefly held connections. Neither HikariCP nor PostgreSQL
# publishes such a threshold, and no measurement stands behind it; the
# connection-pool warning says so.
POOL_OVERSUBSCRIPTION_LIMIT = 4


class NPlusOne(NamedTuple):
    lazy_queries: int
    lazy_db_time_ms: float
    eager_db_time_ms: float
    time_saved_ms: float
    slowdown: float


def n_plus_one(items: int, query_time_ms: float, eager_queries: int) -> NPlusOne:
    """Round trips of lazy loading (1 + N queries) versus eager loading (k queries).

    Listing N parents and touching a lazy relationship on each issues one
    query for the list and one per parent. Eager loading issues a fixed
    number: 1 with a JOIN (``joinedload``), 2 with ``selectinload``. Assumes
    each query costs about one round trip, ``query_time_ms``, which holds
    when queries are small and the network or per-query overhead dominates.

        lazy = (1 + N)·q      eager = k·q      saved = lazy − eager      slowdown = lazy / eager

    A page of 50 orders, each showing its customer, 2 ms per query:

    >>> n_plus_one(50, 2.0, 2)
    NPlusOne(lazy_queries=51, lazy_db_time_ms=102.0, eager_db_time_ms=4.0, time_saved_ms=98.0, slowdown=25.5)
    """
    lazy = 1 + items
    lazy_ms, eager_ms = lazy * query_time_ms, eager_queries * query_time_ms
    return NPlusOne(lazy, lazy_ms, eager_ms, lazy_ms - eager_ms, lazy_ms / eager_ms)


def connections_per_worker(threads_per_worker: int, pool_size_per_worker: int, max_overflow_per_worker: int) -> int:
    """Connections one worker process can hold at once: min(pool size + max overflow, threads).

    SQLAlchemy's ``QueuePool`` opens connections lazily, when a thread
    checks one out, and a thread holds at most one (one session per request,
    as Flask-SQLAlchemy scopes it). So a sync worker, one thread, holds one
    connection however large its pool; a threaded worker holds one per busy
    thread, up to ``pool_size + max_overflow``. Threads beyond that wait on
    checkout and fail after ``pool_timeout`` (30 s by default).

    Source: SQLAlchemy documentation, "Connection Pooling" (``QueuePool``:
    ``pool_size`` 5, ``max_overflow`` 10, ``pool_timeout`` 30 by default).

    >>> connections_per_worker(1, 5, 10), connections_per_worker(8, 5, 10), connections_per_worker(32, 5, 10)
    (1, 8, 15)
    """
    return min(pool_size_per_worker + max_overflow_per_worker, threads_per_worker)


def pool_connections(app_instances: int, workers_per_instance: int, connections_per_worker: int) -> int:
    """Connections the application may hold at once: every worker process has its own pool.

    A pool is per process (SQLAlchemy's ``QueuePool`` is not shared across
    forked Gunicorn workers), so the total is instances × workers × what
    one worker holds (:func:`connections_per_worker`).

    >>> pool_connections(3, 9, 5)
    135
    """
    return app_instances * workers_per_instance * connections_per_worker


def hikari_pool_size(db_cores: int, db_effective_spindles: int) -> int:
    """HikariCP's starting point for active connections to one database.

    connections = (core_count × 2) + effective_spindle_count, where cores
    are the database server's and spindles its concurrently seeking disks
    (0 when the working set is cached; SSDs behave differently, so test).

    The wiki's example: a 4-core server with one disk wants 9 or 10.

    >>> hikari_pool_size(4, 1)
    9
    """
    return db_cores * 2 + db_effective_spindles


class ConnectionPool(NamedTuple):
    connections_needed: int
    connections_available: int
    headroom: int
    fits: bool
    hikari_pool_size: int
    connections_per_worker: int  # min(pool + overflow, threads)
    pool_limit_per_worker: int  # pool_size + max_overflow: threads beyond it wait on checkout


def connection_pool(
    app_instances: int,
    workers_per_instance: int,
    threads_per_worker: int,
    pool_size_per_worker: int,
    max_overflow_per_worker: int,
    db_max_connections: int,
    db_reserved_connections: int,
    db_cores: int,
    db_effective_spindles: int,
) -> ConnectionPool:
    """Whether the connections every worker can hold fit in the database's limit.

        per worker = min(pool size + max overflow, threads)
        needed = instances × workers × per worker
        available = max_connections − reserved      headroom = available − needed

    and HikariCP's count of connections the database can usefully run at
    once (:func:`hikari_pool_size`). Pools open connections lazily and a
    thread holds one at a time (:func:`connections_per_worker`), so sync
    workers need one each whatever the pool size. Reserved connections must
    leave at least one: a :class:`PerfcalcError` on
    ``db_reserved_connections`` otherwise.

    Source: SQLAlchemy documentation, "Connection Pooling"; PostgreSQL
    documentation, "max_connections" and "superuser_reserved_connections";
    HikariCP wiki, "About Pool Sizing".

    Two instances of five sync workers with SQLAlchemy's default 5 + 10
    against PostgreSQL's default 100, 3 reserved: 10 connections, plenty of
    room. With 16 threads per worker the pools fill to 15 each: 150 wanted,
    97 there.

    >>> r = connection_pool(2, 5, 1, 5, 10, 100, 3, 4, 1)
    >>> r.connections_needed, r.connections_available, r.headroom, r.fits
    (10, 97, 87, True)
    >>> r = connection_pool(2, 5, 16, 5, 10, 100, 3, 4, 1)
    >>> r.connections_needed, r.headroom, r.fits
    (150, -53, False)
    """
    if db_reserved_connections >= db_max_connections:
        raise PerfcalcError(
            "db_reserved_connections must be less than db_max_connections, "
            f"got {db_reserved_connections} ≥ {db_max_connections}",
            "db_reserved_connections",
        )
    per_worker = connections_per_worker(threads_per_worker, pool_size_per_worker, max_overflow_per_worker)
    needed = pool_connections(app_instances, workers_per_instance, per_worker)
    available = db_max_connections - db_reserved_connections
    return ConnectionPool(needed, available, available - needed, needed <= available,
                          hikari_pool_size(db_cores, db_effective_spindles), per_worker,
                          pool_size_per_worker + max_overflow_per_worker)


def btree_levels(rows: int, fanout: int) -> int:
    """Levels of a B-tree over ``rows`` keys: the smallest L with fanout^L ≥ rows.

    Integer arithmetic, so 1,000,000 rows at fan-out 100 is exactly 3.

    >>> btree_levels(1_000_000, 100), btree_levels(1_000_001, 100), btree_levels(1, 100)
    (3, 4, 1)
    """
    levels, reach = 1, fanout
    while reach < rows:
        levels += 1
        reach *= fanout
    return levels


class IndexScan(NamedTuple):
    scan_pages: int
    scan_ms: float
    btree_levels: int
    index_ms: float
    speedup: float


def index_vs_scan(rows: int, rows_per_page: int, page_read_ms: float, fanout: int) -> IndexScan:
    """Cost of finding one row by a full scan versus a B-tree index.

    Scan: every page, ⌈rows / rows_per_page⌉ × t_page. Index lookup: one
    page per tree level, then one heap page, (levels + 1) × t_page. The
    speed-up is their ratio. Assumes
    every page read costs the same (cold cache); sequential reads are cheaper
    than random ones on disks, so a real planner's break-even differs — use
    EXPLAIN ANALYZE on your data.

    One million users, 100 rows a page, 0.1 ms a page, fan-out 300:

    >>> index_vs_scan(1_000_000, 100, 0.1, 300)
    IndexScan(scan_pages=10000, scan_ms=1000.0, btree_levels=3, index_ms=0.4, speedup=2500.0)
    """
    pages = -(-rows // rows_per_page)
    levels = btree_levels(rows, fanout)
    scan_ms, index_ms = pages * page_read_ms, round((levels + 1) * page_read_ms, 12)
    return IndexScan(pages, scan_ms, levels, index_ms, scan_ms / index_ms)


BROWSER_COOKIE_LIMIT_BYTES = 4096
# "session=" + payload + "." + 4-byte timestamp in base64 (6) + "." + HMAC-SHA1
# signature in base64 (27): Flask's default signed-cookie session.
_SESSION_COOKIE_OVERHEAD_BYTES = len("session=") + 1 + 6 + 1 + 27


def session_cookie_bytes(session_bytes: int) -> int:
    """Size of Flask's default (client-side, signed) session cookie, before compression.

    Flask serialises the session to JSON, base64url-encodes it (4 bytes per 3,
    no padding) and appends a timestamp and an HMAC-SHA1 signature
    (itsdangerous). Before encoding, itsdangerous zlib-compresses the JSON
    whenever that saves two bytes or more (a leading "." marks it); this is
    the size without that step. It is exact only when Flask does not
    compress, which for real sessions means a few dozen bytes of JSON, and
    an upper bound beyond, random tokens included: a hex character spends 8
    bits on 4 bits of randomness and a base64 one on 6, and zlib's Huffman
    coding takes most of the difference back. Measured with Flask 3.1.3 and
    itsdangerous 2.2.0, sessions of 1 KB and more of random hex came to 57–
    62 % of this size and of random base64 (or bytes, which Flask's tagged
    JSON stores as base64) to 76–82 %; those bits are also a floor no
    compressor passes (half the token for hex, three quarters for base64),
    while repetitive data shrinks further. The whole cookie travels on
    every request.

    A 1 KB session becomes a 1.4 KB cookie, before compression:

    >>> session_cookie_bytes(1000)
    1377
    """
    return math.ceil(session_bytes * 4 / 3) + _SESSION_COOKIE_OVERHEAD_BYTES


class SessionSize(NamedTuple):
    cookie_bytes: int
    over_browser_limit: bool
    monthly_upload_gb: float


def session_size(session_bytes: int, requests_per_month: int) -> SessionSize:
    """Flask's signed-cookie session: its size, the browser limit, the monthly upload.

        cookie = ⌈4b/3⌉ + 43 bytes      over = cookie > 4096      upload = cookie × N / 10⁹ GB

    The cookie travels with every request, so N requests upload it N times.

    Sizes are before compression (:func:`session_cookie_bytes`): exact only
    for sessions too short for Flask to compress, an upper bound for
    anything longer, random tokens included, so ``over_browser_limit``
    means the cookie may not fit.

    Source: :func:`session_cookie_bytes`; RFC 6265 §6.1 (4096 bytes).

    A 3,100-byte session is over the limit before compression:

    >>> session_size(3100, 10_000_000)
    SessionSize(cookie_bytes=4177, over_browser_limit=True, monthly_upload_gb=41.77)

    Flask compresses it before it is sent; if it is random base64 tokens,
    to about four fifths (some 3,300 bytes), which fits; if it is random
    hex, to about three fifths. Measure the real ``Set-Cookie`` header.
    """
    cookie = session_cookie_bytes(session_bytes)
    return SessionSize(cookie, cookie > BROWSER_COOKIE_LIMIT_BYTES, cookie * requests_per_month / 1e9)
