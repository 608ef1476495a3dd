"""Performance report: `make bench`.

Every claim is measured against a baseline in the same run, on this machine:
- Che approximation with aggregated ranks versus the full per-item sum;
- Erlang C by recursion versus the textbook factorial formula;
- the slowest inputs of each calculator (its worst keystroke) against a
  16 ms frame budget, natively (Pyodide in the browser is typically a few
  times slower than native CPython, so headroom matters).

It reports; it does not fail. Timings are medians of repeated runs.
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import perfcalc  # noqa: E402
from perfcalc import caching, queueing, scalability  # noqa: E402

FRAME_MS = 16.0


def timed(fn, repeat=5):
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def erlang_c_factorial(c, a):
    """The textbook formula: overflows (OverflowError) once a**c or c! leaves float range."""
    top = a ** c / math.factorial(c) * c / (c - a)
    return top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)


def main():
    print("perfcalc benchmark (milliseconds, median)\n")

    print("Che approximation: aggregated ranks vs the full sum")
    print(f"  {'catalogue':>13}  {'aggregated':>10}  {'full sum':>10}  {'speed-up':>8}  {'rel. diff':>9}")
    for n in (10_000, 100_000, 1_000_000):
        c = n // 100
        fast = timed(lambda: caching.zipf_che_hit_ratio(n, c, 0.8))
        slow = timed(lambda: caching.zipf_che_hit_ratio_exact(n, c, 0.8), repeat=1 if n >= 1_000_000 else 3)
        diff = abs(caching.zipf_che_hit_ratio(n, c, 0.8)[0] / caching.zipf_che_hit_ratio_exact(n, c, 0.8)[0] - 1)
        print(f"  {n:>13,}  {fast:>10.2f}  {slow:>10.1f}  {slow / fast:>7.0f}×  {diff:>9.1e}")
    for n in (10_000_000, 1_000_000_000):
        fast = timed(lambda: caching.zipf_che_hit_ratio(n, n // 100, 0.8))
        print(f"  {n:>13,}  {fast:>10.2f}  {'(skipped)':>10}")

    print("\nErlang C: stable recursion vs factorial formula")
    for c in (10, 100, 170, 500, 5000):
        a = 0.9 * c
        fast = timed(lambda: queueing.erlang_c(c, a))
        try:
            naive_value = erlang_c_factorial(c, a)
            naive = f"{timed(lambda: erlang_c_factorial(c, a)):.3f} ms, diff {abs(naive_value - queueing.erlang_c(c, a)):.1e}"
        except OverflowError:
            naive = "OverflowError"
        print(f"  c = {c:>5}: recursion {fast:.3f} ms; factorial: {naive}")

    print(f"\nWorst keystroke per calculator (budget {FRAME_MS:.0f} ms)")
    points = " ".join(f"{n}:{scalability.usl_throughput(n, 0.05, 0.0005, 100) * (1 + 0.03 * ((n * 7919) % 7 - 3) / 3):.3f}"
                      for n in range(1, 201))
    worst = {
        "worker-pool": dict(arrival_rps=9_990, service_time_ms=1000, workers=10_000, target_p99_ms=1100),
        "cache-size": dict(catalog_items=1_000_000_000, cache_items=1_000, zipf_alpha=3),
        "usl-fit": dict(measurements=points),
    }
    slowest = 0.0
    for cid in perfcalc.CALCULATORS:
        defaults = timed(lambda: perfcalc.calculate(cid))
        extra = ""
        if cid in worst:
            w = timed(lambda: perfcalc.calculate(cid, **worst[cid]))
            slowest = max(slowest, w)
            extra = f"   worst {w:7.2f}{'  OVER BUDGET' if w > FRAME_MS else ''}"
        slowest = max(slowest, defaults)
        print(f"  {cid:<18} defaults {defaults:7.3f}{extra}")
    print(f"\nSlowest case: {slowest:.2f} ms ({'within' if slowest <= FRAME_MS else 'OVER'} the {FRAME_MS:.0f} ms budget natively)")

    from perfcalc_site import charts as site_charts
    print("\nChart redraw (chart data + SVG), drawn in the task after the outputs, vs calculate alone, defaults")
    for cid, calc in perfcalc.CALCULATORS.items():
        if not calc.chart:
            continue
        bare = timed(lambda: perfcalc.calculate(cid))

        r = perfcalc.calculate(cid)
        full = timed(lambda: site_charts.render_svg(calc.chart(r.inputs, r.outputs)))
        print(f"  {cid:<18} calculate {bare:7.3f}   chart {full:7.2f}{'  OVER BUDGET' if full > FRAME_MS else ''}")


if __name__ == "__main__":
    main()
