"""Retry a flaky call the safe way: few attempts, exponential backoff with full jitter, one deadline.

    from request_retry import call_with_retries
    data = call_with_retries(lambda timeout: fetch_json(url, timeout), deadline_s=2.0)

Retry at one layer only (here, or in the client library, not both), and only
errors that a second attempt can fix: timeouts, connection resets, 502/503/504,
429. A 400 or a 404 will fail again.
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

RETRYABLE_STATUS = {429, 502, 503, 504}


def is_retryable(error: Exception) -> bool:
    if isinstance(error, urllib.error.HTTPError):
        return error.code in RETRYABLE_STATUS
    return isinstance(error, (TimeoutError, ConnectionError, urllib.error.URLError))


def backoff_s(attempt: int, base_s: float = 0.1, cap_s: float = 2.0) -> float:
    """Full jitter: a random wait between 0 and base * 2^attempt, capped.

    The randomness spreads the retries of many clients that failed together,
    so they do not return in one synchronised wave.
    """
    return random.uniform(0, min(cap_s, base_s * 2 ** attempt))


def call_with_retries(call: Callable[[float], T], attempts: int = 3, deadline_s: float = 2.0,
                      retryable: Callable[[Exception], bool] = is_retryable) -> T:
    """Run call(timeout) at most ``attempts`` times, all within ``deadline_s`` seconds.

    Each attempt gets the time left as its timeout, so retries never stretch a
    request past the deadline its caller (and the worker slot) can afford.
    """
    deadline = time.monotonic() + deadline_s
    for attempt in range(attempts):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"deadline of {deadline_s} s passed after {attempt} attempts")
        try:
            return call(remaining)
        except Exception as error:  # noqa: BLE001 - filtered by retryable()
            last = attempt == attempts - 1
            if last or not retryable(error):
                raise
            pause = backoff_s(attempt)
            if time.monotonic() + pause >= deadline:
                raise
            time.sleep(pause)
    raise AssertionError("unreachable")


def fetch_json(url: str, timeout: float) -> object:
    """One attempt: an HTTP GET with a timeout, decoded as JSON."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)
