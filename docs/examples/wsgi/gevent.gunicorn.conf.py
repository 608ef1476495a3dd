"""Gunicorn with gevent workers, for a Flask app that mostly waits on the network.

Run:  gunicorn -c gevent.gunicorn.conf.py "myapp:create_app()"
Needs:  pip install "gunicorn[gevent]" psycogreen   (psycogreen only with psycopg2)

gevent's monkey-patching makes the standard library's sockets cooperative,
so pure-Python clients (requests, redis-py, urllib3) yield while they wait.
C drivers do their own I/O and block the whole worker unless they are told
to cooperate: psycopg2 needs psycogreen's wait callback (below); psycopg 3
detects gevent's patching by itself from 3.1.14 on; check every other C
extension you use.
"""

import os

worker_class = "gevent"
# Requests one worker holds at once. Every one of them may want a database
# connection: size the pool (or PgBouncer) for workers x worker_connections
# actually in flight, not for this ceiling.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "200"))
# One process per CPU: a gevent worker runs Python on one core at a time.
# Set WEB_CONCURRENCY to the container's CPU limit.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# The heartbeat is a greenlet: a request that computes for 30 s without
# yielding starves it, and the master kills the worker with every request
# it holds.
timeout = 30
graceful_timeout = 25
# Above the proxy's idle timeout for connections it reuses (nginx upstream
# and AWS ALB: 60 s), so the proxy, not Gunicorn, closes idle ones.
keepalive = 75
max_requests = 1000
max_requests_jitter = 100
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Do not preload: modules imported in the master before the worker patches
# the standard library keep references to the blocking versions.
preload_app = False


def post_fork(server, worker):
    """Make psycopg2 yield to other greenlets while it waits on PostgreSQL.

    post_fork runs before the worker monkey-patches the standard library;
    patch_psycopg() only installs a wait callback built on gevent's own
    wait_read/wait_write, so the order does not matter.
    """
    try:
        import psycopg2  # noqa: F401
    except ImportError:  # not using psycopg2: nothing to patch
        return
    try:
        from psycogreen.gevent import patch_psycopg
    except ImportError:
        worker.log.warning("psycopg2 without psycogreen: every query blocks this whole worker")
        return
    patch_psycopg()
    worker.log.info("psycopg2 made cooperative with psycogreen")
