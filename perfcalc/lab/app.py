"""The lab's application: a Flask view that sleeps for the service time it is asked to.

Run only inside the Gunicorn server that :mod:`perfcalc.lab.server` starts
(``perfcalc.lab.app:app``); nothing in ``perfcalc`` imports this module,
because Flask is not part of the standard library (``pip install
'perfcalc[lab]'`` adds it).

- ``GET /work?id=N&ms=T`` sleeps ``T`` milliseconds (the generator draws
  ``T`` from the scenario's distribution, so a run's service times are known
  and reproducible from its seed) and answers ``PID TID START END``: the
  worker process, the thread, and the view's start and end on the
  system-wide monotonic clock (``time.monotonic``, CLOCK_MONOTONIC on
  Linux, the clock the generator uses too), in seconds.
- ``GET /noop`` answers the same line at once: the cost of a request that
  does nothing, for the calibration.

Sleeping stands for I/O (a database, another service): it holds a worker
without using a core, so two cores can host a pool of any size, and the
GIL plays no part.
"""

from __future__ import annotations

import os
import threading
import time

from flask import Flask, Response, request

app = Flask(__name__)
# The longest sleep a request may ask for: a typo in a scenario must not hold a worker for hours.
MAX_SERVICE_MS = 60_000.0


def _answer(start: float, end: float) -> Response:
    body = f"{os.getpid()} {threading.get_ident()} {start:.6f} {end:.6f}\n"
    return Response(body, mimetype="text/plain")


@app.get("/work")
def work() -> Response:
    start = time.monotonic()
    try:
        service_ms = float(request.args["ms"])
    except (KeyError, ValueError):
        return Response("ms must be a number of milliseconds\n", status=400, mimetype="text/plain")
    if not 0.0 <= service_ms <= MAX_SERVICE_MS:
        return Response(f"ms must be from 0 to {MAX_SERVICE_MS:g}\n", status=400, mimetype="text/plain")
    time.sleep(service_ms / 1000.0)
    return _answer(start, time.monotonic())


@app.get("/noop")
def noop() -> Response:
    now = time.monotonic()
    return _answer(now, now)
