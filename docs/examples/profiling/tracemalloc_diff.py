"""Where memory grows: two tracemalloc snapshots, compared by the line that allocated.

    python tracemalloc_diff.py

Start tracing early (``PYTHONTRACEMALLOC=25`` in the environment keeps 25
frames per allocation from interpreter start), take a snapshot, serve
traffic, take another, and compare: the lines whose allocations grew and
were not freed are the suspects. Tracing costs CPU and memory of its own,
so do this in a staging worker or in one production worker for a
bounded time, not everywhere. tracemalloc sees only allocations made
through Python's allocators; memory a C extension takes with ``malloc`` is
invisible to it (memray sees both).
"""

import linecache
import tracemalloc

IGNORED = (
    tracemalloc.Filter(False, tracemalloc.__file__),
    tracemalloc.Filter(False, linecache.__file__),
    tracemalloc.Filter(False, "<frozen importlib._bootstrap*>"),
)


def start(frames=25):
    if not tracemalloc.is_tracing():
        tracemalloc.start(frames)


def snapshot():
    return tracemalloc.take_snapshot().filter_traces(IGNORED)


def growth(before, after, top=10, key="lineno"):
    """The ``top`` allocation sites that grew most between two snapshots, as printable lines."""
    lines = []
    for stat in after.compare_to(before, key)[:top]:
        frame = stat.traceback[0]
        lines.append(f"{stat.size_diff / 1024:+10.1f} KiB {stat.count_diff:+8d} blocks  "
                     f"{frame.filename}:{frame.lineno}")
    return lines


_cache = []


def handle_request(i):
    """A request handler with a leak: it appends to a module-level list and never trims it."""
    _cache.append({"request": i, "payload": "x" * 512})


if __name__ == "__main__":
    start()
    first = snapshot()
    for i in range(20_000):
        handle_request(i)
    for line in growth(first, snapshot()):
        print(line)
    current, peak = tracemalloc.get_traced_memory()
    print(f"traced now {current / 2**20:.1f} MiB, peak {peak / 2**20:.1f} MiB")
