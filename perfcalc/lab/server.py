"""Gunicorn on a loopback address, started and stopped by the lab, whatever happens.

:class:`Server` binds a listening socket on a free port of a loopback
address itself (so no other process can take the port between choosing
and binding it, and no other address is ever listened on), hands it to
Gunicorn (``--bind fd://N``), waits until every worker has booted and the
app answers, and stops the whole process group on :meth:`Server.stop`.
Gunicorn runs in its own session, so a Ctrl-C in the terminal reaches the
lab only, which stops the server in order; if the lab dies without
stopping it (killed with ``SIGKILL``), the watchdog of
:mod:`perfcalc.lab.gunicorn_conf` sees the lab's pipe close and stops the
server by itself, and a lifetime bounds it anyway.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from ..spec import PerfcalcError
from .generator import drive

__all__ = ["ACCESS_LOG_FORMAT", "LISTEN_BACKLOG", "Server", "check_loopback", "missing_requirements"]

# Gunicorn's default access-log format plus %(D)s, the request time in microseconds: what the guide
# tells readers to configure, and what `perfcalc analyze` reads.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'
# Gunicorn's default --backlog.
LISTEN_BACKLOG = 2048
# Seconds Gunicorn may take to boot every worker and answer.
START_TIMEOUT_S = 60.0
# Workers finish their requests within this many seconds of SIGTERM (--graceful-timeout).
GRACEFUL_TIMEOUT_S = 5
# After SIGTERM, how long to wait for the master before killing the process group.
STOP_TIMEOUT_S = GRACEFUL_TIMEOUT_S + 5.0
_BOOTED = re.compile(r"Booting worker with pid: (\d+)")
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def check_loopback(host: str) -> str:
    """``host`` if it is a loopback IP address (127.0.0.0/8, ::1); a :class:`PerfcalcError` otherwise.

    The lab sends load: it must never reach another machine.

    >>> check_loopback("127.0.0.1"), check_loopback("::1")
    ('127.0.0.1', '::1')
    >>> check_loopback("10.0.0.5")
    Traceback (most recent call last):
    ...
    perfcalc.spec.PerfcalcError: host must be a loopback address (127.0.0.1 or ::1): the lab sends load and must never reach another machine; got 10.0.0.5
    """
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise PerfcalcError("host must be a loopback address (127.0.0.1 or ::1): the lab sends load and must "
                            f"never reach another machine; got {host}", "host")
    return host


def missing_requirements() -> list[str]:
    """The lab's server needs Flask and Gunicorn in this interpreter; the names of those missing."""
    return [name for name in ("flask", "gunicorn") if importlib.util.find_spec(name) is None]


class Server:
    """A Gunicorn master and its workers serving :mod:`perfcalc.lab.app` on ``host`` at a free port."""

    def __init__(self, out_dir: Path, worker_class: str, workers: int, threads: int, *, host: str = "127.0.0.1",
                 lifetime_s: float = 3600.0, name: str = "server"):
        self.host = check_loopback(host)
        self.worker_class, self.workers, self.threads = worker_class, workers, threads
        self.lifetime_s = lifetime_s
        self.access_log = out_dir / f"{name}.access.log"
        self.error_log = out_dir / f"{name}.error.log"
        self.pid_file = out_dir / f"{name}.pid"
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.worker_pids: list[int] = []
        self._watch_w: int | None = None

    def start(self) -> "Server":
        missing = missing_requirements()
        if missing:
            raise PerfcalcError(f"perfcalc lab needs {' and '.join(missing)} in this Python ({sys.executable}): "
                                "install them with pip install 'perfcalc[lab]'")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        watch_r, self._watch_w = os.pipe()
        try:
            listener.bind((self.host, 0))
            listener.listen(LISTEN_BACKLOG)
            self.port = listener.getsockname()[1]
            env = dict(os.environ, PERFCALC_LAB_WATCH_FD=str(watch_r), PERFCALC_LAB_LIFETIME_S=str(self.lifetime_s),
                       PYTHONPATH=os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")])))
            command = [sys.executable, "-m", "gunicorn", "-c", "python:perfcalc.lab.gunicorn_conf",
                       "--bind", f"fd://{listener.fileno()}", "--worker-class", self.worker_class,
                       "--workers", str(self.workers), "--threads", str(self.threads),
                       "--graceful-timeout", str(GRACEFUL_TIMEOUT_S), "--timeout", "120",
                       "--access-logfile", str(self.access_log), "--access-logformat", ACCESS_LOG_FORMAT,
                       "--error-logfile", str(self.error_log), "--pid", str(self.pid_file),
                       "perfcalc.lab.app:app"]
            with open(self.error_log, "ab") as stray:
                self.proc = subprocess.Popen(command, pass_fds=(listener.fileno(), watch_r), env=env,
                                             stdin=subprocess.DEVNULL, stdout=stray, stderr=stray,
                                             start_new_session=True)
        except BaseException:
            os.close(self._watch_w)
            self._watch_w = None
            raise
        finally:
            listener.close()
            os.close(watch_r)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise PerfcalcError(f"Gunicorn exited with status {self.proc.returncode} while starting: "
                                    f"{self._log_tail()}")
            booted = _BOOTED.findall(self.error_log.read_text(errors="replace")) if self.error_log.exists() else []
            if len(booted) >= self.workers:
                answer = drive(self.host, self.port, [(0.0, "/noop")], start_in_s=0.0, timeout_s=5.0)[0]
                if answer.status == 200:
                    self.worker_pids = [int(p) for p in booted]
                    return
            time.sleep(0.1)
        raise PerfcalcError(f"Gunicorn did not answer within {START_TIMEOUT_S:g} s: {self._log_tail()}")

    def _log_tail(self) -> str:
        text = self.error_log.read_text(errors="replace") if self.error_log.exists() else ""
        return " | ".join(text.strip().splitlines()[-5:]) or "(nothing in its error log)"

    def stop(self) -> None:
        """Stop the master and every worker (SIGTERM, then SIGKILL to the group); safe to call twice."""
        if self.proc is not None:
            pgid = self.proc.pid  # its own session: the group's id is the master's pid
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    pass
            _kill_group(pgid, self.proc.poll)
            self.proc.wait()
            self.proc = None
        if self._watch_w is not None:
            os.close(self._watch_w)
            self._watch_w = None

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _kill_group(pgid: int, reap) -> None:
    """SIGKILL whatever is left of the process group, and wait until it is gone (at most a few seconds).

    ``reap`` collects the master if it is our child: a zombie still counts as a member of its group.
    """
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        reap()
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            return
        except PermissionError:  # macOS answers EPERM for a group whose members are all zombies
            return
        time.sleep(0.05)
