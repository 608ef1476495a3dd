"""From records to numbers: throughput, errors, latency, concurrency, steady state, load steps.

Three accumulators, one per kind of file:

- :class:`RequestData` (k6 JSON lines, JMeter CSV, access logs) keeps every
  request's duration in compact arrays (``array('d')``: 8 bytes each), paged
  by second, never a record object per request: a million requests take
  about 11 MB. Latency is exact: nearest-rank percentiles of the samples
  in the steady window (see :mod:`.stats`).
- :class:`IntervalData` (Locust's history) keeps the rows; counts over a
  window come from differences of the cumulative totals, exactly, and the
  mean from the cumulative means; percentiles over a window cannot be
  derived from it and are not.
- :class:`TotalData` (Locust's ``_stats.csv``, k6's summary) keeps the
  rows: whole-run figures, as the tool states them.

Each accumulator's ``summarise`` returns a :class:`Measured`, built by
keyword; Little's law is :func:`~.stats.littles_law`, over the same window
as the throughput and the mean it multiplies.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime, timezone
from collections import Counter
from itertools import chain, compress, islice, repeat
from operator import add, le, sub
from typing import NamedTuple

from .records import NO_UPSTREAM, UPSTREAM, Interval, Timing, refusal
from .samples import RunSamples
from .stats import STEADY_FRACTION, SortedRuns, littles_law, log_bin_edges, percentile, plateaus, steady_window
from .summary import Charts, EndpointStats, Latency, Step, Window

__all__ = ["RequestData", "IntervalData", "TotalData", "Measured", "MAX_ENDPOINTS", "MAX_CHART_BUCKETS",
           "ACCESS_LOG_FORMATS", "UPSTREAM_TIME"]

# Formats whose rate is real traffic (a server's log), not a load chosen for a test: only
# they are extrapolated to a month.
ACCESS_LOG_FORMATS = frozenset({"nginx", "gunicorn", "access-log", "apache", "caddy", "traefik", "envoy", "haproxy",
                                "uwsgi", "iis", "aws-alb", "json-access-log", "nginx-log-format"})
UPSTREAM_TIME = Timing("$upstream_response_time", UPSTREAM,
                       "nginx's wait for the upstream, from connecting to it to its response's last byte: time the "
                       "request waited in the upstream's listen backlog is in it, nginx's own reading of the "
                       "request and writing to the client are not")

# Requests are paged by time; when there are more pages than this, pages
# widen to the next step of the ladder (each divides the next), so a week
# of log costs no more page overhead than an hour.
MAX_PAGES = 4096
PAGE_LADDER_S = (1, 5, 10, 30, 60, 300, 600, 1800, 3600, 21600, 86400)
# Load steps are read page by page over the whole span, empty pages included. Pages widen only when there
# are many, so two requests years apart (a line of another log mixed in) span billions of 1-second pages;
# a span of more pages than this, almost all of them empty, has no steps to read.
MAX_STEP_SPAN_PAGES = MAX_PAGES * 256
# A chart wider than this many buckets has more points than pixels.
MAX_CHART_BUCKETS = 240
# Buckets hold at least this many requests on average: with fewer, counting
# noise alone (±1/√30 ≈ 18 %) moves a bucket across the steady-state
# threshold, and a bucket's p99 is its maximum.
MIN_REQUESTS_PER_BUCKET = 30
BUCKET_LADDER_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
# Endpoints told apart; more (URLs with ids the normalisation missed) are
# one "(other endpoints)", so a log of unique URLs cannot grow memory.
MAX_ENDPOINTS = 200
OTHER_ENDPOINTS = "(other endpoints)"
MAX_STATUSES = 50
OTHER_STATUSES = "(other)"
# Names from the file are kept to this length (a 100 kB URL is a name, not a payload).
MAX_NAME_CHARS = 200

WINDOW_RULE = (f"the steady state: from the first to the last chart bucket whose throughput reaches "
               f"{STEADY_FRACTION:.0%} of the median throughput of the middle half of the run")


def _compact(typecode: str, column) -> array:
    """A column as a compact array of ``typecode`` (itself if it is one already)."""
    return column if type(column) is array and column.typecode == typecode else array(typecode, column)


def _utc(t: float | None) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _bucket_width(span_s: float, requests: int, multiple_of: float = 1) -> int:
    """The narrowest chart bucket on the ladder that keeps the chart small and each bucket well filled.

    A file too sparse for any width to hold ``MIN_REQUESTS_PER_BUCKET`` per
    bucket gets one bucket as wide as its span (the narrowest such width),
    never a day on a three-second file:

    >>> _bucket_width(3.0, 10), _bucket_width(3600.0, 1_000_000)
    (5, 15)
    """
    span_s = max(span_s, 1e-9)
    for width in BUCKET_LADDER_S:
        if (width % multiple_of == 0 and math.ceil(span_s / width) <= MAX_CHART_BUCKETS
                and requests * min(width, span_s) / span_s >= MIN_REQUESTS_PER_BUCKET):
            return width
    return next((w for w in BUCKET_LADDER_S if w % multiple_of == 0 and w >= span_s), BUCKET_LADDER_S[-1])


def _pct(part, whole) -> float | None:
    return 100.0 * part / whole if whole else None


def _latency(runs: SortedRuns, basis: str, measures: str = "") -> Latency | None:
    if not runs.count:
        return None
    p = runs.percentile
    return Latency(runs.count, runs.sum() / runs.count, runs.min, p(50), p(90), p(95), p(99), p(99.9), runs.max, basis,
                   measures)


def stated_latency(count, mean_ms, min_ms, max_ms, percentiles: tuple, basis: str) -> Latency:
    """A :class:`Latency` from figures a tool reported: only the percentiles it gave."""
    given = dict(percentiles)
    return Latency(count, mean_ms, min_ms, given.get(50.0), given.get(90.0), given.get(95.0), given.get(99.0),
                   given.get(99.9), max_ms, basis, "the response time as the load generator measured it")


def _stated(requests, failures, throughput_rps, mean_ms, percentiles: tuple, basis: str) -> dict:
    """What a pre-aggregated file states, for :class:`~.samples.RunSamples` (a comparison tests nothing else)."""
    return {"requests": requests, "failures": failures, "throughput_rps": throughput_rps, "mean_ms": mean_ms,
            "percentiles_ms": {f"{p:g}": v for p, v in percentiles}, "basis": basis}


class _Page:
    """The requests of one page of time, as parallel compact arrays, and its status counts."""

    __slots__ = ("start_s", "durations", "offsets", "endpoints", "failed", "upstream", "statuses", "low", "high")

    def __init__(self, upstream: bool, start_s: float):
        self.start_s = start_s
        self.durations = array("d")
        self.offsets = array("f")   # each request's time after start_s (float32: 60 ns at 1 s, 5 ms at a day)
        self.endpoints = array("H")
        self.failed = array("B")
        self.upstream = array("d") if upstream else None
        self.statuses = Counter()
        self.low = self.high = None  # the load level seen within the page

    def absorb(self, other: _Page) -> None:
        self.durations.extend(other.durations)
        shift = other.start_s - self.start_s
        self.offsets.extend([o + shift for o in other.offsets] if shift else other.offsets)
        self.endpoints.extend(other.endpoints)
        self.failed.extend(other.failed)
        if self.upstream is not None:
            self.upstream.extend(other.upstream)
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n
        if other.low is not None:
            self.low = other.low if self.low is None else min(self.low, other.low)
            self.high = other.high if self.high is None else max(self.high, other.high)

    def rebase(self, start_s: float) -> None:
        """Measure offsets from an earlier start (the page became part of a wider one)."""
        shift = self.start_s - start_s
        if shift:
            self.offsets = array("f", [o + shift for o in self.offsets])
        self.start_s = start_s

    def samples_into(self, latency: array, failed: array, times: array, t0: float) -> None:
        """Append this page's requests in time order (stable: the file's order among equal times)."""
        offsets = self.offsets
        base = self.start_s - t0
        if all(map(le, offsets, offsets[1:])):
            latency.extend(self.durations)
            failed.extend(self.failed)
            times.extend(map(add, offsets, repeat(base)))
            return
        order = sorted(range(len(offsets)), key=offsets.__getitem__)
        latency.extend(map(self.durations.__getitem__, order))
        failed.extend(map(self.failed.__getitem__, order))
        times.extend([base + offsets[i] for i in order])

    def release(self) -> None:
        self.durations = self.offsets = self.endpoints = self.failed = self.upstream = None


@dataclass(frozen=True, kw_only=True)
class Measured:
    """What an accumulator measured: the :class:`~.summary.Summary` fields the data gives, and the inputs' basis."""

    start_utc: str | None
    end_utc: str | None
    span_s: float | None
    window: Window | None
    requests: int | None
    failures: int | None
    throughput_rps: float | None
    peak_throughput_rps: float | None
    latency: Latency | None
    stated_latency: Latency | None = None
    upstream_latency: Latency | None = None
    load_max: int | None
    endpoints: tuple
    statuses: tuple
    statuses_scope: str
    steps: tuple
    charts: Charts | None
    notes: list
    service_ms: float | None           # the mean time suggested as a calculator's service time, and what it is
    service_basis: str
    p99_for_inputs: float | None
    requests_in_file: int | None
    month_extrapolation: bool
    rate_span_s: float | None = None   # the time the file's requests came in over (whole seconds count whole)
    requests_only: bool = False        # no duration field: counts, rates and statuses only
    samples: RunSamples | None = None

    @property
    def error_rate_pct(self) -> float | None:
        return _pct(self.failures, self.requests) if self.failures is not None else None

    @property
    def mean_concurrency(self) -> float | None:
        return littles_law(self.throughput_rps, self.latency.mean_ms if self.latency else None)


class _Grid(NamedTuple):
    """The run cut into chart buckets: which pages fall in each, and their counts."""

    t0: float
    t_last: float
    extent_end: float        # the end of the last timestamp's resolution (the last second of an access log)
    bucket_s: int
    first_bucket: int
    buckets: list            # per bucket, the pages in it
    counts: list
    failures: list


class _WindowRead(NamedTuple):
    """What was read from the window's pages before their arrays were released."""

    p99s: list
    runs: SortedRuns
    upstream: SortedRuns | None
    by_endpoint: dict
    endpoint_failures: list
    statuses: dict
    samples: tuple           # (latency_ms, failed, time_s) arrays, in time order


class RequestData:
    """The sink for per-request files: compact per-page arrays, then :meth:`summarise`."""

    def __init__(self, upstream: bool = False, latency: bool = True, samples: bool = True):
        self.upstream = upstream
        self.samples = samples      # False: no Summary.samples (only compare reads them; laying them out costs)
        self.latency = latency      # False: the file has no duration field (plain combined); durations are 0
        self.page_s = PAGE_LADDER_S[0]
        self.pages: dict[int, _Page] = {}
        self.endpoint_index: dict[str, int] = {}
        self.endpoint_names: list[str] = []
        self.status_names: set = set()
        self.t_min = math.inf
        self.t_max = -math.inf
        self.distinct_times = 0     # counted up to two: fewer means no rate can be measured
        self._first_time = None

    # -- the sink -----------------------------------------------------------

    def request(self, time_s, duration_ms, failed, status, endpoint, concurrency, upstream_ms=None):
        page = self.pages.get(int(time_s // self.page_s))
        if page is None:
            page = self._page(time_s)
        page.durations.append(duration_ms if duration_ms is not None else 0.0)
        page.offsets.append(time_s - page.start_s)
        e = self.endpoint_index.get(endpoint)
        if e is None:
            e = self._endpoint(endpoint)
        page.endpoints.append(e)
        page.failed.append(failed)
        if page.upstream is not None:
            page.upstream.append(NO_UPSTREAM if upstream_ms is None else upstream_ms)
        if concurrency is not None:
            if page.low is None or concurrency < page.low:
                page.low = concurrency
            if page.high is None or concurrency > page.high:
                page.high = concurrency
        counts = page.statuses
        n = counts.get(status)
        if n is None:
            status = self._status(status)
            n = counts.get(status, 0)
        counts[status] = n + 1
        if time_s < self.t_min:
            self.t_min = time_s
        if time_s > self.t_max:
            self.t_max = time_s
        if self.distinct_times < 2 and time_s != self._first_time:
            self.distinct_times += 1
            self._first_time = time_s if self._first_time is None else self._first_time

    def requests(self, times, durations, failed, statuses, endpoints, upstream=None) -> None:
        """Many requests at once, as columns (a parser's ``parse_block``): the same as :meth:`request` for each.

        ``upstream`` is as the pages keep it: milliseconds, ``NO_UPSTREAM``
        where none was asked. Requests are grouped into runs of the same page
        (a log is written in time order, so a batch holds few runs); each
        column becomes a compact array once, and each run is copied from it
        into its page's arrays, in C.
        """
        index = self.endpoint_index
        try:
            ids = array("H", list(map(index.get, endpoints)))  # (a list first: faster than growing the array)
        except TypeError:  # new names (None): each gets its index once, however often it occurs in the batch
            ids = array("H", [index.get(name) if name in index else self._endpoint(name) for name in endpoints])
        if not self.status_names.issuperset(statuses):
            statuses = list(map(self._status, statuses))
        in_order = all(map(le, times, islice(times, 1, None)))  # as a log is written: each run's end is bisected
        low, high = (times[0], times[-1]) if in_order else (min(times), max(times))
        if low < self.t_min:
            self.t_min = low
        if high > self.t_max:
            self.t_max = high
        if self.distinct_times < 2:
            for t in set(times):
                if t != self._first_time:
                    self.distinct_times = min(2, self.distinct_times + 1)
                    self._first_time = t if self._first_time is None else self._first_time
        durations, failed = _compact("d", durations), _compact("B", failed)  # each column made compact once
        if self.upstream:
            upstream = _compact("d", upstream)
        i, n = 0, len(times)
        while i < n:
            page_s = self.page_s
            key = int(times[i] // page_s)
            if in_order:
                j = bisect_left(times, (key + 1) * page_s, i + 1)
            else:
                j = i + 1
                while j < n and int(times[j] // page_s) == key:
                    j += 1
            page = self.pages.get(key)
            if page is None:
                page = self._page(times[i])
                if self.page_s != page_s:  # the pages widened: this run may now reach further
                    continue
            page.durations += durations[i:j]
            if in_order and times[i] == times[j - 1]:  # one time for the whole run (a log's whole seconds)
                page.offsets += array("f", (times[i] - page.start_s,)) * (j - i)
            else:
                page.offsets.extend(map(sub, times[i:j], repeat(page.start_s)))
            page.endpoints += ids[i:j]
            page.failed += failed[i:j]
            if page.upstream is not None:
                page.upstream += upstream[i:j]
            page.statuses.update(statuses[i:j])
            i = j

    def absorb(self, other: RequestData) -> bool:
        """Take in the requests of a later part of the same file, read by another sink: ``True`` if exactly as if read here.

        ``False``, with nothing changed, where the two parts together reach a
        limit (``MAX_ENDPOINTS``, ``MAX_STATUSES``): which names were merged
        would then depend on where the file was cut. The pages are brought to
        one width and joined key by key, this part's requests before the
        other's, as reading in order puts them; the other's endpoint ids are
        renumbered to this sink's, new names taking the next ids in the order
        the other met them (as reading on would number them).
        """
        if (other.upstream != self.upstream or other.latency != self.latency or other.samples != self.samples
                or OTHER_ENDPOINTS in other.endpoint_index or OTHER_STATUSES in other.status_names
                or len(self.endpoint_index.keys() | other.endpoint_index.keys()) > MAX_ENDPOINTS
                or len(self.status_names | other.status_names) > MAX_STATUSES):
            return False
        index = self.endpoint_index
        ids = array("H", [index[name] if name in index else self._endpoint(name) for name in other.endpoint_names])
        renumber = ids != array("H", range(len(ids)))
        self.status_names |= other.status_names
        while self.page_s < other.page_s:
            self._widen()
        while other.page_s < self.page_s:
            other._widen()
        for key, page in sorted(other.pages.items()):
            if renumber:
                page.endpoints = array("H", map(ids.__getitem__, page.endpoints))
            mine = self.pages.get(key)
            if mine is None:
                self.pages[key] = page
            else:
                mine.absorb(page)
        while len(self.pages) > MAX_PAGES and self.page_s < PAGE_LADDER_S[-1]:
            self._widen()
        if other.distinct_times:
            if not self.distinct_times:
                self._first_time = other._first_time
            self.distinct_times = min(2, max(self.distinct_times, other.distinct_times)
                                      + (self.distinct_times == other.distinct_times == 1
                                         and other._first_time != self._first_time))
        self.t_min = min(self.t_min, other.t_min)
        self.t_max = max(self.t_max, other.t_max)
        return True

    def load_level(self, time_s, level):
        page = self.pages.get(int(time_s // self.page_s)) or self._page(time_s)
        page.low = level if page.low is None else min(page.low, level)
        page.high = level if page.high is None else max(page.high, level)

    def _status(self, status: str) -> str:
        """The name a status is counted under: at most ``MAX_STATUSES`` names, each at most ``MAX_NAME_CHARS``."""
        if len(status) > MAX_NAME_CHARS:
            status = status[:MAX_NAME_CHARS - 1] + "…"
        if status not in self.status_names:
            if len(self.status_names) >= MAX_STATUSES:
                return OTHER_STATUSES
            self.status_names.add(status)
        return status

    def _page(self, time_s) -> _Page:
        while len(self.pages) >= MAX_PAGES and self.page_s < PAGE_LADDER_S[-1]:
            self._widen()
        key = int(time_s // self.page_s)
        page = self.pages.get(key)
        if page is None:
            page = self.pages[key] = _Page(self.upstream, key * self.page_s)
        return page

    def _widen(self) -> None:
        old = self.page_s
        self.page_s = PAGE_LADDER_S[PAGE_LADDER_S.index(old) + 1]
        pages = {}
        for key in sorted(self.pages):
            new_key = key * old // self.page_s
            page = pages.get(new_key)
            if page is None:
                page = pages[new_key] = self.pages[key]
                page.rebase(new_key * self.page_s)
            else:
                page.absorb(self.pages[key])
        self.pages = pages

    def _endpoint(self, name: str) -> int:
        if len(name) > MAX_NAME_CHARS:
            name = name[:MAX_NAME_CHARS - 1] + "…"
            if name in self.endpoint_index:
                return self.endpoint_index[name]
        if len(self.endpoint_names) >= MAX_ENDPOINTS:
            # Merged: a file of unique URLs cannot grow the table without limit.
            name = OTHER_ENDPOINTS
            if name in self.endpoint_index:
                return self.endpoint_index[name]
        self.endpoint_index[name] = len(self.endpoint_names)
        self.endpoint_names.append(name)
        return self.endpoint_index[name]

    # -- the analysis, in steps ----------------------------------------------

    def summarise(self, parser, name: str) -> Measured:
        """What this data gives (the analyzer adds the file's own fields)."""
        count = sum(len(p.durations) for p in self.pages.values())
        if not count:
            raise refusal(name, None, f"it reads as {parser.label}, but no line in it is a request; a file with "
                                      f"requests is needed: {parser.first_line_rule()}")
        grid = self._grid(parser, count)
        i0, i1, window = self._window(grid)
        steps = self._steps(grid.t0, parser)  # before the pages' arrays are released below
        read = self._read(grid, i0, i1)
        notes = [f"Times are {parser.time_meaning}.", f"A request failed when: {parser.failure_rule}."]
        measurable = self.distinct_times >= 2
        throughput = self._throughput(grid, window, read.runs.count, parser) if measurable else None
        if not measurable:
            notes.append("Every request carries the same timestamp: a rate needs at least two distinct times, so "
                         "there is no throughput, no Little's law and no calculator input from this file.")
        timing = getattr(parser, "timing", None)
        latency = _latency(read.runs, f"exact, from the {read.runs.count:,} requests in the steady window "
                                      "(nearest-rank percentiles)", timing.measures if timing else "")
        if not self.latency:
            latency = None
            endpoints_note = "no latency per endpoint: the log has no request time"
        else:
            endpoints_note = ""
        upstream = (_latency(read.upstream, "exact, from $upstream_response_time in the steady window",
                             UPSTREAM_TIME.measures) if read.upstream is not None else None)
        endpoints = self._endpoint_table(read, window.duration_s if measurable else 0.0)
        if endpoints_note:
            endpoints = [e._replace(mean_ms=None, p50_ms=None, p95_ms=None, p99_ms=None, max_ms=None)
                         for e in endpoints]
        if OTHER_ENDPOINTS in self.endpoint_index:
            notes.append(f"Only {MAX_ENDPOINTS - 1} distinct endpoints are told apart; the rest are counted "
                         f"together as {OTHER_ENDPOINTS}.")
        failures = sum(grid.failures[i0:i1])
        service = upstream if upstream is not None and upstream.count else latency
        return Measured(
            start_utc=_utc(grid.t0), end_utc=_utc(grid.t_last), span_s=grid.t_last - grid.t0, window=window,
            requests=read.runs.count, failures=failures, throughput_rps=throughput,
            peak_throughput_rps=max(grid.counts) / grid.bucket_s if measurable else None,
            latency=latency, upstream_latency=upstream,
            load_max=max((p.high for p in self.pages.values() if p.high is not None), default=None),
            endpoints=tuple(endpoints),
            statuses=tuple(sorted(read.statuses.items(), key=lambda kv: (-kv[1], kv[0]))),
            statuses_scope=f"the {read.runs.count:,} requests of the steady window",
            steps=tuple(steps), charts=self._charts(grid, read, steps), notes=notes,
            requests_only=not self.latency,
            service_ms=service.mean_ms if measurable and service else None,
            service_basis=("the mean $upstream_response_time (the upstream's time, as nginx saw it)"
                           if service is upstream else f"the mean {timing.field if timing else 'response time'}"),
            p99_for_inputs=service.p99_ms if service else None,
            requests_in_file=count, month_extrapolation=parser.format in ACCESS_LOG_FORMATS and measurable,
            rate_span_s=grid.extent_end - grid.t0,
            samples=RunSamples(read.samples[0] if self.latency else (), *read.samples[1:],
                               duration_s=window.duration_s, stated=None, kind="requests", format_label=parser.label)
            if self.samples else None,
        )

    def _grid(self, parser, count: int) -> _Grid:
        """Chart buckets scaled to the span, and each bucket's pages, request count and failures."""
        t0 = self.t_min
        resolution = parser.time_resolution_s
        # Whole-second stamps (access logs) each cover a second; finer ones are points in time.
        extent_end = self.t_max + resolution if resolution >= 1 else self.t_max
        bucket_s = _bucket_width(extent_end - t0, count, self.page_s)
        per = bucket_s // self.page_s
        first_bucket = int(t0 // bucket_s)
        buckets = [[] for _ in range(int(self.t_max // bucket_s) - first_bucket + 1)]
        for key in sorted(self.pages):
            b = key // per - first_bucket
            if 0 <= b < len(buckets) and len(self.pages[key].durations):
                buckets[b].append(self.pages[key])
        counts = [sum(len(p.durations) for p in group) for group in buckets]
        failures = [sum(sum(p.failed) for p in group) for group in buckets]
        return _Grid(t0, self.t_max, extent_end, bucket_s, first_bucket, buckets, counts, failures)

    @staticmethod
    def _window(grid: _Grid) -> tuple:
        i0, i1 = steady_window([c / grid.bucket_s for c in grid.counts])
        w_start = float(max(grid.t0, (grid.first_bucket + i0) * grid.bucket_s))
        w_end = float(min(grid.extent_end, (grid.first_bucket + i1) * grid.bucket_s))
        return i0, i1, Window(w_start - grid.t0, w_end - grid.t0, w_end - w_start, WINDOW_RULE)

    @staticmethod
    def _throughput(grid: _Grid, window: Window, requests: int, parser) -> float | None:
        """Requests per second over the window.

        With timestamps finer than a second, a window edge that is the file's
        first or last request is an event, not a boundary: on average half
        an interval between requests lies beyond it, so half a request is
        taken off per such edge (ten requests a second apart over the 9 s
        between the first and the last: 1.0/s, as an access log's whole
        seconds give).
        """
        if window.duration_s <= 0:
            return None
        if parser.time_resolution_s >= 1:
            return requests / window.duration_s
        edges = (window.start_s == 0.0) + (window.end_s == grid.t_last - grid.t0)
        return max(requests - 0.5 * edges, 0.0) / window.duration_s

    def _read(self, grid: _Grid, i0: int, i1: int) -> _WindowRead:
        """One pass over the buckets: per-bucket p99s, and the window's sorted runs, samples and statuses."""
        p99s, window_runs, upstream_runs = [], [], []
        by_endpoint: dict[int, list] = {}
        endpoint_failures = [0] * len(self.endpoint_names)
        statuses: dict = {}
        latency, failed, times = array("d"), array("B"), array("d")
        split_endpoints = len(self.endpoint_names) > 1
        for i, group in enumerate(grid.buckets):
            if not group:
                p99s.append(None)
                continue
            in_window = i0 <= i < i1
            if in_window and split_endpoints:
                # Sorted per endpoint first: the bucket's run is then a merge of sorted runs (Timsort's gallop).
                run = array("d", sorted(chain.from_iterable(self._split(group, by_endpoint, endpoint_failures))))
            else:
                run = array("d", sorted(chain.from_iterable(p.durations for p in group)))
            p99s.append(percentile(run, 99))
            if in_window:
                window_runs.append(run)
                if self.upstream:
                    ups = sorted(chain.from_iterable(p.upstream for p in group))
                    upstream_runs.append(array("d", ups[bisect_left(ups, 0.0):]))  # without the -1: not logged
                for p in group:
                    if self.samples:
                        p.samples_into(latency, failed, times, grid.t0)
                    for status, n in p.statuses.items():
                        statuses[status] = statuses.get(status, 0) + n
            for p in group:  # released as soon as read: memory falls while the summary builds
                p.release()
        if not split_endpoints:
            endpoint_failures = [sum(grid.failures[i0:i1])]
        return _WindowRead(p99s, SortedRuns(window_runs), SortedRuns(upstream_runs) if self.upstream else None,
                           by_endpoint, endpoint_failures, statuses, (latency, failed, times))

    def _endpoint_table(self, read: _WindowRead, duration_s: float) -> list:
        if len(self.endpoint_names) > 1:
            rows = [self._endpoint_stats(self.endpoint_names[e], SortedRuns(rs), read.endpoint_failures[e],
                                         duration_s) for e, rs in read.by_endpoint.items()]
        elif self.endpoint_names[0] and read.runs.count:
            rows = [self._endpoint_stats(self.endpoint_names[0], read.runs, read.endpoint_failures[0], duration_s)]
        else:
            rows = []
        return sorted(rows, key=lambda s: (-s.requests, s.endpoint))

    def _charts(self, grid: _Grid, read: _WindowRead, steps) -> Charts:
        levels = [max((p.high for p in group if p.high is not None), default=None) for group in grid.buckets]
        edges, histogram = self._histogram(read.runs) if self.latency else ([], [])
        p99s = read.p99s if self.latency else [None] * len(read.p99s)
        return Charts(grid.bucket_s, [(grid.first_bucket + i) * grid.bucket_s - grid.t0 for i in range(len(grid.buckets))],
                      [c / grid.bucket_s for c in grid.counts], [_pct(f, c) for f, c in zip(grid.failures, grid.counts)],
                      p99s, "exact p99 of each bucket's requests",
                      levels if any(v is not None for v in levels) else [], edges, histogram)

    def _split(self, group, by_endpoint, endpoint_failures) -> list:
        """Sort one bucket's durations per endpoint: each endpoint's window becomes sorted runs; the sorted lists."""
        lists = [[] for _ in self.endpoint_names]
        appends = [lst.append for lst in lists]
        for p in group:
            for d, e in zip(p.durations, p.endpoints):
                appends[e](d)
            for e in compress(p.endpoints, p.failed):
                endpoint_failures[e] += 1
        for e, lst in enumerate(lists):
            if lst:
                lst.sort()
                by_endpoint.setdefault(e, []).append(array("d", lst))
        return lists

    @staticmethod
    def _endpoint_stats(name, runs: SortedRuns, failures, duration_s) -> EndpointStats:
        n = runs.count
        return EndpointStats(name, n, failures, _pct(failures, n), n / duration_s if duration_s > 0 else None,
                             runs.sum() / n, runs.percentile(50), runs.percentile(95), runs.percentile(99), runs.max)

    @staticmethod
    def _histogram(runs: SortedRuns):
        if not runs.count:
            return [], []
        positive = runs.count_at_or_below(0.0) < runs.count
        low = runs.kth(runs.count_at_or_below(0.0) + 1) if positive else 1.0
        edges = log_bin_edges(low, max(runs.max, low))
        if runs.count_below(edges[0]):
            edges.insert(0, 0.0)
        below = [runs.count_below(e) for e in edges[:-1]] + [runs.count]
        return edges, [b - a for a, b in zip(below, below[1:])]

    def _steps(self, t0: float, parser) -> list[Step]:
        """Load steps from per-page load levels (JMeter's allThreads, k6's vus points)."""
        if all(p.low is None for p in self.pages.values()):
            return []
        first, last = int(self.t_min // self.page_s), int(self.t_max // self.page_s)
        if last - first >= MAX_STEP_SPAN_PAGES:  # pages widen with their number, not their span: see the constant
            return []
        keys = list(range(first, last + 1))
        levels, level = [], None
        for key in keys:
            page = self.pages.get(key)
            if page is not None and page.low is not None:
                level = page.low if page.low == page.high else None
                levels.append(level)
                if level is None:
                    level = page.high  # after a change, the new level carries on
            else:
                levels.append(level)  # no observation in this page: the level carries on
        steps = []
        for plateau in plateaus(levels, self.page_s):
            # The last page may hold the next step's first moments (k6 samples VUs once a second).
            measured = [self.pages.get(k) for k in keys[plateau.kept_first:plateau.end - 1]]
            if len(measured) < 2 or plateau.level <= 0:
                continue
            arrays = [p.durations for p in measured if p is not None]
            n = sum(len(a) for a in arrays)
            if not n:
                continue  # the load stopped: a level held with no request is no step
            duration = len(measured) * self.page_s
            fails = sum(sum(p.failed) for p in measured if p is not None)
            steps.append(Step(
                level=plateau.level,
                start_s=keys[plateau.kept_first] * self.page_s - t0,
                end_s=(keys[plateau.end - 2] + 1) * self.page_s - t0,
                requests=n, throughput_rps=n / duration, error_rate_pct=_pct(fails, n) or 0.0,
                mean_ms=math.fsum(math.fsum(a) for a in arrays) / n if self.latency else None,
                p99_ms=percentile(sorted(chain.from_iterable(arrays)), 99) if self.latency else None,
            ))
        return steps


def _dedupe(rows: list) -> list:
    """Rows in time order, one per timestamp (the last written wins: Locust may write twice in a second)."""
    by_time = {}
    for row in rows:
        by_time[row.time_s] = row
    return [by_time[t] for t in sorted(by_time)]


class _Rows:
    """A sink that keeps its rows: pre-aggregated files are small (a row a second, or a row per name)."""

    def __init__(self):
        self.rows: list = []

    def _keep(self, row) -> None:
        self.rows.append(row)


class IntervalData(_Rows):
    """The sink for per-interval files (Locust's history): rows, analysed from cumulative totals."""

    interval = _Rows._keep

    def summarise(self, parser, name: str) -> Measured:
        totals, reset_notes = _after_last_reset(_dedupe([r for r in self.rows if r.endpoint == ""]))
        if len(totals) < 2:
            raise refusal(name, None, f"it reads as {parser.label} with {len(totals)} Aggregated row(s); at least "
                                      "two are needed for a rate (Locust writes one a second while it runs); give "
                                      "the history of a run that lasted two seconds or more")
        named = {}
        for row in self.rows:
            if row.endpoint and row.time_s >= totals[0].time_s:
                named.setdefault(row.endpoint, []).append(row)
        full_history = bool(named)
        times = [r.time_s for r in totals]
        t0, t1 = times[0], times[-1]
        notes = reset_notes + list(_INTERVAL_NOTES)
        p99_basis = ("p99 of the last ~10 s at the end of each bucket, as Locust states it (rounded)" if full_history
                     else "p99 since the start of the run at the end of each bucket, as Locust states it (rounded)")

        bucket_s, first_bucket, nb, reqs, fails, rates, last_row = _interval_buckets(totals)
        start_row, end_row = _steady_rows(totals, rates, last_row)
        window = Window(start_row.time_s - t0, end_row.time_s - t0, end_row.time_s - start_row.time_s, WINDOW_RULE)
        between = _Between(start_row, end_row)

        last = totals[-1]
        stated, stated_notes = _whole_run_stated(last, full_history)
        notes += stated_notes

        endpoints = _interval_endpoints(named, start_row, end_row, window.duration_s)
        if not full_history:
            notes.append("Only the Aggregated row is in this history: run Locust with --csv-full-history for "
                         "per-endpoint history, or give _stats.csv for whole-run figures per endpoint.")

        steps = _interval_steps(totals, times, t0)
        throughput = between.requests / window.duration_s if window.duration_s > 0 else None
        return Measured(
            start_utc=_utc(t0), end_utc=_utc(t1), span_s=t1 - t0, window=window,
            requests=between.requests, failures=between.failures, throughput_rps=throughput,
            peak_throughput_rps=max(rates), stated_latency=stated,
            latency=Latency(between.requests, between.mean_ms, None, None, None, None, None, None, None,
                            "the mean is exact for the window (from Locust's cumulative mean); no percentiles "
                            "can be derived for a window", "the response time as Locust measured it"),
            load_max=max(r.users for r in totals),
            endpoints=tuple(endpoints), statuses=(), statuses_scope="", steps=tuple(steps),
            charts=Charts(bucket_s, [(first_bucket + i) * bucket_s - t0 for i in range(nb)], rates,
                          [_pct(f, r) for f, r in zip(fails, reqs)],
                          [dict(r.percentiles_ms).get(99.0) if r is not None else None for r in last_row], p99_basis,
                          [r.users if r is not None else None for r in last_row], [], []),
            notes=notes,
            service_ms=between.mean_ms, service_basis="the mean response time",
            p99_for_inputs=stated.p99_ms if stated is not None else None,
            requests_in_file=last.requests_total, month_extrapolation=False,
            samples=RunSamples((), (), (), window.duration_s, dict(_stated(
                between.requests, between.failures, throughput, between.mean_ms,
                last.percentiles_ms if not full_history else (),
                "counts and mean over the steady window (exact, from the cumulative totals); percentiles as "
                "Locust stated them for the whole run" if not full_history else
                "counts and mean over the steady window (exact); no percentiles for a window"),
                intervals=_window_rows(totals, start_row, end_row)), "intervals", parser.label),
        )


def _window_rows(totals: list, start_row: Interval, end_row: Interval) -> tuple:
    """For compare: the window's rows as (end_s from the window's start, requests, failures, latency_sum_ms).

    Each row covers the time since the row before, its counts and latency
    sum being differences of Locust's cumulative totals (the sum is None
    where a mean is missing); the first row, (0.0, 0, 0, 0.0), opens the window.
    """
    rows = totals[totals.index(start_row):totals.index(end_row) + 1]
    found = [(0.0, 0, 0, 0.0)]
    for prev, row in zip(rows, rows[1:]):
        m0 = prev.mean_ms_total if prev.requests_total else 0.0
        latency_sum = (row.mean_ms_total * row.requests_total - m0 * prev.requests_total
                       if row.mean_ms_total is not None and m0 is not None else None)
        found.append((row.time_s - start_row.time_s, row.requests_total - prev.requests_total,
                      row.failures_total - prev.failures_total, latency_sum))
    return tuple(found)


def _median_gap(times: list) -> float:
    gaps = sorted(b - a for a, b in zip(times, times[1:]) if b > a)
    return gaps[(len(gaps) - 1) // 2] if gaps else 1.0


def _at(rows: list, time_s: float):
    """The last row at or before ``time_s`` (``None`` before the first: nothing counted yet)."""
    i = bisect_right([r.time_s for r in rows], time_s)
    return rows[i - 1] if i else None


# What every analysis of a Locust history says about its figures.
_INTERVAL_NOTES = (
    "Throughput and error rates are differences of Locust's cumulative Total Request Count and "
    "Total Failure Count, so they are exact; the mean response time over a window is derived "
    "exactly from the cumulative Total Average Response Time.",
    "Percentiles over a window cannot be derived from this file: Locust writes pre-aggregated, "
    "rounded percentiles, and percentiles cannot be averaged or subtracted.",
    "Each row's percentile columns are not whole-run figures: Locust 1.x, and Locust 2.x with "
    "--csv-full-history, write the last ~10 s there; Locust 2.x by default writes the run so far "
    "(ramp-up included). The p99 chart shows them as written.",
)


def _after_last_reset(totals: list) -> tuple[list, list]:
    """The Aggregated rows after Locust's last statistics reset, and a note if there was one.

    Locust's web UI has a button that resets its statistics: the counts start
    again, so only the part after the last reset is one run.
    """
    resets = [i for i in range(1, len(totals)) if totals[i].requests_total < totals[i - 1].requests_total]
    if not resets:
        return totals, []
    dropped_s = totals[resets[-1]].time_s - totals[0].time_s
    return totals[resets[-1]:], [f"Locust's statistics were reset {len(resets)} time(s); only the part after the "
                                 f"last reset is analysed (the first {dropped_s:,.0f} s are left out)."]


def _interval_buckets(totals: list) -> tuple:
    """Chart buckets over the rows, each row closing an interval since the previous one.

    Returns (bucket_s, first_bucket, count, requests, failures, rates, last_row): per bucket, the
    requests and failures, the rate over the seconds its intervals cover, and the last row in it.
    """
    t0, t1 = totals[0].time_s, totals[-1].time_s
    bucket_s = _bucket_width(t1 - t0, totals[-1].requests_total - totals[0].requests_total)
    first_bucket = int(t0 // bucket_s)
    nb = int(t1 // bucket_s) - first_bucket + 1
    reqs, fails, secs = [0] * nb, [0] * nb, [0.0] * nb
    last_row = [None] * nb
    for prev, row in zip(totals, totals[1:]):
        b = int(row.time_s // bucket_s) - first_bucket
        reqs[b] += row.requests_total - prev.requests_total
        fails[b] += row.failures_total - prev.failures_total
        secs[b] += row.time_s - prev.time_s
        last_row[b] = row
    rates = [r / s if s else 0.0 for r, s in zip(reqs, secs)]
    return bucket_s, first_bucket, nb, reqs, fails, rates, last_row


def _steady_rows(totals: list, rates: list, last_row: list) -> tuple:
    """The rows that bound the steady window: the one before its first interval, and the last one in it."""
    i0, i1 = steady_window(rates)
    while i0 < i1 and last_row[i0] is None:  # the first bucket may hold only the first row
        i0 += 1
    # The busiest bucket is in the window, and it has rows.
    end_row = next(r for r in reversed(last_row[i0:i1]) if r is not None)
    first_closing = next(r for r in last_row[i0:i1] if r is not None)
    return totals[totals.index(first_closing) - 1], end_row


def _whole_run_stated(last, full_history: bool) -> tuple:
    """Locust's whole-run figures from its last Aggregated row (none with --csv-full-history), and what to note."""
    if full_history:
        return None, ["With --csv-full-history Locust's percentile columns cover only the last ~10 s; "
                      "whole-run percentiles are in _stats.csv."]
    stated = stated_latency(last.requests_total, last.mean_ms_total, last.min_ms_total, last.max_ms_total,
                            last.percentiles_ms, "the whole run including ramp-up, as Locust states it "
                            "in its last Aggregated row (response times rounded to 2 significant digits)")
    if stated.p99_ms is None:
        return stated, []
    return stated, ["Suggested service_p99_ms is Locust's whole-run p99 (rounded, ramp-up included)."]


def _interval_endpoints(named: dict, start_row, end_row, duration_s: float) -> list:
    """Each endpoint's figures over the window, from its own cumulative rows; the busiest first."""
    endpoints = []
    for endpoint, rows in named.items():
        rows = _dedupe(rows)
        d = _Between(_at(rows, start_row.time_s), _at(rows, end_row.time_s))
        endpoints.append(EndpointStats(endpoint, d.requests, d.failures, _pct(d.failures, d.requests),
                                       d.requests / duration_s, d.mean_ms, None, None, None, None))
    endpoints.sort(key=lambda s: (-s.requests, s.endpoint))
    return endpoints


def _interval_steps(totals: list, times: list, t0: float) -> list:
    """The load's plateaus (Locust's user count held), each with its figures from the cumulative totals."""
    steps = []
    for plateau in plateaus([r.users for r in totals], _median_gap(times)):
        a, b = totals[plateau.kept_first], totals[plateau.end - 1]
        d = _Between(a, b)
        if d.duration_s <= 0 or plateau.level <= 0 or d.requests <= 0:
            continue  # no request over the level: rows written after the load stopped are no step
        steps.append(Step(plateau.level, a.time_s - t0, b.time_s - t0, d.requests, d.requests / d.duration_s,
                          _pct(d.failures, d.requests) or 0.0, d.mean_ms, None))
    return steps


class _Between:
    """Requests, failures and the mean response time between two cumulative rows."""

    def __init__(self, a: Interval | None, b: Interval | None):
        c0, f0 = (a.requests_total, a.failures_total) if a else (0, 0)
        c1, f1 = (b.requests_total, b.failures_total) if b else (0, 0)
        self.requests, self.failures = c1 - c0, f1 - f0
        self.duration_s = (b.time_s - a.time_s) if a and b else 0.0
        self.mean_ms = None
        m0 = a.mean_ms_total if a and a.requests_total else 0.0
        m1 = b.mean_ms_total if b else None
        if self.requests > 0 and m0 is not None and m1 is not None:
            # Σ durations = mean × count at each row, so the window's sum is their difference.
            self.mean_ms = max(0.0, (m1 * c1 - m0 * c0) / self.requests)


class TotalData(_Rows):
    """The sink for end-of-test summaries: whole-run figures as the tool states them."""

    total = _Rows._keep

    def summarise(self, parser, name: str) -> Measured:
        whole = [r for r in self.rows if r.endpoint == ""]
        if not whole:
            raise refusal(name, None, f"it reads as {parser.label} with rows per name but none for the whole run; "
                                      "the Aggregated row is missing; give the file as Locust wrote it")
        run = whole[-1]
        tool = "k6" if parser.format == "k6-summary" else "Locust"
        rounding = (" (k6 interpolates between the two nearest samples)" if tool == "k6"
                    else " (Locust rounds response times to 2 significant digits)")
        latency = stated_latency(run.requests, run.mean_ms, run.min_ms, run.max_ms, run.percentiles_ms,
                                 f"the whole run including ramp-up, as {tool} states it{rounding}")
        notes = [f"This is {tool}'s end-of-test summary: whole-run figures, ramp-up and ramp-down included. There "
                 "is no time series in it, so no steady state, no charts and no load steps; only the percentiles "
                 f"{tool} reported are known, and they cannot be recombined."]
        if latency.p99_ms is None:
            notes.append(f"No p99 in this file: {tool} did not report it"
                         + (" (add p(99) to summaryTrendStats)." if tool == "k6" else "."))
        endpoints = tuple(sorted((EndpointStats(r.endpoint, r.requests, r.failures, _pct(r.failures, r.requests)
                                                if r.failures is not None else None, r.rate_rps, r.mean_ms,
                                                dict(r.percentiles_ms).get(50.0), dict(r.percentiles_ms).get(95.0),
                                                dict(r.percentiles_ms).get(99.0), r.max_ms)
                                  for r in self.rows if r.endpoint), key=lambda s: (-(s.requests or 0), s.endpoint)))
        duration = run.duration_s or (run.requests / run.rate_rps if run.requests and run.rate_rps else None)
        return Measured(
            start_utc=None, end_utc=None, span_s=duration, window=None,
            requests=run.requests, failures=run.failures,
            throughput_rps=run.rate_rps, peak_throughput_rps=None, latency=latency,
            load_max=run.concurrency_max, endpoints=endpoints, statuses=(), statuses_scope="", steps=(), charts=None,
            notes=notes, service_ms=run.mean_ms, service_basis="the whole run's mean response time",
            p99_for_inputs=latency.p99_ms, requests_in_file=run.requests, month_extrapolation=False,
            samples=RunSamples((), (), (), duration, _stated(run.requests, run.failures, run.rate_rps, run.mean_ms,
                                                           run.percentiles_ms, latency.basis), "totals",
                               parser.label),
        )
