"""Estimate the Zipf exponent α of your traffic from an access log.

Count requests per cache key (here: the URL of each GET answered 200),
rank the keys by count, and fit a straight line to log(count) against
log(rank): under Zipf's law, count ∝ rank^(−α), so the slope is −α.

Only keys seen at least ``min_count`` times are fitted. The long tail of
keys seen once or twice is flat for a reason that has nothing to do with
popularity (a sample cannot count below 1), and it would drag α down.

    python zipf_alpha.py /var/log/nginx/access.log
    python zipf_alpha.py access.log --min-count 10

Feed the α, the number of distinct keys and your cache's capacity in items
to the cache-size calculator.
"""

from __future__ import annotations

import argparse
import math
import re
from collections import Counter
from collections.abc import Iterable

# The request line of the combined format (nginx, Apache, Gunicorn's default): "GET /path?q HTTP/1.1" 200
REQUEST = re.compile(r'"GET (\S+) HTTP/[\d.]+" 200 ')


def count_keys(lines: Iterable[str]) -> Counter:
    """Requests per URL (path and query string: what a cache keyed on the URL would store)."""
    counts: Counter = Counter()
    for line in lines:
        match = REQUEST.search(line)
        if match:
            counts[match.group(1)] += 1
    return counts


def zipf_alpha(counts: Iterable[int], min_count: int = 5) -> tuple[float, int]:
    """(α, keys fitted): least-squares slope of log(count) on log(rank), negated."""
    ranked = sorted((c for c in counts if c >= min_count), reverse=True)
    if len(ranked) < 10:
        raise ValueError(f"only {len(ranked)} keys with at least {min_count} requests: too few to fit")
    xs = [math.log(rank) for rank in range(1, len(ranked) + 1)]
    ys = [math.log(count) for count in ranked]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    sxx = sum((x - mean_x) ** 2 for x in xs)
    return -sxy / sxx, len(ranked)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", help="access log in the combined format")
    parser.add_argument("--min-count", type=int, default=5, help="fit only keys seen this often (default 5)")
    args = parser.parse_args(argv)
    with open(args.log, encoding="utf-8", errors="replace") as f:
        counts = count_keys(f)
    alpha, fitted = zipf_alpha(counts.values(), args.min_count)
    total = sum(counts.values())
    top = sum(c for _, c in counts.most_common(max(1, len(counts) // 100)))
    print(f"{total:,} requests for {len(counts):,} distinct keys")
    print(f"the top 1 % of keys get {100 * top / total:.1f} % of requests")
    print(f"Zipf alpha ≈ {alpha:.2f} (fitted on the {fitted:,} keys with ≥ {args.min_count} requests)")


if __name__ == "__main__":
    main()
