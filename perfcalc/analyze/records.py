"""What every parser is and yields, whatever the tool: the protocol, line results, requests, totals.

**The parser protocol** (:class:`Parser`). A parser class names its
format (``format``, an id of ``analyze.FORMATS``), what kind of file it
reads (``kind``: ``requests``, ``intervals`` or ``totals``), and carries
sample lines with what each yields (``samples``, run by one parametrised
test, as lnav's formats carry theirs). ``sniff(line)`` answers whether a
line is of this format, with the constructor's arguments, or ``None``;
``cls(sink, **arguments)`` makes the parser; ``parse(line)`` reads one
line and answers a :class:`LineResult` (or raises :class:`LineError`);
``end()`` is called once after the last line. What a duration field
measures is declared with it (:class:`Timing`).

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

import enum
import json
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple, Protocol

from ..spec import PerfcalcError

__all__ = ["LineError", "LineResult", "Parser", "Sample", "Timing", "Request", "LoadLevel", "Interval", "Total",
           "Sink", "Recorder", "refusal", "json_object", "shown", "plausible_time", "plausible_duration", "CLIENT", "PROXY",
           "UPSTREAM", "SERVICE", "NO_UPSTREAM"]

# How much of a rejected line is quoted back: enough to recognise it.
SHOWN_CHARS = 60
# No tool read here is older than 1980, and a time past 2200 is a unit
# mistake (microseconds read as milliseconds): refused, not charted over
# millennia.
EARLIEST_S = 315532800.0   # 1980-01-01T00:00:00Z
LATEST_S = 7258118400.0    # 2200-01-01T00:00:00Z
# Longer is no response time but a broken number (and would overflow the charts' logarithms).
MAX_DURATION_MS = 1e10
# An upstream time in a sink's columns where no upstream was asked (nginx's "-"): below every real time, so it
# sorts first and is cut off in C.
NO_UPSTREAM = -1.0


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


def json_object(line: str):
    """The JSON object a line holds, or ``None`` (not JSON, not an object, or nested past the parser's depth).

    >>> json_object('{"a": 1}'), json_object("[1]"), json_object("{")
    ({'a': 1}, None, None)
    """
    if not line.startswith("{"):
        return None
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None


def refusal(file: str, line: int | None, message: str) -> PerfcalcError:
    """The one error for a file that cannot be analysed: ``FILE line N: message``, with ``file`` and ``line`` kept.

    ``message`` says, in this order, what the file looks like, what is
    missing, and what to do. The CLI's ``--json`` prints ``file``,
    ``line`` and ``message`` as ``{"error": {…}}``.

    >>> e = refusal("a.log", 3, "line 3 is half a JSON object; it has no closing brace; give the whole file")
    >>> str(e), e.file, e.line
    ('a.log line 3: line 3 is half a JSON object; it has no closing brace; give the whole file', 'a.log', 3)
    """
    error = PerfcalcError(f"{file} line {line}: {message}" if line else f"{file}: {message}")
    error.file, error.line, error.message = file, line, message
    return error


class LineResult(enum.Enum):
    """What a parser made of one line (the analyzer counts lines by it)."""

    USED = "used"          # it held a request, a load level or a row, given to the sink
    IGNORED = "ignored"    # a header, a comment, a metric not needed
    PENDING = "pending"    # it opens or continues a record that ends on a later line (a quoted CSV field)


@dataclass(frozen=True)
class Timing:
    """What a file's duration field measures, said everywhere its numbers are shown.

    ``kind`` is one of :data:`CLIENT` (the load generator's response time,
    network included), :data:`PROXY` (a proxy's time for the whole request,
    its wait for the upstream included), :data:`UPSTREAM` (a proxy's wait
    for the upstream: time queued in the upstream's listen backlog is in
    it, the proxy's own reading and writing are not) or :data:`SERVICE`
    (the application server's own time after it read the request: time
    queued in the listen backlog is not in it). ``little`` says what
    Little's law over that time counts.
    """

    field: str
    kind: str
    measures: str

    @property
    def little(self) -> str:
        return _LITTLE[self.kind]


CLIENT, PROXY, UPSTREAM, SERVICE = "client", "proxy", "upstream", "service"
_LITTLE = {
    CLIENT: "requests in flight (as the load generator saw them)",
    PROXY: "requests in flight at the proxy",
    UPSTREAM: "requests at the upstream, queued there or being served",
    SERVICE: "busy workers (requests being served; those waiting in the listen backlog are not counted)",
}


@dataclass(frozen=True)
class Sample:
    """A line as the tool writes it, and what its parser must make of it.

    ``yields`` is the records the line gives (:class:`Request`,
    :class:`LoadLevel`, :class:`Interval`, :class:`Total`), or a
    :class:`LineResult` for a line that gives none, or ``LineError`` text
    the line is refused with. ``before`` are lines read first (a header).
    """

    line: str
    yields: Any
    before: tuple = ()


class Parser(Protocol):
    """The protocol every format's parser follows (see the module's docstring)."""

    format: ClassVar[str]
    kind: ClassVar[str]
    samples: ClassVar[tuple]
    label: str
    failure_rule: str
    timing: Timing | None
    notes: list

    @classmethod
    def sniff(cls, line: str) -> dict | None: ...
    @classmethod
    def first_line_rule(cls) -> str: ...
    def parse(self, line: str) -> LineResult: ...
    def end(self) -> None: ...


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

    def requests(self, times, durations, failed, statuses, endpoints, upstream=None):
        """Columns of requests, ``upstream`` as the analyzer's arrays keep it (``NO_UPSTREAM``: none asked)."""
        for i, t in enumerate(times):
            self.request(t, durations[i], bool(failed[i]), statuses[i], endpoints[i], None,
                         upstream[i] if upstream is not None and upstream[i] != NO_UPSTREAM else None)

    def load_level(self, time_s, level):
        self.records.append(LoadLevel(time_s, level))

    def interval(self, row):
        self.records.append(row)

    def total(self, row):
        self.records.append(row)
