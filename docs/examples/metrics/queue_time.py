"""Queue time and service time for every request, measured in Flask.

The proxy stamps each request with the time it forwarded it
(nginx: ``proxy_set_header X-Request-Start "t=${msec}";``, see
nginx-timing.conf). When the worker starts on the request, the
difference is the time the request spent queued between the proxy and
the code: in the listen backlog, in gthread's queue, behind a busy worker.
The time in the view is the service time. Both go out as a
``Server-Timing`` header (visible in the browser's developer tools), in the
log, and, when prometheus_client is installed, as histograms.

Run it: ``gunicorn -w 2 queue_time:app`` behind nginx, or
``flask --app queue_time run`` and send the header yourself.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, g, request

try:  # optional: the metrics need prometheus_client (and its multiprocess mode under Gunicorn)
    from prometheus_client import Histogram
except ImportError:  # the example still works, with the header and the log only
    Histogram = None

log = logging.getLogger("timing")

# Bucket bounds (seconds) where decisions are made: put one at every SLO threshold.
BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0)
if Histogram is not None:
    QUEUE = Histogram("http_request_queue_seconds", "Time from the proxy to the worker", buckets=BUCKETS)
    SERVICE = Histogram("http_request_service_seconds", "Time in the Flask view", buckets=BUCKETS)


def request_start(header: str | None) -> float | None:
    """The proxy's timestamp in Unix seconds, or None.

    Accepts ``t=1700000000.123`` (nginx ``$msec``) and bare numbers in
    seconds, milliseconds or microseconds (other proxies and routers),
    told apart by their size.
    """
    if not header:
        return None
    value = header.strip().removeprefix("t=")
    try:
        stamp = float(value)
    except ValueError:
        return None
    if stamp > 1e14:  # microseconds
        return stamp / 1e6
    if stamp > 1e11:  # milliseconds
        return stamp / 1e3
    return stamp


def create_app() -> Flask:
    app = Flask(__name__)

    @app.before_request
    def start_clock():
        g.started = time.time()  # wall clock: it is compared with the proxy's clock
        g.started_mono = time.perf_counter()  # monotonic: for the service time
        proxy = request_start(request.headers.get("X-Request-Start"))
        # Clocks on two hosts disagree by a little; a negative wait is skew, not time travel.
        g.queue_s = max(0.0, g.started - proxy) if proxy is not None else None

    @app.after_request
    def report(response):
        service_s = time.perf_counter() - g.started_mono
        timings = [f"app;dur={service_s * 1000:.1f}"]
        if g.queue_s is not None:
            timings.insert(0, f"queue;dur={g.queue_s * 1000:.1f}")
        response.headers["Server-Timing"] = ", ".join(timings)
        log.info("path=%s status=%s queue_ms=%s service_ms=%.1f", request.path, response.status_code,
                 "-" if g.queue_s is None else f"{g.queue_s * 1000:.1f}", service_s * 1000)
        if Histogram is not None:
            SERVICE.observe(service_s)
            if g.queue_s is not None:
                QUEUE.observe(g.queue_s)
        return response

    @app.get("/work")
    def work():
        time.sleep(0.02)  # stands for 20 ms of real work
        return {"ok": True}

    return app


app = create_app()
