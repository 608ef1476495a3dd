"""Take a slow call out of the request: enqueue it, answer 202 with a status URL, let a worker do it.

Run the web app:   flask --app offload run
Run a job worker:  rq worker reports --with-scheduler   (same directory, same REDIS_URL)
Then:
    curl -i -X POST -H "Idempotency-Key: 42" http://127.0.0.1:5000/reports
    curl http://127.0.0.1:5000/reports/report-42

The request now costs one Redis round trip (about a millisecond) instead of
the whole export. Nothing connects to Redis until the first request.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request

from flask import Flask, abort, request, url_for
from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
EXPORT_API = os.environ.get("EXPORT_API", "https://example.com/")


def build_report(user_id: str) -> dict:
    """The slow part, run by an RQ worker: a call to a slow API, with a timeout like every outbound call."""
    started = time.perf_counter()
    with urllib.request.urlopen(EXPORT_API, timeout=10) as response:  # never wait forever
        size = len(response.read())
    return {"user": user_id, "bytes": size, "seconds": round(time.perf_counter() - started, 3)}


def create_app() -> Flask:
    app = Flask(__name__)
    redis = Redis.from_url(REDIS_URL)  # connects lazily, on the first command
    queue = Queue("reports", connection=redis)

    @app.post("/reports")
    def start_report():
        # A client that retries the POST must not start a second export: the
        # job id comes from the client's Idempotency-Key, so a repeat finds it.
        # In a real app, scope the key by the authenticated user, and make the
        # job itself idempotent too: two requests racing with one key can both
        # get past the fetch below.
        key = request.headers.get("Idempotency-Key")
        if not key:
            abort(400, "send an Idempotency-Key header")
        job_id = f"report-{key}"
        try:
            Job.fetch(job_id, connection=redis)
        except NoSuchJobError:
            queue.enqueue(build_report, key, job_id=job_id, job_timeout=120, result_ttl=3600,
                          retry=Retry(max=3, interval=[10, 30, 60]))  # backoff between attempts
        status_url = url_for("report_status", job_id=job_id)
        return {"id": job_id, "status": status_url}, 202, {"Location": status_url}

    @app.get("/reports/<job_id>")
    def report_status(job_id: str):
        try:
            job = Job.fetch(job_id, connection=redis)
        except NoSuchJobError:
            abort(404)
        status = job.get_status()
        body = {"id": job_id, "status": str(getattr(status, "value", status))}
        if body["status"] == "finished":
            body["result"] = job.return_value()
        # Tell polling clients how long to wait before asking again.
        return app.response_class(json.dumps(body), mimetype="application/json", headers={"Retry-After": "2"})

    return app
