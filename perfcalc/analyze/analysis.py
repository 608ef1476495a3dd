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

Little's law: the mean number of requests in flight is throughput × mean
response time over the same window (J. D. C. Little, "A Proof for the
Queuing Formula L = λW", Operations Research 9(3), 1961).
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from datetime import datetime, timezone
from itertools import chain, compress, repeat

from ..spec import PerfcalcError
from .records import Interval
from .samples import RunSamples
from .stats import STEADY_FRACTION, SortedRuns, log_bin_edges, percentile, plateaus, steady_window
from .summary import Charts, EndpointStats, Latency, Step, Window

__all__ = ["RequestData", "IntervalData", "TotalData", "MAX_ENDPOINTS", "MAX_CHART_BUCKETS"]

# Requests are paged by time; when there are more pages than this, pages
# widen to the next step of the ladder (each divides the next), so a week
# of log costs no more page overhead than an hour.
MAX_PAGES = 4096
PAGE_LADDER_S = (1, 5, 10, 30, 60, 300, 600, 1800, 3600, 21600, 86400)
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
_NO_UPSTREAM = -1.0  # in the upstream arrays: "-", no upstream asked (sorts first, so it is cut off in C)


def _utc(t: float | None) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _bucket_width(span_s: float, requests: int, multiple_of: float = 1) -> int:
    """The narrowest chart bucket on the ladder that keeps the chart small and each bucket well filled."""
    span_s = max(span_s, 1e-9)
    for width in BUCKET_LADDER_S:
        if (width % multiple_of == 0 and math.ceil(span_s / width) <= MAX_CHART_BUCKETS
                and requests * min(width, span_s) / span_s >= MIN_REQUESTS_PER_BUCKET):
            return width
    return BUCKET_LADDER_S[-1]


def _pct(part, whole) -> float | None:
    return 100.0 * part / whole if whole else None


def _latency(runs: SortedRuns, basis: str) -> Latency | None:
    if not runs.count:
        return None
    p = runs.percentile
    return Latency(runs.count, runs.sum() / runs.count, runs.min, p(50), p(90), p(95), p(99), p(99.9), runs.max, basis)


def stated_latency(count, mean_ms, min_ms, max_ms, percentiles: tuple, basis: str) -> Latency:
    """A :class:`Latency` from figures a tool reported: only the percentiles it gave."""
    given = dict(percentiles)
    return Latency(count, mean_ms, min_ms, given.get(50.0), given.get(90.0), given.get(95.0), given.get(99.0),
                   given.get(99.9), max_ms, basis)


class _Page:
    """The requests of one page of time, as parallel compact arrays."""

    __slots__ = ("durations", "endpoints", "failed", "upstream", "low", "high")

    def __init__(self, upstream: bool):
        self.durations = array("d")
        self.endpoints = array("H")
        self.failed = array("B")
        self.upstream = array("d") if upstream else None
        self.low = self.high = None  # the load level seen within the page

    def absorb(self, other: _Page) -> None:
        self.durations.extend(other.durations)
        self.endpoints.extend(other.endpoints)
        self.failed.extend(other.failed)
        if self.upstream is not None:
            self.upstream.extend(other.upstream)
        if other.low is not None:
            self.low = other.low if self.low is None else min(self.low, other.low)
            self.high = other.high if self.high is None else max(self.high, other.high)


class RequestData:
    """The sink for per-request files: compact per-page arrays, then :meth:`summarise`."""

    def __init__(self, upstream: bool = False):
        self.upstream = upstream
        self.page_s = PAGE_LADDER_S[0]
        self.pages: dict[int, _Page] = {}
        self.endpoint_index: dict[str, int] = {}
        self.endpoint_names: list[str] = []
        self.statuses: dict[str, int] = {}
        self.t_min = math.inf
        self.t_max = -math.inf
        self.other_endpoint_requests = 0

    # -- the sink -----------------------------------------------------------

    def request(self, time_s, duration_ms, failed, status, endpoint, concurrency, upstream_ms=None):
        page = self.pages.get(int(time_s // self.page_s))
        if page is None:
            page = self._page(time_s)
        page.durations.append(duration_ms)
        e = self.endpoint_index.get(endpoint)
        if e is None:
            e = self._endpoint(endpoint)
        page.endpoints.append(e)
        page.failed.append(failed)
        if page.upstream is not None:
            page.upstream.append(_NO_UPSTREAM if upstream_ms is None else upstream_ms)
        if concurrency is not None:
            if page.low is None or concurrency < page.low:
                page.low = concurrency
            if page.high is None or concurrency > page.high:
                page.high = concurrency
        n = self.statuses.get(status)
        if n is None:
            if len(self.statuses) >= MAX_STATUSES:
                status = OTHER_STATUSES
            elif len(status) > MAX_NAME_CHARS:
                status = status[:MAX_NAME_CHARS - 1] + "…"
            n = self.statuses.get(status, 0)
        self.statuses[status] = n + 1
        if time_s < self.t_min:
            self.t_min = time_s
        if time_s > self.t_max:
            self.t_max = time_s

    def load_level(self, time_s, level):
        page = self.pages.get(int(time_s // self.page_s)) or self._page(time_s)
        page.low = level if page.low is None else min(page.low, level)
        page.high = level if page.high is None else max(page.high, level)

    def _page(self, time_s) -> _Page:
        while len(self.pages) >= MAX_PAGES and self.page_s < PAGE_LADDER_S[-1]:
            self._widen()
        key = int(time_s // self.page_s)
        page = self.pages.get(key)
        if page is None:
            page = self.pages[key] = _Page(self.upstream)
        return page

    def _widen(self) -> None:
        old = self.page_s
        self.page_s = PAGE_LADDER_S[PAGE_LADDER_S.index(old) + 1]
        pages = {}
        for key in sorted(self.pages):
            new_key = key * old // self.page_s
            page = pages.get(new_key)
            if page is None:
                pages[new_key] = self.pages[key]
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

    # -- the analysis -------------------------------------------------------

    def summarise(self, parser, name: str, samples: bool = False) -> dict:
        """The :class:`~.summary.Summary` fields this data gives (the analyzer adds the file's own)."""
        count = sum(len(p.durations) for p in self.pages.values())
        if not count:
            raise PerfcalcError(f"{name}: no requests in the file; expected {parser.first_line_rule()} "
                                "with at least one request")
        notes = [f"Times are {parser.time_meaning}.", f"A request failed when: {parser.failure_rule}."]
        t0, extent_end = self.t_min, self.t_max + parser.time_resolution_s
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
        i0, i1 = steady_window([c / bucket_s for c in counts])
        w_start = float(max(t0, (first_bucket + i0) * bucket_s))
        w_end = float(min(extent_end, (first_bucket + i1) * bucket_s))
        window = Window(w_start - t0, w_end - t0, w_end - w_start, WINDOW_RULE)

        steps = self._steps(t0, parser)  # before the pages' arrays are released below
        run_samples = self._run_samples(parser, first_bucket, per, i0, i1, t0, window) if samples else None
        levels = [max((p.high for p in group if p.high is not None), default=None) for group in buckets]

        p99s, window_runs, upstream_runs = [], [], []
        by_endpoint: dict[int, list] = {}
        endpoint_failures = [0] * len(self.endpoint_names)
        split_endpoints = len(self.endpoint_names) > 1
        for i, group in enumerate(buckets):
            if not group:
                p99s.append(None)
                continue
            run = array("d", sorted(chain.from_iterable(p.durations for p in group)))
            p99s.append(percentile(run, 99))
            if i0 <= i < i1:
                window_runs.append(run)
                if split_endpoints:
                    self._split(group, by_endpoint, endpoint_failures)
                if self.upstream:
                    ups = sorted(chain.from_iterable(p.upstream for p in group))
                    upstream_runs.append(array("d", ups[bisect_left(ups, 0.0):]))  # without the -1: not logged
            for p in group:  # released as soon as read: memory falls while the summary builds
                p.durations = p.endpoints = p.failed = p.upstream = None

        runs = SortedRuns(window_runs)
        w_requests = runs.count
        w_failures = sum(failures[i0:i1])
        throughput = w_requests / window.duration_s if window.duration_s > 0 else None
        latency = _latency(runs, f"exact, from the {w_requests:,} requests in the steady window "
                                 "(nearest-rank percentiles)")
        upstream = _latency(SortedRuns(upstream_runs), "exact, from $upstream_response_time in the steady window"
                            ) if self.upstream else None
        if split_endpoints:
            endpoints = [self._endpoint_stats(self.endpoint_names[e], SortedRuns(rs), endpoint_failures[e],
                                              window.duration_s) for e, rs in by_endpoint.items()]
        elif self.endpoint_names[0]:
            endpoints = [self._endpoint_stats(self.endpoint_names[0], runs, w_failures, window.duration_s)]
        else:
            endpoints = []
        endpoints.sort(key=lambda s: (-s.requests, s.endpoint))
        if OTHER_ENDPOINTS in self.endpoint_index:
            notes.append(f"Only {MAX_ENDPOINTS - 1} distinct endpoints are told apart; the rest are counted "
                         f"together as {OTHER_ENDPOINTS}.")
        edges, histogram = self._histogram(runs)
        if throughput is None:
            notes.append("All requests carry the same timestamp: throughput needs a longer span.")
        return dict(
            start_utc=_utc(t0), end_utc=_utc(self.t_max), span_s=extent_end - t0, window=window,
            requests=w_requests, failures=w_failures, error_rate_pct=_pct(w_failures, w_requests),
            throughput_rps=throughput, peak_throughput_rps=max(counts) / bucket_s,
            latency=latency, upstream_latency=upstream,
            mean_concurrency=throughput * latency.mean_ms / 1000.0 if throughput is not None else None,
            load_max=max((p.high for p in self.pages.values() if p.high is not None), default=None),
            endpoints=tuple(endpoints),
            statuses=tuple(sorted(self.statuses.items(), key=lambda kv: (-kv[1], kv[0]))),
            steps=tuple(steps),
            charts=Charts(bucket_s, [(first_bucket + i) * bucket_s - t0 for i in range(len(buckets))],
                          [c / bucket_s for c in counts], [_pct(f, c) for f, c in zip(failures, counts)], p99s,
                          "exact p99 of each bucket's requests", levels if any(v is not None for v in levels) else [],
                          edges, histogram),
            notes=notes,
            service_ms=upstream.mean_ms if upstream is not None else (latency.mean_ms if latency else None),
            service_basis="the mean $upstream_response_time (the application's time, as nginx saw it)"
                          if upstream is not None else "the mean response time",
            p99_for_inputs=upstream.p99_ms if upstream is not None else (latency.p99_ms if latency else None),
            requests_in_file=count, month_extrapolation=parser.kind == "requests" and parser.format in (
                "nginx", "gunicorn"),
            samples=run_samples,
        )

    def _run_samples(self, parser, first_bucket, per, i0, i1, t0, window) -> RunSamples:
        """The window's requests in time order, for ``compare`` (copied before the pages are released).

        Times are the start of each request's page of time, in seconds from the file's first timestamp.
        """
        latency, failed, times = array("d"), array("B"), array("d")
        for key in sorted(self.pages):
            if i0 <= key // per - first_bucket < i1:
                page = self.pages[key]
                latency.extend(page.durations)
                failed.extend(page.failed)
                times.extend(repeat(max(0.0, key * self.page_s - t0), len(page.durations)))
        return RunSamples(latency, failed, times, window.duration_s, None, parser.kind, parser.label)

    def _split(self, group, by_endpoint, endpoint_failures) -> None:
        """Sort one bucket's durations per endpoint: each endpoint's window becomes sorted runs."""
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
            duration = len(measured) * self.page_s
            fails = sum(sum(p.failed) for p in measured if p is not None)
            steps.append(Step(
                level=plateau.level,
                start_s=keys[plateau.kept_first] * self.page_s - t0,
                end_s=(keys[plateau.end - 2] + 1) * self.page_s - t0,
                requests=n, throughput_rps=n / duration, error_rate_pct=_pct(fails, n) or 0.0,
                mean_ms=math.fsum(math.fsum(a) for a in arrays) / n if n else None,
                p99_ms=percentile(sorted(chain.from_iterable(arrays)), 99) if n else None,
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

    def summarise(self, parser, name: str, samples: bool = False) -> dict:
        totals = _dedupe([r for r in self.rows if r.endpoint == ""])
        reset_notes = []
        resets = [i for i in range(1, len(totals)) if totals[i].requests_total < totals[i - 1].requests_total]
        if resets:
            # Locust's statistics were reset (its web UI has a button for it): the counts
            # start again, so only the part after the last reset is one run.
            dropped_s = totals[resets[-1]].time_s - totals[0].time_s
            totals = totals[resets[-1]:]
            reset_notes.append(f"Locust's statistics were reset {len(resets)} time(s); only the part after the last "
                               f"reset is analysed (the first {dropped_s:,.0f} s are left out).")
        if len(totals) < 2:
            raise PerfcalcError(f"{name}: expected at least two Aggregated rows (one a second while Locust runs), "
                                f"found {len(totals)}")
        named = {}
        for row in self.rows:
            if row.endpoint and row.time_s >= totals[0].time_s:
                named.setdefault(row.endpoint, []).append(row)
        full_history = bool(named)
        times = [r.time_s for r in totals]
        t0, t1 = times[0], times[-1]
        notes = reset_notes + [
                 "Throughput and error rates are differences of Locust's cumulative Total Request Count and "
                 "Total Failure Count, so they are exact; the mean response time over a window is derived "
                 "exactly from the cumulative Total Average Response Time.",
                 "Percentiles over a window cannot be derived from this file: Locust writes pre-aggregated, "
                 "rounded percentiles, and percentiles cannot be averaged or subtracted."]
        p99_basis = ("p99 of the last ~10 s at the end of each bucket, as Locust states it (rounded)" if full_history
                     else "p99 since the start of the run at the end of each bucket, as Locust states it (rounded)")

        # Chart buckets: each row closes an interval since the previous row.
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
        i0, i1 = steady_window(rates)
        while i0 < i1 and last_row[i0] is None:  # the first bucket may hold only the first row
            i0 += 1
        # The window runs from the row before its first interval to the last row in it
        # (the busiest bucket is in the window, and it has rows).
        end_row = next(r for r in reversed(last_row[i0:i1]) if r is not None)
        first_closing = next(r for r in last_row[i0:i1] if r is not None)
        start_row = totals[totals.index(first_closing) - 1]
        window = Window(start_row.time_s - t0, end_row.time_s - t0, end_row.time_s - start_row.time_s, WINDOW_RULE)
        between = _Between(start_row, end_row)

        last = totals[-1]
        stated = None
        if not full_history:
            stated = stated_latency(last.requests_total, last.mean_ms_total, last.min_ms_total, last.max_ms_total,
                                    last.percentiles_ms, "the whole run including ramp-up, as Locust states it "
                                    "in its last Aggregated row (response times rounded to 2 significant digits)")
            if stated.p99_ms is not None:
                notes.append("Suggested service_p99_ms is Locust's whole-run p99 (rounded, ramp-up included).")
        else:
            notes.append("With --csv-full-history Locust's percentile columns cover only the last ~10 s; "
                         "whole-run percentiles are in _stats.csv.")

        endpoints = []
        for endpoint, rows in named.items():
            rows = _dedupe(rows)
            d = _Between(_at(rows, start_row.time_s), _at(rows, end_row.time_s))
            endpoints.append(EndpointStats(endpoint, d.requests, d.failures, _pct(d.failures, d.requests),
                                           d.requests / window.duration_s, d.mean_ms, None, None, None, None))
        endpoints.sort(key=lambda s: (-s.requests, s.endpoint))
        if not full_history:
            notes.append("Only the Aggregated row is in this history: run Locust with --csv-full-history for "
                         "per-endpoint history, or give _stats.csv for whole-run figures per endpoint.")

        steps = []
        for plateau in plateaus([r.users for r in totals], _median_gap(times)):
            a, b = totals[plateau.kept_first], totals[plateau.end - 1]
            d = _Between(a, b)
            if d.duration_s <= 0 or plateau.level <= 0:
                continue
            steps.append(Step(plateau.level, a.time_s - t0, b.time_s - t0, d.requests, d.requests / d.duration_s,
                              _pct(d.failures, d.requests) or 0.0, d.mean_ms, None))
        return dict(
            start_utc=_utc(t0), end_utc=_utc(t1), span_s=t1 - t0, window=window,
            requests=between.requests, failures=between.failures,
            error_rate_pct=_pct(between.failures, between.requests),
            throughput_rps=between.requests / window.duration_s if window.duration_s > 0 else None,
            peak_throughput_rps=max(rates), stated_latency=stated,
            latency=Latency(between.requests, between.mean_ms, None, None, None, None, None, None, None,
                            "the mean is exact for the window (from Locust's cumulative mean); no percentiles "
                            "can be derived for a window"),
            upstream_latency=None,
            mean_concurrency=(between.requests / window.duration_s * between.mean_ms / 1000.0
                              if window.duration_s > 0 and between.mean_ms is not None else None),
            load_max=max(r.users for r in totals),
            endpoints=tuple(endpoints), statuses=(), steps=tuple(steps),
            charts=Charts(bucket_s, [(first_bucket + i) * bucket_s - t0 for i in range(nb)], rates,
                          [_pct(f, r) for f, r in zip(fails, reqs)],
                          [dict(r.percentiles_ms).get(99.0) if r is not None else None for r in last_row], p99_basis,
                          [r.users if r is not None else None for r in last_row], [], []),
            notes=notes,
            service_ms=between.mean_ms, service_basis="the mean response time",
            p99_for_inputs=stated.p99_ms if stated is not None else None,
            requests_in_file=last.requests_total, month_extrapolation=False,
            samples=_interval_samples(parser, totals, start_row, end_row, between, stated) if samples else None,
        )


def _median_gap(times: list) -> float:
    gaps = sorted(b - a for a, b in zip(times, times[1:]) if b > a)
    return gaps[(len(gaps) - 1) // 2] if gaps else 1.0


def _at(rows: list, time_s: float):
    """The last row at or before ``time_s`` (``None`` before the first: nothing counted yet)."""
    i = bisect_right([r.time_s for r in rows], time_s)
    return rows[i - 1] if i else None


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

    def summarise(self, parser, name: str, samples: bool = False) -> dict:
        whole = [r for r in self.rows if r.endpoint == ""]
        if not whole:
            raise PerfcalcError(f"{name}: expected a row for the whole run (Locust's Aggregated row), found none")
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
        return dict(
            start_utc=None, end_utc=None, span_s=duration, window=None,
            requests=run.requests, failures=run.failures,
            error_rate_pct=_pct(run.failures, run.requests) if run.failures is not None else None,
            throughput_rps=run.rate_rps, peak_throughput_rps=None, latency=latency, stated_latency=None,
            upstream_latency=None,
            mean_concurrency=(run.rate_rps * run.mean_ms / 1000.0
                              if run.rate_rps is not None and run.mean_ms is not None else None),
            load_max=run.concurrency_max, endpoints=endpoints, statuses=(), steps=(), charts=None, notes=notes,
            service_ms=run.mean_ms, service_basis="the whole run's mean response time",
            requests_in_file=run.requests, month_extrapolation=False,
            samples=_stated_samples(parser, duration, dict(
                requests=run.requests, failures=run.failures, throughput_rps=run.rate_rps, mean_ms=run.mean_ms,
                percentiles_ms=_stated_percentiles(latency), basis=latency.basis, intervals=None))
            if samples else None,
        )


# -- for compare (perfcalc.analyze.samples) ------------------------------------------

def _stated_samples(parser, duration_s, stated: dict) -> RunSamples:
    return RunSamples(array("d"), array("B"), array("d"), duration_s or 0.0, stated, parser.kind, parser.label)


def _stated_percentiles(latency: Latency | None) -> dict:
    if latency is None:
        return {}
    found = {"50": latency.p50_ms, "90": latency.p90_ms, "95": latency.p95_ms, "99": latency.p99_ms}
    return {p: ms for p, ms in found.items() if ms is not None}


def _interval_samples(parser, totals, start_row, end_row, between, stated_whole) -> RunSamples:
    """Locust's window as its rows (each the interval since the row before) and the figures it states."""
    rows = totals[totals.index(start_row):totals.index(end_row) + 1]
    intervals = [(0.0, 0, 0, 0.0)]
    for prev, row in zip(rows, rows[1:]):
        m0 = prev.mean_ms_total if prev.requests_total else 0.0
        latency_sum = (row.mean_ms_total * row.requests_total - m0 * prev.requests_total
                       if row.mean_ms_total is not None and m0 is not None else None)
        intervals.append((row.time_s - start_row.time_s, row.requests_total - prev.requests_total,
                          row.failures_total - prev.failures_total, latency_sum))
    duration = end_row.time_s - start_row.time_s
    return _stated_samples(parser, duration, dict(
        requests=between.requests, failures=between.failures,
        throughput_rps=between.requests / duration if duration > 0 else None, mean_ms=between.mean_ms,
        percentiles_ms=_stated_percentiles(stated_whole), basis=stated_whole.basis if stated_whole else None,
        intervals=tuple(intervals)))
