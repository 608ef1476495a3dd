"""Sizing WSGI workers: Gunicorn's worker classes, the GIL, and blocking I/O.

Sources: Gunicorn documentation, "Design" and "Settings" (workers, threads,
worker_connections; "(2 x $num_cores) + 1" as a starting point; a sync
worker with threads > 1 runs as gthread), https://gunicorn.org/design/ and
https://gunicorn.org/reference/settings/. The GIL limit follows from
CPython's design: one thread per process executes Python bytecode at a time
(https://docs.python.org/3/glossary.html#term-global-interpreter-lock). The
start point per worker class is the thread-pool sizing rule of B. Goetz et
al., *Java Concurrency in Practice*, Addison-Wesley 2006, §8.2:
N_threads = N_cpu × U_cpu × (1 + W/C), with U_cpu = 1 and W/C the ratio of
waiting to computing time.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import NamedTuple

from .rounding import floor_whole
from .spec import PerfcalcError

__all__ = [
    "WORKER_CLASSES",
    "GEVENT_MIN_IO_WAIT_PCT",
    "FAR_MORE_THREADS_FACTOR",
    "SYNC_PROCESSES_PER_CORE_LIMIT",
    "GunicornStart",
    "GunicornCapacity",
    "GunicornSizing",
    "BlockingIO",
    "gunicorn_start",
    "gunicorn_capacity",
    "gunicorn_sizing",
    "blocking_io_capacity",
]

WORKER_CLASSES = ("sync", "gthread", "gevent")
# gevent earns its keep while requests wait on I/O; when they mostly compute,
# one process still runs Python on one core and the GIL binds.
GEVENT_MIN_IO_WAIT_PCT = 50.0
# A rule of thumb of this guide, not a published limit: past twice the start
# rule's threads per gthread worker, more threads no longer raise a ceiling the
# CPU sets, only memory use and lock contention.
FAR_MORE_THREADS_FACTOR = 2
# A rule of thumb of this guide: past four sync processes per core (requests
# that wait 75 % of their time or more), threads hold the same slots in a
# fraction of the memory and one pool of connections per process.
SYNC_PROCESSES_PER_CORE_LIMIT = 4


class GunicornStart(NamedTuple):
    workers: float  # whole, or math.inf: sync workers for pure I/O, where memory decides
    threads: float  # per worker: gthread's threads (math.inf for pure I/O), 1 for sync, the connections for gevent


def gunicorn_start(cores: int, worker_class: str, io_wait_pct: float, worker_connections: int = 1000) -> GunicornStart:
    """The start point per worker class: slots enough to keep every core busy, one GIL per core.

    A request keeps a core busy only for its CPU share, 1 − f, where f is
    the share of its time spent waiting on I/O. To keep n cores busy, the
    server needs n / (1 − f) requests in service at once (Goetz's
    N_cpu × (1 + W/C)), and, on average, no more processes running Python
    at once than cores:

    - sync, one request per process: workers = ⌈n / (1 − f)⌉. At f = 50 %
      that is 2n, Gunicorn's (2 × cores) + 1 without the spare; at f = 0
      (CPU-bound) it is one per core, which is also what a CPU quota
      allows without throttling; at f = 100 % it is unbounded, and memory
      decides.
    - gthread: workers = n, each with ⌈1 / (1 − f)⌉ threads (one thread at
      f = 0, where threads add nothing a process per core does not).
    - gevent: workers = n; the greenlets (``worker_connections``) hold the
      waiting requests.

    Two cores, requests waiting on I/O 70 % of the time: seven sync
    processes, or two gthread processes of four threads:

    >>> gunicorn_start(2, "sync", 70)
    GunicornStart(workers=7, threads=1)
    >>> gunicorn_start(2, "gthread", 70)
    GunicornStart(workers=2, threads=4)

    Half the time waiting gives Gunicorn's rule less its spare, and pure
    computation one process per core:

    >>> gunicorn_start(4, "sync", 50).workers, gunicorn_start(4, "sync", 0).workers
    (8, 4)
    """
    # Exact arithmetic on the decimal the reader typed (the float's shortest repr): in floats,
    # 100 − 99.9 is 0.09999999999999432, and 1 / 0.1 % would start 1,001 workers, not 1,000.
    cpu_share_pct = 100 - Fraction(repr(float(io_wait_pct)))
    if worker_class == "sync":
        workers = math.ceil(cores * 100 / cpu_share_pct) if cpu_share_pct > 0 else math.inf
        return GunicornStart(workers, 1)
    if worker_class == "gthread":
        threads = math.ceil(100 / cpu_share_pct) if cpu_share_pct > 0 else math.inf
        return GunicornStart(cores, threads)
    return GunicornStart(cores, worker_connections)


class GunicornCapacity(NamedTuple):
    concurrency_slots: int
    ceilings: dict  # {"cpu": …, "gil": …, "slots": …} in requests/s
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
    - CPU: the machine completes at most cores / S_cpu, with
      S_cpu = S × (1 − io_wait/100);
    - GIL: a process runs Python on one core at a time, so it completes at
      most 1 / S_cpu requests per second; the server, workers / S_cpu.

    max_rps = min(slots, CPU, GIL), and a tie names the CPU first, then the
    GIL, then the slots: the GIL binds only when it is strictly lower than
    the CPU (more processes would raise the ceiling), the slots only when
    they are strictly lower than both (more threads or workers would). A
    ceiling with S_cpu = 0 (pure I/O) is unbounded. These are saturation ceilings: at them, queues grow without
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
        "cpu": cores / cpu_s if cpu_s > 0 else math.inf,
        "gil": workers / cpu_s if cpu_s > 0 else math.inf,
        "slots": slots / service_s,
    }
    lowest = min(ceilings.values())
    # Ties go to the first named (cpu, gil, slots): configuration that already reaches the
    # hardware's ceiling is not the limit to change. Float noise must not decide a tie.
    bottleneck = next(k for k, v in ceilings.items() if v <= lowest * (1 + 1e-9))
    return GunicornCapacity(slots, ceilings, ceilings[bottleneck], bottleneck)


class GunicornSizing(NamedTuple):
    heuristic_workers: float  # the start point for the class (math.inf: sync at pure I/O)
    max_workers_by_memory: int
    workers: int
    concurrency_slots: int
    max_rps: float
    bottleneck: str
    worker_class: str  # the class Gunicorn runs: sync with threads > 1 runs as gthread
    start_threads: float  # gthread: threads per worker that keep each process's core busy


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
    """Size a Gunicorn server from its cores, memory and I/O share, then find its ceiling.

        workers = min(start, ⌊memory / worker memory⌋)

    with the start point of :func:`gunicorn_start` for the worker class (sync:
    ⌈cores / (1 − f)⌉; gthread and gevent: one per core), then
    :func:`gunicorn_capacity` with that many workers and the threads given.
    Gunicorn runs a sync worker with threads > 1 as gthread, and so does this
    model (the result names the class it ran). One worker must fit in memory:
    a :class:`PerfcalcError` on ``worker_memory_mb`` otherwise.

    Sources: Gunicorn documentation, "Design" (the (2 × cores) + 1 start) and
    "Settings" (threads); Goetz et al. (2006), §8.2 (the start per class).

    Two cores and 2 GB, 150 MB workers, sync, 100 ms requests that wait on
    I/O 70 % of the time: seven workers keep both cores busy, and the CPU
    binds at 2 / 30 ms:

    >>> r = gunicorn_sizing(2, 2048, 150, "sync", 1, 1000, 100, 70)
    >>> r.heuristic_workers, r.workers, r.max_workers_by_memory, round(r.max_rps, 1), r.bottleneck
    (7, 7, 13, 66.7, 'cpu')

    The same on gthread: two processes, and four threads each reach the same
    ceiling (with two, the slots would bind at 40/s):

    >>> r = gunicorn_sizing(2, 2048, 150, "gthread", 4, 1000, 100, 70)
    >>> r.workers, r.start_threads, r.concurrency_slots, round(r.max_rps, 1), r.bottleneck
    (2, 4, 8, 66.7, 'cpu')

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
    if worker_class == "sync" and threads > 1:
        worker_class = "gthread"
    start = gunicorn_start(cores, worker_class, io_wait_pct, worker_connections)
    by_memory = floor_whole(memory_mb / worker_memory_mb)  # not //: 2048 // 204.8 is 9.0
    count = int(min(start.workers, by_memory))
    r = gunicorn_capacity(count, cores, worker_class, threads, worker_connections, service_time_ms, io_wait_pct)
    start_threads = start.threads if worker_class == "gthread" else 1
    return GunicornSizing(start.workers, by_memory, count, r.concurrency_slots, r.max_rps, r.bottleneck, worker_class,
                          start_threads)


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
