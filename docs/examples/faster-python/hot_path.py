"""A CPU-bound hot path in plain, annotated Python: time it, then try each way to make it faster.

The function is the kind of work a view does after the query returns:
group rows, apply rules, round, build a summary. The same file runs
unchanged under every option the "Faster Python itself" page measures:

    python hot_path.py                  # CPython, as it is
    pypy3 hot_path.py                   # PyPy (no C extensions needed here)
    mypyc hot_path.py && python -c "import hot_path; hot_path.main()"
    cythonize -i hot_path.py && python -c "import hot_path; hot_path.main()"

mypyc and Cython each build a C extension (hot_path.*.so) next to the
file; Python imports it in preference to hot_path.py, so delete the .so
to go back. Compare the medians it prints, on the same machine, in the
same minute. It needs Python 3.9 or later (PyPy's Debian build is 3.9).
"""

from __future__ import annotations

import sys
import time

# Discount tiers by a customer's order total: (threshold, rate), highest first.
TIERS = ((1000.0, 0.10), (500.0, 0.05), (100.0, 0.02))


def make_rows(n: int, customers: int = 500, seed: int = 42) -> list[tuple[int, int, float]]:
    """n order lines (customer id, quantity, unit price) from a small LCG: the same rows everywhere."""
    rows: list[tuple[int, int, float]] = []
    state = seed
    for _ in range(n):
        state = (state * 1103515245 + 12345) % 2147483648
        customer = state % customers
        quantity = 1 + (state >> 8) % 5
        price = 0.5 + ((state >> 12) % 20000) / 100.0
        rows.append((customer, quantity, price))
    return rows


def discount_rate(total: float) -> float:
    for threshold, rate in TIERS:
        if total >= threshold:
            return rate
    return 0.0


def order_summary(rows: list[tuple[int, int, float]], tax_rate: float) -> dict[int, float]:
    """Each customer's amount due: lines summed, tiered discount, tax, rounded to cents."""
    totals: dict[int, float] = {}
    for customer, quantity, price in rows:
        totals[customer] = totals.get(customer, 0.0) + quantity * price
    due: dict[int, float] = {}
    for customer, total in totals.items():
        net = total * (1.0 - discount_rate(total))
        due[customer] = round(net * (1.0 + tax_rate), 2)
    return due


def median_ms(rows: list[tuple[int, int, float]], repeats: int = 15, warmup: int = 5) -> float:
    """Median CPU time of one order_summary call, after warm-up calls (PyPy's JIT compiles during them).

    CPU time (process_time), not wall time: on a shared machine other
    processes stretch the wall clock far more than they stretch this.
    """
    for _ in range(warmup):
        order_summary(rows, 0.2)
    times: list[float] = []
    for _ in range(repeats):
        start = time.process_time()
        order_summary(rows, 0.2)
        times.append(time.process_time() - start)
    times.sort()
    return times[len(times) // 2] * 1000


def main() -> None:
    rows = make_rows(100_000)
    compiled = not __file__.endswith(".py")
    implementation = sys.implementation.name
    version = ".".join(map(str, sys.version_info[:3]))
    checksum = round(sum(order_summary(rows, 0.2).values()), 2)
    print(f"{implementation} {version}{' (compiled)' if compiled else ''}: "
          f"median {median_ms(rows):.2f} ms of CPU per call over 100,000 rows (checksum {checksum})")


if __name__ == "__main__":
    main()
