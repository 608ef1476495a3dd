"""Worker calculators: gunicorn, blocking-io (models in :mod:`perfcalc.workers`)."""

from __future__ import annotations

from ..spec import Calculator, Field, Output
from ..workers import (GEVENT_MIN_IO_WAIT_PCT, SYNC_PROCESSES_PER_CORE_LIMIT, FAR_MORE_THREADS_FACTOR,
                       WORKER_CLASSES, blocking_io_capacity, gunicorn_sizing)
from .fields import MAX_CORES, MAX_DEPLOYED, MAX_MEMORY_MB, MAX_THREADS, count, ms, pct


def _gunicorn_warnings(args, r):
    warnings = []
    if r.worker_class != args["worker_class"]:
        warnings.append("Gunicorn runs the gthread worker when threads > 1 is set with the sync class; "
                        "computed as gthread.")
    if r.max_workers_by_memory < r.heuristic_workers:
        warnings.append(f"Memory limits the pool to {r.max_workers_by_memory} workers, below the start point for "
                        f"{r.worker_class} workers at this I/O share.")
    if r.worker_class == "sync" and r.heuristic_workers > SYNC_PROCESSES_PER_CORE_LIMIT * args["cores"]:
        warnings.append("Requests that mostly wait need many sync processes to keep the CPUs busy; gthread holds the "
                        "same slots in one process per core, with less memory and fewer database pools.")
    if r.worker_class == "gthread" and args["threads"] < r.start_threads and r.bottleneck == "slots":
        warnings.append(f"The threads run out before the CPUs do: {r.start_threads} threads per worker would keep "
                        f"each process's core busy at this I/O share.")
    if r.worker_class == "gevent" and args["io_wait_pct"] < GEVENT_MIN_IO_WAIT_PCT:
        warnings.append("gevent helps when requests mostly wait on I/O; with mostly CPU work, the GIL binds.")
    # Tied to the start rule, so the rule's own count never draws the warning (40 threads at 97.5 % I/O is right).
    if (r.worker_class == "gthread" and args["threads"] > FAR_MORE_THREADS_FACTOR * r.start_threads
            and r.bottleneck != "slots"):
        warnings.append(f"Far more threads than the CPU can use: the rule's {r.start_threads:g} per worker keep "
                        f"each process's core busy at this I/O share; extra threads add memory and contention, "
                        f"not throughput.")
    return warnings


GUNICORN = Calculator(
    id="gunicorn",
    title="Gunicorn workers and throughput ceiling",
    summary="Workers for the worker class from cores, I/O share and memory, then the tightest of three ceilings: "
            "slots, the CPUs, the GIL.",
    fields=(
        count("cores", "CPU cores", default=2,
              help="CPUs the server may use: the container's CPU limit rounded up, not the host's count. The worker "
                   "rule counts these (vCPUs). An x86 cloud vCPU is a hyperthread, two per core, so the CPU ceiling "
                   "from vCPUs is optimistic: run it again with half as many to bound it.",
              maximum=MAX_CORES),
        Field("memory_mb", "Memory for Gunicorn", unit="MB", default=2048.0, minimum=1.0, maximum=MAX_MEMORY_MB,
              help="Memory available to the workers after the OS and other processes."),
        Field("worker_memory_mb", "Memory per worker", unit="MB", default=150.0, minimum=1.0, maximum=MAX_MEMORY_MB,
              help="Resident memory of one worker process under load (measure RSS)."),
        Field("worker_class", "Worker class", kind="choice", default="sync", choices=WORKER_CLASSES,
              help="sync: one request per process; gthread: threads per process; gevent: green threads."),
        count("threads", "Threads per worker", default=1, help="gthread only (Gunicorn's --threads).", maximum=MAX_THREADS),
        count("worker_connections", "Connections per gevent worker", default=1000,
              help="gevent only (Gunicorn's --worker-connections).", maximum=MAX_DEPLOYED),
        ms("service_time_ms", "Mean service time", default=100.0,
           help="Mean time to serve one request, I/O waits included."),
        pct("io_wait_pct", "Time waiting on I/O", default=70.0,
            help="Share of the service time spent waiting on the database, HTTP calls, disk: the GIL is released then. "
                 "Under 50 %, requests are CPU-bound; above, I/O-bound."),
    ),
    outputs=(
        Output("heuristic_workers", "Start point for this class", unit="workers", format="int", none="unbounded",
               help="sync: ⌈cores ÷ (1 − I/O share)⌉, enough to keep every core busy; gthread and gevent: one per "
                    "core. Gunicorn's (2 × cores) + 1 is the sync rule at an I/O share of one half, plus a spare."),
        Output("max_workers_by_memory", "Workers that fit in memory", unit="workers", format="int"),
        Output("workers", "Workers", unit="workers", format="int"),
        Output("concurrency_slots", "Concurrency slots", unit="requests", format="int"),
        Output("max_rps", "Throughput ceiling", unit="requests/s", decimals=1, none="unbounded"),
        Output("bottleneck", "Binding limit", format="text"),
    ),
    model=gunicorn_sizing,
    warn=_gunicorn_warnings,
    assumptions=(
        "Workers = min(start, memory / worker memory). The start keeps every core busy with no more processes "
        "running Python than cores: sync ⌈cores / (1 − I/O share)⌉, gthread and gevent one per core. Ceilings by "
        "Little's law at full occupancy: slots / S; cores / S_cpu; workers / S_cpu (one GIL per process), with "
        "S_cpu = S × (1 − I/O share); a tie names the CPU, then the GIL, then the slots. Ceilings, not targets: "
        "keep well below them."
    ),
    equations=(
        "w_{\\text{sync}} = \\left\\lceil \\frac{n_{\\text{cores}}}{1 - f_{\\text{io}}} \\right\\rceil\\qquad "
        "w_{\\text{gthread}} = w_{\\text{gevent}} = n_{\\text{cores}}\\qquad "
        "t_{\\text{gthread}} = \\left\\lceil \\frac{1}{1 - f_{\\text{io}}} \\right\\rceil",
        "w = \\min\\!\\left(w_{\\text{class}},\\ \\left\\lfloor \\frac{M}{m} \\right\\rfloor\\right)\\qquad S_{\\text{cpu}} = S\\,(1 - f_{\\text{io}})",
        "X_{\\max} = \\min\\!\\left(\\frac{\\text{slots}}{S},\\ \\frac{n_{\\text{cores}}}{S_{\\text{cpu}}},\\ \\frac{w}{S_{\\text{cpu}}}\\right)",
    ),
)


BLOCKING_IO = Calculator(
    id="blocking-io",
    title="What blocking I/O costs",
    summary="Throughput when workers block on I/O versus when the I/O is offloaded.",
    fields=(
        ms("cpu_time_ms", "CPU time per request", default=20.0,
           help="Time spent running Python: templates, serialisation, logic."),
        ms("io_wait_ms", "I/O wait per request", default=180.0, help="Time blocked on a database, an HTTP API, a file.",
           minimum=0.0),
        count("workers", "Workers", default=4, help="Single-request workers (sync processes).", maximum=MAX_DEPLOYED),
    ),
    outputs=(
        Output("max_rps_blocking", "Ceiling, blocking", unit="requests/s", decimals=1),
        Output("max_rps_offloaded", "Ceiling, I/O offloaded", unit="requests/s", decimals=1),
        Output("capacity_lost_pct", "Capacity lost to blocking", unit="%", format="pct", decimals=1),
    ),
    model=blocking_io_capacity,
    assumptions="Offloaded means the worker is free while the I/O is pending (a task queue such as Celery or RQ, or "
                "an event loop); the I/O still takes as long for the request that needs it. The offloaded ceiling, "
                "workers / CPU time, assumes a core for each worker: with fewer cores, cores / CPU time is lower.",
    equations=(
        "X_{\\text{blocking}} = \\frac{w}{t_{\\text{cpu}} + t_{\\text{io}}}\\qquad X_{\\text{offloaded}} = \\frac{w}{t_{\\text{cpu}}}\\qquad \\text{lost} = \\frac{t_{\\text{io}}}{t_{\\text{cpu}} + t_{\\text{io}}}",
    ),
)
