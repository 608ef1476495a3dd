"""Database calculators: n-plus-one, connection-pool, session-size, index-scan (models in :mod:`perfcalc.database`)."""

from __future__ import annotations

from ..database import (BROWSER_COOKIE_LIMIT_BYTES, POOL_OVERSUBSCRIPTION_LIMIT, connection_pool, index_vs_scan,
                        n_plus_one, session_size)
from ..spec import Calculator, Output
from .fields import (MAX_CONNECTIONS, MAX_COUNT, MAX_DEPLOYED, MAX_EAGER_QUERIES, MAX_POOL, MAX_SESSION_BYTES,
                     MIN_FANOUT, count, ms, requests)

N_PLUS_ONE = Calculator(
    id="n-plus-one",
    title="N+1 queries",
    summary="Database time of lazy loading (1 + N queries) against eager loading.",
    fields=(
        count("items", "Items listed", default=50, help="Rows on the page whose relationship is touched.", minimum=0),
        ms("query_time_ms", "Time per query", default=2.0, help="One round trip: network, parse, plan, fetch."),
        count("eager_queries", "Queries when eager", default=2, help="1 for joinedload, 2 for selectinload.",
              maximum=MAX_EAGER_QUERIES),
    ),
    outputs=(
        Output("lazy_queries", "Queries, lazy", unit="queries", format="int"),
        Output("lazy_db_time_ms", "Database time, lazy", unit="ms", decimals=1),
        Output("eager_db_time_ms", "Database time, eager", unit="ms", decimals=1),
        Output("time_saved_ms", "Time saved per page", unit="ms", decimals=1),
        Output("slowdown", "Lazy is slower by", unit="×", decimals=1),
    ),
    model=n_plus_one,
    assumptions="Each query costs about one round trip regardless of rows returned; true for small queries, "
                "where per-query overhead dominates. Eager queries that return far more rows cost more.",
    equations=(
        "Q_{\\text{lazy}} = 1 + n\\qquad t_{\\text{lazy}} = (1 + n)\\,q\\qquad t_{\\text{eager}} = k\\,q",
    ),
)


def _connection_pool_warnings(args, r):
    warnings = []
    if not r.fits:
        warnings.append(
            f"The pools may hold {r.connections_needed} connections but the database accepts "
            f"{r.connections_available}: under load, new connections fail. Shrink the pools, use fewer workers "
            "or threads, or put PgBouncer in front."
        )
    if args["threads_per_worker"] > r.pool_limit_per_worker:
        warnings.append(
            f"Each worker runs {args['threads_per_worker']} threads but its pool holds at most "
            f"{r.pool_limit_per_worker} connections (pool size + overflow): under load the other threads wait on "
            "checkout and fail with a pool timeout (SQLAlchemy's pool_timeout, 30 s by default)."
        )
    if r.connections_needed > POOL_OVERSUBSCRIPTION_LIMIT * r.hikari_pool_size:
        warnings.append(
            f"The pools may hold {r.connections_needed} connections, more than four times the "
            f"{r.hikari_pool_size} that HikariCP's formula suggests the database can usefully run at once: extra "
            "connections then tend to queue inside the database instead of in the pool. The factor of four is a "
            "heuristic of this guide, not a measured or published limit; load-test your database to find its own."
        )
    return warnings


CONNECTION_POOL = Calculator(
    id="connection-pool",
    title="Connection pools against max_connections",
    summary="Whether the connections every worker can hold fit in the database's limit, and how many help.",
    fields=(
        count("app_instances", "App instances", default=2, help="Servers or containers running the app.",
              maximum=MAX_DEPLOYED),
        count("workers_per_instance", "Worker processes per instance", default=5, help="Each process has its own pool.",
              maximum=MAX_DEPLOYED),
        count("threads_per_worker", "Threads per worker", default=1,
              help="1 for sync workers; Gunicorn's --threads for gthread. Each thread holds at most one connection.",
              maximum=MAX_DEPLOYED),
        count("pool_size_per_worker", "Pool size per worker", default=5, help="SQLAlchemy's pool_size (default 5).",
              maximum=MAX_DEPLOYED),
        count("max_overflow_per_worker", "Max overflow per worker", default=10, minimum=0,
              help="SQLAlchemy's max_overflow (default 10): connections opened beyond pool_size under load.",
              maximum=MAX_DEPLOYED),
        count("db_max_connections", "Database max_connections", default=100, help="PostgreSQL's default is 100.",
              maximum=MAX_CONNECTIONS),
        count("db_reserved_connections", "Reserved connections", default=3,
              help="Kept for superusers and maintenance (PostgreSQL's superuser_reserved_connections, default 3).",
              minimum=0, maximum=MAX_CONNECTIONS),
        count("db_cores", "Database CPU cores", default=4, help="Cores of the database server.", maximum=MAX_POOL),
        count("db_effective_spindles", "Effective spindles", default=1,
              help="Disks seeking at once; 0 when the working set is in memory.", minimum=0, maximum=MAX_POOL),
    ),
    outputs=(
        Output("connections_needed", "Connections the workers may hold", unit="connections", format="int"),
        Output("connections_available", "Connections available", unit="connections", format="int"),
        Output("headroom", "Headroom", unit="connections", format="int"),
        Output("fits", "Fits", format="bool"),
        Output("hikari_pool_size", "Useful active connections (HikariCP)", unit="connections", format="int"),
    ),
    model=connection_pool,
    warn=_connection_pool_warnings,
    assumptions="SQLAlchemy's QueuePool opens connections lazily and each thread holds at most one, so a worker "
                "holds min(pool size + overflow, threads); every worker can be that busy at once (a traffic spike "
                "does exactly this). HikariCP's (cores × 2) + spindles is a starting point for total active "
                "connections, to be load-tested.",
    equations=(
        "\\text{needed} = i \\cdot w \\cdot \\min(p + o,\\ t)\\qquad \\text{available} = \\text{max\\_connections} - \\text{reserved}",
        "\\text{HikariCP} = 2\\,n_{\\text{cores}} + n_{\\text{spindles}}",
    ),
)


def _session_size_warnings(args, r):
    if r.over_browser_limit:
        return [f"Uncompressed, the cookie is {r.cookie_bytes:,} bytes, over the {BROWSER_COOKIE_LIMIT_BYTES} bytes "
                "browsers are required to keep; larger cookies may be silently ignored. Flask compresses any session "
                "longer than a few dozen bytes, random tokens included (hex to about 60 % of this size, base64 to "
                "about 80 %, repetitive data further), so it may still fit: measure the real Set-Cookie header, or "
                "move the data to a server-side session."]
    return []


SESSION_SIZE = Calculator(
    id="session-size",
    title="Session cookie size",
    summary="How big Flask's signed-cookie session gets, and what it costs to send it with every request.",
    fields=(
        count("session_bytes", "Session data", default=1500, help="Size of the session as JSON.", minimum=0,
              maximum=MAX_SESSION_BYTES, unit="bytes"),
        requests("requests_per_month", "Requests per month", help="Requests that carry the cookie."),
    ),
    outputs=(
        Output("cookie_bytes", "Cookie size, uncompressed", unit="bytes", format="int",
               help="Exact for sessions too short for Flask to compress; an upper bound otherwise, random tokens "
                    "included."),
        Output("over_browser_limit", "Over 4096 bytes uncompressed", format="bool"),
        Output("monthly_upload_gb", "Cookie upload per month", unit="GB", decimals=2),
    ),
    model=session_size,
    warn=_session_size_warnings,
    assumptions="Flask's default session: base64url JSON plus timestamp and HMAC-SHA1 signature, uncompressed. "
                "Flask zlib-compresses the JSON when that is shorter, which it is beyond a few dozen bytes, random "
                "tokens included (hex to about 60 %, base64 to about 80 %, repetitive data further): these sizes "
                "are upper bounds. Browsers must support cookies of at least 4096 bytes (RFC 6265).",
    equations=(
        "\\text{cookie} = \\left\\lceil \\tfrac{4}{3}\\,b \\right\\rceil + 43\\ \\text{bytes}\\qquad \\text{upload} = \\text{cookie} \\times N_{\\text{month}}",
    ),
)


INDEX_SCAN = Calculator(
    id="index-scan",
    title="Index lookup versus full scan",
    summary="Pages read to find one row with and without a B-tree index.",
    fields=(
        count("rows", "Rows in the table", default=1_000_000, help="", maximum=MAX_COUNT),
        count("rows_per_page", "Rows per page", default=100, help="8 KB pages hold roughly 50–200 typical rows.",
              maximum=MAX_DEPLOYED),
        ms("page_read_ms", "Time per page read", default=0.1, help="0.1 ms is a fast SSD; a cached page is far less."),
        count("fanout", "Index fan-out", default=300, help="Keys per index page: hundreds for short keys.", minimum=MIN_FANOUT,
              maximum=MAX_DEPLOYED),
    ),
    outputs=(
        Output("scan_pages", "Pages scanned", unit="pages", format="int"),
        Output("scan_ms", "Full scan", unit="ms", decimals=2),
        Output("btree_levels", "B-tree levels", unit="levels", format="int"),
        Output("index_ms", "Index lookup", unit="ms", decimals=2),
        Output("speedup", "Index is faster by", unit="×", decimals=0),
    ),
    model=index_vs_scan,
    assumptions="One matching row; every page read costs the same. Sequential scans read faster than random pages, "
                "and hot pages are cached, so the real gap is smaller for small tables; EXPLAIN ANALYZE decides.",
    equations=(
        "P_{\\text{scan}} = \\left\\lceil \\frac{r}{r_{\\text{page}}} \\right\\rceil\\qquad L = \\min\\{\\ell : f^{\\ell} \\ge r\\}\\qquad t_{\\text{index}} = (L + 1)\\,t_{\\text{page}}",
    ),
)
