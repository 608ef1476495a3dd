"""Locust's ``--csv=PREFIX`` files: ``PREFIX_stats.csv`` and ``PREFIX_stats_history.csv``.

Formats implemented, as Locust (1.0 and later) writes them; columns as in
``locust/stats.py`` (``StatsCSV``, ``StatsCSVFileWriter``):

- ``_stats.csv``: ``Type, Name, Request Count, Failure Count, Median
  Response Time, Average Response Time, Min Response Time, Max Response
  Time, Average Content Size, Requests/s, Failures/s``, then one column per
  reported percentile (``50%, 66%, 75%, 80%, 90%, 95%, 98%, 99%, 99.9%,
  99.99%, 100%`` by default); one row per request name and a last row named
  ``Aggregated`` (empty Type) for the whole run. ``Requests/s`` is over the
  whole run, ramp-up included.
- ``_stats_history.csv``: ``Timestamp`` (Unix seconds), ``User Count``,
  ``Type``, ``Name``, ``Requests/s``, ``Failures/s``, the percentile
  columns, ``Total Request Count``, ``Total Failure Count``, ``Total Median
  Response Time``, ``Total Average Response Time``, ``Total Min Response
  Time``, ``Total Max Response Time``, ``Total Average Content Size``; a row
  every second (``CSV_STATS_INTERVAL_SEC``). By default only the
  ``Aggregated`` row is written each time; with ``--csv-full-history``, one
  row per name as well. ``Requests/s`` there is a moving average of about
  the last 10 seconds, so throughput is computed here from the cumulative
  ``Total Request Count`` instead, exactly.

Percentiles are pre-aggregated and rounded: Locust keeps response times
rounded to two significant digits above 100 ms (147 → 150, 3432 → 3400),
so its percentiles are within about 5 % of the exact value, and they cannot
be combined over a window. In the history, the percentile columns are
cumulative since the start by default and cover only the last ~10 seconds
with ``--csv-full-history`` (``_percentile_fields(use_current=full_history)``).
Empty percentiles are written ``N/A``.
"""

from __future__ import annotations

import re

from .csvrows import CsvRows
from .records import Interval, LineError, LineResult, Sample, Total, plausible_time

__all__ = ["LocustStats", "LocustHistory", "LocustRequests"]

_PERCENTILE = re.compile(r"(\d+(?:\.\d+)?)%\Z", re.ASCII)
_AGGREGATED = "Aggregated"
_HISTORY_HEADER = ("Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,"
                   "100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response "
                   "Time,Total Min Response Time,Total Max Response Time,Total Average Content Size")
# Counts, times and rates beyond 10^15 are no measurement but a broken number (and overflow floats).
_MAX_DIGITS = 15


def _number(text: str, column: str, *, whole: bool = False):
    """A number from a Locust cell; ``None`` for N/A (no requests yet)."""
    if text in ("N/A", ""):
        return None
    try:
        value = int(text[:_MAX_DIGITS + 1]) if whole else float(text[:40])
    except ValueError:
        raise LineError(f"{column}: a {'whole ' if whole else ''}number", text) from None
    if not 0 <= value < 10 ** _MAX_DIGITS:
        raise LineError(f"{column}: a number from 0 to 10^{_MAX_DIGITS}", text)
    return value


class _LocustCsv:
    required: tuple = ()
    # Locust writes with Python's default encoding: on Windows, names in Windows-1252 rather than UTF-8.
    legacy_encoding = "cp1252"
    label = ""
    kind = ""
    failure_rule = ("Locust counted a failure (a request that raised, or that the script marked with "
                    "response.failure())")
    timing = None

    def __init__(self, sink, columns: tuple):
        missing = [c for c in self.required if c not in columns]
        if missing:
            raise LineError(f"a header with the columns {', '.join(self.required)} (missing: {', '.join(missing)})",
                            ",".join(columns))
        self.sink = sink
        self.notes = []
        self.rows = CsvRows(",", len(columns), header=True)
        self.index = {name: i for i, name in enumerate(columns)}
        self.percentiles = tuple((float(m.group(1)), i) for i, name in enumerate(columns)
                                 if (m := _PERCENTILE.match(name)))

    @classmethod
    def sniff(cls, line: str):
        if '"' not in line and "," not in line:
            return None
        try:
            columns = CsvRows(",").row(line)
        except LineError:
            return None
        if columns and tuple(columns[:2]) == cls.required[:2]:
            return dict(columns=tuple(columns))
        return None

    @classmethod
    def first_line_rule(cls):
        return f"{cls.label}: a header row {','.join(cls.required)},…"

    def parse(self, line: str) -> LineResult:
        fields = self.rows.fields(line)
        if type(fields) is LineResult:  # the header, or a row whose quoted field goes on
            return fields
        kind, name = fields[self.index["Type"]], fields[self.index["Name"]]
        self.record(fields, "" if (name == _AGGREGATED and not kind) else f"{kind} {name}".strip(), line)
        return LineResult.USED

    def record(self, fields: list, endpoint: str, line: str) -> None:
        """Hand one data row to the sink; ``endpoint`` is "" for the Aggregated row."""
        raise NotImplementedError

    def stated_percentiles(self, fields) -> tuple:
        found = []
        for pct, i in self.percentiles:
            value = _number(fields[i], f"{pct:g}%")
            if value is not None:
                found.append((pct, value))
        return tuple(found)

    def end(self) -> None:
        self.rows.close()


class LocustStats(_LocustCsv):
    """``_stats.csv``: whole-run figures per request name and for all (``Aggregated``)."""

    format = "locust-stats"
    kind = "totals"
    label = "Locust --csv statistics (_stats.csv)"
    required = ("Type", "Name", "Request Count", "Failure Count", "Median Response Time", "Average Response Time",
                "Min Response Time", "Max Response Time", "Requests/s")
    samples = (  # Locust 2.47 --csv, the header and rows as it writes them (tests/fixtures/analyze/locust_stats.csv)
        Sample(",Aggregated,8791,201,18,27.353592753947922,1.3466199998219963,479.57437800050684,10.3,"
               "109.49196349798946,2.5034563375151726,18,26,32,36,49,59,75,110,360,490,490",
               (Total("", 8791, 201, 109.49196349798946, 27.353592753947922, 1.3466199998219963, 479.57437800050684,
                      ((50.0, 18.0), (66.0, 26.0), (75.0, 32.0), (80.0, 36.0), (90.0, 49.0), (95.0, 59.0),
                       (98.0, 75.0), (99.0, 110.0), (99.9, 360.0), (99.99, 490.0), (100.0, 490.0))),),
               before=("Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min "
                       "Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,"
                       "90%,95%,98%,99%,99.9%,99.99%,100%",)),
    )

    def record(self, fields: list, endpoint: str, line: str) -> None:
        col = self.index
        count = _number(fields[col["Request Count"]], "Request Count", whole=True)
        percentiles = self.stated_percentiles(fields)
        median = _number(fields[col["Median Response Time"]], "Median Response Time")
        if median is not None and not any(p == 50 for p, _ in percentiles):
            percentiles = ((50.0, median),) + percentiles
        self.sink.total(Total(
            endpoint=endpoint,
            requests=count,
            failures=_number(fields[col["Failure Count"]], "Failure Count", whole=True),
            rate_rps=_number(fields[col["Requests/s"]], "Requests/s"),
            mean_ms=_number(fields[col["Average Response Time"]], "Average Response Time") if count else None,
            min_ms=_number(fields[col["Min Response Time"]], "Min Response Time") if count else None,
            max_ms=_number(fields[col["Max Response Time"]], "Max Response Time") if count else None,
            percentiles_ms=percentiles,
        ))


class LocustHistory(_LocustCsv):
    """``_stats_history.csv``: cumulative counts every second, with the user count."""

    format = "locust-history"
    kind = "intervals"
    label = "Locust --csv history (_stats_history.csv)"
    load_name = "users"
    required = ("Timestamp", "User Count", "Type", "Name", "Requests/s", "Total Request Count", "Total Failure Count",
                "Total Average Response Time", "Total Min Response Time", "Total Max Response Time")
    samples = (  # Locust 2.47 --csv history rows (tests/fixtures/analyze/locust_stats_history.csv)
        Sample("1795271369,0,,Aggregated,0.000000,0.000000,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,0,0,0,0.0,0,0,0",
               (Interval(1795271369, 0, "", 0, 0, 0.0, 0.0, 0.0, 0.0, ()),), before=(_HISTORY_HEADER,)),
        Sample("1795271370,1,,Aggregated,0.000000,0.000000,14,32,33,36,68,86,86,86,86,86,86,19,0,14,26.69676289473213,"
               "9.576458000083221,86.18202599973301,9.526315789473685",
               (Interval(1795271370, 1, "", 19, 0, 26.69676289473213, 9.576458000083221, 86.18202599973301, 0.0,
                         ((50.0, 14.0), (66.0, 32.0), (75.0, 33.0), (80.0, 36.0), (90.0, 68.0), (95.0, 86.0),
                          (98.0, 86.0), (99.0, 86.0), (99.9, 86.0), (99.99, 86.0), (100.0, 86.0))),),
               before=(_HISTORY_HEADER,)),
        Sample("soon,1,,Aggregated,0.000000,0.000000,14,32,33,36,68,86,86,86,86,86,86,19,0,14,26.6,9.5,86.1,9.5",
               r"Timestamp \(Unix seconds\): a number", before=(_HISTORY_HEADER,)),
    )

    def record(self, fields: list, endpoint: str, line: str) -> None:
        col = self.index
        stamp = _number(fields[col["Timestamp"]], "Timestamp (Unix seconds)")
        users = _number(fields[col["User Count"]], "User Count", whole=True)
        requests = _number(fields[col["Total Request Count"]], "Total Request Count", whole=True)
        failures = _number(fields[col["Total Failure Count"]], "Total Failure Count", whole=True)
        if stamp is None or users is None or requests is None or failures is None:
            raise LineError("Timestamp, User Count, Total Request Count and Total Failure Count", line)
        self.sink.interval(Interval(
            time_s=plausible_time(stamp, fields[col["Timestamp"]]),
            users=users,
            endpoint=endpoint,
            requests_total=requests,
            failures_total=failures,
            mean_ms_total=_number(fields[col["Total Average Response Time"]], "Total Average Response Time"),
            min_ms_total=_number(fields[col["Total Min Response Time"]], "Total Min Response Time"),
            max_ms_total=_number(fields[col["Total Max Response Time"]], "Total Max Response Time"),
            rate_rps=_number(fields[col["Requests/s"]], "Requests/s"),
            percentiles_ms=self.stated_percentiles(fields),
        ))


class LocustRequests(_LocustCsv):
    """Locust 0.x ``--csv=PREFIX``'s ``PREFIX_requests.csv``: whole-run figures per request name, and ``Total``.

    Columns as Locust 0.9–0.14 wrote them, every cell quoted: ``"Method",
    "Name","# requests","# failures","Median response time","Average
    response time","Min response time","Max response time","Average
    Content Size","Requests/s"``; the last row is ``"None","Total"``. No
    percentiles beyond the median (they are in ``_distribution.csv``).
    """

    format = "locust-requests"
    kind = "totals"
    label = "Locust 0.x --csv requests (_requests.csv)"
    required = ("Method", "Name", "# requests", "# failures", "Median response time", "Average response time",
                "Min response time", "Max response time", "Requests/s")
    samples = (
        Sample('"None","Total","8791","201","18","27","1","479","10","109.49"',
               (Total("", 8791, 201, 109.49, 27.0, 1.0, 479.0, ((50.0, 18.0),)),),
               before=('"Method","Name","# requests","# failures","Median response time","Average response time",'
                       '"Min response time","Max response time","Average Content Size","Requests/s"',)),
    )

    @classmethod
    def sniff(cls, line: str):
        if not line.startswith('"Method","Name","# requests"') and not line.startswith("Method,Name,# requests"):
            return None
        try:
            return {"columns": tuple(CsvRows(",").row(line) or ())}
        except LineError:
            return None

    def parse(self, line: str) -> LineResult:
        fields = self.rows.fields(line)
        if type(fields) is LineResult:
            return fields
        method, name = fields[self.index["Method"]], fields[self.index["Name"]]
        self.record(fields, "" if (name == "Total" and method in ("None", "")) else f"{method} {name}".strip(), line)
        return LineResult.USED

    def record(self, fields: list, endpoint: str, line: str) -> None:
        col = self.index
        count = _number(fields[col["# requests"]], "# requests", whole=True)
        median = _number(fields[col["Median response time"]], "Median response time")
        self.sink.total(Total(
            endpoint=endpoint, requests=count,
            failures=_number(fields[col["# failures"]], "# failures", whole=True),
            rate_rps=_number(fields[col["Requests/s"]], "Requests/s"),
            mean_ms=_number(fields[col["Average response time"]], "Average response time") if count else None,
            min_ms=_number(fields[col["Min response time"]], "Min response time") if count else None,
            max_ms=_number(fields[col["Max response time"]], "Max response time") if count else None,
            percentiles_ms=((50.0, median),) if median is not None and count else (),
        ))
