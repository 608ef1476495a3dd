"""Werkzeug's ProfilerMiddleware: cProfile around every request, in development.

    PROFILE_DIR=profiles flask --app profiler_middleware run
    curl http://127.0.0.1:5000/report

Each request prints its 30 most expensive functions (by cumulative time) to
standard error and, when ``PROFILE_DIR`` is set, writes a ``.prof`` file
there, which ``python -m pstats``, snakeviz or ``flameprof`` open.
cProfile's clock is wall time: the 50 ms ``time.sleep`` standing in for a
database call shows up as 50 ms in ``sleep``, not as nothing. Every Python
call is instrumented, so call-heavy code looks slower than it is; use it to
find *where*, not to measure *how long*.
"""

import os
import sys
import time

from flask import Flask, jsonify
from werkzeug.middleware.profiler import ProfilerMiddleware

app = Flask(__name__)


def slow_query():
    time.sleep(0.05)  # stands in for waiting on the database
    return list(range(1000))


def render(rows):
    return sum(i * i for i in rows for _ in range(20))


@app.get("/report")
def report():
    rows = slow_query()
    return jsonify(total=render(rows))


# Only write .prof files when asked: importing this module creates nothing.
PROFILE_DIR = os.environ.get("PROFILE_DIR") or None
if PROFILE_DIR:
    os.makedirs(PROFILE_DIR, exist_ok=True)
app.wsgi_app = ProfilerMiddleware(
    app.wsgi_app,
    stream=sys.stderr,
    sort_by=("cumulative", "calls"),
    restrictions=(30,),
    profile_dir=PROFILE_DIR,
    filename_format="{method}.{path}.{elapsed:.0f}ms.{time:.0f}.prof",
)

if __name__ == "__main__":
    app.run()
