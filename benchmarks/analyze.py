"""Analysis of a 1,000,000-line access log, natively: `make bench` (or `python benchmarks/analyze.py [LINES]`).

Writes an nginx log (combined + $request_time + $upstream_response_time,
an hour of traffic with a ramp at each end) to a temporary directory, then
measures:

- ``analyze_path``: the command line's path, reading 1 MiB at a time;
- ``Analyzer.feed``: the browser worker's path, 256 KiB slices cut anywhere
  (lines and UTF-8 characters split across slices);
- a baseline on a fifth of the lines: the whole text read at once, a dict
  per request in a list, percentiles from ``sorted`` — what the streaming
  design avoids.

Lines per second are the median of repeated runs without tracemalloc (it
slows Python down several times), by wall-clock and by CPU time (the
fairer one on a shared machine); peak memory is tracemalloc's peak in a
separate run. It reports; it does not fail.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perfcalc.analyze import Analyzer, analyze_path  # noqa: E402

LINES = 1_000_000
SLICE_BYTES = 256 << 10


def write_log(path: Path, lines: int) -> int:
    """An hour of nginx log: ramp-up, plateau, ramp-down; ids in paths, retries, static files."""
    rng = random.Random(1)
    start = datetime(2024, 3, 10, 9, 0, 0, tzinfo=timezone(timedelta(hours=1)))
    stamps = [(start + timedelta(seconds=s)).strftime("%d/%b/%Y:%H:%M:%S %z") for s in range(3600)]
    # Time of each line: a trapezoid of load, 5 minutes up, 5 minutes down.
    weights = [min(1.0, (s + 1) / 300, (3600 - s) / 300) for s in range(3600)]
    seconds = sorted(rng.choices(range(3600), weights=weights, k=lines))
    agents = ("Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0", "k6/0.49.0 (https://k6.io/)")
    with open(path, "w", encoding="utf-8") as f:
        buffer = []
        for s in seconds:
            r = rng.random()
            up = rng.lognormvariate(-3.3, 0.6)
            if r < 0.6:
                req, status = f"GET /api/users/{rng.randrange(100_000)}?fields=name HTTP/1.1", 200
                upstream = f"{up:.3f}"
            elif r < 0.8:
                req, status, upstream = "POST /api/orders HTTP/1.1", 201, f"{2 * up:.3f}"
            elif r < 0.95:
                req, status, upstream, up = "GET /static/app.4f9c2a1b.js HTTP/2.0", 200, "-", 0.0
            elif r < 0.99:
                req, status, upstream = "GET /api/users/42 HTTP/1.1", 500, f"{up:.3f}"
            else:
                req, status, upstream = "GET /api/reports HTTP/1.1", 502, f"{up:.3f}, {up / 2:.3f}"
            buffer.append(f'192.0.2.{s % 250 + 1} - - [{stamps[s]}] "{req}" {status} {rng.randrange(200, 5000)} "-" '
                          f'"{agents[s & 1]}" {up + 0.001:.3f} {upstream}\n')
            if len(buffer) >= 10_000:
                f.write("".join(buffer))
                buffer.clear()
        f.write("".join(buffer))
    return path.stat().st_size


def by_path(path: Path):
    return analyze_path(path)


def by_slices(path: Path):
    analyzer = Analyzer(path.name)
    with open(path, "rb") as f:
        while chunk := f.read(SLICE_BYTES):
            analyzer.feed(chunk)
    return analyzer.finish()


def baseline(path: Path):
    """The obvious way: all the text, a dict per request, sorted percentiles."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        rows.append({"time": line[line.index("[") + 1:line.index("]")], "request": line.split('"')[1],
                     "status": int(line.split('" ', 1)[1].split()[0]),
                     "duration_ms": float(line.rsplit('"', 1)[1].split()[0]) * 1000})
    ordered = sorted(r["duration_ms"] for r in rows)
    return {p: ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] for p in (50, 95, 99)}


def measure(fn, path: Path, lines: int, repeat: int) -> tuple[float, float, float]:
    """(lines per second of wall time, of CPU time, tracemalloc's peak in bytes)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(path)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    tracemalloc.start()
    fn(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return lines / statistics.median(wall), lines / statistics.median(cpu), peak


def main(lines: int = LINES) -> None:
    print(f"perfcalc analyze benchmark: {lines:,}-line nginx access log (native CPython "
          f"{sys.version_info.major}.{sys.version_info.minor})\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "access.log"
        start = time.perf_counter()
        size = write_log(path, lines)
        print(f"  generated {size / 1e6:,.0f} MB in {time.perf_counter() - start:.1f} s")
        summary = analyze_path(path)
        print(f"  summary: {summary.lines.used:,} requests used, window {summary.window.duration_s:,.0f} s, "
              f"p99 {summary.latency.p99_ms:.1f} ms, {summary.throughput_rps:,.1f} requests/s\n")
        print(f"  {'path':<40} {'lines/s':>10} {'(CPU time)':>11} {'peak memory':>14} {'per line':>10}")
        for label, fn in (("analyze_path (1 MiB reads)", by_path),
                          (f"Analyzer.feed ({SLICE_BYTES >> 10} KiB slices)", by_slices)):
            rate, cpu_rate, peak = measure(fn, path, lines, repeat=3)
            print(f"  {label:<40} {rate:>10,.0f} {cpu_rate:>11,.0f} {peak / 2**20:>11,.1f} MiB {peak / lines:>7,.1f} B")
        small = Path(tmp) / "small.log"
        with open(path, encoding="utf-8") as src, open(small, "w", encoding="utf-8") as dst:
            for _ in range(lines // 5):
                dst.write(src.readline())
        rate, cpu_rate, peak = measure(baseline, small, lines // 5, repeat=1)
        print(f"  {'baseline, 1/5 of the lines (dicts+sort)':<40} {rate:>10,.0f} {cpu_rate:>11,.0f} "
              f"{peak / 2**20:>11,.1f} MiB {peak / (lines // 5):>7,.1f} B")
    print("\n  CPU time is the fairer rate on a shared machine. Bytes per line is what grows with the file: the"
          "\n  browser's Pyodide keeps the same arrays (8 bytes a duration); its Python objects are smaller"
          "\n  (32-bit), its speed typically a few times lower.")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else LINES)
