"""A Locust step test of a system with known σ, κ and λ: its load steps, fitted by usl-fit, give them back.

The history (tests/fixtures/analyze/locust_usl_stats_history.csv) is written
by generate.py from the USL with σ = 0.04, κ = 0.0008, λ = 48 requests/s,
with ±2 % noise every second, users spawned 4 a second between steps, and
throughput settling over a few seconds after each change, as in a real run.
"""

import importlib.util
from pathlib import Path

import pytest

import perfcalc
from perfcalc.analyze import analyze_path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "analyze"
_spec = importlib.util.spec_from_file_location("generate", FIXTURES / "generate.py")
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)


def test_the_steps_are_the_levels_the_test_held():
    s = analyze_path(FIXTURES / "locust_usl_stats_history.csv")
    assert [st.level for st in s.steps] == list(generate.USL_LEVELS)
    for st in s.steps:
        # Each settled step is within the noise (±2 % a second, averaged) of the system's throughput.
        assert st.throughput_rps == pytest.approx(generate.usl_rps(st.level), rel=0.01)
        assert st.mean_ms == pytest.approx(1000 * st.level / generate.usl_rps(st.level), rel=0.02)
        assert st.end_s - st.start_s >= 25  # 40 s steps, less the spawning and the settling quarter


def test_usl_fit_recovers_sigma_kappa_and_lambda():
    s = analyze_path(FIXTURES / "locust_usl_stats_history.csv")
    fit = perfcalc.calculate("usl-fit", **s.calculator_inputs["usl-fit"]).outputs
    # Tolerances: the noise left after averaging each step is about 0.3 %; these are ten times that.
    assert fit["sigma"] == pytest.approx(generate.USL_SIGMA, abs=0.005)
    assert fit["kappa"] == pytest.approx(generate.USL_KAPPA, rel=0.1)
    assert fit["lambda_rps"] == pytest.approx(generate.USL_LAMBDA_RPS, rel=0.02)
    assert fit["r_squared"] > 0.999


def test_settling_brings_each_step_closer_to_the_truth():
    # What the settling rule buys: the first seconds of each step are still climbing.
    rows = [line.split(",") for line in (FIXTURES / "locust_usl_stats_history.csv").read_text().splitlines()[1:]]
    # Where the load doubles the climb is long enough to stand out of the ±2 % noise.
    steps = analyze_path(FIXTURES / "locust_usl_stats_history.csv").steps
    for before, st in zip(steps, steps[1:]):
        if st.level < 2 * before.level:
            continue
        at_level = [(int(r[0]), int(r[17])) for r in rows if int(r[1]) == st.level]
        naive = (at_level[-1][1] - at_level[0][1]) / (at_level[-1][0] - at_level[0][0])
        truth = generate.usl_rps(st.level)
        assert naive < 0.995 * truth and abs(st.throughput_rps - truth) < abs(naive - truth)
