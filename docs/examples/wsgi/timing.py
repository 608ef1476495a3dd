"""Per-request wall time and CPU time, to measure the I/O share the gunicorn calculator asks for.

Run:  flask --app timing run   then   curl -i http://127.0.0.1:5000/demo
Each response carries a Server-Timing header (shown in the browser's network
panel) and each request logs one line:

    timing endpoint=demo wall_ms=61.8 cpu_ms=10.9 io_pct=82

In your app, call install_timing(app) in create_app(). The I/O share of an
endpoint is 1 - (sum of cpu_ms) / (sum of wall_ms) over many requests.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, g, request

log = logging.getLogger("timing")


def install_timing(app: Flask) -> Flask:
    """Time every request: wall clock (perf_counter) and this thread's CPU time (thread_time).

    thread_time counts only the CPU used by the calling thread, so it stays
    right under gthread workers, where process_time would add the CPU of every
    other thread in the process. Under gevent all greenlets share one thread,
    so neither clock separates them: measure with a sync or gthread worker.
    """

    @app.before_request
    def _start_clocks():
        g.timing_wall = time.perf_counter()
        g.timing_cpu = time.thread_time()

    @app.after_request
    def _stop_clocks(response):
        if "timing_wall" not in g:
            return response
        wall_ms = (time.perf_counter() - g.timing_wall) * 1000
        cpu_ms = (time.thread_time() - g.timing_cpu) * 1000
        io_pct = max(0.0, 100 * (1 - cpu_ms / wall_ms)) if wall_ms > 0 else 0.0
        # Server-Timing durations are in milliseconds.
        response.headers.add("Server-Timing", f"app;dur={wall_ms:.1f}, cpu;dur={cpu_ms:.1f}")
        log.info("timing endpoint=%s wall_ms=%.1f cpu_ms=%.1f io_pct=%.0f",
                 request.endpoint, wall_ms, cpu_ms, io_pct)
        return response

    return app


app = install_timing(Flask(__name__))
logging.basicConfig(level=logging.INFO)


@app.get("/demo")
def demo():
    """About 10 ms of Python, then 50 ms of waiting (standing in for a query or an API call)."""
    total = sum(i * i for i in range(200_000))
    time.sleep(0.05)
    return {"total": total}
