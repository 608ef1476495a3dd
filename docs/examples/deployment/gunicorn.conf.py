"""Gunicorn settings for a container: size from the container's CPU limit, not the host's.

Run with ``gunicorn -c gunicorn.conf.py myapp:app``. Every value can be
overridden from the environment, so one image serves every size of pod:

    WEB_CONCURRENCY   worker processes (set it from the CPU limit; see kubernetes.yml)
    GUNICORN_THREADS  threads per worker (gthread); 1 runs the sync worker
    PORT              port to listen on (default 8000)

With no WEB_CONCURRENCY, the worker count is read from cgroup v2's cpu.max
(the CPU limit the kernel enforces), then from the CPUs this process may run
on. os.cpu_count() alone is wrong in a container: it counts the host's CPUs.
"""

import math
import os


def cpu_limit(path="/sys/fs/cgroup/cpu.max"):
    """CPUs the cgroup may use: quota / period from cpu.max, rounded up; None if unlimited or unknown."""
    try:
        with open(path, encoding="ascii") as f:
            quota, period = f.read().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    return max(1, math.ceil(int(quota) / int(period)))


def usable_cpus():
    limit = cpu_limit()
    if limit is not None:
        return limit
    if hasattr(os, "process_cpu_count"):  # Python 3.13+: respects CPU affinity, not quotas
        return os.process_cpu_count() or 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# One process per usable CPU: each has its own GIL, so this is what Python
# code can use at once. Threads then cover the time requests spend waiting on
# I/O. For sync workers, raise WEB_CONCURRENCY instead (and check memory).
workers = int(os.environ.get("WEB_CONCURRENCY", usable_cpus()))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
worker_class = "gthread" if threads > 1 else "sync"

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"

# For sync workers, the longest a single request may run before its worker
# is killed; for gthread and gevent only a heartbeat (the process is alive).
# Bound request time in the app (HTTP client timeouts, statement_timeout).
timeout = 30
# On SIGTERM, workers finish in-flight requests for up to this long. Keep
# preStop sleep + graceful_timeout below the pod's terminationGracePeriodSeconds.
graceful_timeout = 25
# Idle keep-alive connections from the proxy stay open this long. It must be
# longer than the proxy's own idle timeout (nginx upstream keepalive_timeout
# 60 s, an AWS ALB's 60 s), so the proxy, not Gunicorn, closes idle
# connections; otherwise the proxy can reuse a connection Gunicorn has just
# closed and return a 502. The sync worker ignores keep-alive.
keepalive = 75

# Restart each worker after about 2,000 requests; the jitter spreads the
# restarts so the workers do not all restart at once. It contains slow leaks;
# it does not fix them (see the troubleshooting page).
max_requests = 2000
max_requests_jitter = 200

# The heartbeat file lives here. Container /tmp is often on overlayfs, where
# the heartbeat's metadata update (os.utime; os.fchmod before Gunicorn 22)
# can stall and make a healthy worker look dead.
# (macOS has no /dev/shm; Gunicorn refuses a directory that does not exist.)
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Trust X-Forwarded-* only from the proxy in front of this container.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access log on stdout with the time in the app (%(D)s, microseconds) and the
# proxy's X-Request-Start stamp, so queue time can be computed per request.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)sus start=%({x-request-start}i)s'
