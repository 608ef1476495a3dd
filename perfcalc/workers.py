"""Sizing WSGI workers: Gunicorn's worker classes, the GIL, and blocking I/O.

Sources: Gunicorn documentation, "Design" and "Settings" (workers, threads,
worker_connections; "(2 x $num_cores) + 1" as a starting point; a sync
worker with threads > 1 runs as gthread),
https://docs.gunicorn.org/en/stable/design.html. The GIL limit follows from
CPython's design: one thread per process executes Python bytecode at a time
(https://docs.python.org/3/glossary.html#term-global-interpreter-lock).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .rounding import floor_whole
from .spec import PerfcalcError

__all__ = [
    "WORKER_CLASSES",
    "GEVENT_MIN_IO_WAIT_PCT",
    "USEFUL_THREADS_PER_CORE",
    "GunicornCapacity",
    "GunicornSizing",
    "BlockingIO",
    "gunicorn_heuristic_workers",
    "gunicorn_capacity",
    "gunicorn_sizing",
    "blocking_io_capacity",
]

WORKER_CLASSES = ("sync", "gthread", "gevent")
# gevent earns its keep while requests wait on I/O; when they mostly compute,
# one process still runs Python on one core and the GIL binds.
GEVENT_MIN_IO_WAIT_PCT = 50.0
# A rule of thumb of this guide, not a published limit: past ~20 threads per
# core, a CPU-bound ceiling is not raised by more threads, only memory use
# and lock contention are.
USEFUL_THREADS_PER_CORE = 20


def gunicorn_heuristic_workers(cores: int) -> int:
    """Gunicorn's documented starting point: (2 × cores) + 1 workers.

    The rationale given in Gunicorn's design notes: for a given core, one
    worker reads or writes from the socket while another processes a request.
    It is a start for load testing, not a result.

    >>> gunicorn_heuristic_workers(4)
    9
    """
    return 2 * cores + 1


class GunicornCapacity(NamedTuple):
    concurrency_slots: int
    ceilings: dict  # {"slots": …, "gil": …, "cpu": …} in requests/s
    max_rps: float
    bottleneck: str  # the first-named of the lowest ceilings


def gunicorn_capacity(
    workers: int,
    cores: int,
    worker_class: str,
    threads: int,
    worker_connections: int,
    service_time_ms: float,
    io_wait_pct: float,
) -> GunicornCapacity:
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
    >>> round(r.max_rps, 6), r.bottleneck
    (40.0, 'slots')

    The same app on gthread with 8 threads per worker is held by the CPU:

    >>> r = gunicorn_capacity(4, 2, "gthread", 8, 1000, 100, 80)
    >>> round(r.max_rps, 6), r.bottleneck
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
    return GunicornCapacity(slots, ceilings, ceilings[bottleneck], bottleneck)


class GunicornSizing(NamedTuple):
    heuristic_workers: int
    max_workers_by_memory: int
    workers: int
    concurrency_slots: int
    max_rps: float
    bottleneck: str
    worker_class: str  # the class Gunicorn runs: sync with threads > 1 runs as gthread


def gunicorn_sizing(
    cores: int,
    memory_mb: float,
    worker_memory_mb: float,
    worker_class: str,
    threads: int,
    worker_connections: int,
    service_time_ms: float,
    io_wait_pct: float,
) -> GunicornSizing:
    """Size a Gunicorn server from its cores and memory, then find its ceiling.

        workers = min((2 × cores) + 1, ⌊memory / worker memory⌋)

    then :func:`gunicorn_capacity` with that many workers. Gunicorn runs a
    sync worker with threads > 1 as gthread, and so does this model (the
    result names the class it ran). One worker must fit in memory: a
    :class:`PerfcalcError` on ``worker_memory_mb`` otherwise.

    Source: Gunicorn documentation, "Design" (the start point) and
    "Settings" (threads).

    Two cores and 2 GB, 150 MB workers, sync: five workers, and with 100 ms
    requests that wait on I/O 70 % of the time the slots bind at 50/s:

    >>> r = gunicorn_sizing(2, 2048, 150, "sync", 1, 1000, 100, 70)
    >>> r.workers, r.max_workers_by_memory, round(r.max_rps, 6), r.bottleneck
    (5, 13, 50.0, 'slots')

    Memory that holds a whole number of workers holds all of them, though
    float division leaves a hair of noise (:func:`~perfcalc.rounding.floor_whole`):

    >>> gunicorn_sizing(8, 2048, 204.8, "sync", 1, 1000, 100, 70).max_workers_by_memory
    10
    """
    if worker_memory_mb > memory_mb:
        raise PerfcalcError(
            f"worker_memory_mb must be at most memory_mb (one worker must fit), got {worker_memory_mb:g} > {memory_mb:g}",
            "worker_memory_mb",
        )
    heuristic = gunicorn_heuristic_workers(cores)
    by_memory = floor_whole(memory_mb / worker_memory_mb)  # not //: 2048 // 204.8 is 9.0
    count = min(heuristic, by_memory)
    if worker_class == "sync" and threads > 1:
        worker_class = "gthread"
    r = gunicorn_capacity(count, cores, worker_class, threads, worker_connections, service_time_ms, io_wait_pct)
    return GunicornSizing(heuristic, by_memory, count, r.concurrency_slots, r.max_rps, r.bottleneck, worker_class)


class BlockingIO(NamedTuple):
    max_rps_blocking: float
    max_rps_offloaded: float
    capacity_lost_pct: float


def blocking_io_capacity(cpu_time_ms: float, io_wait_ms: float, workers: int) -> BlockingIO:
    """What blocking I/O costs a pool of single-request workers.

    A worker that blocks for I/O holds its slot for cpu + io; if the I/O is
    offloaded (a task queue, or an event loop that frees the worker while it
    waits), the slot is held only for the CPU part. Ceilings by Little's law:

        blocking  = workers / (cpu + io)
        offloaded = workers / cpu
        lost      = io / (cpu + io)

    Four workers, 20 ms of Python and 180 ms waiting on an HTTP API:

    >>> blocking_io_capacity(20, 180, 4)
    BlockingIO(max_rps_blocking=20.0, max_rps_offloaded=200.0, capacity_lost_pct=90.0)
    """
    blocking = workers * 1000.0 / (cpu_time_ms + io_wait_ms)
    offloaded = workers * 1000.0 / cpu_time_ms
    lost = 100.0 * io_wait_ms / (cpu_time_ms + io_wait_ms)
    return BlockingIO(blocking, offloaded, lost)
