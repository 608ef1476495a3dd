"""Comparing two 100,000-request files, natively: `make bench` (or `python benchmarks/compare.py [REQUESTS]`).

Writes two nginx logs (combined + $request_time) of a worker pool at 80 %
busy, 100,000 requests each (the second 10 % slower), then measures, as
medians of repeated runs by wall-clock and by CPU time:

- reading both files with ``analyze_path(…)``: the baseline,
  what any analysis of the two files costs anyway;
- ``compare`` on the two summaries: the blocks, the 2 × 1,000 bootstrap
  resamples and the intervals;
- a baseline for the statistics: a naive block bootstrap that builds and
  sorts each resample (on 100 resamples, scaled to 1,000).

The page's worker runs the same code under Pyodide, typically 2–3 times
slower than CPython. It reports; it does not fail.
"""

from __future__ import annotations

import heapq
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perfcalc.analyze import analyze_path  # noqa: E402
from perfcalc.analyze import compare as C  # noqa: E402
from perfcalc.analyze.stats import nearest_rank  # noqa: E402

REQUESTS = 100_000
WORKERS, SERVICE_S, BUSY = 8, 0.05, 0.8


def write_log(path: Path, requests: int, seed: int, scale: float = 1.0) -> float:
    """An M/M/8 pool at 80 % busy as nginx logs it; returns the seconds it spans."""
    rng = random.Random(seed)
    rate = BUSY * WORKERS / SERVICE_S
    free = [0.0] * WORKERS
    clock = 0.0
    with open(path, "w", encoding="utf-8") as f:
        buffer = []
        for i in range(requests):
            clock += rng.expovariate(rate)
            start = max(clock, free[0])
            service = rng.expovariate(1.0 / SERVICE_S)
            heapq.heapreplace(free, start + service)
            s = int(clock)
            buffer.append(f'10.0.0.{i % 250 + 1} - - [10/Mar/2024:{9 + s // 3600:02d}:{s // 60 % 60:02d}:'
                          f'{s % 60:02d} +0000] "GET /api/items/{i % 977} HTTP/1.1" {500 if rng.random() < 0.002 else 200} '
                          f'512 "-" "k6/0.49.0" {(start - clock + service) * scale:.3f}\n')
            if len(buffer) >= 10_000:
                f.write("".join(buffer))
                buffer.clear()
        f.write("".join(buffer))
    return clock


def naive_bootstrap(blocks, resamples: int, rng: random.Random) -> None:
    """What the band search avoids: each resample built from its blocks and sorted, three percentiles read."""
    k = blocks.k
    for _ in range(resamples):
        pool = sorted(v for b in (int(rng.random() * k) for _ in range(k)) for v in blocks.sorted[b])
        for p in (50, 95, 99):
            pool[nearest_rank(p, len(pool)) - 1]


def timed(fn, repeat: int) -> tuple[float, float, object]:
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu), result


def main(requests: int = REQUESTS) -> None:
    print(f"perfcalc compare benchmark: two {requests:,}-request nginx logs, M/M/{WORKERS} at {BUSY:.0%} busy "
          f"(native CPython {sys.version_info.major}.{sys.version_info.minor})\n")
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "baseline.log", Path(tmp) / "candidate.log"
        span = write_log(a, requests, seed=1)
        write_log(b, requests, seed=2, scale=1.1)
        print(f"  each file: {a.stat().st_size / 1e6:,.1f} MB, {span:,.0f} s of traffic\n")
        read_wall, read_cpu, (sa, sb) = timed(lambda: (analyze_path(a),
                                                        analyze_path(b)), repeat=3)
        cmp_wall, cmp_cpu, result = timed(lambda: C.compare(sa, sb), repeat=3)
        blocks = C._Blocks.of_requests(sa.samples, C.BLOCKS, sa.window.start_s)
        naive = 100
        naive_wall, naive_cpu, _ = timed(lambda: naive_bootstrap(blocks, naive, random.Random(1)), repeat=1)
        scale = 2 * C.RESAMPLES / naive  # both runs, all resamples
        print(f"  {'step':<52} {'wall s':>8} {'CPU s':>8}")
        print(f"  {'read both files (analyze_path)':<52} {read_wall:>8.2f} {read_cpu:>8.2f}")
        print(f"  {f'compare (2 x {C.RESAMPLES:,} block-bootstrap resamples)':<52} {cmp_wall:>8.2f} {cmp_cpu:>8.2f}")
        print(f"  {'baseline: resamples built and sorted (scaled)':<52} {naive_wall * scale:>8.2f} "
              f"{naive_cpu * scale:>8.2f}")
        print(f"\n  compare costs {cmp_cpu / read_cpu:.2f}x the reading of the two files (CPU time), and "
              f"{naive_cpu * scale / cmp_cpu:,.0f}x less than building each resample.")
        print("\n  " + "  ".join(f"{c.metric} {c.change_pct:+.1f}% [{c.ci_low_pct:+.1f}, {c.ci_high_pct:+.1f}] "
                                  f"{c.verdict}" for c in result.metrics[:4]))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else REQUESTS)
