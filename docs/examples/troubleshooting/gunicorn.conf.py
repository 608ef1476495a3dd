"""Gunicorn hooks that tell you what a worker was doing when it went wrong.

Add these to your own gunicorn.conf.py (or pass this file with -c).

- On WORKER TIMEOUT the master sends the worker SIGABRT; worker_abort runs in
  the worker before it exits and logs every thread's stack, so the log says
  which line the worker was stuck on, not just that it was.
- kill -USR2 <worker pid> prints every thread's stack to stderr and lets the
  worker carry on: a live look at where requests wait when p99 rises but CPU
  does not. A worker's pid, never the master's: to the master, USR2 means a
  binary upgrade and starts a second master with its own workers. (faulthandler writes from a C signal handler, so it works even
  while a C call holds the GIL.) py-spy dump --pid <pid> does the same from
  outside, without code, if the container allows ptrace.
"""

import faulthandler
import os
import signal
import sys
import threading
import traceback

timeout = 30
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # in memory: the heartbeat never blocks


def worker_abort(worker):
    names = {t.ident: t.name for t in threading.enumerate()}
    for ident, frame in sys._current_frames().items():
        stack = "".join(traceback.format_stack(frame))
        worker.log.critical("WORKER TIMEOUT stack of thread %s (pid %s):\n%s",
                            names.get(ident, ident), worker.pid, stack)


def post_worker_init(worker):
    # Gunicorn resets USR2 to its default (terminate) in every worker; this
    # replaces that with a stack dump after the worker's own signals are set.
    faulthandler.register(signal.SIGUSR2, file=sys.stderr, all_threads=True)
