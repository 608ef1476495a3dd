"""What one CPU-bound thread does to an I/O-bound thread in the same process: the GIL convoy.

Run it: ``python gil_convoy.py``. The I/O-bound thread makes 200 short waits
(stand-ins for 200 small queries); each wait releases the GIL, and each time
the wait ends the thread must win the GIL back from the CPU-bound thread,
which gives it up only when the switch interval (5 ms by default) expires.
On a free-threaded build (python3.14t) the two run in parallel and the
difference disappears.
"""

from __future__ import annotations

import sys
import threading
import time


def io_bound(waits: int = 200, wait_s: float = 0.001) -> float:
    """Seconds for ``waits`` short blocking waits, each of which releases the GIL."""
    start = time.perf_counter()
    for _ in range(waits):
        time.sleep(wait_s)
    return time.perf_counter() - start


def cpu_bound(stop: threading.Event) -> None:
    """Pure Python arithmetic until told to stop: holds the GIL except when forced to drop it."""
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def measure(waits: int = 200, wait_s: float = 0.001) -> tuple[float, float]:
    """The I/O-bound loop's time alone, then beside a CPU-bound thread."""
    alone = io_bound(waits, wait_s)
    stop = threading.Event()
    hog = threading.Thread(target=cpu_bound, args=(stop,), daemon=True)
    hog.start()
    try:
        contended = io_bound(waits, wait_s)
    finally:
        stop.set()
        hog.join()
    return alone, contended


if __name__ == "__main__":
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    print(f"switch interval {sys.getswitchinterval() * 1000:g} ms, GIL {'enabled' if gil else 'disabled'}")
    alone, contended = measure()
    print(f"200 waits of 1 ms: {alone * 1000:.0f} ms alone, {contended * 1000:.0f} ms beside a CPU-bound thread")
    print(f"extra per wait: {(contended - alone) / 200 * 1000:.1f} ms")
