"""Scalability: the Universal Scalability Law, its fit to measurements, Amdahl's law.

Sources: N. J. Gunther, *Guerrilla Capacity Planning*, Springer 2007, ch. 4–5
(USL, σ contention, κ coherency, peak at √((1−σ)/κ)). N. J. Gunther, "A
General Theory of Computational Scalability Based on Rational Functions",
arXiv:0808.1431, 2008. G. M. Amdahl, "Validity of the single processor
approach to achieving large scale computing capabilities", AFIPS 1967.
D. W. Marquardt, "An algorithm for least-squares estimation of nonlinear
parameters", SIAM J. Appl. Math. 11(2), 1963 (the fitting method).
N. J. Gunther, P. Puglia and K. Tomasette, "Hadoop Superlinear
Scalability", ACM Queue 13(5), 2015 (superlinear data: the USL with σ < 0,
always paid back at higher N).
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple, Sequence

from .spec import PerfcalcError

__all__ = [
    "POOR_FIT_R_SQUARED",
    "EXTRAPOLATION_LIMIT",
    "SUPERLINEAR_MARGIN",
    "USLPeak",
    "USLScaling",
    "USLFit",
    "Amdahl",
    "usl_throughput",
    "usl_peak",
    "usl_scaling",
    "usl_fit",
    "parse_measurements",
    "amdahl_speedup",
]

# Below R² = 0.9 the curve misses a tenth of the variation in the data: too
# loose to read a peak from.
POOR_FIT_R_SQUARED = 0.9
# A peak more than four times the largest measured concurrency is the
# model's guess, not something the data shows: a margin of this guide.
EXTRAPOLATION_LIMIT = 4
# Throughput per client that rises with N is superlinear, which the USL with
# σ ≥ 0 cannot draw: the fit pins σ (or κ) at 0 and overshoots the lowest
# measurement. By more than 10 % is more than the noise of steady load-test
# runs (a few per cent): a margin of this guide.
SUPERLINEAR_MARGIN = 0.10
# Three unknowns (σ, κ, λ) need at least three distinct concurrency levels.
_MIN_LEVELS = 3


def usl_throughput(concurrency: float, sigma: float, kappa: float, lambda_rps: float) -> float:
    """Throughput at concurrency N under the USL.

        X(N) = λ·N / (1 + σ·(N − 1) + κ·N·(N − 1))

    λ is the throughput of one client alone, σ the share serialised
    (contention: locks, a single database), κ the cost of keeping N parties
    coherent (crosstalk: cache-line or lock ping-pong), growing with N².

    With σ = 0.02, κ = 0.0001 and λ = 100/s, 32 clients get 1,861/s, not 3,200:

    >>> round(usl_throughput(32, 0.02, 0.0001, 100))
    1861
    """
    return lambda_rps * concurrency / (1.0 + sigma * (concurrency - 1.0) + kappa * concurrency * (concurrency - 1.0))


class USLPeak(NamedTuple):
    peak_concurrency: float | None
    peak_throughput_rps: float | None


def usl_peak(sigma: float, kappa: float, lambda_rps: float) -> USLPeak:
    """Concurrency of peak throughput, N* = √((1 − σ)/κ), and X(N*).

    Concurrency below 1 means nothing here, so N* is at least 1 (σ = 1:
    throughput is highest with one client). With κ = 0 there is no peak: throughput rises towards the ceiling λ/σ
    (Amdahl): the peak concurrency is ``None`` and the throughput λ/σ, or
    ``None`` too when σ is 0 (linear scaling, unbounded).

    >>> n, x = usl_peak(0.02, 0.0001, 100)
    >>> round(n, 1), round(x)
    (99.0, 2519)
    """
    if kappa <= 0:
        return USLPeak(None, lambda_rps / sigma if sigma > 0 else None)
    n = max(1.0, math.sqrt(max(0.0, 1.0 - sigma) / kappa))
    return USLPeak(n, usl_throughput(n, sigma, kappa, lambda_rps))


class USLScaling(NamedTuple):
    throughput_rps: float
    efficiency_pct: float
    peak_concurrency: float | None
    peak_throughput_rps: float | None


def usl_scaling(sigma: float, kappa: float, lambda_rps: float, concurrency: float) -> USLScaling:
    """Throughput at concurrency N, its efficiency against linear scaling, and the peak.

        X(N) = λN / (1 + σ(N − 1) + κN(N − 1))      efficiency = X(N) / (λN)
        N* = √((1 − σ)/κ)                           (:func:`usl_peak`)

    Source: Gunther (2007) ch. 4.

    σ = 0.05, κ = 0.0005, λ = 100/s at 32 clients: 1,051 requests/s, a
    third of linear scaling, with the peak at N ≈ 44:

    >>> r = usl_scaling(0.05, 0.0005, 100, 32)
    >>> round(r.throughput_rps), round(r.efficiency_pct), round(r.peak_concurrency, 1)
    (1051, 33, 43.6)
    """
    x = usl_throughput(concurrency, sigma, kappa, lambda_rps)
    peak_n, peak_x = usl_peak(sigma, kappa, lambda_rps)
    return USLScaling(x, 100.0 * x / (lambda_rps * concurrency), peak_n, peak_x)


_PAIR = re.compile(r"^([^:]+):([^:]+)$")


def _require_levels(points: Sequence[tuple[float, float]], field: str) -> None:
    distinct = len({n for n, _ in points})
    if distinct < _MIN_LEVELS:
        raise PerfcalcError(
            f"{field} must contain at least {_MIN_LEVELS} distinct concurrency levels to fit σ, κ and λ, got {distinct}",
            field,
        )


def parse_measurements(text: str, field: str = "measurements") -> list[tuple[float, float]]:
    """Read ``N:X`` pairs separated by commas, semicolons, spaces or newlines, enough for a fit.

    The usl-fit calculator's parser: a :class:`PerfcalcError` naming
    ``field`` for a malformed pair, a value out of range (N from 1 to 10⁷,
    X above 0 and up to 10¹²), or fewer than three distinct concurrency
    levels.

    >>> parse_measurements("1:100, 2:190\\n4:350")
    [(1.0, 100.0), (2.0, 190.0), (4.0, 350.0)]
    """
    rule = "N:X pairs of positive numbers (concurrency:throughput) separated by commas, spaces or newlines"
    tokens = [t for t in re.split(r"[,;\s]+", text.strip()) if t]
    if len(tokens) > 200:  # the fit is O(points) per step; 200 keeps it keystroke-fast
        raise PerfcalcError(f"{field} must be at most 200 {rule}, got {len(tokens)}", field)
    points = []
    for token in tokens:
        match = _PAIR.match(token)
        shown = token if len(token) <= 30 else token[:27] + "..."
        try:
            if not match:
                raise ValueError
            n, x = float(match.group(1)), float(match.group(2))
        except ValueError:
            raise PerfcalcError(f"{field} must be {rule}, got {shown!r}", field) from None
        # N counts clients: below one it means nothing, and the fit's λ (throughput of one)
        # assumes N ≥ 1 (a point at N = 1e-9 once gave a negative λ).
        if not (math.isfinite(n) and math.isfinite(x) and 1 <= n <= 1e7 and 0 < x <= 1e12):
            raise PerfcalcError(f"{field} must be {rule} (N from 1 to 1e7, X up to 1e12), got {shown!r}", field)
        points.append((n, x))
    _require_levels(points, field)
    return points


# The box the fit searches: λ > 0, σ ∈ [0, 1], κ ≥ 0 (in the order λ, σ, κ).
_LOWER = (1e-300, 0.0, 0.0)
_UPPER = (math.inf, 1.0, math.inf)


def _sse(points, lam, sigma, kappa):
    return sum((x - usl_throughput(n, sigma, kappa, lam)) ** 2 for n, x in points)


def _best_lambda(points, sigma, kappa):
    """For fixed σ and κ the model is linear in λ: least squares in closed form."""
    g = [n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0)) for n, _ in points]
    return sum(gi * x for gi, (_, x) in zip(g, points)) / sum(gi * gi for gi in g)


def _solve(a, b):
    """Solve a small linear system by Gaussian elimination with partial pivoting; ``None`` if singular."""
    size = len(b)
    m = [row[:] + [rhs] for row, rhs in zip(a, b)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(m[r][col]))
        if m[pivot][col] == 0:
            return None
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, size):
            f = m[r][col] / m[col][col]
            for k in range(col, size + 1):
                m[r][k] -= f * m[col][k]
    x = [0.0] * size
    for r in reversed(range(size)):
        x[r] = (m[r][size] - sum(m[r][k] * x[k] for k in range(r + 1, size))) / m[r][r]
    return x


class USLFit(NamedTuple):
    sigma: float
    kappa: float
    lambda_rps: float
    r_squared: float | None
    peak_concurrency: float | None
    peak_throughput_rps: float | None
    # For the warnings: the lowest concurrency measured, its mean throughput, how far the fit lies above it,
    # and whether that says the data scale superlinearly.
    lowest_concurrency: float
    lowest_throughput_rps: float
    lowest_fit_excess_pct: float
    superlinear: bool


def usl_fit(measurements: Sequence[tuple[float, float]]) -> USLFit:
    """Fit σ, κ and λ to measured (concurrency, throughput) points.

    Non-linear least squares on X(N) itself, with λ free, so no N = 1
    measurement is needed and noise at N = 1 does not skew the fit (unlike
    the normalise-by-X(1) shortcut). Method: a grid over (σ, κ) with λ
    solved in closed form at each node, then Levenberg–Marquardt with
    Marquardt's scaling on all three parameters, kept within σ ∈ [0, 1],
    κ ≥ 0, λ > 0. The optimum often lies on a face of that box (κ = 0 for
    data that never turns down, σ = 0 for some that does): a parameter on
    its bound leaves the step while the gradient pushes it outward, so the
    others reach the best fit on the face (the projected, active-set form
    of the method). Pure Python: it runs where numpy does not.

    ``measurements`` are (N, X) pairs (:func:`parse_measurements` reads
    them from text). Returns sigma, kappa, lambda_rps, r_squared (``None``
    when every X is equal) and the peak as in :func:`usl_peak`.

    Superlinear data (throughput per client rising with N) have no USL
    curve with σ ≥ 0: the fit pins σ at 0 and, to reach the higher points,
    passes far above the lowest ones, λ far above X(1), with an R² that
    can still look good. ``superlinear`` is true when σ or κ is on its
    bound and the fit lies more than :data:`SUPERLINEAR_MARGIN` above the
    mean throughput measured at the lowest concurrency
    (``lowest_fit_excess_pct``). Gunther et al. (2015) fit such data with
    σ < 0; this fit keeps σ ≥ 0 and says so instead.

    Source: Gunther (2007) ch. 5; Marquardt (1963). Checked against the R
    package ``usl`` (S. Möding), whose test data below it fits with
    σ = κ = 0.02 and λ = 1:

    >>> fit = usl_fit([(1, 1), (2, 1.8868), (4, 3.0769), (6, 3.5294), (8, 3.5398), (10, 3.3557)])
    >>> round(fit.sigma, 3), round(fit.kappa, 3), round(fit.lambda_rps, 3), fit.superlinear
    (0.02, 0.02, 1.0, False)

    A service that does 100 requests/s alone and 1,150 with eight clients
    gains per client as it grows (a cache warming, say): σ goes to 0 and λ
    to 1.36 times the X(1) measured.

    >>> fit = usl_fit([(1, 100), (2, 210), (4, 450), (8, 1150)])
    >>> fit.sigma, round(fit.lambda_rps), round(fit.lowest_fit_excess_pct), fit.superlinear
    (0.0, 136, 36, True)
    """
    points = list(measurements)
    _require_levels(points, "measurements")
    lam, sigma, kappa = _grid_start(points)
    lam, sigma, kappa, err = _descend(points, [lam, sigma, kappa], _sse(points, lam, sigma, kappa))
    # No measurement resolves contention below 1e-12 or coherency below 1e-15:
    # report them as the zero they are, not as a 1e17-request/s asymptote.
    if sigma < 1e-12 or kappa < 1e-15:
        sigma, kappa = (0.0 if sigma < 1e-12 else sigma), (0.0 if kappa < 1e-15 else kappa)
        lam = _best_lambda(points, sigma, kappa)
        err = _sse(points, lam, sigma, kappa)
    mean = sum(x for _, x in points) / len(points)
    total = sum((x - mean) ** 2 for _, x in points)
    lowest = min(n for n, _ in points)
    at_lowest = [x for n, x in points if n == lowest]
    measured = sum(at_lowest) / len(at_lowest)
    excess_pct = 100.0 * (usl_throughput(lowest, sigma, kappa, lam) / measured - 1.0)
    superlinear = (sigma == 0 or kappa == 0) and excess_pct > 100.0 * SUPERLINEAR_MARGIN
    return USLFit(sigma, kappa, lam, 1.0 - err / total if total > 0 else None, *usl_peak(sigma, kappa, lam),
                  lowest, measured, excess_pct, superlinear)


def _grid_start(points) -> tuple[float, float, float]:
    """The fit's starting point: the best (λ, σ, κ) on a grid over σ and κ, λ solved exactly at each node.

    σ over 0 and 1e-4..1, κ over 0 and 1e-9..1, half-decades. With λ in
    closed form, SSE = ΣX² − (ΣXg)²/Σg², one pass over the points a node.
    """
    sigmas = [0.0] + [10 ** (e / 2) for e in range(-8, 1)]
    kappas = [0.0] + [10 ** (e / 2) for e in range(-18, 1)]
    sum_x2 = sum(x * x for _, x in points)
    best = None
    pairs = [(n, x, n * (n - 1.0)) for n, x in points]
    for s in sigmas:
        terms = [(n, x, 1.0 + s * (n - 1.0), crosstalk) for n, x, crosstalk in pairs]  # 200 points × 190 nodes
        for k in kappas:
            sxg = sgg = 0.0
            for n, x, contention, crosstalk in terms:
                g = n / (contention + k * crosstalk)
                sxg += x * g
                sgg += g * g
            err = sum_x2 - sxg * sxg / sgg
            if best is None or err < best[0]:
                best = (err, sxg / sgg, s, k)
    _, lam, sigma, kappa = best
    return lam, sigma, kappa


def _normal_equations(points, lam, sigma, kappa):
    """JᵀJ and JᵀR of the residuals X − X(N) in (λ, σ, κ): the Gauss–Newton system at this point."""
    jtj = [[0.0] * 3 for _ in range(3)]
    jtr = [0.0] * 3
    for n, x in points:
        d = 1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0)
        model = lam * n / d
        grad = (n / d, -lam * n * (n - 1.0) / d ** 2, -lam * n * n * (n - 1.0) / d ** 2)
        r = x - model
        for i in range(3):
            jtr[i] += grad[i] * r
            for j in range(3):
                jtj[i][j] += grad[i] * grad[j]
    return jtj, jtr


def _descend(points, params, err):
    """Levenberg–Marquardt from ``params`` (λ, σ, κ) with SSE ``err``, within the box; the end point and its SSE.

    Marquardt's scaling (damping times the diagonal of JᵀJ); at most 500
    steps, stopping when a step no longer lowers the SSE by a relative 1e-14.
    """
    damping = 1e-3
    for _ in range(500):
        jtj, jtr = _normal_equations(points, *params)
        # Active set: a parameter on its bound whose descent direction (JᵀR) points
        # out of the box sits this step out, and the others take the step the
        # reduced problem wants. Stepping all three and clipping the one on the
        # bound would move the others the wrong way, and the fit would stall on
        # the face short of its optimum.
        free = [0] + [i for i in (1, 2) if not (
            (params[i] <= _LOWER[i] and jtr[i] <= 0) or (params[i] >= _UPPER[i] and jtr[i] >= 0))]
        improved = False
        while damping < 1e12:
            a = [[jtj[i][j] + (damping * jtj[i][i] if i == j else 0.0) for j in free] for i in free]
            step = _solve(a, [jtr[i] for i in free])
            if step is None:
                damping *= 10
                continue
            cand = params[:]
            for i, delta in zip(free, step):
                cand[i] = min(max(params[i] + delta, _LOWER[i]), _UPPER[i])
            cand_err = _sse(points, *cand)
            if cand_err < err:
                rel = (err - cand_err) / max(err, 1e-300)
                params, err = cand, cand_err
                damping = max(damping / 10, 1e-12)
                improved = rel > 1e-14
                break
            damping *= 10
        if not improved:
            break
    return (*params, err)


class Amdahl(NamedTuple):
    speedup: float
    max_speedup: float | None


def amdahl_speedup(serial_pct: float, concurrency: float) -> Amdahl:
    """Amdahl's law: speedup = 1 / (s + (1 − s)/N), at most 1/s.

    The USL with κ = 0 is Amdahl's law with σ = s. ``max_speedup`` is
    ``None`` (unbounded) for s = 0.

    Five per cent serial work caps 16 workers at 9.1× and any number at 20×:

    >>> s, m = amdahl_speedup(5, 16)
    >>> round(s, 1), round(m, 1)
    (9.1, 20.0)
    """
    s = serial_pct / 100.0
    speedup = 1.0 / (s + (1.0 - s) / concurrency)
    return Amdahl(speedup, 1.0 / s if s > 0 else None)
