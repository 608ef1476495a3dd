"""Field helpers and bounds shared by the catalogue's declarations.

The upper bounds keep every computation fast enough for a keystroke and lie
far beyond any real deployment; they are not physical limits. The lower
bounds of quantities that divide are realistic floors, so a reader who types
1e-300 is told the real limit instead of getting a meaningless number.
"""

from __future__ import annotations

from ..spec import Field

__all__ = ["MAX_MS", "MAX_RPS", "MAX_COUNT", "MAX_REQUESTS", "MIN_MS", "MIN_RPS",
           "ms", "pct", "count", "money", "rate", "requests"]

MAX_MS = 3_600_000.0  # one hour
MAX_RPS = 10_000_000.0
MAX_COUNT = 1_000_000_000_000
MAX_REQUESTS = 10**13  # requests in a month or an SLO window: 3.8 million a second for a month
MIN_MS = 0.001  # one microsecond
MIN_RPS = 1e-6


def ms(name: str, label: str, *, default: float | None, help: str, minimum: float = MIN_MS,
       optional: bool = False) -> Field:
    """A duration in milliseconds, up to an hour."""
    return Field(name, label, unit="ms", kind="float", default=default, minimum=minimum, maximum=MAX_MS,
                 optional=optional, help=help)


def pct(name: str, label: str, *, default: float, help: str, minimum: float = 0.0) -> Field:
    """A percentage, 0–100."""
    return Field(name, label, unit="%", kind="float", default=default, minimum=minimum, maximum=100.0, help=help)


def count(name: str, label: str, *, default: int, help: str, minimum: int = 1, maximum: int = 1_000_000,
          unit: str = "") -> Field:
    """A whole number of things: workers, servers, items."""
    return Field(name, label, unit=unit, kind="int", default=default, minimum=minimum, maximum=maximum, help=help)


def money(name: str, label: str, *, default: float, help: str, unit: str = "$/hour") -> Field:
    """A price in the one currency unit."""
    return Field(name, label, unit=unit, kind="float", default=default, minimum=0.0, maximum=1_000_000.0, help=help)


def rate(name: str, label: str, *, default: float | None, help: str = "", minimum: float = MIN_RPS,
         maximum: float = MAX_RPS, optional: bool = False) -> Field:
    """A rate in requests per second."""
    return Field(name, label, unit="requests/s", kind="float", default=default, minimum=minimum, maximum=maximum,
                 optional=optional, help=help)


def requests(name: str, label: str, *, help: str = "", default: int = 10_000_000) -> Field:
    """A number of requests over a month or a window."""
    return Field(name, label, unit="requests", kind="int", default=default, minimum=0, maximum=MAX_REQUESTS,
                 help=help)
