"""Database-side costs: N+1 queries, connection pools, indexes, session cookies.

Sources: SQLAlchemy ORM documentation, "Relationship Loading Techniques"
(lazy, joined and selectin loading). HikariCP wiki, "About Pool Sizing"
(connections = (core_count × 2) + effective_spindle_count). PostgreSQL
documentation, "max_connections" and "superuser_reserved_connections".
R. Bayer, E. McCreight, "Organization and maintenance of large ordered
indexes", Acta Informatica 1, 1972 (B-tree height). RFC 6265 §6.1 (browsers
support cookies of at least 4096 bytes). Flask ``SecureCookieSessionInterface``
and itsdangerous ``URLSafeTimedSerializer`` (cookie layout).
"""

from __future__ import annotations

import math

__all__ = [
    "n_plus_one",
    "pool_connections",
    "hikari_pool_size",
    "btree_levels",
    "index_vs_scan",
    "session_cookie_bytes",
    "BROWSER_COOKIE_LIMIT_BYTES",
]


def n_plus_one(items: int, query_time_ms: float, eager_queries: int) -> tuple[int, float, float]:
    """Round trips of lazy loading (1 + N queries) versus eager loading (k queries).

    Listing N parents and touching a lazy relationship on each issues one
    query for the list and one per parent. Eager loading issues a fixed
    number: 1 with a JOIN (``joinedload``), 2 with ``selectinload``. Assumes
    each query costs about one round trip, ``query_time_ms``, which holds
    when queries are small and the network or per-query overhead dominates.

    Returns ``(lazy_queries, lazy_db_time_ms, eager_db_time_ms)``.

    A page of 50 orders, each showing its customer, 2 ms per query:

    >>> n_plus_one(50, 2.0, 2)
    (51, 102.0, 4.0)
    """
    lazy = 1 + items
    return lazy, lazy * query_time_ms, eager_queries * query_time_ms


def pool_connections(app_instances: int, workers_per_instance: int, pool_size_per_worker: int) -> int:
    """Connections the application may open: every process has its own pool.

    A pool is per process (SQLAlchemy's ``QueuePool`` is not shared across
    forked Gunicorn workers), so the total is instances × workers × pool
    size, where pool size includes any overflow allowance.

    >>> pool_connections(3, 9, 5)
    135
    """
    return app_instances * workers_per_instance * pool_size_per_worker


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


def index_vs_scan(rows: int, rows_per_page: int, page_read_ms: float, fanout: int) -> tuple[int, float, int, float]:
    """Cost of finding one row by a full scan versus a B-tree index.

    Scan: every page, ⌈rows / rows_per_page⌉ × t_page. Index lookup: one
    page per tree level, then one heap page, (levels + 1) × t_page. Assumes
    every page read costs the same (cold cache); sequential reads are cheaper
    than random ones on disks, so a real planner's break-even differs — use
    EXPLAIN ANALYZE on your data.

    Returns ``(scan_pages, scan_ms, btree_levels, index_ms)``.

    One million users, 100 rows a page, 0.1 ms a page, fan-out 300:

    >>> index_vs_scan(1_000_000, 100, 0.1, 300)
    (10000, 1000.0, 3, 0.4)
    """
    pages = -(-rows // rows_per_page)
    levels = btree_levels(rows, fanout)
    return pages, pages * page_read_ms, levels, round((levels + 1) * page_read_ms, 12)


BROWSER_COOKIE_LIMIT_BYTES = 4096
# "session=" + payload + "." + 4-byte timestamp in base64 (6) + "." + HMAC-SHA1
# signature in base64 (27): Flask's default signed-cookie session.
_SESSION_COOKIE_OVERHEAD_BYTES = len("session=") + 1 + 6 + 1 + 27


def session_cookie_bytes(session_bytes: int) -> int:
    """Size of Flask's default (client-side, signed) session cookie.

    Flask serialises the session to JSON, base64url-encodes it (4 bytes per 3,
    no padding) and appends a timestamp and an HMAC-SHA1 signature
    (itsdangerous). Flask zlib-compresses the JSON when that makes it
    shorter (a leading "." marks it); this is the size without compression:
    exact for data that does not compress, an upper bound otherwise. The
    whole cookie travels on every request.

    A 1 KB session becomes a 1.4 KB cookie:

    >>> session_cookie_bytes(1000)
    1377
    """
    return math.ceil(session_bytes * 4 / 3) + _SESSION_COOKIE_OVERHEAD_BYTES
