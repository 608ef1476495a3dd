"""USL and Amdahl: a published fit, parameter recovery, robustness, and errors."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfcalc import PerfcalcError, calculate, scalability

R_USL_COEF_DATA = "1:1 2:1.8868 4:3.0769 6:3.5294 8:3.5398 10:3.3557"


def test_fit_matches_the_r_usl_package():
    """Data set and result from the R package usl (S. Möding), tests/coef.R:
    alpha (σ) = 0.02, beta (κ) = 0.02, gamma (λ) = 1.00 to three significant digits.
    """
    o = calculate("usl-fit", measurements=R_USL_COEF_DATA).outputs
    assert o["sigma"] == pytest.approx(0.02, abs=5e-5)
    assert o["kappa"] == pytest.approx(0.02, abs=5e-5)
    assert o["lambda_rps"] == pytest.approx(1.0, abs=5e-4)
    assert o["r_squared"] > 0.9999
    # Gunther's peak: √((1 − σ)/κ) = √49 = 7.
    assert o["peak_concurrency"] == pytest.approx(7.0, abs=0.01)


def test_fit_without_an_n_equals_1_point():
    points = [(n, scalability.usl_throughput(n, 0.03, 0.0004, 250)) for n in (4, 8, 16, 32, 64, 128)]
    fit = scalability.usl_fit(points)
    assert fit.sigma == pytest.approx(0.03, rel=1e-4)
    assert fit.kappa == pytest.approx(0.0004, rel=1e-4)
    assert fit.lambda_rps == pytest.approx(250, rel=1e-4)


def test_fit_is_robust_to_noise():
    rng = random.Random(3)
    points = [(n, scalability.usl_throughput(n, 0.05, 0.0005, 100) * rng.uniform(0.95, 1.05))
              for n in (1, 2, 4, 8, 16, 24, 32, 48, 64, 96) for _ in range(3)]
    fit = scalability.usl_fit(points)
    assert fit.sigma == pytest.approx(0.05, abs=0.02)
    assert fit.kappa == pytest.approx(0.0005, rel=0.5)
    assert fit.peak_concurrency == pytest.approx(43.6, rel=0.2)
    assert fit.r_squared > 0.95


def test_linear_data_fits_zero_contention():
    fit = scalability.usl_fit([(n, 10.0 * n) for n in (1, 2, 3, 4, 5)])
    assert fit.sigma == pytest.approx(0, abs=1e-9) and fit.kappa == pytest.approx(0, abs=1e-12)
    assert fit.peak_concurrency is None and fit.peak_throughput_rps is None


def _usl_points(sigma, kappa, lam, levels):
    return " ".join(f"{n}:{lam * n / (1 + sigma * (n - 1) + kappa * n * (n - 1))!r}" for n in levels)


@pytest.mark.parametrize("text,pinned,measured", [
    # The USL with σ < 0, the superlinear form of Gunther, Puglia & Tomasette (2015): X(N)/N rises, then pays back.
    (_usl_points(-0.05, 0.002, 100, (1, 2, 4, 8, 12, 16, 24, 32)), "σ", "100.0 requests/s measured at N = 1"),
    (_usl_points(-0.02, 0, 100, (1, 2, 4, 8, 16)), "σ", "100.0 requests/s measured at N = 1"),
    (_usl_points(-0.03, 0.001, 100, (4, 8, 16, 24, 32)), "σ", "433.8 requests/s measured at N = 4"),
])
def test_superlinear_data_are_named(text, pinned, measured):
    """σ ≥ 0 cannot draw throughput per client that rises with N: the fit pins σ at 0 and overshoots the lowest
    measurement (λ far above X(1)), with an R² that still looks fine, so σ, κ and the peak would be read as real."""
    r = calculate("usl-fit", measurements=text)
    fit = scalability.usl_fit(scalability.parse_measurements(text))
    assert fit.sigma == 0 and fit.superlinear and r.outputs["r_squared"] > scalability.POOR_FIT_R_SQUARED
    assert fit.lowest_fit_excess_pct > 100 * scalability.SUPERLINEAR_MARGIN
    (warning,) = [w for w in r.warnings if "superlinear" in w]
    assert warning.startswith("The data scale superlinearly: throughput per client rises with concurrency")
    assert f"pins {pinned} at 0" in warning and measured in warning


@pytest.mark.parametrize("text", [
    "1:98 2:192 4:341 8:585 16:850 32:1045 64:1032",  # the calculator's default
    R_USL_COEF_DATA,
    _usl_points(0.05, 0, 100, (8, 16, 32, 64)),  # Amdahl, κ pinned at 0, from N = 8
    _usl_points(0, 0, 100, (1, 2, 4, 8)),  # linear: both pinned, λ = X(1)
    _usl_points(0, 0.0005, 100, (1, 2, 4, 8, 16, 32)),  # σ pinned at 0 by data that never scale superlinearly
])
def test_sublinear_and_linear_data_are_not_called_superlinear(text):
    fit = scalability.usl_fit(scalability.parse_measurements(text))
    assert not fit.superlinear and fit.lowest_fit_excess_pct < 100 * scalability.SUPERLINEAR_MARGIN
    assert not any("superlinear" in w for w in calculate("usl-fit", measurements=text).warnings)


def test_noisy_linear_data_are_not_called_superlinear():
    """±5 % noise on linear scaling, three runs a level (a steady load test): below the margin."""
    rng = random.Random(5)
    for _ in range(20):
        text = " ".join(f"{n}:{100 * n * rng.uniform(0.95, 1.05)!r}" for n in (1, 2, 4, 8, 16) for _ in range(3))
        assert not scalability.usl_fit(scalability.parse_measurements(text)).superlinear


def _sse(points, sigma, kappa, lam):
    return sum((x - scalability.usl_throughput(n, sigma, kappa, lam)) ** 2 for n, x in points)


def _profile(points, sigma, kappa):
    """SSE with λ at its least-squares value for this σ and κ (the model is linear in λ)."""
    g = [n / (1 + sigma * (n - 1) + kappa * n * (n - 1)) for n, _ in points]
    lam = sum(gi * x for gi, (_, x) in zip(g, points)) / sum(gi * gi for gi in g)
    return _sse(points, sigma, kappa, lam), lam


def _golden(f, lo, hi, iterations=90):
    """Minimise a one-dimensional f on [lo, hi]: a dense scan, then golden-section search around the best."""
    xs = [lo + (hi - lo) * k / 200 for k in range(201)]
    best = min(range(len(xs)), key=lambda k: f(xs[k]))
    a, b = xs[max(best - 1, 0)], xs[min(best + 1, len(xs) - 1)]
    ratio = (5 ** 0.5 - 1) / 2
    for _ in range(iterations):
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        if f(c) < f(d):
            b = d
        else:
            a = c
    return min((f(x), x) for x in (a, b, lo, hi, xs[best]))


def _best_on_faces(points):
    """An independent reference: the least-squares optimum on each face of σ ∈ [0, 1], κ ≥ 0.

    κ = 0 (Amdahl) over σ; σ = 0 and σ = 1 over κ, searched in log κ from 1e-12 to 10.
    """
    faces = [_golden(lambda s: _profile(points, s, 0.0)[0], 0.0, 1.0)[0]]
    for sigma in (0.0, 1.0):
        faces.append(_golden(lambda e: _profile(points, sigma, 10 ** e)[0], -12.0, 1.0)[0])
        faces.append(_profile(points, sigma, 0.0)[0])
    return min(faces)


def test_fit_finds_an_optimum_on_the_kappa_zero_face():
    """The least-squares optimum of these points has κ = 0: σ = 0.1981, λ = 292.6, R² = 0.9957 (an
    independent check with scipy's bounded least squares; :func:`_best_on_faces` here agrees). The fit
    used to stop at σ = 0.2238, λ = 321.0, R² = 0.9869, with three times the squared error."""
    points = scalability.parse_measurements("3:647 4:736 16:1145 146:1456")
    fit = scalability.usl_fit(points)
    assert fit.kappa == 0
    assert fit.sigma == pytest.approx(0.1981, abs=1e-4)
    assert fit.lambda_rps == pytest.approx(292.6, abs=0.1)
    assert fit.r_squared == pytest.approx(0.9957, abs=1e-4)
    assert _sse(points, fit.sigma, fit.kappa, fit.lambda_rps) <= _best_on_faces(points) * (1 + 1e-9)


def _noisy(points, seed, spread):
    rng = random.Random(seed)
    return [(n, x * rng.uniform(1 - spread, 1 + spread)) for n, x in points]


@settings(max_examples=80, deadline=None)
@given(sigma=st.floats(0.0, 0.6), lam=st.floats(1, 1e5), seed=st.integers(0, 10**6),
       levels=st.lists(st.integers(1, 500), min_size=3, max_size=12, unique=True))
def test_fit_is_never_worse_than_the_best_fit_on_a_face(sigma, lam, seed, levels):
    """Amdahl-shaped data with noise: the optimum often lies on κ = 0 (or σ = 0). Wherever it lies,
    the fit's squared error is no larger than the best on any face, found independently."""
    points = _noisy([(float(n), scalability.usl_throughput(n, sigma, 0.0, lam)) for n in sorted(levels)], seed, 0.05)
    fit = scalability.usl_fit(points)
    assert fit.lambda_rps > 0 and 0 <= fit.sigma <= 1 and fit.kappa >= 0
    assert _sse(points, fit.sigma, fit.kappa, fit.lambda_rps) <= _best_on_faces(points) * (1 + 1e-7)


@settings(max_examples=40, deadline=None)
@given(kappa=st.floats(1e-6, 1e-2), lam=st.floats(1, 1e5), seed=st.integers(0, 10**6))
def test_fit_finds_an_optimum_on_the_sigma_zero_face(kappa, lam, seed):
    points = _noisy([(float(n), scalability.usl_throughput(n, 0.0, kappa, lam)) for n in (1, 2, 4, 8, 16, 32, 64)],
                    seed, 0.05)
    fit = scalability.usl_fit(points)
    assert _sse(points, fit.sigma, fit.kappa, fit.lambda_rps) <= _best_on_faces(points) * (1 + 1e-7)


@settings(max_examples=60, deadline=None)
@given(sigma=st.floats(0.001, 0.5), kappa=st.floats(1e-6, 0.01), lam=st.floats(1, 1e5))
def test_fit_recovers_the_parameters_of_data_it_generated(sigma, kappa, lam):
    points = [(n, scalability.usl_throughput(n, sigma, kappa, lam)) for n in (1, 2, 4, 8, 16, 32, 64, 128)]
    fit = scalability.usl_fit(points)
    for n, x in points:  # the fitted curve reproduces the data
        assert scalability.usl_throughput(n, fit.sigma, fit.kappa, fit.lambda_rps) == pytest.approx(x, rel=1e-4)
    assert fit.lambda_rps == pytest.approx(lam, rel=1e-3)
    assert fit.r_squared == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(
    "text,message",
    [
        ("1:10 2:19", "at least 3 distinct"),
        ("1:10 1:11 2:19 2:20", "at least 3 distinct"),
        ("1:10 2:-19 4:30", "positive"),
        ("1:10 0:19 4:30", "positive"),
        ("1:10 2:abc 4:30", "'2:abc'"),
        ("1=10 2=19 4=30", "N:X pairs"),
        ("", "at least 3 distinct concurrency levels, got nothing"),
        ("1:nan 2:3 4:5", "positive"),
        ("1:inf 2:3 4:5", "positive"),
        ("1e-9:1e12 100:1 1e7:1", "'1e-9:1e12'"),
        ("0.5:10 2:19 4:30", "N from 1"),
    ],
)
def test_fit_input_errors_name_the_field(text, message):
    with pytest.raises(PerfcalcError, match="measurements") as err:
        calculate("usl-fit", measurements=text)
    assert message in str(err.value)


def test_concurrency_below_one_is_refused():
    """N counts clients: below 1 it means nothing, and such a point once gave λ = −27,281.9 with R² = 1."""
    with pytest.raises(PerfcalcError) as err:
        calculate("usl-fit", measurements="1e-9:1e12 100:1 1e7:1")
    assert str(err.value) == ("measurements must be N:X pairs of positive numbers (concurrency:throughput) separated "
                              "by commas, spaces or newlines (N from 1 to 1e7, X up to 1e12), got '1e-9:1e12'")
    assert calculate("usl-fit", measurements="1:10 2:19 4:30").outputs["lambda_rps"] > 0


def test_separators():
    a = scalability.parse_measurements("1:10, 2:19;4:30\n8:50\t16:70")
    assert a == [(1, 10), (2, 19), (4, 30), (8, 50), (16, 70)]


def test_usl_invariants_and_amdahl_special_case():
    o = calculate("usl", sigma=0.05, kappa=0, lambda_rps=100, concurrency=16).outputs
    amdahl = calculate("amdahl", serial_pct=5, concurrency=16).outputs
    assert o["throughput_rps"] / 100 == pytest.approx(amdahl["speedup"])  # USL with κ = 0 is Amdahl
    assert o["peak_concurrency"] is None and o["peak_throughput_rps"] == pytest.approx(2000)
    assert calculate("usl", sigma=0, kappa=0, concurrency=8).outputs["efficiency_pct"] == pytest.approx(100)


@settings(max_examples=200, deadline=None)
@given(sigma=st.floats(0, 1), kappa=st.floats(1e-9, 1), lam=st.floats(0.01, 1e6), n=st.floats(1, 1e5))
def test_usl_peak_is_the_maximum(sigma, kappa, lam, n):
    peak_n, peak_x = scalability.usl_peak(sigma, kappa, lam)
    assert scalability.usl_throughput(n, sigma, kappa, lam) <= peak_x * (1 + 1e-9)


@settings(max_examples=200, deadline=None)
@given(s=st.floats(0, 100), n=st.floats(1, 1e9))
def test_amdahl_bounds(s, n):
    speedup, limit = scalability.amdahl_speedup(s, n)
    assert 1 - 1e-9 <= speedup <= n * (1 + 1e-9)
    if limit is not None:
        assert speedup <= limit * (1 + 1e-9)


def test_usl_scaling_model():
    """Gunther (2007): X(N) = λN / (1 + σ(N − 1) + κN(N − 1)); efficiency is X(N) / (λN)."""
    r = scalability.usl_scaling(0.05, 0.0005, 100, 32)
    assert r.throughput_rps == pytest.approx(3200 / (1 + 0.05 * 31 + 0.0005 * 32 * 31))
    assert r.efficiency_pct == pytest.approx(100 * r.throughput_rps / 3200)
    assert (r.peak_concurrency, r.peak_throughput_rps) == scalability.usl_peak(0.05, 0.0005, 100)
    assert r.peak_concurrency == pytest.approx((0.95 / 0.0005) ** 0.5)


@settings(max_examples=100, deadline=None)
@given(sigma=st.floats(0, 1), kappa=st.floats(0, 1), lam=st.floats(0.01, 1e6), n=st.floats(1, 1e5))
def test_usl_efficiency_never_beats_linear(sigma, kappa, lam, n):
    assert 0 < scalability.usl_scaling(sigma, kappa, lam, n).efficiency_pct <= 100 * (1 + 1e-12)


def test_measurements_need_three_levels_when_read():
    """The parser refuses what the fit cannot use, so validation catches it, not the model."""
    with pytest.raises(PerfcalcError, match="at least 3 distinct concurrency levels to fit σ, κ and λ, got 2") as err:
        scalability.parse_measurements("1:10 2:19 2:20", field="points")
    assert err.value.field == "points" and str(err.value).startswith("points must ")


def test_fit_named_result():
    fit = scalability.usl_fit(scalability.parse_measurements(R_USL_COEF_DATA))
    assert fit._fields == ("sigma", "kappa", "lambda_rps", "r_squared", "peak_concurrency", "peak_throughput_rps",
                           "lowest_concurrency", "lowest_throughput_rps", "lowest_fit_excess_pct", "superlinear")
    assert (fit.peak_concurrency, fit.peak_throughput_rps) == scalability.usl_peak(fit.sigma, fit.kappa, fit.lambda_rps)


def test_amdahl_named_result():
    """Amdahl (1967): 5 % serial work, 16 workers: 1 / (0.05 + 0.95/16) = 9.14×, at most 20×."""
    r = scalability.amdahl_speedup(5, 16)
    assert r.speedup == pytest.approx(1 / (0.05 + 0.95 / 16)) and r.max_speedup == pytest.approx(20)
    assert scalability.amdahl_speedup(0, 16).max_speedup is None
