"""Worker models: Gunicorn's start point, memory and the three ceilings; blocking I/O."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from perfcalc import calculate, workers


def test_gunicorn_heuristic_and_memory_ceiling():
    """Gunicorn docs: "(2 x $num_cores) + 1" as a starting point."""
    o = calculate("gunicorn", cores=4, memory_mb=4096, worker_memory_mb=200).outputs
    assert o["heuristic_workers"] == 9 and o["workers"] == 9 and o["max_workers_by_memory"] == 20
    r = calculate("gunicorn", cores=8, memory_mb=1024, worker_memory_mb=200)
    assert r.outputs["workers"] == 5 and any("Memory limits" in w for w in r.warnings)


def test_gunicorn_sync_with_threads_is_gthread():
    r = calculate("gunicorn", worker_class="sync", threads=4)
    assert r.outputs["concurrency_slots"] == r.outputs["workers"] * 4 and r.warnings


def test_gunicorn_gil_binds_for_cpu_work_with_threads():
    """One process, 8 threads, pure CPU: threads do not add throughput past one core."""
    r = workers.gunicorn_capacity(1, 8, "gthread", 8, 1000, 50, 0)
    assert r["bottleneck"] == "gil" and r["max_rps"] == pytest.approx(20.0)


@settings(max_examples=300, deadline=None)
@example(w=100, cores=1, wc="sync", threads=1, conns=1, s=1.0, io=99.0)  # slots and CPU tie to the last bit
@given(w=st.integers(1, 500), cores=st.integers(1, 256), wc=st.sampled_from(["sync", "gthread", "gevent"]),
       threads=st.integers(1, 100), conns=st.integers(1, 5000), s=st.floats(0.01, 10_000), io=st.floats(0, 100))
def test_gunicorn_ceiling_is_the_minimum(w, cores, wc, threads, conns, s, io):
    r = workers.gunicorn_capacity(w, cores, wc, threads, conns, s, io)
    assert r["max_rps"] == pytest.approx(min(r["ceilings"].values()), rel=1e-9)  # ties go to the first-named limit
    assert r["ceilings"][r["bottleneck"]] == r["max_rps"]
    # More I/O wait never lowers the ceiling.
    if io <= 90:
        assert workers.gunicorn_capacity(w, cores, wc, threads, conns, s, io + 10)["max_rps"] >= r["max_rps"] * (1 - 1e-9)


def test_blocking_io_reference():
    o = calculate("blocking-io", cpu_time_ms=10, io_wait_ms=90, workers=4).outputs
    assert o == {"max_rps_blocking": pytest.approx(40), "max_rps_offloaded": pytest.approx(400),
                 "capacity_lost_pct": pytest.approx(90)}
