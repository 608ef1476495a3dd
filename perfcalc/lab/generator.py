"""An open-loop load generator: requests sent on a schedule, each on its own connection, never waiting.

A closed-loop tool (a fixed number of users, each waiting for its answer
before sending again) sends less when the server slows down, so it never
sees the queue it causes: coordinated omission (G. Tene, "How NOT to
measure latency", 2015). Here every request has a scheduled start, fixed
before the run; the generator opens a new connection for it when that time
comes, whatever is still in flight, and its latency is counted from the
scheduled start, so a late send is charged to the run, never hidden. How
late each send was (``sent − scheduled``) is recorded too: when the machine
is too busy for the generator to keep its schedule, the run says so.

One thread, non-blocking sockets and :mod:`selectors`; standard library
only. Times are ``time.monotonic()`` seconds (CLOCK_MONOTONIC on Linux,
the clock the lab's view reports too). Requests are HTTP/1.1 with
``Connection: close``, as a proxy that does not reuse upstream connections
sends them; the connection is closed as soon as the whole response is in.
"""

from __future__ import annotations

import errno
import selectors
import socket
import time
from dataclasses import dataclass

__all__ = ["Record", "drive", "MAX_OPEN_CONNECTIONS", "REQUEST_TIMEOUT_S"]

# More requests in flight than this and the run is stopped: the server is not keeping up, and the
# machine's ports and file descriptors are not the lab's to exhaust.
MAX_OPEN_CONNECTIONS = 2000
# A request without its whole answer after this long is recorded as timed out.
REQUEST_TIMEOUT_S = 30.0
# How often the loop looks for timed-out requests when no send is due sooner.
_TICK_S = 0.05
_RECV_BYTES = 65536
_MAX_RESPONSE_BYTES = 1 << 20


@dataclass
class Record:
    """One request: when it was due, when it went, when its answer was in, and what the server said."""

    index: int
    path: str
    scheduled: float           # monotonic seconds
    sent: float | None = None  # when connect() was called
    done: float | None = None  # when the whole response was in
    status: int | None = None
    error: str = ""            # "" when the request was answered
    body: str = ""

    @property
    def latency_s(self) -> float | None:
        """From the scheduled start to the whole answer: what a client of an open system waits."""
        return None if self.done is None else self.done - self.scheduled

    @property
    def lateness_s(self) -> float | None:
        return None if self.sent is None else self.sent - self.scheduled


class _Conn:
    __slots__ = ("record", "sock", "out", "buf", "deadline")

    def __init__(self, record: Record, sock: socket.socket, request: bytes, deadline: float):
        self.record, self.sock, self.out, self.buf, self.deadline = record, sock, request, bytearray(), deadline


def _complete(buf: bytearray) -> tuple[int, str] | None:
    """``(status, body)`` once a response with a Content-Length is wholly in ``buf``, else ``None``."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = bytes(buf[:head_end]).decode("latin-1").split("\r\n")
    length = None
    for line in head[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length is None:
        raise ValueError("a response without Content-Length")
    if len(buf) < head_end + 4 + length:
        return None
    status = int(head[0].split(" ", 2)[1])
    return status, bytes(buf[head_end + 4:head_end + 4 + length]).decode("utf-8", "replace")


def drive(host: str, port: int, schedule: list[tuple[float, str]], *, start_in_s: float = 0.05,
          timeout_s: float = REQUEST_TIMEOUT_S, max_open: int = MAX_OPEN_CONNECTIONS) -> list[Record]:
    """Send ``GET path`` at each ``(offset_s, path)`` of ``schedule`` and collect every answer.

    Offsets are seconds from the start (``start_in_s`` from now), in
    order. Returns one :class:`Record` per request, in schedule order; a
    request that could not be sent, failed, or timed out has ``error`` set.
    Stops early (the rest recorded as not sent) if more than ``max_open``
    requests are in flight at once.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    host_header = f"[{host}]:{port}" if family == socket.AF_INET6 else f"{host}:{port}"
    t0 = time.monotonic() + start_in_s
    records = [Record(i, path, t0 + offset) for i, (offset, path) in enumerate(schedule)]
    sel = selectors.DefaultSelector()
    open_conns: dict[int, _Conn] = {}
    next_i, stopped = 0, ""
    monotonic = time.monotonic
    next_tick = monotonic() + _TICK_S

    def finish(conn: _Conn, error: str = "", now: float | None = None) -> None:
        sel.unregister(conn.sock)
        conn.sock.close()
        del open_conns[id(conn)]
        if error:
            conn.record.error = error
        else:
            conn.record.done = now

    try:
        while next_i < len(records) or open_conns:
            now = monotonic()
            while next_i < len(records) and records[next_i].scheduled <= now and not stopped:
                if len(open_conns) >= max_open:
                    stopped = f"stopped: more than {max_open} requests in flight"
                    break
                conn = _open(records[next_i], family, (host, port), host_header, timeout_s)
                next_i += 1
                if conn is not None:
                    open_conns[id(conn)] = conn
                    sel.register(conn.sock, selectors.EVENT_WRITE, conn)
                now = monotonic()
            if stopped:
                break
            if next_i < len(records):
                wait = min(records[next_i].scheduled, next_tick) - monotonic()
            else:
                wait = next_tick - monotonic()
            events = sel.select(max(0.0, wait)) if open_conns else (time.sleep(max(0.0, wait)) or [])
            for key, mask in events:
                _step(key.data, mask, sel, finish, monotonic)
            now = monotonic()
            if now >= next_tick:
                next_tick = now + _TICK_S
                for conn in [c for c in open_conns.values() if c.deadline <= now]:
                    finish(conn, f"timeout: no whole answer within {timeout_s:g} s")
    finally:
        for conn in list(open_conns.values()):
            finish(conn, stopped or "interrupted")
        sel.close()
    for rec in records[next_i:]:
        rec.error = stopped or "not sent"
    return records


def _open(rec: Record, family, address, host_header: str, timeout_s: float) -> _Conn | None:
    """Open ``rec``'s connection now (non-blocking) and note when; ``None`` (and ``rec.error``) if it failed."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    rec.sent = time.monotonic()
    code = sock.connect_ex(address)
    if code not in (0, errno.EINPROGRESS, errno.EWOULDBLOCK):
        sock.close()
        rec.error = f"connect: {errno.errorcode.get(code, code)}"
        return None
    request = (f"GET {rec.path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: perfcalc-lab\r\n"
               "Connection: close\r\n\r\n").encode("ascii")
    return _Conn(rec, sock, request, rec.sent + timeout_s)


def _step(conn: _Conn, mask: int, sel: selectors.BaseSelector, finish, monotonic) -> None:
    """Move one connection on: connected → request written → response read."""
    try:
        if conn.out:
            if mask & selectors.EVENT_WRITE:
                code = conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code:
                    finish(conn, f"connect: {errno.errorcode.get(code, code)}")
                    return
                sent = conn.sock.send(conn.out)
                conn.out = conn.out[sent:]
                if not conn.out:
                    sel.modify(conn.sock, selectors.EVENT_READ, conn)
            return
        data = conn.sock.recv(_RECV_BYTES)
        now = monotonic()
        if not data:
            finish(conn, "closed before the whole answer")
            return
        conn.buf += data
        if len(conn.buf) > _MAX_RESPONSE_BYTES:
            finish(conn, "answer too long")
            return
        answer = _complete(conn.buf)
        if answer is not None:
            conn.record.status, conn.record.body = answer
            finish(conn, now=now)
    except (OSError, ValueError) as exc:
        finish(conn, f"{type(exc).__name__}: {exc}")

