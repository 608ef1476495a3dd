"""How a Gunicorn server's worker processes shared its requests, from an access log ending in %(D)s %(p)s.

    python connections_per_process.py access.log

Prints each process's share of the requests and its median and p99 %(D)s,
busiest first. With gthread workers, an even split is the best case: on an
idle host Linux wakes the last process to start waiting first, and it takes
most connections while the others idle.
"""

import re
import sys
from collections import defaultdict

# ... "%(a)s" %(D)s %(p)s  →  the microseconds and the pid at the end of the line
LINE_END = re.compile(r'" (\d+) <(\d+)>$')


def shares(lines):
    """{pid: [service times in ms]} for every line that ends in %(D)s %(p)s."""
    by_pid = defaultdict(list)
    for line in lines:
        m = LINE_END.search(line.rstrip("\n"))
        if m:
            by_pid[int(m.group(2))].append(int(m.group(1)) / 1000.0)
    return by_pid


def nearest_rank(values, pct):
    ordered = sorted(values)
    return ordered[max(0, -(-pct * len(ordered) // 100) - 1)]


def main(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        by_pid = shares(f)
    total = sum(len(v) for v in by_pid.values())
    if not total:
        sys.exit(f"{path}: no line ends in %(D)s %(p)s; see gunicorn.conf.py for the format")
    print(f"{'pid':>8}  {'requests':>9}  {'share':>6}  {'p50 ms':>8}  {'p99 ms':>8}")
    for pid, times in sorted(by_pid.items(), key=lambda kv: -len(kv[1])):
        print(f"{pid:>8}  {len(times):>9,}  {100 * len(times) / total:>5.1f}%  "
              f"{nearest_rank(times, 50):>8.1f}  {nearest_rank(times, 99):>8.1f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python connections_per_process.py ACCESS_LOG")
    main(sys.argv[1])
