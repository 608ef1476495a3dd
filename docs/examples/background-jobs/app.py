"""Enqueue, answer 202 Accepted with a status URL, let the client poll.

The request does two fast things, validate and enqueue, and returns. It
never waits for the job: that would hold this worker's slot for the job's
queue wait plus its run time, and tie the web tier's latency to the job
queue's. Importing this module connects to nothing; the broker is contacted
when the first job is sent.
"""

from __future__ import annotations

import uuid

from celery.result import AsyncResult
from flask import Flask, jsonify, request, url_for

from tasks import app as celery_app
from tasks import build_report

app = Flask(__name__)


@app.post("/reports")
def request_report():
    month = (request.get_json(silent=True) or {}).get("month")
    if not month:
        return jsonify(error="month is required, e.g. 2025-06"), 400
    report_id = str(uuid.uuid4())
    # The report id doubles as the task id: one id for the client, the logs and the result.
    build_report.apply_async(args=(report_id, month), task_id=report_id)
    status_url = url_for("report_status", report_id=report_id, _external=True)
    return jsonify(id=report_id, status_url=status_url), 202, {"Location": status_url}


@app.get("/reports/<report_id>")
def report_status(report_id: str):
    result = AsyncResult(report_id, app=celery_app)
    body = {"id": report_id, "state": result.state}  # PENDING, STARTED, SUCCESS, FAILURE, RETRY
    if result.state == "PENDING":
        # Celery cannot tell "queued" from "unknown id": both are PENDING.
        return jsonify(body), 200, {"Retry-After": "2"}
    if result.successful():
        body["download"] = url_for("download_report", report_id=report_id, _external=True)
    elif result.failed():
        body["error"] = "the report could not be built"  # details stay in the logs, not in the response
    return jsonify(body), 200


@app.get("/reports/<report_id>/download")
def download_report(report_id: str):
    # A real application streams the file from object storage, or redirects to a signed URL.
    return jsonify(id=report_id, note="serve the file here"), 200
