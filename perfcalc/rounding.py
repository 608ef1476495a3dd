"""Whole numbers from float arithmetic: counts that float noise must not push off by one.

A count computed as ⌈x⌉ (instances, virtual users, requests) goes wrong when
x is a whole number that float arithmetic left a hair above itself:
1.1 × 100 is 110.00000000000001, and ⌈110.00000000000001⌉ = 111. A count
computed as ⌊x⌋ (workers that fit in memory) goes wrong the other way: 204.8
is stored a hair above itself, so 2048 // 204.8 is 9.0, not 10. An absolute
guard such as ⌈x − 1e-9⌉ stops working once x passes about 10⁷ (there
x − 1e-9 == x) and swallows real fractions below 1e-9 for small x, so the
guard here is relative.
"""

from __future__ import annotations

import math
import sys

__all__ = ["WHOLE_REL_TOL", "ceil_whole", "floor_whole"]

# Each typed decimal and each float operation is off by at most half an
# epsilon, relative; the counts here take at most six of them (three inputs,
# three operations), so their noise is below 3·ε. Four ε absorbs it, and any
# fraction larger than that still rounds up.
WHOLE_REL_TOL = 4 * sys.float_info.epsilon


def ceil_whole(x: float) -> int:
    """⌈x⌉, except that an x within float noise of a whole number is that number.

    Noise is judged relative to x: |x − round(x)| ≤ 4ε·|x|, with ε the
    float epsilon (2.2e-16).

    A load test at 1.1 requests/s for 30 million seconds sends 33 million
    requests, not one more:

    >>> x = 1.1 * 30_000_000
    >>> x, math.ceil(x - 1e-9), ceil_whole(x)
    (33000000.000000004, 33000001, 33000000)

    A real fraction still rounds up, however large the count or small the value:

    >>> ceil_whole(30_000_000.5), ceil_whole(1e-12), ceil_whole(0.0)
    (30000001, 1, 0)
    """
    whole = _within_noise(x)
    return math.ceil(x) if whole is None else whole


def floor_whole(x: float) -> int:
    """⌊x⌋, except that an x within float noise of a whole number is that number.

    The same relative tolerance as :func:`ceil_whole`. Divide first and floor
    the quotient: floor division of floats (``a // b``) works on the binary
    values themselves, so 2048 // 204.8 is 9.0 although the quotient rounds
    to exactly 10.

    >>> 2048 // 204.8, floor_whole(2048 / 204.8), floor_whole(0.7 / 0.1)
    (9.0, 10, 7)

    A real shortfall still rounds down:

    >>> floor_whole(9.999), floor_whole(0.5)
    (9, 0)
    """
    whole = _within_noise(x)
    return math.floor(x) if whole is None else whole


def _within_noise(x: float) -> int | None:
    """The whole number x is within float noise of (relative, 4 ε), or ``None``."""
    nearest = round(x)
    return int(nearest) if abs(x - nearest) <= WHOLE_REL_TOL * abs(x) else None
