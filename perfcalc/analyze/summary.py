"""The summary of one file: what the page, the command line and CI read.

A :class:`Summary` holds plain values only (numbers, strings, ``None``,
and named tuples of them), so :meth:`Summary.to_json` is plain data, the
same in the browser's worker and on the command line. Times are seconds,
with offsets measured from the file's first timestamp; latencies are
milliseconds; rates are requests per second; shares are percentages 0–100.
Text that came from the file (endpoint names, statuses, rejected lines)
is data: whoever shows it must insert it as text, never as HTML.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import NamedTuple

from .samples import RunSamples

__all__ = ["LineCounts", "Rejected", "Latency", "Window", "EndpointStats", "Step", "Charts", "Summary"]


class LineCounts(NamedTuple):
    """Every line read is used, ignored (blank, a header, another metric) or rejected."""

    read: int
    used: int
    ignored: int
    rejected: int


class Rejected(NamedTuple):
    """A line that did not parse (the first few are kept)."""

    line: int
    expected: str
    found: str   # shortened and escaped, see records.shown


class Latency(NamedTuple):
    """Response times: exact from samples, or as a tool stated them (``basis`` says which)."""

    count: int | None
    mean_ms: float | None
    min_ms: float | None
    p50_ms: float | None
    p90_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    p999_ms: float | None
    max_ms: float | None
    basis: str
    measures: str = ""   # what the time field measures (see records.Timing); "" where the tool states it


class Window(NamedTuple):
    """The part of the run analysed (the steady state), as offsets from the file's first timestamp."""

    start_s: float
    end_s: float
    duration_s: float
    rule: str


class EndpointStats(NamedTuple):
    endpoint: str
    requests: int | None
    failures: int | None
    error_rate_pct: float | None
    throughput_rps: float | None
    mean_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None


class Step(NamedTuple):
    """One load level of a step test, measured over its settled part."""

    level: int
    start_s: float        # the measured part, as offsets from the file's first timestamp
    end_s: float
    requests: int
    throughput_rps: float
    error_rate_pct: float
    mean_ms: float | None
    p99_ms: float | None  # None where the file holds no raw samples


class Charts(NamedTuple):
    """The series behind the page's two charts, as plain lists of equal length per chart."""

    bucket_s: float
    time_s: list          # start of each bucket, offset from the file's first timestamp
    throughput_rps: list
    error_rate_pct: list
    p99_ms: list          # None for a bucket without requests
    p99_basis: str
    level: list           # users, VUs or threads per bucket (None where unknown); [] without load levels
    histogram_edges_ms: list   # n + 1 edges of the latency histogram over the window ([] without samples)
    histogram_counts: list     # n counts; a bin is [edge_i, edge_i+1), the last one closed


@dataclass(frozen=True)
class Summary:
    """Everything analysed from one file, in the units its field names say."""

    file: str
    format: str                 # an id of analyze.FORMATS
    format_label: str           # "nginx combined + $request_time"
    detected: str               # how the format was known: given, or detected from which line
    kind: str                   # "requests" (per request), "intervals" (per interval), "totals" (whole run)
    lines: LineCounts
    rejected: tuple             # Rejected, the first few
    start_utc: str | None       # first and last timestamp, ISO 8601 in UTC
    end_utc: str | None
    span_s: float | None
    window: Window | None       # the steady part analysed; None for whole-run summaries
    requests: int | None        # in the window (whole run for totals)
    failures: int | None
    error_rate_pct: float | None
    failure_rule: str
    throughput_rps: float | None
    peak_throughput_rps: float | None   # the busiest chart bucket
    latency: Latency | None             # over the window (whole run for totals; "basis" says how it was got)
    stated_latency: Latency | None      # the whole run as the tool stated it, where the window has no percentiles
    upstream_latency: Latency | None    # nginx $upstream_response_time, where logged
    mean_concurrency: float | None      # by Little's law over the window; concurrency_counts says of what
    concurrency_counts: str     # what that mean counts (requests in flight, busy workers …), from the time field
    load_name: str              # "VUs", "threads", "users", or "" when the file records no load level
    load_max: int | None
    endpoints: tuple            # EndpointStats, busiest first
    statuses: tuple             # (status, count), most frequent first
    statuses_scope: str         # which requests the statuses count (the window's, or the whole file's)
    steps: tuple                # Step, in time order
    usl_measurements: str | None  # "N:X …" for usl-fit, from three or more load levels
    calculator_inputs: dict     # calculator id → {field: value}, names as in the catalogue
    charts: Charts | None
    warnings: tuple             # what must be read before any number is used (shown before the inputs)
    notes: tuple                # what the numbers mean and what this file cannot tell
    samples: RunSamples | None = field(default=None, repr=False, compare=False)  # not in to_json

    def to_json(self) -> dict:
        """Plain data: dicts, lists, strings, finite numbers and ``None`` (``samples`` left out)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name != "samples"}


def _plain(value):
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
