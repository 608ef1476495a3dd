"""Wall time and CPU time of every request, as a ``Server-Timing`` header and a log line.

    flask --app request_timing run
    curl -sI http://127.0.0.1:5000/orders | grep -i server-timing
    server-timing: total;dur=93.4, cpu;dur=14.8

``time.thread_time()`` counts the CPU time of the current thread only, which
is what one request uses under sync and gthread workers (one request per
thread). Under gevent many requests share a thread, so the CPU figure is
meaningless there. Wall minus CPU is the time the request spent waiting:
on the database, another service, the GIL or a lock. Averaged per endpoint
over real traffic, those two numbers are the inputs of the blocking-io and
gunicorn calculators. Browsers show ``Server-Timing`` in the network panel.
"""

import logging
import time

from flask import Flask, g, jsonify, request

log = logging.getLogger("request_timing")


def create_app():
    app = Flask(__name__)

    @app.before_request
    def start_clocks():
        g.wall_start = time.perf_counter()
        g.cpu_start = time.thread_time()

    @app.after_request
    def stop_clocks(response):
        if "wall_start" not in g:
            return response
        wall_ms = (time.perf_counter() - g.wall_start) * 1000
        cpu_ms = (time.thread_time() - g.cpu_start) * 1000
        response.headers.add("Server-Timing", f"total;dur={wall_ms:.1f}, cpu;dur={cpu_ms:.1f}")
        log.info("endpoint=%s status=%s wall_ms=%.1f cpu_ms=%.1f",
                 request.endpoint or "-", response.status_code, wall_ms, cpu_ms)
        return response

    @app.get("/orders")
    def orders():
        time.sleep(0.08)  # waiting: counts in wall time, not in CPU time
        total = sum(i * 1.07 for i in range(200_000))  # CPU
        return jsonify(total=round(total, 2))

    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    create_app().run()
