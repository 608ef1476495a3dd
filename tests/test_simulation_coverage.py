"""Is simulate's stated 95 % interval true? Its coverage over many seeds, against exact and reference p99s.

The claim: wherever ``simulate`` states the p99's 95 % interval (``p99_interval_ms``), the interval holds
the true p99 in at least 93 % of seeds, at 50 to 95 % busy, exponential and lognormal service, 1 to 50
workers (issue 18). 93 % over 300 seeds is the tolerance: a true 95 % interval falls below it at about one
point in twenty-five. Where the rules withhold the interval (``interval_rule``) or refuse the figures (a
``PerfcalcError``), the test checks that they do: those are the places where, measured, no run the
calculator can afford gives a true interval. The method and the rules are in
:func:`perfcalc.simulation.simulate`.

True values. Exponential service is M/M/c, whose percentiles are exact
(:func:`perfcalc.queueing.mmc_response_percentile`). For lognormal service (a p99 ten times the mean,
σ = 1.42817, cv 2.59) no formula exists: the p99s in ``LOGNORMAL_P99`` come from long runs of an
independent implementation, tests/reference/mgc_reference.c (its own generator, Box–Muller normals, its
own heap, a histogram for quantiles), with the arguments listed beside each; their standard error is under
0.1 % of the p99, against interval half-widths of 5 % and more. The tests here build it with the machine's
C compiler, check it against exact M/M/c, and rerun a shorter version of each listed run to check the table
(one entry in the quick suite, all of them in the slow one); without a compiler those tests skip, saying so.

The interval this calculator used to state (20 batches, a 10 % warm-up, no rule) fails here: the quick
grid's withheld points would state it, and it held the true p99 in 52 of 300 seeds at 95 % busy on one
worker, 245 at 90 % on five, 249 at the old defaults (lognormal, 60 % busy, 5 workers, 50,000 requests). With
the rules but ten batches instead of five, the slow grid fails too: 278 of 300 at 73 % busy on 5 workers
(exponential) and at 50 % on 5 (lognormal), the busiest points 100,000 requests state an interval for.

Two grids. ``QUICK_GRID`` (about half a minute) runs with ``make check`` and ``make test``. ``GRID``, the
whole claim, is marked slow (several minutes): ``make coverage`` runs it.
"""

import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from perfcalc import PerfcalcError, queueing, simulation

SEEDS = 300
MEAN_MS = 50.0
P99_MS = 500.0  # lognormal: ten times the mean, the calculator's default
SIGMA = 1.4281695815697704  # simulation.lognormal_sigma(MEAN_MS, P99_MS), checked below
REFERENCE_C = Path(__file__).resolve().parent / "reference" / "mgc_reference.c"
# p99 response time in mean service times, lognormal service (σ = SIGMA), by mgc_reference:
# (utilisation, workers) → (p99, its standard error, the run's WARMUP N REPS SEED).
LOGNORMAL_P99 = {
    (0.50, 5): (10.298924, 0.003802, "1000000 10000000 40 505"),
    (0.50, 50): (9.992546, 0.005935, "1000000 5000000 20 50007"),
    (0.55, 10): (10.036610, 0.004058, "1000000 5000000 20 10017"),
    (0.58, 20): (9.999544, 0.004846, "1000000 5000000 20 20017"),
    (0.60, 5): (11.072222, 0.011062, "1000000 10000000 40 506"),
    (0.60, 10): (10.065759, 0.003924, "1000000 5000000 20 10013"),
    (0.80, 50): (10.008547, 0.005979, "1000000 5000000 20 50007"),
}

# (service, utilisation, workers, requests, stated): stated says whether the rules state an interval there.
QUICK_GRID = [
    ("exponential", 0.50, 1, 20_000, True),
    ("exponential", 0.50, 50, 20_000, True),
    ("lognormal", 0.50, 5, 60_000, True),  # the defaults: two long requests leave the other three 83 % busy
    ("exponential", 0.90, 5, 20_000, False),  # refused: the old interval held in 82 %
    ("exponential", 0.95, 1, 10_000, False),  # refused: the old interval held in 17 %
    ("lognormal", 0.60, 5, 50_000, False),  # the old defaults: the old interval held in 83 %
]
GRID = [
    ("exponential", 0.50, 1, 20_000, True),
    ("exponential", 0.50, 5, 20_000, True),
    ("exponential", 0.50, 50, 20_000, True),
    ("exponential", 0.73, 1, 100_000, True),  # the busiest pools 100,000 requests state an interval for
    ("exponential", 0.73, 5, 100_000, True),
    ("exponential", 0.73, 50, 100_000, True),
    ("exponential", 0.80, 5, 100_000, False),  # 92.7 % measured with the rule off: too few slow swings
    ("exponential", 0.90, 1, 100_000, False),
    ("exponential", 0.95, 50, 100_000, False),  # the figures themselves are refused
    ("lognormal", 0.50, 5, 100_000, True),
    ("lognormal", 0.50, 50, 100_000, True),
    ("lognormal", 0.55, 10, 100_000, True),
    ("lognormal", 0.58, 20, 100_000, True),
    ("lognormal", 0.60, 5, 50_000, False),  # the old defaults: two long requests leave three workers 100 % busy
    ("lognormal", 0.60, 10, 100_000, False),
    ("lognormal", 0.80, 50, 100_000, False),
]


def _ids(grid):
    return [f"{s}-{u:.0%}-{c}w-{n // 1000}k" for s, u, c, n, _ in grid]


def true_p99_ms(service, utilization, workers):
    if service == "exponential":
        lam = utilization * workers / (MEAN_MS / 1000)
        return queueing.mmc_response_percentile(workers, lam, MEAN_MS / 1000, 99) * 1000
    return LOGNORMAL_P99[(utilization, workers)][0] * MEAN_MS


def count_held(run, true, seeds=SEEDS):
    """(intervals stated, intervals holding ``true``) over ``seeds`` seeds of ``run(seed)`` (simulate or stack).

    The rules are decided before any simulation, so the first seed without an interval (or a refused run)
    speaks for all.
    """
    stated = held = 0
    for seed in range(seeds):
        try:
            low, high = run(seed).p99_interval_ms
        except PerfcalcError:
            break
        if not math.isfinite(low):
            break
        stated += 1
        held += low <= true <= high
    return stated, held


def judge(label, n_stated, held, stated):
    """The claim: an interval stated at every seed where the test found it true, holding in 93 % of them; none
    stated where it is not."""
    print(f"{label}: " + (f"{held}/{n_stated} intervals held the true p99" if n_stated else "no interval stated"))
    if not stated:
        assert n_stated == 0, f"an interval is stated where it cannot be true ({held}/{n_stated} held)"
        return
    assert n_stated == SEEDS, "the rules withheld an interval the coverage test found true"
    assert held >= 0.93 * SEEDS, f"{held}/{SEEDS} = {held / SEEDS:.1%} held the true p99"


def check_coverage(service, utilization, workers, requests, stated):
    lam = utilization * workers / (MEAN_MS / 1000)
    true = true_p99_ms(service, utilization, workers)
    n_stated, held = count_held(
        lambda seed: simulation.simulate(lam, MEAN_MS, P99_MS, service, workers, requests, seed), true)
    judge(f"{service} {utilization:.0%} busy, {workers} workers, {requests:,} requests", n_stated, held, stated)


@pytest.mark.parametrize("service,utilization,workers,requests,stated", QUICK_GRID, ids=_ids(QUICK_GRID))
def test_the_stated_p99_interval_is_true(service, utilization, workers, requests, stated):
    check_coverage(service, utilization, workers, requests, stated)


@pytest.mark.slow
@pytest.mark.parametrize("service,utilization,workers,requests,stated", GRID, ids=_ids(GRID))
def test_the_stated_p99_interval_is_true_over_the_whole_claim(service, utilization, workers, requests, stated):
    check_coverage(service, utilization, workers, requests, stated)


def test_the_grid_spans_the_claim():
    """50 to 95 % busy, exponential and lognormal, 1 to 50 workers, with intervals stated for both services
    and for 1, 5 and 50 workers; every lognormal point has its reference."""
    assert {s for s, *_ in GRID} == {"exponential", "lognormal"}
    assert min(u for _, u, *_ in GRID) == 0.5 and max(u for _, u, *_ in GRID) == 0.95
    assert {c for _, _, c, _, stated in GRID if stated} >= {1, 5, 50}
    assert {s for s, *_, stated in GRID if stated} == {"exponential", "lognormal"}
    for s, u, c, _, _ in GRID + QUICK_GRID:
        if s == "lognormal":
            p99, se, _ = LOGNORMAL_P99[(u, c)]
            assert se < 0.002 * p99
    assert simulation.lognormal_sigma(MEAN_MS, P99_MS) == pytest.approx(SIGMA, rel=1e-15)


# The independent reference, built here from tests/reference/mgc_reference.c.

@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The reference binary, compiled with the machine's C compiler (gcc, else cc)."""
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        pytest.skip("no C compiler (gcc or cc) on PATH: tests/reference/mgc_reference.c, the independent "
                    "reference for lognormal p99s, cannot be built here; install gcc to run these checks")
    binary = tmp_path_factory.mktemp("reference") / "mgc_reference"
    built = subprocess.run([compiler, "-O2", "-std=c99", "-D_DEFAULT_SOURCE", "-o", str(binary), str(REFERENCE_C),
                            "-lm"], capture_output=True, text=True)
    if built.returncode:  # a compiler that cannot build it is a failure, not a skip
        pytest.fail(f"{compiler} could not build {REFERENCE_C.name}:\n{built.stderr}")
    return binary


def run_reference(binary, rho, workers, sigma, warmup, n, reps, seed):
    """{"p50": (value, se), "p95": …, "p99": …, "p999": …, "wait": …}, in mean service times."""
    out = subprocess.run([str(binary), str(rho), str(workers), repr(sigma), str(warmup), str(n), str(reps),
                          str(seed)], check=True, capture_output=True, text=True).stdout
    return {m[1]: (float(m[2]), float(m[3])) for m in re.finditer(r"^(\w+) ([\d.]+) se ([\d.]+)$", out, re.M)}


# A histogram bin is 1e-4 wide in ln t: the reference's quantiles are within 0.005 % of its order statistics.
BIN_SHARE = 5e-5


@pytest.mark.parametrize("rho,workers", [(0.5, 5), (0.8, 1), (0.7, 50)])
def test_the_reference_is_exact_for_mmc(reference, rho, workers):
    """With exponential service (σ = 0) the reference is M/M/c: its mean wait and p99 within four standard
    errors of the exact values."""
    got = run_reference(reference, rho, workers, 0, 100_000, 1_000_000, 10, 1)
    lam = rho * workers  # in mean service times: S = 1
    p99, se = got["p99"]
    assert p99 == pytest.approx(queueing.mmc_response_percentile(workers, lam, 1.0, 99),
                                abs=4 * se + BIN_SHARE * p99)
    wait, se = got["wait"]
    assert wait == pytest.approx(queueing.mmc_mean_wait(workers, lam, 1.0), abs=4 * se + 1e-9)


def check_table_entry(reference, utilization, workers, reps):
    """The entry's run again with a fresh seed and ``reps`` replications, agreeing within four standard errors.
    The shorter run's is the table's scaled by √(table reps / reps), not its own spread over a handful of
    replications, which is itself too noisy to bound anything."""
    p99, se, args = LOGNORMAL_P99[(utilization, workers)]
    warmup, n, table_reps, seed = (int(a) for a in args.split())
    got, _ = run_reference(reference, utilization, workers, SIGMA, warmup, n, reps, seed + 1)["p99"]
    assert got == pytest.approx(p99, abs=4 * se * math.sqrt(1 + table_reps / reps) + 2 * BIN_SHARE * p99)


def test_the_reference_reproduces_its_table(reference):
    """The quick grid's lognormal p99 again, from four replications of a fresh seed (about five seconds): within
    half a percent, against interval half-widths of 5 % and more."""
    check_table_entry(reference, 0.50, 5, reps=4)


@pytest.mark.slow
@pytest.mark.parametrize("utilization,workers", sorted(LOGNORMAL_P99))
def test_the_reference_reproduces_every_table_entry(reference, utilization, workers):
    check_table_entry(reference, utilization, workers, reps=4)
