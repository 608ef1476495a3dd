"""k6: the per-sample JSON lines (``--out json=FILE``) and the end-of-test summary JSON.

Formats implemented, as the k6 documentation defines them:

- "JSON" real-time output (grafana.com/docs/k6, Results output → Real-time
  → JSON): one JSON object per line, ``{"type": "Metric", …}`` declaring a
  metric or ``{"type": "Point", "metric": NAME, "data": {"time": RFC 3339,
  "value": …, "tags": {…}}}`` for one sample; key order varies between k6
  versions, and the file may be gzipped (``--out json=FILE.gz``). Used:
  ``http_req_duration`` points (one per HTTP request; value in ms; time =
  when the response ended, k6's ``Trail.EndTime``; tags ``method``,
  ``name`` — the URL unless the script names it —, ``status``,
  ``expected_response``) and ``vus`` points (the VUs running, emitted every
  second). A request failed when its ``expected_response`` tag is
  ``"false"`` (k6's default: status outside 200–399, or the script's
  ``responseCallback``); without that tag (k6 before 0.31), when its status
  is outside 200–399. Every other metric's points are valid and ignored.
- The end-of-test summary (Results output → End of test → Custom summary):
  the ``data`` object ``handleSummary()`` receives, as
  ``JSON.stringify(data)`` writes it (``metrics.NAME.values``, and
  ``state.testRunDurationMs``); the legacy ``--summary-export`` file (the
  same metrics with their values flattened into ``metrics.NAME``, rate
  metrics' ``rate`` renamed ``value``, no ``state``); and the
  machine-readable summary of k6 1.5+ (``--new-machine-readable-summary``,
  default in k6 2: ``results.metrics`` a list, ``config.duration`` in
  seconds). It is aggregated over the whole run: ``http_req_duration``'s
  avg, min, med, max and the percentiles ``summaryTrendStats`` asked for
  (``p(90)`` and ``p(95)`` by default: no p99 unless exported), the
  ``http_reqs`` count and rate, and ``http_req_failed``'s rate (the share
  of requests that failed). No time series, so no steady state, no load
  steps, no percentiles other than those stated.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from .records import (CLIENT, LineError, LineResult, LoadLevel, Request, Sample, Timing, Total, json_object,
                      plausible_duration, plausible_time)

__all__ = ["K6Json", "K6Summary", "K6Csv", "rfc3339_s"]

_RFC3339 = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:\d\d)\Z",
                      re.ASCII)
_POINT_RULE = 'a JSON object per line, as k6 --out json writes ({"type":"Point","metric":…,"data":{…}})'
# A summary is a few kilobytes; past this it is no k6 summary, and it is not buffered.
MAX_SUMMARY_BYTES = 16 << 20
_CACHE_LIMIT = 20_000


def rfc3339_s(text: str, cache=None) -> float:
    """Unix time of an RFC 3339 timestamp as k6 writes it (nanoseconds, any offset).

    >>> rfc3339_s("2017-05-09T14:34:45.625742514+02:00")
    1494333285.6257424
    >>> rfc3339_s("2021-02-24T13:37:10Z")
    1614173830.0
    """
    m = _RFC3339.match(text) if isinstance(text, str) else None
    if m is None:
        raise LineError('"time": an RFC 3339 timestamp like 2017-05-09T14:34:45.625742514+02:00', str(text))
    whole = _whole_second(text[:19], m.group(8))  # every sample within a second shares this part
    fraction = m.group(7)
    return whole + int(fraction) / 10 ** len(fraction) if fraction else whole


@lru_cache(maxsize=_CACHE_LIMIT)
def _whole_second(stamp: str, zone: str) -> float:
    """Unix time of ``YYYY-MM-DDTHH:MM:SS`` at a zone ``Z`` or ``±HH:MM``."""
    offset = timedelta(0) if zone in "Zz" else (1 if zone[0] == "+" else -1) * timedelta(
        hours=int(zone[1:3]), minutes=int(zone[4:6]))
    try:
        whole = datetime(int(stamp[0:4]), int(stamp[5:7]), int(stamp[8:10]), int(stamp[11:13]), int(stamp[14:16]),
                         int(stamp[17:19]), tzinfo=timezone(offset)).timestamp()
    except ValueError:
        raise LineError('"time": a valid date and time', stamp + zone) from None
    return plausible_time(whole, stamp + zone)


def _number(value, what: str) -> float:
    """A JSON number from 0 to 10^15 (beyond that, a broken file: a float would overflow)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1e15:
        raise LineError(f"{what}: a number from 0 to 10^15", json.dumps(value)[:60])
    return value + 0.0  # -0.0 becomes 0.0


class K6Json:
    """k6's JSON lines: ``http_req_duration`` points are requests, ``vus`` points the load level."""

    format = "k6-json"
    kind = "requests"
    label = "k6 JSON lines (--out json)"
    time_resolution_s = 0.001
    time_meaning = "the end of each request (k6 stamps HTTP samples when the response ends)"
    failure_rule = 'expected_response = "false" (k6: status outside 200–399 unless the script says otherwise)'
    load_name = "VUs"
    samples = (  # lines as k6 v0.49 writes them (the key order of k6 v0.47+), and a cut line
        Sample('{"metric":"http_req_duration","type":"Point","data":{"time":"2024-03-10T08:00:01.157+01:00",'
               '"value":48.51,"tags":{"expected_response":"true","group":"","method":"GET","name":'
               '"https://shop.test/api/items","proto":"HTTP/1.1","scenario":"default","status":"200"}}}',
               (Request(1710054001.157, 48.51, False, "200", "GET https://shop.test/api/items", None),)),
        Sample('{"metric":"vus","type":"Point","data":{"time":"2024-03-10T08:00:01Z","value":3,"tags":null}}',
               (LoadLevel(1710057601.0, 3),)),
        Sample('{"metric":"http_reqs","type":"Point","data":{"time":"2024-03-10T08:00:01Z","value":1}}',
               LineResult.IGNORED),
        Sample('{"metric":"http_req_duration","type":"Point","data":{"time":"2024-03-10T08:00:01Z","val',
               "a JSON object per line"),
    )
    timing = Timing("http_req_duration", CLIENT, "k6's http_req_duration: from sending the request to receiving "
                                                 "the response's last byte, as the load generator saw it (DNS, "
                                                 "connecting and TLS not included)")

    def __init__(self, sink):
        self.sink = sink
        self.notes = []
        self._untagged = 0

    @classmethod
    def sniff(cls, line: str):
        obj = json_object(line)
        return {} if obj is not None and obj.get("type") in ("Metric", "Point") and "metric" in obj else None

    @classmethod
    def first_line_rule(cls):
        return _POINT_RULE

    def parse(self, line: str) -> LineResult:
        # Most lines are other metrics (about a dozen per request): tell them
        # apart without decoding them, but never let a cut line pass.
        if '"http_req_duration"' not in line and '"vus"' not in line:
            if line.startswith("{") and line.endswith("}"):
                return LineResult.IGNORED
            raise LineError(_POINT_RULE)
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested past the parser's depth
            raise LineError(_POINT_RULE) from None
        if not isinstance(obj, dict) or obj.get("type") not in ("Point", "Metric"):
            raise LineError(_POINT_RULE)
        metric = obj.get("metric")
        if obj["type"] != "Point" or metric not in ("http_req_duration", "vus"):
            return LineResult.IGNORED
        data = obj.get("data")
        if not isinstance(data, dict):
            raise LineError('"data": an object with time, value and tags')
        time_s = rfc3339_s(data.get("time"))
        value = _number(data.get("value"), f"the value of a {metric} point")
        if metric == "vus":
            self.sink.load_level(time_s, int(value))
            return LineResult.USED
        plausible_duration(value, str(value))
        tags = data.get("tags") or {}
        if not isinstance(tags, dict):
            raise LineError('"tags": an object')
        status = str(tags.get("status", ""))
        expected = tags.get("expected_response")
        if expected is None:
            self._untagged += 1
            failed = not (len(status) == 3 and "200" <= status <= "399")
        else:
            failed = expected == "false"
        name = tags.get("name") or tags.get("url") or ""
        endpoint = f"{tags.get('method', '')} {name}".strip()
        self.sink.request(time_s, value, failed, status, endpoint, None)
        return LineResult.USED

    def end(self) -> None:
        if self._untagged:
            self.notes.append(f"{self._untagged:,} requests have no expected_response tag (k6 before 0.31): "
                              "they failed when their status is outside 200–399.")


def _percentile_key(key: str):
    if key == "med":
        return 50.0
    m = re.fullmatch(r"p\((\d+(?:\.\d+)?)\)", key, re.ASCII)
    return float(m.group(1)) if m else None


class K6Summary:
    """k6's end-of-test summary JSON (``handleSummary`` data, ``--summary-export``, or machine-readable)."""

    format = "k6-summary"
    kind = "totals"
    whole_document = True  # one JSON document over any number of lines
    failure_rule = "k6's http_req_failed (status outside 200–399 unless the script says otherwise)"
    label = "k6 end-of-test summary JSON"
    timing = None
    samples = ()  # one document over many lines: its fixtures are read whole (tests/analyze/test_k6.py)

    def __init__(self, sink):
        self.sink = sink
        self.notes = []
        self._parts = []
        self._size = 0
        self._first = None

    @classmethod
    def sniff(cls, line: str):
        text = line.strip()
        if not text.startswith("{"):
            return None
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError):
            # A document over several lines (--summary-export indents it): the
            # start of an object, checked whole at the end.
            return {} if text in ("{", "{}") or re.match(r'\{\s*"(root_group|metrics|version|options|state)"',
                                                           text) else None
        return {} if isinstance(obj, dict) and ("metrics" in obj or "results" in obj) else None

    @classmethod
    def first_line_rule(cls):
        return 'a k6 summary JSON object ({"metrics": …} from handleSummary or --summary-export)'

    def parse(self, line: str) -> LineResult:
        self._size += len(line) + 1
        if self._size > MAX_SUMMARY_BYTES:
            raise LineError(f"a k6 summary of at most {MAX_SUMMARY_BYTES >> 20} MiB")
        self._parts.append(line)
        return LineResult.USED

    def end(self) -> None:
        text = "\n".join(self._parts)
        self._parts = []
        try:
            doc = json.loads(text)
        except RecursionError:
            raise LineError("a k6 summary JSON object (this one nests deeper than any summary)",
                            text[:60]) from None
        except json.JSONDecodeError as exc:
            line = text[:exc.pos].count("\n") + 1
            error = LineError(f"a complete JSON document (k6's summary), not {exc.msg.lower()}",
                              text.split("\n")[line - 1] if text else "nothing")
            error.line = line
            raise error from None
        except ValueError:  # an integer of thousands of digits (Python's int_max_str_digits): no position given
            raise LineError("a k6 summary's numbers (this one has an integer thousands of digits long)",
                            text[:60]) from None
        metrics, duration_s = self._metrics(doc)
        self._totals(metrics, duration_s)

    @staticmethod
    def _metrics(doc):
        if not isinstance(doc, dict):
            raise LineError('a JSON object with "metrics"', json.dumps(doc)[:60])
        results = doc.get("results")
        if isinstance(results, dict) and isinstance(results.get("metrics"), list):
            metrics = {m.get("name"): m.get("values") for m in results["metrics"] if isinstance(m, dict)}
            config = doc.get("config") if isinstance(doc.get("config"), dict) else {}
            duration = config.get("duration")
            return metrics, duration if isinstance(duration, (int, float)) and duration > 0 else None
        metrics = doc.get("metrics")
        if not isinstance(metrics, dict):
            raise LineError('a JSON object with "metrics" (k6\'s end-of-test summary)',
                            ", ".join(list(doc)[:6]) or "{}")
        flat = {name: (m.get("values") if isinstance(m, dict) and isinstance(m.get("values"), dict) else m)
                for name, m in metrics.items()}
        state = doc.get("state") if isinstance(doc.get("state"), dict) else {}
        ms = state.get("testRunDurationMs")
        return flat, ms / 1000.0 if isinstance(ms, (int, float)) and ms > 0 else None

    def _totals(self, metrics: dict, duration_s):
        reqs, dur = metrics.get("http_reqs"), metrics.get("http_req_duration")
        if not isinstance(reqs, dict) or not isinstance(dur, dict):
            raise LineError("the metrics http_reqs and http_req_duration (a test that made HTTP requests)",
                            ", ".join(sorted(str(k) for k in metrics)[:8]))
        count = reqs.get("count")
        count = int(_number(count, "http_reqs count"))
        rate = _number(reqs.get("rate"), "http_reqs rate") if reqs.get("rate") is not None else None
        failed = metrics.get("http_req_failed")
        failures = None
        if isinstance(failed, dict):
            share = failed.get("rate", failed.get("value"))  # the share of requests that failed
            if share is not None:
                failures = round(_number(share, "http_req_failed rate") * count)
        vus = metrics.get("vus_max") or metrics.get("vus")
        vus_max = vus.get("max") if isinstance(vus, dict) else None
        if duration_s is None and rate:
            duration_s = count / rate
        self.sink.total(self._total("", dur, count, failures, rate, duration_s,
                                    int(vus_max) if isinstance(vus_max, (int, float)) else None))
        for name in sorted(metrics):
            if name.startswith("http_req_duration{") and isinstance(metrics[name], dict):
                self.sink.total(self._total(name[len("http_req_duration"):], metrics[name], None, None, None))
        if failures is None:
            self.notes.append("The summary has no http_req_failed metric: the failure count is unknown.")

    @staticmethod
    def _total(endpoint, values, count, failures, rate, duration_s=None, vus_max=None) -> Total:
        def get(key):
            v = values.get(key)
            return _number(v, f"http_req_duration {key}") if v is not None else None
        percentiles = tuple(sorted((p, _number(v, f"http_req_duration {k}")) for k, v in values.items()
                                   if (p := _percentile_key(k)) is not None and v is not None))
        return Total(endpoint, count, failures, rate, get("avg"), get("min"), get("max"), percentiles,
                     duration_s, vus_max)


_CSV_HEADER = "metric_name,timestamp,metric_value"


class K6Csv:
    """k6's CSV output (``--out csv=FILE``): one row per sample; ``http_req_duration`` rows are requests.

    Columns as k6 writes them (grafana.com/docs/k6, Results output →
    Real-time → CSV): ``metric_name,timestamp,metric_value,check,error,
    error_code,expected_response,group,method,name,proto,scenario,service,
    status,subproto,tls_version,url,extra_tags,metadata`` (older versions
    have fewer, in the same order, named by the header). ``timestamp`` is
    Unix seconds by default (``K6_CSV_TIME_FORMAT=unix``), or milliseconds,
    microseconds or RFC 3339 with the other time formats. ``vus`` rows are
    the load level. As for ``--out json``, a request failed when
    ``expected_response`` is ``false`` (else when its status is outside
    200–399).
    """

    format = "k6-csv"
    kind = "requests"
    label = "k6 CSV (--out csv)"
    time_resolution_s = 1.0
    time_meaning = "the end of each request (k6 stamps HTTP samples when the response ends), to the second by default"
    failure_rule = K6Json.failure_rule
    load_name = "VUs"
    timing = K6Json.timing
    samples = (
        Sample("http_req_duration,1710057601,48.512,,,,true,,GET,https://shop.test/api/items,HTTP/1.1,default,,200,,,"
               "https://shop.test/api/items,,",
               (Request(1710057601.0, 48.512, False, "200", "GET https://shop.test/api/items", None),),
               before=("metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,"
                       "proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata",)),
        Sample("http_reqs,1710057601,1.000000,,,,true,,GET,https://shop.test/api/items,HTTP/1.1,default,,200,,,"
               "https://shop.test/api/items,,", LineResult.IGNORED,
               before=("metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,"
                       "proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata",)),
    )

    def __init__(self, sink, columns: tuple):
        from .csvrows import CsvRows
        self.sink = sink
        self.notes = []
        self.rows = CsvRows(",", len(columns), header=True)
        self.col = {name: i for i, name in enumerate(columns)}
        self._untagged = 0

    @classmethod
    def sniff(cls, line: str):
        if not line.startswith(_CSV_HEADER):
            return None
        return {"columns": tuple(line.split(","))}

    @classmethod
    def first_line_rule(cls) -> str:
        return "k6's CSV output: a header row metric_name,timestamp,metric_value,…"

    def parse(self, line: str) -> LineResult:
        fields = self.rows.fields(line)
        if type(fields) is LineResult:
            return fields
        col = self.col
        metric = fields[col["metric_name"]]
        if metric not in ("http_req_duration", "vus"):
            return LineResult.IGNORED
        time_s = _csv_time(fields[col["timestamp"]])
        try:
            value = _number(float(fields[col["metric_value"]][:40]), "metric_value")  # inf and nan refused
        except ValueError as exc:
            if isinstance(exc, LineError):
                raise
            raise LineError("metric_value: a number", fields[col["metric_value"]]) from None
        if metric == "vus":
            self.sink.load_level(time_s, int(value))
            return LineResult.USED
        ms = plausible_duration(value, fields[col["metric_value"]])
        get = lambda name: fields[col[name]] if name in col else ""  # noqa: E731
        status, expected = get("status"), get("expected_response")
        if expected in ("true", "false"):
            failed = expected == "false"
        else:
            self._untagged += 1
            failed = not (len(status) == 3 and "200" <= status <= "399")
        endpoint = f"{get('method')} {get('name') or get('url')}".strip()
        self.sink.request(time_s, ms, failed, status, endpoint, None)
        return LineResult.USED

    def end(self) -> None:
        self.rows.close()
        if self._untagged:
            self.notes.append(f"{self._untagged:,} requests have no expected_response: they failed when their "
                              "status is outside 200–399.")


def _csv_time(text: str) -> float:
    if text.isdigit():
        digits = len(text)
        scale = 1.0 if digits <= 10 else 1e3 if digits <= 13 else 1e6 if digits <= 16 else 1e9
        return plausible_time(int(text[:19]) / scale, text)
    return rfc3339_s(text)
