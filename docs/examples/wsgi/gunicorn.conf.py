"""Gunicorn settings for a Flask app behind a reverse proxy, in a container.

Run:  gunicorn -c gunicorn.conf.py "myapp:create_app()"

Every value can be overridden from the environment, so one image serves
several deployments. Sizes are starting points: check them with the
gunicorn and worker-pool calculators, then with a load test.
"""

import gc
import math
import os


def cpu_limit() -> int:
    """CPUs this process may really use: the cgroup CPU quota, the CPU affinity mask, at least 1.

    os.cpu_count() reports the host's CPUs, not the container's limit: on a
    64-core host a container limited to 2 CPUs still sees 64.
    """
    if hasattr(os, "process_cpu_count"):  # Python 3.13+: affinity, and PYTHON_CPU_COUNT if set
        cpus = os.process_cpu_count() or 1
    elif hasattr(os, "sched_getaffinity"):  # Linux: CPUs this process may be scheduled on
        cpus = len(os.sched_getaffinity(0))
    else:
        cpus = os.cpu_count() or 1
    quota = None
    try:  # cgroup v2: "200000 100000" = 2 CPUs; "max 100000" = no limit
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as f:
            limit, period = f.read().split()
        if limit != "max":
            quota = int(limit) / int(period)
    except (OSError, ValueError):
        try:  # cgroup v1: a quota of -1 means no limit
            with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", encoding="ascii") as f:
                limit_us = int(f.read())
            with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us", encoding="ascii") as f:
                period_us = int(f.read())
            if limit_us > 0:
                quota = limit_us / period_us
        except (OSError, ValueError):
            pass
    if quota is not None:
        cpus = min(cpus, math.ceil(quota))  # 1.5 CPUs of quota counts as 2
    return max(1, cpus)


# --- Sockets -----------------------------------------------------------------
# In a container, listen on every interface; the proxy or load balancer
# in front is the only client.
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Trust X-Forwarded-* only from the proxy (its address or network).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# --- Workers -----------------------------------------------------------------
# gthread: each process runs `threads` requests at once; threads release the
# GIL while they wait on the database or an API. Use "sync" for CPU-bound
# apps, "gevent" only with every blocking library made cooperative (see
# gevent.gunicorn.conf.py). Gunicorn silently turns "sync" with threads > 1
# into gthread.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# The share of a request's time spent waiting on I/O, as timing.py measures
# it; 50 when unmeasured, where the sync rule below is Gunicorn's (2 x CPUs) + 1
# less its spare.
io_wait_pct = float(os.environ.get("IO_WAIT_PCT", "50"))
if not 0 <= io_wait_pct < 100:
    raise ValueError(f"IO_WAIT_PCT must be from 0 to below 100 (a request that never runs Python), got {io_wait_pct:g}")
# Gunicorn's own default is 1 worker (or WEB_CONCURRENCY). Because this file
# sets `workers`, it must read WEB_CONCURRENCY itself. Otherwise: enough
# requests in service to keep every CPU busy, CPUs / (1 - I/O share), with no
# more processes running Python than CPUs. Sync workers hold one request
# each; gthread and gevent run one process per CPU (one GIL each) and let
# threads or greenlets hold the rest.
cpus = cpu_limit()
cpu_share = (100 - io_wait_pct) / 100
if worker_class == "sync":
    workers = math.ceil(round(cpus / cpu_share, 9))  # round: 2 / 0.2 is 10.000000000000002 in floats
    threads = 1
else:
    workers = cpus
    threads = math.ceil(round(1 / cpu_share, 9))
workers = int(os.environ.get("WEB_CONCURRENCY", "0")) or workers
threads = int(os.environ.get("GUNICORN_THREADS", "0")) or threads
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "1000"))  # gevent only

# --- Timeouts ----------------------------------------------------------------
# sync workers: a worker busy on one request for longer than this is killed
# (WORKER TIMEOUT in the log). gthread and gevent workers: only a worker whose
# main loop stops answering is killed; a slow request in a thread is not.
# Per-request deadlines belong in the proxy, the HTTP clients and the
# database (statement_timeout).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (a deploy, a scale-in) workers stop accepting and finish what
# they hold for up to this long. Keep it below the orchestrator's grace
# period (Kubernetes: terminationGracePeriodSeconds, 30 s by default).
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
# Seconds an idle keep-alive connection stays open (gthread and gevent; sync
# workers close every connection). Behind a proxy or load balancer that reuses
# connections, set it above the proxy's idle timeout (nginx upstream
# keepalive_timeout and AWS ALB: 60 s by default), or the proxy may send a
# request down a connection Gunicorn is closing and answer the client with a
# 502. An idle gthread connection waits in the worker's poller, not in a
# thread, so a long keep-alive is cheap. Facing clients directly, use 2-5 s.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))

# --- Memory ------------------------------------------------------------------
# Restart each worker after 1,000 to 1,100 requests: bounds slow leaks and
# fragmentation. The jitter staggers restarts so workers do not all restart
# at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))
# Import the app once in the master, then fork: workers share its memory
# pages copy-on-write and start faster. Code changes then need a full
# restart (SIGHUP reloads workers from the already imported code).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"

# --- Heartbeat ---------------------------------------------------------------
# Workers touch a file to tell the master they are alive. On a disk-backed
# /tmp (Docker's overlay filesystem) that can block; /dev/shm is in memory.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# --- Logs --------------------------------------------------------------------
accesslog = "-"
errorlog = "-"
# %(M)s is the request's duration in milliseconds, as Gunicorn measured it.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


# --- Hooks -------------------------------------------------------------------
def pre_fork(server, worker):
    """In the master, before each fork: move every object made so far out of the collector's reach.

    The children's garbage collections then never write to those objects'
    headers, so the pages stay shared instead of being copied into each worker.
    """
    gc.freeze()


def post_fork(server, worker):
    """In each new worker: drop database connections inherited from the master.

    With preload_app, anything the app did at import time (a query, a
    reflection, db.create_all()) opened connections in the master. Two
    processes writing to one socket corrupt each other's protocol stream, so
    each worker discards the inherited pool without closing the master's
    sockets (close=False) and opens its own connections on first use.
    """
    if not server.cfg.preload_app:
        return
    app = server.app.wsgi()  # the Flask app, already imported by the master
    ext = getattr(app, "extensions", {}).get("sqlalchemy")  # Flask-SQLAlchemy 3.x
    if ext is not None:
        with app.app_context():
            for engine in ext.engines.values():
                engine.dispose(close=False)
    # With plain SQLAlchemy, call engine.dispose(close=False) on your own engines here.
