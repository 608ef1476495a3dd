"""perfcalc.splitqueues: per-process queues fed shares of the arrivals (gthread), and the FCFS replay.

Checked against exact M/M/c (a share of 1 is M/M/c; an even split is M/M/T at
λ/P), against an event-by-event simulation written independently here, and
the seeded simulation against the exact mixture over a long run.
"""

from __future__ import annotations

import math
import random
from collections import deque

import pytest

from perfcalc import PerfcalcError, queueing
from perfcalc.lab.measure import percentiles
from perfcalc.splitqueues import check_shares, fcfs_finish_times, simulate_split, split_percentiles, split_survival


def _event_simulation(arrivals, services, servers):
    """FCFS servers, event by event: a FIFO line, servers taken in turn as they free up (independent code)."""
    line, finish, busy_until = deque(), [None] * len(arrivals), [0.0] * servers
    i = 0
    while i < len(arrivals) or line:
        next_free = min(range(servers), key=lambda k: busy_until[k])
        if i < len(arrivals) and (not line or arrivals[i] <= busy_until[next_free]):
            line.append(i)
            i += 1
            continue
        j = line.popleft()
        start = max(arrivals[j], busy_until[next_free])
        busy_until[next_free] = finish[j] = start + services[j]
    return finish


def test_fcfs_finish_times_match_an_event_by_event_simulation():
    rng = random.Random(5)
    for servers in (1, 2, 3, 7):
        arrivals, t = [], 0.0
        for _ in range(400):
            t += rng.expovariate(1.0)
            arrivals.append(t)
        services = [rng.expovariate(1.0 / (0.9 * servers)) for _ in arrivals]
        got = fcfs_finish_times(arrivals, services, servers)
        assert got == pytest.approx(_event_simulation(arrivals, services, servers), rel=1e-12)


def test_one_share_is_mmc_and_an_even_split_is_mmt_at_its_share_of_the_arrivals():
    for t in (0.01, 0.05, 0.2, 0.6):
        assert split_survival(56, 0.05, 4, [1.0])(t) == pytest.approx(queueing.mmc_response_survival(4, 56, 0.05, t),
                                                                     rel=1e-12)
        assert split_survival(56, 0.05, 2, [0.5, 0.5])(t) == pytest.approx(
            queueing.mmc_response_survival(2, 28, 0.05, t), rel=1e-12)
    even = split_percentiles(56, 0.05, 2, [0.5, 0.5], (50, 95, 99))
    assert even == pytest.approx(queueing.mmc_response_percentiles(2, 28, 0.05, (50, 95, 99)), rel=1e-9)
    # Issue 17's figure: two independent M/M/2 at 70 % busy have a p99 of 413 ms, M/M/4 275 ms.
    assert round(even[2] * 1000) == 413
    assert round(split_percentiles(56, 0.05, 4, [1.0], (99,))[0] * 1000) == 275


def test_an_uneven_split_is_worse_than_an_even_one_and_overload_makes_its_share_unbounded():
    even = split_percentiles(56, 0.05, 2, [0.5, 0.5], (99,))[0]
    assert split_percentiles(56, 0.05, 2, [0.4, 0.6], (99,))[0] > even
    # 88 % of 56/s on two threads of 50 ms is 49/s against 40/s: that process's requests wait without bound.
    assert split_percentiles(56, 0.05, 2, [0.12, 0.88], (50, 99)) == (math.inf, math.inf)
    # An overloaded share below 1 % leaves the p99 to the others, and it is finite.
    p99 = split_percentiles(10, 0.05, 1, [0.995, 0.005], (99,))[0]
    assert math.isfinite(p99)


def test_the_seeded_simulation_agrees_with_the_exact_split_over_a_long_run():
    exponential = lambda us: [-math.log1p(-u) * 0.05 for u in us]  # noqa: E731
    for shares in ([0.5, 0.5], [0.3, 0.7]):
        times, procs = simulate_split(40.0, shares, 2, exponential, 200_000, seed=11)
        measured = percentiles(times[20_000:])
        exact = split_percentiles(40.0, 0.05, 2, shares, (50, 95, 99))
        assert measured == pytest.approx(exact, rel=0.04), shares
        assert procs.count(1) / len(procs) == pytest.approx(shares[1], abs=0.005)


def test_the_simulation_is_reproducible_and_routes_zero_shares_nowhere():
    constant = lambda us: [1.0] * len(us)  # noqa: E731
    a = simulate_split(0.5, [0.0, 1.0], 1, constant, 500, seed=3)
    assert a == simulate_split(0.5, [0.0, 1.0], 1, constant, 500, seed=3)
    assert set(a[1]) == {1}


@pytest.mark.parametrize("shares", [[], [0.5, 0.6], [-0.1, 1.1], [math.nan, 1.0]])
def test_bad_shares_are_refused(shares):
    with pytest.raises(PerfcalcError, match="shares must be from 0 to 1 and sum to 1"):
        check_shares(shares)
