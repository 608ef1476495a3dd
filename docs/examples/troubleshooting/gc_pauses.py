"""Time CPython's cyclic garbage collections, to see whether they line up with latency spikes.

Call ``install()`` once per worker (for example from Gunicorn's
``post_worker_init`` hook). Each collection is timed through ``gc.callbacks``;
a collection longer than ``slow_ms`` is logged with its generation and how
many objects it collected, and ``stats()`` returns counts and totals per
generation for a metrics endpoint. Importing the module installs nothing.

If the logged pauses match the spikes, look at what creates the garbage:
cycles between short-lived objects (ORM instances and their sessions, parsed
documents with parent links) drive generation-0 and -1 collections, and a
large heap of long-lived containers makes each generation-2 collection long.
With ``preload_app``, calling ``gc.freeze()`` in the master after the app is
loaded moves everything allocated so far out of the collector's sight.
"""

from __future__ import annotations

import gc
import logging
import threading
import time

log = logging.getLogger(__name__)

_lock = threading.Lock()
_started: dict[int, float] = {}
_totals = {g: {"collections": 0, "total_ms": 0.0, "max_ms": 0.0} for g in range(3)}
_slow_ms = 50.0


def _callback(phase: str, info: dict) -> None:
    generation = info.get("generation", 0)
    if phase == "start":
        _started[generation] = time.perf_counter()
        return
    began = _started.pop(generation, None)
    if began is None:
        return
    pause = (time.perf_counter() - began) * 1000.0
    with _lock:
        t = _totals[generation]
        t["collections"] += 1
        t["total_ms"] += pause
        t["max_ms"] = max(t["max_ms"], pause)
    if pause >= _slow_ms:
        log.warning("gc generation %d took %.1f ms (collected %d, uncollectable %d)",
                    generation, pause, info.get("collected", 0), info.get("uncollectable", 0))


def install(slow_ms: float = 50.0) -> None:
    """Start timing collections in this process (idempotent)."""
    global _slow_ms
    _slow_ms = slow_ms
    if _callback not in gc.callbacks:
        gc.callbacks.append(_callback)


def uninstall() -> None:
    if _callback in gc.callbacks:
        gc.callbacks.remove(_callback)


def stats() -> dict:
    """Collections, total and longest pause per generation since install()."""
    with _lock:
        return {g: dict(t, total_ms=round(t["total_ms"], 2), max_ms=round(t["max_ms"], 2))
                for g, t in _totals.items()}


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    install(slow_ms=5)

    class Node:
        def __init__(self, parent=None):
            self.parent, self.children = parent, []
            if parent is not None:
                parent.children.append(self)

    keep = []
    for i in range(200):
        root = Node()
        for _ in range(2000):
            Node(root)  # each child points back at its parent: a cycle only the collector frees
        if i % 10 == 0:
            keep.append(root)  # some survive, so the oldest generation grows
    gc.collect()
    print(stats())
