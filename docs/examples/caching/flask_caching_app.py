"""Flask-Caching with the keys right: the query string, the user, errors and invalidation.

Without CACHE_REDIS_URL in the environment the cache is SimpleCache: a dict
inside each worker process (fine to try this file, wrong for production:
every Gunicorn worker then has its own copy). With it, every worker shares
one Redis:

    CACHE_REDIS_URL=redis://localhost:6379/0 gunicorn -w 4 flask_caching_app:app

Try the query-string gotcha: remove ``query_string=True`` below, then
``curl 'localhost:8000/search?q=a'`` and ``curl 'localhost:8000/search?q=b'``
return the same cached page, because the default key is only the path.
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, request
from flask_caching import Cache
from redis.backoff import NoBackoff
from redis.retry import Retry

cache = Cache()


# Flask-Caching treats a failed cache call as a miss, but only once the call has failed. redis-py waits
# up to 5 s to connect and 5 s for each reply by default, so a Redis that stops answering (a network
# partition, a stuck failover: packets dropped, not refused) makes every request wait that long before
# it falls back, and fills every worker. A cache that answers in a millisecond can give up after 100 ms.
# Retries make it worse: built from a host rather than a URL, redis-py 8 retries a timeout 10 times.
REDIS_CLIENT_OPTIONS = {
    "socket_connect_timeout": 0.1,  # seconds to open a connection
    "socket_timeout": 0.1,  # seconds to wait for each reply
    "retry": Retry(NoBackoff(), 0),  # a cache miss is cheaper than a retry: fall back at once
}


def config_from_env() -> dict:
    url = os.environ.get("CACHE_REDIS_URL")
    common = {
        "CACHE_DEFAULT_TIMEOUT": 300,
        # Bump the version when the cached format changes, so a deploy never reads old entries.
        "CACHE_KEY_PREFIX": "shop:v1:",
    }
    if url:
        # redis-py connects on the first command, not here, so importing this never touches the network.
        return {**common, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url, "CACHE_OPTIONS": REDIS_CLIENT_OPTIONS}
    return {**common, "CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 10_000}  # items per worker


def only_successes(rv) -> bool:
    """response_filter: keep errors out of the cache (a cached 500 is an outage that outlives its cause)."""
    if isinstance(rv, Response):
        return rv.status_code < 400
    if isinstance(rv, tuple) and len(rv) > 1 and isinstance(rv[1], int):
        return rv[1] < 400
    return True


def slow_search(q: str) -> list[str]:
    time.sleep(0.05)  # stands for a 50 ms query
    return [f"result for {q!r}"]


@cache.memoize(timeout=600)
def product(product_id: int) -> dict:
    """Memoized per argument: the key includes product_id. Delete it when the product changes."""
    time.sleep(0.05)
    return {"id": product_id, "price": 100 + product_id}


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(config_from_env())
    cache.init_app(app)

    @app.get("/search")
    @cache.cached(timeout=60, query_string=True, response_filter=only_successes)
    def search():
        # query_string=True: the key is a hash of the sorted query arguments, so ?q=a and ?q=b
        # are different entries (and ?a=1&b=2 and ?b=2&a=1 are the same one).
        q = request.args.get("q", "")
        if not q:
            return {"error": "q is required"}, 400
        return {"q": q, "results": slow_search(q)}

    @app.get("/products/<int:product_id>")
    def show_product(product_id: int):
        return product(product_id)

    @app.post("/products/<int:product_id>/price")
    def update_price(product_id: int):
        # ... UPDATE products SET price = … and COMMIT first; then invalidate, so that a
        # reader who misses in between cannot put the old row back for ten minutes.
        cache.delete_memoized(product, product_id)
        return {"ok": True}

    return app


app = create_app()
