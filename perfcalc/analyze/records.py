"""What every parser yields, whatever the tool: requests, load levels, intervals, totals.

A parser turns one line of a tool's output into calls on a *sink*: one
:class:`Request` per request for files that have them (k6 JSON lines,
JMeter CSV, access logs), a :class:`LoadLevel` where the tool records its
users, VUs or threads separately (k6's ``vus`` points), one
:class:`Interval` per row of a file aggregated per interval (Locust's
``_stats_history.csv``), or one :class:`Total` per row of an end-of-test
summary (Locust's ``_stats.csv``, k6's summary JSON). A line that does not
parse raises :class:`LineError` with what was expected; the analyzer adds
the file name, the line number and what was found.

Times are Unix seconds (UTC), durations milliseconds.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

__all__ = ["LineError", "Request", "LoadLevel", "Interval", "Total", "Sink", "Recorder", "shown", "plausible_time",
           "plausible_duration"]

# How much of a rejected line is quoted back: enough to recognise it.
SHOWN_CHARS = 60
# No tool read here is older than 1980, and a time past 2200 is a unit
# mistake (microseconds read as milliseconds): refused, not charted over
# millennia.
EARLIEST_S = 315532800.0   # 1980-01-01T00:00:00Z
LATEST_S = 7258118400.0    # 2200-01-01T00:00:00Z
# Longer is no response time but a broken number (and would overflow the charts' logarithms).
MAX_DURATION_MS = 1e10


def shown(text: str) -> str:
    """Quote text from a file safely and briefly: escaped, at most ``SHOWN_CHARS`` characters.

    ``repr`` escapes control characters and quotes, so what is shown is
    plain text that cannot break a terminal, a JSON string or a page.

    >>> shown('GET /\\x1b[2J "x"')
    '\\'GET /\\\\x1b[2J "x"\\''
    >>> len(shown("x" * 100_000)) <= SHOWN_CHARS + 5
    True
    """
    if len(text) > SHOWN_CHARS:
        return repr(text[:SHOWN_CHARS - 1] + "…")
    return repr(text)


def plausible_duration(ms: float, text: str) -> float:
    """``ms`` if it is a response time at all: from 0 to 10¹⁰ ms (116 days), else a :class:`LineError`.

    >>> plausible_duration(12.5, "0.0125")
    12.5
    """
    if not 0.0 <= ms <= MAX_DURATION_MS:
        raise LineError("a response time from 0 to 10^10 ms", text)
    return ms


def plausible_time(time_s: float, text: str) -> float:
    """``time_s`` if it lies between 1980 and 2200, else a :class:`LineError` quoting ``text``.

    >>> plausible_time(1710061200.0, "1710061200000")
    1710061200.0
    """
    if not EARLIEST_S <= time_s < LATEST_S:
        raise LineError("a time between 1980 and 2200", text)
    return time_s


class LineError(ValueError):
    """A line that does not parse: ``expected`` says what the format needs there.

    ``found`` is what was there instead (the whole line when omitted); the
    analyzer turns it into "FILE line N: expected …, found …".
    """

    def __init__(self, expected: str, found: str | None = None):
        super().__init__(expected)
        self.expected = expected
        self.found = found


class Request(NamedTuple):
    """One request, as a load generator or a server logged it."""

    time_s: float            # when the tool stamped it (start or end: see each parser)
    duration_ms: float       # response time, ≥ 0
    failed: bool             # by the tool's own rule (see each parser)
    status: str              # HTTP status or the tool's response code, as written
    endpoint: str            # method and name or normalised path; "" when the file has none
    concurrency: int | None  # VUs, threads or users active, where the file records it per request
    upstream_ms: float | None = None  # nginx $upstream_response_time, where logged


class LoadLevel(NamedTuple):
    """The load a generator applied at a moment: its users, VUs or threads."""

    time_s: float
    level: int


class Interval(NamedTuple):
    """One row of a per-interval file: cumulative counts up to ``time_s`` and what the tool states."""

    time_s: float
    users: int
    endpoint: str                 # "" for the aggregated row
    requests_total: int           # since the start of the run
    failures_total: int
    mean_ms_total: float | None   # mean response time since the start
    min_ms_total: float | None
    max_ms_total: float | None
    rate_rps: float | None        # as the tool states it (Locust: a 10 s moving average)
    percentiles_ms: tuple         # ((50.0, ms), (95.0, ms) …) as the tool states them, rounded


class Total(NamedTuple):
    """One row of an end-of-test summary: whole-run figures as the tool states them."""

    endpoint: str                 # "" for the whole run
    requests: int | None
    failures: int | None
    rate_rps: float | None        # requests over the whole run, ramp-up included
    mean_ms: float | None
    min_ms: float | None
    max_ms: float | None
    percentiles_ms: tuple         # ((50.0, ms), (90.0, ms) …)
    duration_s: float | None = None   # the run's length, where the file states it
    concurrency_max: int | None = None  # the most VUs or users, where stated


class Sink(Protocol):
    """Where a parser puts what it reads (the analyzer's accumulators implement it)."""

    def request(self, time_s, duration_ms, failed, status, endpoint, concurrency, upstream_ms=None) -> None: ...
    def load_level(self, time_s, level) -> None: ...
    def interval(self, row: Interval) -> None: ...
    def total(self, row: Total) -> None: ...


class Recorder:
    """A sink that keeps every record: for tests and for reading a small file by hand."""

    def __init__(self):
        self.records = []

    def request(self, time_s, duration_ms, failed, status, endpoint, concurrency, upstream_ms=None):
        self.records.append(Request(time_s, duration_ms, failed, status, endpoint, concurrency, upstream_ms))

    def load_level(self, time_s, level):
        self.records.append(LoadLevel(time_s, level))

    def interval(self, row):
        self.records.append(row)

    def total(self, row):
        self.records.append(row)
