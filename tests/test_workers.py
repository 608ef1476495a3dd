"""Worker models: Gunicorn's start point, memory and the three ceilings; blocking I/O."""

from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from perfcalc import PerfcalcError, calculate, workers


def test_gunicorn_start_and_memory_ceiling():
    """Four cores, requests waiting 70 % of the time: ⌈4 / 0.3⌉ = 14 sync workers keep the cores busy."""
    o = calculate("gunicorn", cores=4, memory_mb=4096, worker_memory_mb=200).outputs
    assert o["heuristic_workers"] == 14 and o["workers"] == 14 and o["max_workers_by_memory"] == 20
    r = calculate("gunicorn", cores=8, memory_mb=1024, worker_memory_mb=200)
    assert r.outputs["workers"] == 5 and any("Memory limits" in w for w in r.warnings)


def _busy_cores(workers, io_wait_pct):
    """Cores that workers in service keep busy, exactly: each runs Python for (100 − f) % of its time."""
    return Fraction(workers) * (100 - Fraction(str(io_wait_pct))) / 100


@settings(max_examples=300, deadline=None)
@example(cores=2, io=70.0)  # 2 / 0.3 is 6.67: seven
@example(cores=2, io=80.0)  # 1 − 0.8 is 0.19999999999999996 in floats: ten, not eleven
@example(cores=7, io=0.0)
@given(cores=st.integers(1, 1024), io=st.floats(0, 99.9).map(lambda x: round(x, 1)))
def test_sync_start_is_the_fewest_workers_that_keep_every_core_busy(cores, io):
    """Goetz et al., Java Concurrency in Practice §8.2: N_cpu × (1 + W/C) threads keep N_cpu busy.

    Checked by exact arithmetic on the decimal the reader typed: w keeps the
    cores busy (w × CPU share ≥ cores) and w − 1 does not.
    """
    w = workers.gunicorn_start(cores, "sync", io).workers
    assert _busy_cores(w, io) >= cores > _busy_cores(w - 1, io)


@settings(max_examples=200, deadline=None)
@given(cores=st.integers(1, 1024), io=st.floats(0, 99.9).map(lambda x: round(x, 1)))
def test_gthread_and_gevent_start_one_process_per_core(cores, io):
    """One GIL per core; a gthread process gets the fewest threads that keep its core busy."""
    t = workers.gunicorn_start(cores, "gthread", io)
    assert t.workers == cores and _busy_cores(t.threads, io) >= 1 > _busy_cores(t.threads - 1, io)
    assert workers.gunicorn_start(cores, "gevent", io, 200) == (cores, 200)


def test_the_start_rules_meet_gunicorns_at_half_and_one_per_core_at_none():
    """Gunicorn's (2 × cores) + 1 assumes half the time on the socket: the sync rule gives 2 × cores there."""
    assert [workers.gunicorn_start(n, "sync", 50).workers for n in (1, 2, 4, 16)] == [2, 4, 8, 32]
    assert [workers.gunicorn_start(n, "sync", 0).workers for n in (1, 2, 4, 16)] == [1, 2, 4, 16]
    assert workers.gunicorn_start(4, "gthread", 0).threads == 1


def test_pure_io_leaves_sync_workers_to_memory():
    """No CPU per request: no number of sync workers keeps a core busy, so memory decides."""
    r = calculate("gunicorn", io_wait_pct=100, memory_mb=2048, worker_memory_mb=150)
    assert r.outputs["heuristic_workers"] is None and r.outputs["workers"] == 13
    assert calculate("gunicorn", io_wait_pct=100, worker_class="gthread", threads=8).outputs["workers"] == 2


def test_gthread_with_too_few_threads_says_how_many():
    r = calculate("gunicorn", worker_class="gthread", threads=2)
    assert r.outputs["bottleneck"] == "slots" and any("4 threads per worker" in w for w in r.warnings)
    assert not any("threads per worker" in w for w in calculate("gunicorn", worker_class="gthread", threads=4).warnings)


def test_many_sync_processes_point_to_gthread():
    assert any("gthread holds" in w for w in calculate("gunicorn", io_wait_pct=90, memory_mb=8000).warnings)
    assert not any("gthread holds" in w for w in calculate("gunicorn", io_wait_pct=70).warnings)


def test_gunicorn_sync_with_threads_is_gthread():
    r = calculate("gunicorn", worker_class="sync", threads=4)
    assert r.outputs["concurrency_slots"] == r.outputs["workers"] * 4 and r.warnings


def test_gunicorn_gil_binds_for_cpu_work_with_threads():
    """One process, 8 threads, pure CPU: threads do not add throughput past one core."""
    r = workers.gunicorn_capacity(1, 8, "gthread", 8, 1000, 50, 0)
    assert r.bottleneck == "gil" and r.max_rps == pytest.approx(20.0)


@settings(max_examples=300, deadline=None)
@example(w=100, cores=1, wc="sync", threads=1, conns=1, s=1.0, io=99.0)  # slots and CPU tie to the last bit
@given(w=st.integers(1, 500), cores=st.integers(1, 256), wc=st.sampled_from(["sync", "gthread", "gevent"]),
       threads=st.integers(1, 100), conns=st.integers(1, 5000), s=st.floats(0.01, 10_000), io=st.floats(0, 100))
def test_gunicorn_ceiling_is_the_minimum(w, cores, wc, threads, conns, s, io):
    r = workers.gunicorn_capacity(w, cores, wc, threads, conns, s, io)
    assert r.max_rps == pytest.approx(min(r.ceilings.values()), rel=1e-9)  # ties go to the first-named limit
    assert r.ceilings[r.bottleneck] == r.max_rps
    # More I/O wait never lowers the ceiling.
    if io <= 90:
        assert workers.gunicorn_capacity(w, cores, wc, threads, conns, s, io + 10).max_rps >= r.max_rps * (1 - 1e-9)


def test_blocking_io_reference():
    o = calculate("blocking-io", cpu_time_ms=10, io_wait_ms=90, workers=4).outputs
    assert o == {"max_rps_blocking": pytest.approx(40), "max_rps_offloaded": pytest.approx(400),
                 "capacity_lost_pct": pytest.approx(90)}


def test_gunicorn_sizing_worked_example():
    """2 cores at 70 % I/O: ⌈2 / 0.3⌉ = 7 sync workers; 2 GB / 150 MB fits 13; the CPUs bind at 2 / 30 ms."""
    r = workers.gunicorn_sizing(2, 2048, 150, "sync", 1, 1000, 100, 70)
    assert (r.heuristic_workers, r.max_workers_by_memory, r.workers, r.concurrency_slots) == (7, 13, 7, 7)
    assert r.max_rps == pytest.approx(200 / 3) and r.bottleneck == "cpu" and r.worker_class == "sync"


def test_one_process_per_core_names_the_cpu_not_the_gil():
    """With workers = cores the GIL and CPU ceilings are equal; only the CPU is worth naming."""
    r = workers.gunicorn_capacity(2, 2, "gthread", 8, 1000, 100, 70)
    assert r.ceilings["gil"] == r.ceilings["cpu"] and r.bottleneck == "cpu"
    assert workers.gunicorn_capacity(1, 2, "gthread", 8, 1000, 100, 70).bottleneck == "gil"


def test_gunicorn_sizing_runs_sync_with_threads_as_gthread():
    """Gunicorn settings, "threads": with the sync worker and threads > 1, gthread is used instead.

    So the start point is gthread's too: one process per core, not seven sync processes.
    """
    r = workers.gunicorn_sizing(2, 2048, 150, "sync", 4, 1000, 100, 70)
    assert r.worker_class == "gthread" and r.workers == 2 and r.concurrency_slots == 2 * 4
    assert workers.gunicorn_sizing(2, 2048, 150, "gevent", 4, 1000, 100, 70).worker_class == "gevent"


def test_one_worker_must_fit_in_memory():
    with pytest.raises(PerfcalcError, match="worker_memory_mb must be at most memory_mb") as err:
        workers.gunicorn_sizing(2, 100, 150, "sync", 1, 1000, 100, 70)
    assert err.value.field == "worker_memory_mb"


@settings(max_examples=100, deadline=None)
@given(cores=st.integers(1, 1024), memory=st.floats(1, 1e6), share=st.floats(0.0001, 1),
       wc=st.sampled_from(["sync", "gthread", "gevent"]), io=st.floats(0, 100))
def test_gunicorn_workers_fit_and_never_exceed_the_start_point(cores, memory, share, wc, io):
    r = workers.gunicorn_sizing(cores, memory, memory * share, wc, 1, 1000, 100, io)
    assert 1 <= r.workers <= r.heuristic_workers
    assert r.workers * memory * share <= memory * (1 + 1e-9)
    if wc != "sync":
        assert r.workers <= cores  # never more processes running Python than cores


def test_blocking_io_model():
    """Four workers, 20 ms of Python, 180 ms of I/O: 4 / 0.2 s blocking, 4 / 0.02 s offloaded, 90 % lost."""
    assert workers.blocking_io_capacity(20, 180, 4) == (20.0, 200.0, 90.0)


def test_memory_that_divides_exactly_fits_that_many_workers():
    """2048 MB holds exactly ten 204.8 MB workers; float floor division said nine.

    204.8 is stored a hair above itself, so 2048 // 204.8 is 9.0 while
    2048 / 204.8 rounds to exactly 10.0.
    """
    assert 2048 // 204.8 == 9.0  # the trap
    o = calculate("gunicorn", cores=8, memory_mb=2048, worker_memory_mb=204.8).outputs
    assert (o["max_workers_by_memory"], o["workers"]) == (10, 10)
    assert o["max_rps"] == pytest.approx(100.0)


@settings(max_examples=300, deadline=None)
@given(k=st.integers(1, 100_000), hundredths=st.integers(100, 10_000_000))
def test_typed_memory_that_is_a_whole_multiple_counts_every_worker(k, hundredths):
    """A reader types both sizes as decimals; k workers of m MB fit in exactly k·m MB, never k − 1."""
    from decimal import Decimal

    worker = Decimal(hundredths) / 100
    memory = worker * k
    if memory > Decimal("4194304"):
        return
    r = workers.gunicorn_sizing(1, float(str(memory)), float(str(worker)), "sync", 1, 1000, 100, 70)
    assert r.max_workers_by_memory == k
    # and a real shortfall still loses the worker: one hundredth of a MB less than k·m
    if memory - Decimal("0.01") >= worker:
        short = workers.gunicorn_sizing(1, float(str(memory - Decimal("0.01"))), float(str(worker)), "sync", 1, 1000,
                                        100, 70)
        assert short.max_workers_by_memory == k - 1


def test_the_rules_own_thread_count_draws_no_warning():
    """The deployment page's case: 4 cores, 97.5 % I/O, the rule's 40 threads; twice more is "far more"."""
    from perfcalc import calculate

    inputs = dict(cores=4, worker_class="gthread", service_time_ms=120, io_wait_pct=97.5)
    assert not [w for w in calculate("gunicorn", threads=40, **inputs).warnings if w.startswith("Far more threads")]
    assert [w for w in calculate("gunicorn", threads=81, **inputs).warnings if w.startswith("Far more threads")]
