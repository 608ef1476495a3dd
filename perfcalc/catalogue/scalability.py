"""Scalability calculators: usl-fit, usl, amdahl (models in :mod:`perfcalc.scalability`)."""

from __future__ import annotations

from .. import charts
from ..scalability import (EXTRAPOLATION_LIMIT, POOR_FIT_R_SQUARED, amdahl_speedup, parse_measurements, usl_fit,
                           usl_scaling)
from ..spec import Calculator, Field, Output
from .fields import MAX_CLIENTS, MAX_CONCURRENCY, MAX_RPS, MIN_RPS, pct


def _usl_fit_warnings(args, fit):
    warnings = []
    if fit.r_squared is not None and fit.r_squared < POOR_FIT_R_SQUARED:
        warnings.append(f"The fit is poor (R² = {fit.r_squared:.3f}): more points, or steadier measurements, are needed.")
    if fit.superlinear:
        warnings.append(
            "The data scale superlinearly: throughput per client rises with concurrency, which the USL cannot draw "
            f"with σ ≥ 0. The fit pins {'σ' if fit.sigma == 0 else 'κ'} at 0 and lies "
            f"{fit.lowest_fit_excess_pct:.0f} % above the {fit.lowest_throughput_rps:,.1f} requests/s measured at "
            f"N = {fit.lowest_concurrency:g} (λ = {fit.lambda_rps:,.1f}), so σ, κ, λ and the peak describe no curve "
            "through these points, whatever R² says. Superlinear steps usually mean the runs at low concurrency "
            "were not steady (caches or pools still warming, the load generator the bottleneck): measure them "
            "again. If the gain is real, the USL needs σ < 0 (Gunther et al. 2015), and it is paid back at "
            "higher concurrency.")
    largest_measured = max(n for n, _ in args["measurements"])
    if fit.peak_concurrency is not None and fit.peak_concurrency > EXTRAPOLATION_LIMIT * largest_measured:
        warnings.append("The peak lies far beyond the measured range: an extrapolation, not a measurement.")
    return warnings


USL_FIT = Calculator(
    id="usl-fit",
    title="Fit the Universal Scalability Law",
    summary="σ, κ and λ from load-test measurements, and where throughput peaks.",
    fields=(
        Field("measurements", "Measurements (N:X)", kind="text", default="1:98 2:192 4:341 8:585 16:850 32:1045 64:1032",
              help="Concurrency:throughput pairs from a load test, separated by spaces, commas or new lines.",
              max_length=20_000,
              text_rule="N:X pairs (concurrency from 1, throughput above 0) for at least 3 distinct concurrency levels",
              parser=parse_measurements),
    ),
    outputs=(
        Output("sigma", "σ (contention)", decimals=5),
        Output("kappa", "κ (coherency)", decimals=7),
        Output("lambda_rps", "λ (throughput of one)", unit="requests/s", decimals=2),
        Output("peak_concurrency", "Peak concurrency", unit="clients", decimals=1, none="unbounded"),
        Output("peak_throughput_rps", "Peak throughput", unit="requests/s", decimals=1, none="unbounded"),
        Output("r_squared", "R²", decimals=4),
    ),
    model=usl_fit,
    warn=_usl_fit_warnings,
    assumptions="Non-linear least squares on throughput, λ free (no N = 1 point needed). Steady-state measurements "
                "at each concurrency; extrapolation far beyond the data is a guess.",
    equations=(
        "\\min_{\\sigma,\\,\\kappa,\\,\\lambda}\\ \\sum_i \\left(X_i - \\frac{\\lambda N_i}{1 + \\sigma (N_i - 1) + \\kappa N_i (N_i - 1)}\\right)^{2}",
        "R^2 = 1 - \\frac{\\sum_i (X_i - \\hat X_i)^2}{\\sum_i (X_i - \\bar X)^2}",
    ),
    chart=charts.usl_fit_chart,
)


def _usl_warnings(args, r):
    if r.peak_concurrency is not None and args["concurrency"] > r.peak_concurrency:
        return [f"Past the peak at N = {r.peak_concurrency:.1f}: more concurrency now lowers throughput "
                "(retrograde scaling)."]
    return []


USL = Calculator(
    id="usl",
    title="Universal Scalability Law",
    summary="Throughput at a concurrency, given contention σ, coherency κ and single-client throughput λ.",
    fields=(
        Field("sigma", "σ (contention)", default=0.05, minimum=0.0, maximum=1.0, help="Serialised share, 0–1."),
        Field("kappa", "κ (coherency)", default=0.0005, minimum=0.0, maximum=1.0, help="Crosstalk cost per pair, 0–1."),
        Field("lambda_rps", "λ (throughput of one)", unit="requests/s", default=100.0, minimum=MIN_RPS, maximum=MAX_RPS),
        Field("concurrency", "Concurrency N", unit="clients", default=32.0, minimum=1.0, maximum=MAX_CLIENTS),
    ),
    outputs=(
        Output("throughput_rps", "Throughput", unit="requests/s", decimals=1),
        Output("efficiency_pct", "Efficiency vs linear", unit="%", format="pct", decimals=1),
        Output("peak_concurrency", "Peak concurrency", unit="clients", decimals=1, none="unbounded"),
        Output("peak_throughput_rps", "Peak throughput", unit="requests/s", decimals=1, none="unbounded"),
    ),
    model=usl_scaling,
    warn=_usl_warnings,
    assumptions="X(N) = λN / (1 + σ(N − 1) + κN(N − 1)); with κ = 0 it is Amdahl's law and never peaks.",
    equations=(
        "X(N) = \\frac{\\lambda N}{1 + \\sigma (N - 1) + \\kappa N (N - 1)}\\qquad N^{*} = \\sqrt{\\frac{1 - \\sigma}{\\kappa}}",
    ),
    chart=charts.usl_chart,
)


AMDAHL = Calculator(
    id="amdahl",
    title="Amdahl's law",
    summary="The speed-up N workers give when part of the work is serial.",
    fields=(
        pct("serial_pct", "Serial share", default=5.0, help="Share of the work that cannot run in parallel."),
        Field("concurrency", "Workers N", default=16.0, minimum=1.0, maximum=MAX_CONCURRENCY),
    ),
    outputs=(
        Output("speedup", "Speed-up", unit="×", decimals=2),
        Output("max_speedup", "Limit for any N", unit="×", decimals=2, none="unbounded"),
    ),
    model=amdahl_speedup,
    assumptions="Fixed problem size; the parallel part divides perfectly; no coherency cost (see the USL for that).",
    equations=(
        "S(N) = \\frac{1}{s + (1 - s)/N}\\qquad S_{\\infty} = \\frac{1}{s}",
    ),
)
