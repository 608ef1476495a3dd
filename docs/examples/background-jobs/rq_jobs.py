"""The same ideas with RQ: a timeout, retries with jittered backoff, queues in priority order.

RQ has no acks_late: a job whose worker dies is found abandoned once its
execution record expires, then retried if it has retries left or moved to
the failed job registry. So the retry policy below is also what re-runs a
job after a crash, and jobs must be idempotent here too.
Workers take queues in the order given, always emptying the first before
looking at the next, and need the scheduler for delayed retries:

    rq worker --with-scheduler urgent default bulk

Importing this module connects to nothing: redis-py connects on the first command.
"""

from __future__ import annotations

import os
import random

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError

redis = Redis.from_url(os.environ.get("RQ_REDIS_URL", "redis://localhost:6379/2"))
urgent = Queue("urgent", connection=redis)
default = Queue("default", connection=redis)
bulk = Queue("bulk", connection=redis)


def backoff_with_jitter(retries: int, base_s: int = 2, cap_s: int = 600, rng=random) -> list[int]:
    """Exponential backoff with full jitter: retry k waits a random time in [0, min(cap, base·2^k)].

    RQ takes a list of intervals; drawing them per job spreads the retries of
    jobs that failed together, instead of sending them back in one wave.

    >>> delays = backoff_with_jitter(12)
    >>> len(delays), all(0 <= d <= min(600, 2 * 2 ** k) for k, d in enumerate(delays))
    (12, True)
    """
    return [rng.randint(0, min(cap_s, base_s * 2 ** k)) for k in range(retries)]


def send_receipt(order_id: int) -> str:
    """Idempotent: a real version marks the order as mailed in the same transaction that checks it."""
    return f"receipt for order {order_id} sent"


def enqueue_receipt(order_id: int):
    """Enqueue the receipt once: a second call while the job exists is a no-op."""
    try:
        return urgent.enqueue(
            send_receipt, order_id,
            job_id=f"receipt-{order_id}",   # one id per order: easy to find in logs and registries
            unique=True,                    # refuse, atomically, if that job id already exists
            job_timeout=30,                 # the default is 180 s
            result_ttl=3600,                # keep the result an hour (default 500 s)
            failure_ttl=7 * 24 * 3600,      # keep failures a week to inspect (default one year)
            retry=Retry(max=5, interval=backoff_with_jitter(5)),
        )
    except DuplicateJobError:
        # Already queued, running or finished within result_ttl. Once the job
        # has expired the id is free again, so send_receipt stays idempotent.
        return urgent.fetch_job(f"receipt-{order_id}")
