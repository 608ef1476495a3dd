"""Export the age of the oldest waiting job, per queue, for Prometheus.

Queue length says how much work is waiting; the age of the oldest job says
how late the work is, which is what users notice and what an alert should
watch. This probe reads the head of each queue in Redis every 15 s and
writes the node_exporter textfile format:

    python queue_age.py --out /var/lib/node_exporter/textfile/jobs.prom
    python queue_age.py --rq --redis-url redis://localhost:6379/2 --out …

Celery on Redis: each queue is a list, new messages pushed on the left,
workers popping from the right, so the oldest is at index -1; its
``enqueued_at`` header is set by the before_task_publish handler in tasks.py.
(Messages sent with a priority above 0 go to extra lists named after the
queue; this probe reads the default one.)
RQ: each queue is a list of job ids, oldest first; the job records when it
was enqueued. Importing this module connects to nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import datetime, timezone


def celery_oldest_age_s(redis_client, queue: str, now: float | None = None) -> float:
    """Seconds the oldest message in a Celery queue on Redis has waited (0 if empty).

    >>> class FakeRedis:
    ...     def lindex(self, key, index):
    ...         return json.dumps({"headers": {"enqueued_at": 100.0}}).encode()
    >>> celery_oldest_age_s(FakeRedis(), "default", now=160.0)
    60.0
    """
    raw = redis_client.lindex(queue, -1)
    if raw is None:
        return 0.0
    sent = json.loads(raw)["headers"].get("enqueued_at")
    return max(0.0, (now or time.time()) - float(sent)) if sent is not None else 0.0


def rq_oldest_age_s(queue, now: datetime | None = None) -> float:
    """Seconds the oldest job in an RQ queue has waited (0 if empty)."""
    ids = queue.get_job_ids(0, 1)
    job = queue.fetch_job(ids[0]) if ids else None
    if job is None or job.enqueued_at is None:
        return 0.0
    enqueued = job.enqueued_at if job.enqueued_at.tzinfo else job.enqueued_at.replace(tzinfo=timezone.utc)
    return max(0.0, ((now or datetime.now(timezone.utc)) - enqueued).total_seconds())


def textfile(ages: dict[str, float], lengths: dict[str, int], now: float) -> str:
    """The metrics in Prometheus' text exposition format.

    >>> print(textfile({"default": 12.5}, {"default": 40}, 1000.0), end="")
    # HELP job_queue_oldest_age_seconds Age of the oldest job waiting in the queue.
    # TYPE job_queue_oldest_age_seconds gauge
    job_queue_oldest_age_seconds{queue="default"} 12.5
    # HELP job_queue_length Jobs waiting in the queue.
    # TYPE job_queue_length gauge
    job_queue_length{queue="default"} 40
    # HELP job_queue_probe_timestamp_seconds When the probe last read the queues.
    # TYPE job_queue_probe_timestamp_seconds gauge
    job_queue_probe_timestamp_seconds 1000.0
    """
    lines = ["# HELP job_queue_oldest_age_seconds Age of the oldest job waiting in the queue.",
             "# TYPE job_queue_oldest_age_seconds gauge"]
    lines += [f'job_queue_oldest_age_seconds{{queue="{q}"}} {age}' for q, age in sorted(ages.items())]
    lines += ["# HELP job_queue_length Jobs waiting in the queue.", "# TYPE job_queue_length gauge"]
    lines += [f'job_queue_length{{queue="{q}"}} {n}' for q, n in sorted(lengths.items())]
    lines += ["# HELP job_queue_probe_timestamp_seconds When the probe last read the queues.",
              "# TYPE job_queue_probe_timestamp_seconds gauge", f"job_queue_probe_timestamp_seconds {now}"]
    return "\n".join(lines) + "\n"


def write_atomically(path: str, text: str) -> None:
    """node_exporter may read at any moment: write a temporary file, then rename it."""
    directory = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile("w", dir=directory, delete=False, suffix=".tmp") as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)


def main() -> None:
    import redis  # imported here: the module itself needs no Redis

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", default=os.environ.get("CELERY_BROKER_URL", "redis://localhost:6379/0"))
    parser.add_argument("--queues", default="urgent,default,bulk")
    parser.add_argument("--out", required=True)
    parser.add_argument("--every", type=float, default=15.0)
    parser.add_argument("--rq", action="store_true", help="read RQ queues instead of Celery's")
    args = parser.parse_args()
    client = redis.Redis.from_url(args.redis_url)
    names = args.queues.split(",")
    if args.rq:
        from rq import Queue

        rq_queues = {name: Queue(name, connection=client) for name in names}
    while True:
        now = time.time()
        if args.rq:
            at = datetime.fromtimestamp(now, timezone.utc)
            ages = {name: rq_oldest_age_s(q, at) for name, q in rq_queues.items()}
            lengths = {name: q.count for name, q in rq_queues.items()}
        else:
            ages = {name: celery_oldest_age_s(client, name, now) for name in names}
            lengths = {name: client.llen(name) for name in names}  # priority 0 only; see the docstring
        write_atomically(args.out, textfile(ages, lengths, now))
        time.sleep(args.every)


if __name__ == "__main__":
    main()
