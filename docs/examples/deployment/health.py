"""Health endpoints for probes and load balancers, and a warm-up before the first real request.

Run with ``gunicorn -c gunicorn.conf.py "health:create_app()"``. Without
preload_app (the default, and this page's gunicorn.conf.py), Gunicorn loads
the app in each worker before that worker accepts a connection, so the
warm-up below runs once per worker, before it takes traffic. With
preload_app it runs once, in the master, and per-process state such as pool
connections must be warmed again after the fork.

- /healthz answers as long as the process can run Python: the liveness probe.
  It checks no dependency, so a slow database never gets healthy pods killed.
- /readyz answers 200 once warm-up has finished: the readiness probe, and the
  load balancer's health check.
"""

from __future__ import annotations

import time
from functools import lru_cache

from flask import Flask, jsonify

# The routes the first real users would hit: warming them loads lazy imports,
# compiles templates, fills per-process caches and opens pool connections.
WARM_PATHS = ("/api/rates",)


@lru_cache(maxsize=1)
def load_rates() -> dict:
    # Stands for an expensive first call: a lookup table read from the
    # database, a model loaded from disk.
    return {"EUR": 1.0, "USD": 1.08, "GBP": 0.86}


def create_app(warm_paths=WARM_PATHS) -> Flask:
    app = Flask(__name__)
    app.config["READY"] = False

    @app.get("/api/rates")
    def rates():
        return jsonify(load_rates())

    @app.get("/healthz")
    def healthz():
        return "ok", 200, {"Cache-Control": "no-store"}

    @app.get("/readyz")
    def readyz():
        if not app.config["READY"]:
            return "warming up", 503, {"Cache-Control": "no-store"}
        return jsonify(ready=True, warmed_in_ms=app.config["WARMED_IN_MS"])

    started = time.perf_counter()
    with app.test_client() as client:  # through routing, views and templates, in-process
        for path in warm_paths:
            client.get(path)
    app.config["WARMED_IN_MS"] = round((time.perf_counter() - started) * 1000, 1)
    app.config["READY"] = True
    return app
