"""Each request's time split by tier, with visit counts, as a Server-Timing header and a log line.

    flask --app tier_timing run
    curl -sI http://127.0.0.1:5000/orders | grep -i server-timing
    server-timing: total;dur=21.3, cpu;dur=12.1, db;dur=7.3;desc="4 queries", cache;dur=0.4;desc="1 call"

The figures are the inputs of the mva and stack calculators: the app tier's
service time is the CPU time (what the GIL serialises), the database tier's
is db time ÷ queries with queries as its visits, the cache's likewise.
Measure at low load, one request at a time, so no figure includes queueing;
``tiers()`` turns the averages into the calculators' tier text. The database
is SQLite in memory and the cache a dict, so the example runs anywhere; with
PostgreSQL and Redis the hooks are the same (SQLAlchemy's cursor events,
a wrapper around the client's calls).
"""

import logging
import time
from collections import defaultdict

from flask import Flask, g, jsonify
from sqlalchemy import create_engine, event, text

log = logging.getLogger("tier_timing")
totals = defaultdict(float)  # summed over requests: requests, cpu_ms, db_ms, queries, cache_ms, calls


def timed_cache(cache: dict):
    """A cache whose every call is timed and counted for the current request."""
    def get(key):
        start = time.perf_counter()
        try:
            return cache.get(key)
        finally:
            g.cache_ms += (time.perf_counter() - start) * 1000
            g.calls += 1
    return get


def create_app():
    app = Flask(__name__)
    engine = create_engine("sqlite://")
    cache_get = timed_cache({"price:1": 9.5})

    @event.listens_for(engine, "before_cursor_execute")
    def query_starts(conn, cursor, statement, parameters, context, executemany):
        conn.info["query_start"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def query_ends(conn, cursor, statement, parameters, context, executemany):
        g.db_ms += (time.perf_counter() - conn.info.pop("query_start")) * 1000
        g.queries += 1

    @app.before_request
    def start():
        g.wall, g.cpu = time.perf_counter(), time.thread_time()
        g.db_ms = g.cache_ms = 0.0
        g.queries = g.calls = 0

    @app.after_request
    def stop(response):
        wall_ms = (time.perf_counter() - g.wall) * 1000
        cpu_ms = (time.thread_time() - g.cpu) * 1000
        response.headers["Server-Timing"] = (
            f'total;dur={wall_ms:.1f}, cpu;dur={cpu_ms:.1f}, db;dur={g.db_ms:.1f};desc="{g.queries} queries", '
            f'cache;dur={g.cache_ms:.1f};desc="{g.calls} call{"s" if g.calls != 1 else ""}"')
        for name, value in (("requests", 1), ("cpu_ms", cpu_ms), ("db_ms", g.db_ms), ("queries", g.queries),
                            ("cache_ms", g.cache_ms), ("calls", g.calls)):
            totals[name] += value
        log.info("wall_ms=%.1f cpu_ms=%.1f db_ms=%.1f queries=%d cache_ms=%.2f calls=%d",
                 wall_ms, cpu_ms, g.db_ms, g.queries, g.cache_ms, g.calls)
        return response

    @app.get("/orders")
    def orders():
        with engine.connect() as conn:
            rows = [conn.execute(text("SELECT :n * 2"), {"n": n}).scalar() for n in range(4)]
        price = cache_get("price:1")
        total = sum(i * 1.07 for i in range(100_000))  # the app's own CPU work
        return jsonify(rows=rows, price=price, total=round(total, 2))

    return app


def tiers(app_servers: str = "2x1", db_cores: int = 2) -> str:
    """The averages so far as tier text: app CPU per request, then per query and per cache call."""
    n = totals["requests"] or 1
    queries, calls = totals["queries"] / n, totals["calls"] / n
    parts = [f"gunicorn:{totals['cpu_ms'] / n:.2f}:{app_servers}"]
    if queries:
        parts.append(f"postgres:{totals['db_ms'] / totals['queries']:.3f}:{db_cores}:{queries:g}")
    if calls:
        parts.append(f"redis:{totals['cache_ms'] / totals['calls']:.3f}:1:{calls:g}")
    return ", ".join(parts)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    client = create_app().test_client()
    for _ in range(50):
        client.get("/orders")
    print(tiers())
