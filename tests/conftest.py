"""The order the suite starts in: the longest tests first, so that no pytest-xdist worker runs one alone at the end.

`make test` hands tests to its workers one or two at a time (``--maxschedchunk``), in this order: with the
long ones first, the thousands of short ones fill the gaps at the end (longest processing time first). Only
the order changes; every test runs. The groups come from `pytest --durations` on `make test` (tens of
seconds each, most of them CPU; the lab's process tests mostly wait, so they go between CPU-bound ones).
test_shared_worker.py is left with the other browser tests: its watcher of a shared worker's requests attaches
after the worker starts (helpers.SharedWorkers, "the gap"), and run beside the heaviest tests it missed Pyodide's
module twice.
"""

from __future__ import annotations

LONG_FIRST = (
    "tests/test_lab.py::test_interrupting_the_lab_stops_the_server_it_started",  # ~10 s each, waiting on processes
    "tests/browser/test_accessibility.py::test_every_page",  # ~45 s each: axe on every page
    "tests/test_simulation_coverage.py",  # the quick grids: 5-25 s each of simulation
    "tests/test_lab.py",
    "tests/test_stack_coverage.py",
    "tests/browser/test_analyze.py::test_a_large_file_is_read_on_two_cores",  # ~25 s: two interpreters, 73 MB
    "tests/browser/test_two_cores.py",  # 1-16 s each: 40 MB files
    "tests/browser/test_memory.py",
    "tests/browser/test_build.py",  # the reproducibility rebuild
    "tests/browser/test_runtime.py",
    "tests/browser/test_snapshot.py",
    "tests/browser/test_offline.py",
    "tests/browser/test_compare.py",
    "tests/test_simulation.py",
    "tests/analyze/test_compare.py",
    "tests/browser/",
)


def _rank(nodeid: str) -> int:
    """The first LONG_FIRST group ``nodeid`` belongs to; len(LONG_FIRST) for the rest.

    >>> _rank("tests/browser/test_accessibility.py::test_every_page[light-chromium]")
    1
    >>> _rank("tests/browser/test_pages.py::test_page_goes_live_with_the_same_numbers[chromium-wsgi/]")
    15
    >>> _rank("perfcalc/queueing.py::perfcalc.queueing.erlang_c")
    16
    """
    return next((i for i, prefix in enumerate(LONG_FIRST) if nodeid.startswith(prefix)), len(LONG_FIRST))


def pytest_collection_modifyitems(items):
    """Sort by group, keeping the collected order inside each (every xdist worker sorts alike)."""
    items.sort(key=lambda item: _rank(item.nodeid))
