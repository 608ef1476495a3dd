"""Sizing WSGI workers: Gunicorn's worker classes, the GIL, and blocking I/O.

Sources: Gunicorn documentation, "Design" and "Settings" (workers, threads,
worker_connections; "(2 x $num_cores) + 1" as a starting point), 
https://docs.gunicorn.org/en/stable/design.html. The GIL limit follows from
CPython's design: one thread per process executes Python bytecode at a time
(https://docs.python.org/3/glossary.html#term-global-interpreter-lock).
"""

from __future__ import annotations

import math

__all__ = ["gunicorn_heuristic_workers", "gunicorn_capacity", "blocking_io_capacity"]

WORKER_CLASSES = ("sync", "gthread", "gevent")


def gunicorn_heuristic_workers(cores: int) -> int:
    """Gunicorn's documented starting point: (2 × cores) + 1 workers.

    The rationale given in Gunicorn's design notes: for a given core, one
    worker reads or writes from the socket while another processes a request.
    It is a start for load testing, not a result.

    >>> gunicorn_heuristic_workers(4)
    9
    """
    return 2 * cores + 1


def gunicorn_capacity(
    workers: int,
    cores: int,
    worker_class: str,
    threads: int,
    worker_connections: int,
    service_time_ms: float,
    io_wait_pct: float,
) -> dict:
    """Throughput ceiling of a Gunicorn server, and which limit binds.

    Three ceilings, each an application of Little's law at full occupancy:

    - slots: concurrency slots / S, where slots are workers (sync),
      workers × threads (gthread) or workers × worker_connections (gevent);
    - GIL: a process runs Python on one core at a time, so it completes at
      most 1 / S_cpu requests per second, with S_cpu = S × (1 − io_wait/100);
      the server, workers / S_cpu;
    - CPU: the machine completes at most cores / S_cpu.

    max_rps = min(slots, GIL, CPU). A ceiling with S_cpu = 0 (pure I/O) is
    unbounded. These are saturation ceilings: at them, queues grow without
    bound (see :func:`perfcalc.queueing.mmc_response_percentile`).

    Four sync workers, 100 ms requests that wait on the database 80 % of the
    time: the slots bind at 40 requests/s, though the CPU could do 200.

    >>> r = gunicorn_capacity(4, 2, "sync", 1, 1000, 100, 80)
    >>> round(r["max_rps"], 6), r["bottleneck"]
    (40.0, 'slots')

    The same app on gthread with 8 threads per worker is held by the CPU:

    >>> r = gunicorn_capacity(4, 2, "gthread", 8, 1000, 100, 80)
    >>> round(r["max_rps"], 6), r["bottleneck"]
    (100.0, 'cpu')
    """
    per_worker = {"sync": 1, "gthread": threads, "gevent": worker_connections}[worker_class]
    slots = workers * per_worker
    service_s = service_time_ms / 1000.0
    cpu_s = service_s * (1.0 - io_wait_pct / 100.0)
    ceilings = {
        "slots": slots / service_s,
        "gil": workers / cpu_s if cpu_s > 0 else math.inf,
        "cpu": cores / cpu_s if cpu_s > 0 else math.inf,
    }
    lowest = min(ceilings.values())
    # Ties go to the first named (slots, gil, cpu); float noise must not decide them.
    bottleneck = next(k for k, v in ceilings.items() if v <= lowest * (1 + 1e-9))
    return {
        "concurrency_slots": slots,
        "ceilings": ceilings,
        "max_rps": ceilings[bottleneck],
        "bottleneck": bottleneck,
    }


def blocking_io_capacity(cpu_time_ms: float, io_wait_ms: float, workers: int) -> tuple[float, float, float]:
    """What blocking I/O costs a pool of single-request workers.

    A worker that blocks for I/O holds its slot for cpu + io; if the I/O is
    offloaded (a task queue, or an event loop that frees the worker while it
    waits), the slot is held only for the CPU part. Ceilings by Little's law:

        blocking  = workers / (cpu + io)
        offloaded = workers / cpu
        lost      = io / (cpu + io)

    Returns ``(max_rps_blocking, max_rps_offloaded, capacity_lost_pct)``.

    Four workers, 20 ms of Python and 180 ms waiting on an HTTP API:

    >>> blocking_io_capacity(20, 180, 4)
    (20.0, 200.0, 90.0)
    """
    blocking = workers * 1000.0 / (cpu_time_ms + io_wait_ms)
    offloaded = workers * 1000.0 / cpu_time_ms
    lost = 100.0 * io_wait_ms / (cpu_time_ms + io_wait_ms)
    return blocking, offloaded, lost
