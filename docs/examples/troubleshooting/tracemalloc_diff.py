"""Find what keeps growing in a worker's Python heap: compare tracemalloc snapshots.

Importing this module does nothing. Two ways to use it:

1. In a test or a shell: ``watch = HeapDiff(); ...run the suspect code
   many times...; print(watch.report())``.
2. In one canary worker: start Gunicorn with PYTHONTRACEMALLOC=25 in its
   environment (tracing from interpreter start, 25 frames per allocation) and
   wrap the app: ``app.wsgi_app = DiffEvery(app.wsgi_app, every=5000)``. Every
   5,000 requests the worker logs the allocation sites that grew most since
   the previous report. Tracing slows allocation and costs memory (often
   tens of percent): keep it to one instance, for hours, not to the fleet.

If tracemalloc shows no growth while the process's RSS climbs, the growth is
outside Python's allocator: a C extension (use memray with --native) or heap
fragmentation, not a Python object you keep.
"""

from __future__ import annotations

import logging
import threading
import tracemalloc

log = logging.getLogger(__name__)

# Frames from these files are tracemalloc's and the import system's own.
_NOISE = (
    tracemalloc.Filter(False, tracemalloc.__file__),
    tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
    tracemalloc.Filter(False, "<frozen importlib._bootstrap_external>"),
    tracemalloc.Filter(False, "<unknown>"),
)


def take_snapshot() -> tracemalloc.Snapshot:
    """A snapshot of live Python allocations, without tracemalloc's own."""
    return tracemalloc.take_snapshot().filter_traces(_NOISE)


def top_growth(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, limit: int = 10,
               key_type: str = "traceback") -> list[tracemalloc.StatisticDiff]:
    """The allocation sites whose live size grew most from ``before`` to ``after``."""
    diffs = after.compare_to(before, key_type)
    return [d for d in diffs if d.size_diff > 0][:limit]


def format_growth(diffs: list[tracemalloc.StatisticDiff], frames: int = 5) -> str:
    """One block per site: growth in KiB and objects, then the innermost frames of its stack."""
    lines = []
    for d in diffs:
        lines.append(f"+{d.size_diff / 1024:.1f} KiB (+{d.count_diff} blocks), now {d.size / 1024:.1f} KiB")
        lines.extend("    " + line for line in d.traceback.format(limit=frames))
    return "\n".join(lines)


class HeapDiff:
    """Start tracing if needed, remember a baseline, report growth against it."""

    def __init__(self, frames: int = 25):
        if not tracemalloc.is_tracing():
            tracemalloc.start(frames)
        self.baseline = take_snapshot()

    def report(self, limit: int = 10, rebase: bool = False) -> str:
        current = take_snapshot()
        text = format_growth(top_growth(self.baseline, current, limit))
        if rebase:
            self.baseline = current
        return text or "no growth"


class DiffEvery:
    """WSGI middleware: every ``every`` requests, log what grew since the last report.

    Does nothing unless tracemalloc is already tracing (PYTHONTRACEMALLOC set),
    so it is safe to leave in the code and switch on per instance.
    """

    def __init__(self, wsgi_app, every: int = 5000, limit: int = 10):
        self.wsgi_app, self.every, self.limit = wsgi_app, every, limit
        self.count = 0
        self.lock = threading.Lock()
        self.previous = take_snapshot() if tracemalloc.is_tracing() else None

    def __call__(self, environ, start_response):
        try:
            return self.wsgi_app(environ, start_response)
        finally:
            if self.previous is not None:
                with self.lock:
                    self.count += 1
                    due = self.count % self.every == 0
                    if due:
                        current = take_snapshot()
                        log.warning("heap growth over the last %d requests:\n%s", self.every,
                                    format_growth(top_growth(self.previous, current, self.limit)))
                        self.previous = current


if __name__ == "__main__":
    # A demonstration: a module-level list that a "request" appends to and
    # never clears, the commonest Python leak in a long-running worker.
    _seen = []

    def handle(i):
        _seen.append({"request": i, "payload": "x" * 200})

    watch = HeapDiff()
    for i in range(20_000):
        handle(i)
    print(watch.report(limit=3))
