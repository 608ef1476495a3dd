"""Gunicorn settings for the lab's server: a watchdog that stops it when the lab is gone.

Loaded by Gunicorn's master (``-c python:perfcalc.lab.gunicorn_conf``),
never imported by ``perfcalc``. The lab passes the read end of a pipe
(``PERFCALC_LAB_WATCH_FD``) and keeps the write end: when the lab exits in
any way — normally, on an error, on Ctrl-C, or killed with ``SIGKILL``,
which no handler can catch — the kernel closes the write end, the read
returns end-of-file, and the master stops itself (``SIGTERM``: its workers
finish their requests) and, if that takes more than a few seconds, kills
its whole process group. ``PERFCALC_LAB_LIFETIME_S`` bounds the server's
life the same way, whatever the lab does.
"""

from __future__ import annotations

import os
import select
import signal
import threading
import time

# After SIGTERM, how long the master may take before its group is killed outright.
STOP_GRACE_S = 8.0


def _watch(fd: int, lifetime_s: float) -> None:
    deadline = time.monotonic() + lifetime_s
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if ready and not os.read(fd, 4096):
            break  # end of file: the lab is gone
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(STOP_GRACE_S)
    os.killpg(os.getpgid(0), signal.SIGKILL)


def when_ready(server) -> None:
    """Start the watchdog in the master, once the listening socket is up."""
    fd = os.environ.get("PERFCALC_LAB_WATCH_FD")
    if fd is None:
        return
    lifetime_s = float(os.environ.get("PERFCALC_LAB_LIFETIME_S", "3600"))
    threading.Thread(target=_watch, args=(int(fd), lifetime_s), name="perfcalc-lab-watchdog", daemon=True).start()


def post_fork(server, worker) -> None:
    """Workers do not need the watchdog's pipe: only the master watches it."""
    fd = os.environ.get("PERFCALC_LAB_WATCH_FD")
    if fd is not None:
        try:
            os.close(int(fd))
        except OSError:
            pass
