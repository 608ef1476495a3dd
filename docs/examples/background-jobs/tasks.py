"""A Celery app for jobs that may run twice: idempotent tasks, late acks, retries with backoff.

Importing this module connects to nothing: Celery opens the broker
connection when a task is first sent or a worker starts. Run a worker per
priority class, so urgent jobs never queue behind slow ones:

    celery -A tasks worker -Q urgent --concurrency 4
    celery -A tasks worker -Q default,bulk --concurrency 8

Set --concurrency: its default is os.cpu_count(), the host's CPUs even in a
container; "--concurrency auto" (Celery 5.7) reads the container's CPU quota.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from celery import Celery
from celery.signals import before_task_publish

BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://localhost:6379/0")
RESULT_URL = os.environ.get("CELERY_RESULT_BACKEND", "redis://localhost:6379/1")
REPORT_DIR = Path(os.environ.get("REPORT_DIR", tempfile.gettempdir())) / "reports"

# The longest a job may run, and the longest it may wait for a retry.
TASK_TIME_LIMIT_S = 300
RETRY_BACKOFF_MAX_S = 600

app = Celery("tasks", broker=BROKER_URL, backend=RESULT_URL)
app.conf.update(
    # Acknowledge a message after the task finishes, not when a worker takes
    # it: a worker that dies mid-task leaves the message to be delivered again.
    task_acks_late=True,
    # ...including when the process is killed (OOM killer, SIGKILL), which
    # Celery would otherwise acknowledge. Only safe for idempotent tasks.
    task_reject_on_worker_lost=True,
    # A worker reserves prefetch_multiplier x concurrency messages (4 x by
    # default). With long jobs, those sit on one busy host while another
    # host idles, and with late acks they count against the broker's
    # timeouts; 1 keeps the reservation to one job per process.
    worker_prefetch_multiplier=1,
    # Redis has no real acknowledgements: an unacknowledged message returns
    # to the queue after the visibility timeout (1 hour by default). It must
    # exceed the longest a message stays reserved: its task's run time, or
    # the longest retry countdown, with a margin; otherwise a slow job runs
    # twice at once. Shorter than the default here, so a crashed worker's
    # jobs come back sooner.
    broker_transport_options={"visibility_timeout": 2 * (TASK_TIME_LIMIT_S + RETRY_BACKOFF_MAX_S)},
    task_time_limit=TASK_TIME_LIMIT_S,            # hard limit: the process is killed
    task_soft_time_limit=TASK_TIME_LIMIT_S - 30,  # SoftTimeLimitExceeded first, to clean up
    task_track_started=True,  # STARTED as well as PENDING, for the status endpoint
    result_expires=24 * 3600,  # results are polled, then forgotten (the default, made explicit)
    # Priorities as separate queues, each with its own workers.
    task_default_queue="default",
    task_routes={
        "webhooks.deliver": {"queue": "urgent"},
        "reports.build": {"queue": "bulk"},
    },
)


@before_task_publish.connect
def stamp_enqueue_time(headers=None, **kwargs):
    """Record when each message was sent, so queue age can be measured (queue_age.py)."""
    if headers is not None:
        headers.setdefault("enqueued_at", time.time())


@app.task(name="reports.build")
def build_report(report_id: str, month: str) -> str:
    """Idempotent by construction: the same inputs write the same file, atomically.

    Running it twice (a redelivery after a crash) replaces the file with an
    identical one; a reader never sees a half-written report.
    """
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    target = REPORT_DIR / f"{report_id}.json"
    rows = [{"month": month, "line": i, "amount": i * 10} for i in range(1000)]  # the real query goes here
    with tempfile.NamedTemporaryFile("w", dir=REPORT_DIR, delete=False, suffix=".tmp") as tmp:
        json.dump(rows, tmp)
    os.replace(tmp.name, target)  # atomic on POSIX: the old file or the new one, never a mix
    return str(target)


class TransientError(Exception):
    """The receiver failed in a way worth retrying (5xx, 429, timeout)."""


class PermanentError(Exception):
    """The receiver refused the delivery (4xx): retrying will not help."""


@app.task(
    name="webhooks.deliver",
    bind=True,
    acks_late=True,
    autoretry_for=(TransientError, urllib.error.URLError, TimeoutError),
    max_retries=5,
    retry_backoff=2,                        # 2, 4, 8, 16, 32 s …
    retry_backoff_max=RETRY_BACKOFF_MAX_S,  # … never more than 10 minutes
    retry_jitter=True,                      # each delay drawn uniformly from [0, delay]
)
def deliver_webhook(self, event_id: str, url: str, payload: dict) -> int:
    """Idempotent through the receiver: every attempt carries the same Idempotency-Key.

    A retry after a timeout may repeat a delivery the receiver already
    processed; the key lets it recognise the repeat and answer without
    acting twice.
    """
    body = json.dumps({"event_id": event_id, **payload}).encode()
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "Idempotency-Key": event_id,
    })
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:  # a timeout on every outbound call
            return resp.status
    except urllib.error.HTTPError as exc:
        # HTTPError is a subclass of URLError, which autoretry_for retries:
        # never let it escape, or a 404 would be retried five times.
        if exc.code == 429 or exc.code >= 500:
            raise TransientError(f"{url} answered {exc.code}") from exc
        raise PermanentError(f"{url} answered {exc.code}") from exc  # fails now, and is logged
