"""Three defences against a cache stampede, for a Redis cache shared by many workers.

When a hot key expires, every request that arrives before the new value is
stored misses at once and recomputes it: λ × t requests for a key read λ
times a second that takes t seconds to rebuild. The defences:

1. ``get_or_compute``: probabilistic early expiration (XFetch, Vattani et al.
   2015). Each reader may refresh the value a little before it expires, with a
   probability that grows as expiry nears and with the time the value took to
   compute, so one reader usually refreshes it while the others still hit.
2. A Redis lock (``SET key token NX PX …``) for a true miss: one process
   recomputes; the others wait briefly for its result instead of joining in.
3. ``SingleFlight``: request coalescing inside one process, for threads
   (gthread) that miss the same key at the same moment.

Use: ``get_or_compute(redis.Redis.from_url(url), "report:42", 600, build_report)``.
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
import uuid
from typing import Any, Callable

# Deletes the lock only if it is still ours (it may have expired and been taken by another process).
RELEASE = """
if redis.call("get", KEYS[1]) == ARGV[1] then
    return redis.call("del", KEYS[1])
end
return 0
"""


def _should_refresh_early(entry: dict, beta: float, now: float) -> bool:
    """XFetch: refresh if now − δ·β·ln(u) ≥ expiry, u uniform in (0, 1]. δ is the last compute time."""
    u = 1.0 - random.random()  # (0, 1]: log(0) is undefined
    return now - entry["delta"] * beta * math.log(u) >= entry["expiry"]


def _store(r, key: str, value: Any, ttl_s: int, delta_s: float) -> None:
    entry = {"value": value, "delta": delta_s, "expiry": time.time() + ttl_s}
    r.set(key, json.dumps(entry), ex=ttl_s)  # Redis drops it at expiry too, and may evict it before


def get_or_compute(r, key: str, ttl_s: int, compute: Callable[[], Any], *, beta: float = 1.0,
                   lock_ms: int = 10_000, wait_s: float = 2.0) -> Any:
    """The cached value of ``key``, recomputed by one caller when it is missing or about to expire."""
    raw = r.get(key)
    if raw is not None:
        entry = json.loads(raw)
        if not _should_refresh_early(entry, beta, time.time()):
            return entry["value"]
        # Chosen to refresh early: recompute now; everyone else keeps hitting the old value meanwhile.
        started = time.perf_counter()
        value = compute()
        _store(r, key, value, ttl_s, time.perf_counter() - started)
        return value

    # A real miss: let one process rebuild it.
    lock, token = f"lock:{key}", uuid.uuid4().hex
    if r.set(lock, token, nx=True, px=lock_ms):
        try:
            started = time.perf_counter()
            value = compute()
            _store(r, key, value, ttl_s, time.perf_counter() - started)
            return value
        finally:
            r.eval(RELEASE, 1, lock, token)

    # Someone else is rebuilding it: wait for their result, then give up and compute.
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        time.sleep(0.05)
        raw = r.get(key)
        if raw is not None:
            return json.loads(raw)["value"]
    return compute()  # the holder is slow or died; serve this request rather than fail it


class SingleFlight:
    """Coalesce concurrent calls for one key in this process: the first computes, the rest share its result."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._calls: dict[str, tuple[threading.Event, dict]] = {}

    def do(self, key: str, compute: Callable[[], Any]) -> Any:
        with self._guard:
            call = self._calls.get(key)
            leader = call is None
            if leader:
                call = self._calls[key] = (threading.Event(), {})
        done, result = call
        if not leader:
            done.wait()
            if "error" in result:
                raise result["error"]
            return result["value"]
        try:
            result["value"] = compute()
            return result["value"]
        except BaseException as exc:
            result["error"] = exc
            raise
        finally:
            with self._guard:
                del self._calls[key]
            done.set()
