"""More servers' and proxies' access logs: JSON lines, Envoy, uWSGI, HAProxy, IIS, AWS ALB.

Formats implemented, as their documentation defines them:

- JSON access logs, one object per line (:class:`JsonAccessLog`): Caddy's
  default (``"logger":"http.log.access"``; ``ts`` Unix seconds, ``duration``
  seconds, ``request.method``/``request.uri``, ``status``; caddyserver.com,
  "log" directive), Traefik's ``format: json`` (``StartUTC``, ``Duration``
  and ``OriginDuration`` in nanoseconds, ``RequestMethod``,
  ``RequestPath``, ``DownstreamStatus``; doc.traefik.io, "Access Logs"),
  Envoy/Istio JSON (``start_time``, ``method``, ``path``,
  ``response_code``, ``duration`` and ``upstream_service_time`` in ms;
  envoyproxy.io, "Access logging"), and nginx ``escape=json`` formats,
  whose keys are the reader's own: the usual names of ``$time_iso8601`` /
  ``$time_local`` / ``$msec``, ``$request`` (or method and URI),
  ``$status``, ``$request_time`` and ``$upstream_response_time`` are read.
- Envoy's default text format (:class:`EnvoyLog`): ``[%START_TIME%]
  "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%"
  %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION%
  %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% …``, and Istio's default, which adds
  ``%RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%
  "%UPSTREAM_TRANSPORT_FAILURE_REASON%"`` after the flags.
- uWSGI's default request log (:class:`UwsgiLog`): ``[pid: N|app: N|req:
  N/N] ADDR (USER) {N vars in N bytes} [asctime] METHOD URI => generated N
  bytes in N msecs (PROTOCOL STATUS) …`` (uwsgi-docs, "Logging").
- HAProxy's HTTP log (:class:`HaproxyLog`, ``option httplog``): the accept
  date ``[06/Feb/2009:12:14:14.655]``, then the timers
  ``TR/Tw/Tc/Tr/Ta`` (1.x: ``Tq/Tw/Tc/Tr/Tt``) in ms, the status and the
  quoted request (haproxy.org, configuration manual, "HTTP log format").
- IIS W3C extended logs (:class:`IisLog`): ``#Fields:`` names the columns;
  ``date time``, ``cs-method``, ``cs-uri-stem``, ``sc-status`` and
  ``time-taken`` (ms) are read (learn.microsoft.com, "W3C Logging").
- AWS Application Load Balancer access logs (:class:`AlbLog`): ``type time
  elb client:port target:port request_processing_time
  target_processing_time response_processing_time elb_status_code …
  "request"`` (docs.aws.amazon.com, "Access logs for your Application Load
  Balancer").

Failures are responses with status 5xx, as for every access log here.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from functools import lru_cache

from .accesslog import clf_time_s, endpoint_of, seconds_ms
from .records import (PROXY, SERVICE, LineError, LineResult, Request, Sample, Timing, json_object,
                      plausible_duration, plausible_time)

__all__ = ["JsonAccessLog", "EnvoyLog", "UwsgiLog", "HaproxyLog", "IisLog", "AlbLog"]


@lru_cache(maxsize=4096)
def iso_s(text: str) -> float:
    """Unix time of an ISO 8601 / RFC 3339 timestamp (any fraction, ``Z`` or an offset).

    >>> iso_s("2024-03-10T08:00:01.5Z"), iso_s("2024-03-10T09:00:01+01:00")
    (1710057601.5, 1710057601.0)
    """
    from .k6 import rfc3339_s
    if len(text) > 5 and text[-5] in "+-" and ":" not in text[-5:]:
        text = f"{text[:-2]}:{text[-2:]}"
    return rfc3339_s(text)


def _number(value, what: str) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise LineError(f"{what}: a number", value[:60]) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1e15:
        raise LineError(f"{what}: a number", str(value)[:60])
    return float(value)


class _AccessLog:
    kind = "requests"
    load_name = ""
    failure_rule = "status 5xx"
    time_resolution_s = 0.001
    time_meaning = "each request's time as the server logged it"

    def __init__(self, sink, **_):
        self.sink = sink
        self.notes = []

    def end(self) -> None:
        pass

    def _request(self, time_s, duration_ms, status: str, request_line: str, upstream_ms=None) -> LineResult:
        self.sink.request(time_s, duration_ms, status >= "500", status, endpoint_of(request_line), None, upstream_ms)
        return LineResult.USED


# -- JSON lines -------------------------------------------------------------------------

_JSON_FLAVOURS = {
    "caddy": ("Caddy JSON access log", Timing("duration", PROXY, "Caddy's time for the request, from reading it to "
                                                                 "writing the response: a proxied upstream's time is "
                                                                 "in it")),
    "traefik": ("Traefik JSON access log", Timing("Duration", PROXY, "Traefik's time for the request, from receiving "
                                                                     "it to the end of the response: the backend's "
                                                                     "time (OriginDuration) is in it")),
    "envoy": ("Envoy JSON access log", Timing("duration", PROXY, "Envoy's %DURATION%: from the request's first byte "
                                                                 "to the response's last byte out")),
    "nginx": ("nginx JSON access log (escape=json)", Timing("$request_time", PROXY,
                                                            "nginx's whole time for the request, from its first "
                                                            "byte read from the client to the log write: the wait "
                                                            "for the upstream is in it")),
}
_TIME_KEYS = ("time_iso8601", "time_local", "@timestamp", "timestamp", "time", "msec", "ts")
_DURATION_KEYS = ("request_time", "rt", "duration", "latency", "response_time")


class JsonAccessLog(_AccessLog):
    """One JSON object per line: Caddy, Traefik, Envoy/Istio, or an nginx ``escape=json`` layout."""

    format = "json-access-log"
    samples = (
        Sample('{"level":"info","ts":1592833155.86084,"logger":"http.log.access","msg":"handled request","request":'
               '{"remote_ip":"127.0.0.1","remote_port":"50786","proto":"HTTP/2.0","method":"GET","host":"localhost",'
               '"uri":"/api/config"},"bytes_read":0,"user_id":"","duration":0.000571055,"size":1259,"status":200}',
               (Request(1592833155.86084, 0.571055, False, "200", "GET /api/config", None, None),)),
        Sample('{"level":"info","ts":1592833155.86084,"logger":"http.log.access","msg":"handled request","status":"x',
               "a JSON object per line"),
    )

    def __init__(self, sink, flavour: str):
        super().__init__(sink)
        self.flavour = flavour
        self.label, self.timing = _JSON_FLAVOURS[flavour]
        if flavour == "traefik":
            self.time_meaning = "each request's start (StartUTC), to the nanosecond"
        elif flavour == "envoy":
            self.time_meaning = "each request's start (start_time), to the millisecond"

    @classmethod
    def sniff(cls, line: str):
        obj = json_object(line)
        if obj is None:
            return None
        if obj.get("logger", "").startswith("http.log.access") and isinstance(obj.get("request"), dict):
            return {"flavour": "caddy"}
        if "DownstreamStatus" in obj and "RequestMethod" in obj:
            return {"flavour": "traefik"}
        if "response_code" in obj and "start_time" in obj:
            return {"flavour": "envoy"}
        if "status" in obj and any(k in obj for k in _TIME_KEYS) and ("request" in obj or "uri" in obj or
                                                                     "request_uri" in obj or "path" in obj):
            return {"flavour": "nginx"}
        return None

    @classmethod
    def first_line_rule(cls) -> str:
        return ("a JSON access log line: Caddy's, Traefik's (format: json), Envoy's/Istio's JSON, or nginx "
                "escape=json with a time, the request and the status")

    def parse(self, line: str) -> LineResult:
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError):
            raise LineError("a JSON object per line (the line is not whole JSON)") from None
        if not isinstance(obj, dict):
            raise LineError("a JSON object per line")
        try:
            return getattr(self, f"_{self.flavour}")(obj)
        except LineError:
            raise
        except (KeyError, TypeError, AttributeError, StopIteration, ValueError):
            raise LineError(f"the fields of {self.label} (time, request, status, duration)") from None

    def _caddy(self, obj) -> LineResult:
        ts = obj["ts"]
        time_s = iso_s(ts) if isinstance(ts, str) else plausible_time(_number(ts, "ts"), str(ts))
        req = obj["request"]
        duration = obj.get("duration")
        ms = plausible_duration(_number(duration, "duration") * 1000.0, str(duration)) if duration is not None else None
        return self._request(time_s, ms, str(obj["status"]), f"{req['method']} {req['uri']} HTTP/1.1")

    def _traefik(self, obj) -> LineResult:
        time_s = iso_s(obj.get("StartUTC") or obj["time"])
        ms = plausible_duration(_number(obj["Duration"], "Duration") / 1e6, str(obj["Duration"]))
        origin = obj.get("OriginDuration")
        upstream = _number(origin, "OriginDuration") / 1e6 if origin is not None else None
        return self._request(time_s, ms, str(obj["DownstreamStatus"]),
                             f"{obj['RequestMethod']} {obj['RequestPath']} HTTP/1.1", upstream)

    def _envoy(self, obj) -> LineResult:
        time_s = iso_s(obj["start_time"])
        ms = plausible_duration(_number(obj["duration"], "duration"), str(obj["duration"]))
        ust = obj.get("upstream_service_time")
        upstream = _number(ust, "upstream_service_time") if ust not in (None, "-", "") else None
        return self._request(time_s, ms, str(obj["response_code"]), f"{obj.get('method', '-')} {obj['path']} HTTP/1.1",
                             upstream)

    def _nginx(self, obj) -> LineResult:
        key = next(k for k in _TIME_KEYS if k in obj)
        value = obj[key]
        if key == "time_local":
            time_s = clf_time_s(value)
        elif key in ("msec", "ts") or not isinstance(value, str) or value.replace(".", "", 1).isdigit():
            time_s = plausible_time(_number(value, key), str(value))
        else:
            time_s = iso_s(value)
        request = obj.get("request") or (f"{obj.get('request_method') or obj.get('method') or '-'} "
                                         f"{obj.get('request_uri') or obj.get('uri') or obj['path']} HTTP/1.1")
        duration_key = next((k for k in _DURATION_KEYS if k in obj), None)
        ms = None
        if duration_key is not None:
            text = str(obj[duration_key])
            ms = plausible_duration(seconds_ms(text) if re.fullmatch(r"\d+\.\d+|\d+", text) else
                                    _number(text, duration_key) * 1000.0, text)
        upstream = None
        ups = obj.get("upstream_response_time") or obj.get("urt")
        if isinstance(ups, (str, int, float)):
            times = re.findall(r"\d+\.\d+", str(ups))
            if times:
                upstream = sum(seconds_ms(t[:24]) for t in times)
        if ms is None:
            ms = upstream
            upstream = None
        return self._request(time_s, ms, str(obj["status"]), request, upstream)


# -- Envoy's text format --------------------------------------------------------------

_ENVOY = re.compile(r'\[(\d{4}-\d\d-\d\dT[\d:.]+Z)\] "(\S+) (\S+) (\S+)" (\d{3}) (\S+)(?: \S+ \S+ "[^"]*")? '
                    r'(\d+) (\d+) (\d+) (\d+|-) "', re.ASCII)


class EnvoyLog(_AccessLog):
    """Envoy's (and Istio's) default access log format."""

    format = "envoy"
    label = "Envoy access log (default format)"
    time_meaning = "each request's start (%START_TIME%), to the millisecond"
    timing = Timing("%DURATION%", PROXY, "Envoy's time for the request, from its first byte to the response's last "
                                         "byte out: the upstream's time is in it")
    samples = (
        Sample('[2021-03-12T01:53:22.415Z] "GET /reviews/0 HTTP/1.1" 200 - via_upstream - "-" 0 379 1409 1408 "-" '
               '"curl/7.29.0" "b218d0d6-1038-96a7-8d2d-5d27b9193e66" "reviews:9080" "172.31.5.11:9080" '
               'outbound|9080||reviews.default.svc.cluster.local 172.31.5.10:33918 10.106.56.126:9080 '
               '172.31.5.10:39348 - default',
               (Request(1615514002.415, 1409.0, False, "200", "GET /reviews/{id}", None, 1408.0),)),
        Sample('[2018-11-23T04:51:00.281Z] "GET / HTTP/1.1" 200 - 0 58 4 1 "-" "curl/7.47.0" '
               '"f21ebd42-6770-4aa5-88d4-e56118165a7d" "one.example.com" "172.18.0.4:80"',
               (Request(1542948660.281, 4.0, False, "200", "GET /", None, 1.0),)),
    )

    @classmethod
    def sniff(cls, line: str):
        return {} if _ENVOY.match(line) else None

    @classmethod
    def first_line_rule(cls) -> str:
        return 'an Envoy access log line: [START_TIME] "METHOD PATH PROTOCOL" CODE FLAGS … BYTES BYTES DURATION …'

    def parse(self, line: str) -> LineResult:
        m = _ENVOY.match(line)
        if m is None:
            raise LineError("a line in Envoy's default access log format")
        start, method, path, proto, code, _, _, _, duration, upstream = m.groups()
        ms = plausible_duration(float(duration), duration)
        return self._request(iso_s(start), ms, code, f"{method} {path} {proto}",
                             float(upstream) if upstream != "-" else None)


# -- uWSGI ----------------------------------------------------------------------------

_UWSGI = re.compile(r"\[pid: \d+\|app: [-\d]+\|req: [-\d]+/\d+\] \S* \([^)]*\) \{\d+ vars in \d+ bytes\} "
                    r"\[(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4})\] (\S+) (\S+) => generated \d+ bytes in (\d+) "
                    r"(msecs|micros) \((\S+) (\d{3})\)", re.ASCII)


class UwsgiLog(_AccessLog):
    """uWSGI's default request log lines (other lines of its log are ignored)."""

    format = "uwsgi"
    label = "uWSGI request log (default format)"
    time_resolution_s = 1.0
    time_meaning = "each request's start, to the second, in the server's local time (read as UTC)"
    timing = Timing("msecs", SERVICE, "uWSGI's request time, from when the worker began the request to when it "
                                      "had sent the response: time waiting in the listen backlog is not in it")
    samples = (
        Sample("[pid: 1234|app: 0|req: 1/1] 127.0.0.1 () {34 vars in 532 bytes} [Thu Jan  4 12:00:00 2024] GET "
               "/api/items/7 => generated 12 bytes in 38 msecs (HTTP/1.1 200) 2 headers in 79 bytes (1 switches on "
               "core 0)", (Request(1704369600.0, 38.0, False, "200", "GET /api/items/{id}", None, None),)),
        Sample("*** Starting uWSGI 2.0.21 (64bit) on [Thu Jan  4 11:59:58 2024] ***", LineResult.IGNORED),
    )

    @classmethod
    def sniff(cls, line: str):
        return {} if _UWSGI.match(line) else None

    @classmethod
    def first_line_rule(cls) -> str:
        return "a uWSGI request log line: [pid: N|app: N|req: N/N] ADDR () {N vars in N bytes} [DATE] METHOD URI …"

    def __init__(self, sink, **_):
        super().__init__(sink)
        self.notes.append("uWSGI writes local time without a zone: times are read as UTC.")

    def parse(self, line: str) -> LineResult:
        m = _UWSGI.match(line)
        if m is None:
            if not line.startswith("[pid: "):
                return LineResult.IGNORED  # uWSGI's own messages share the log
            raise LineError("a uWSGI request log line (… => generated N bytes in N msecs (PROTOCOL STATUS))")
        stamp, method, uri, value, unit, proto, status = m.groups()
        time_s = _asctime(stamp)
        ms = plausible_duration(int(value[:12]) / (1000.0 if unit == "micros" else 1.0), value)
        return self._request(time_s, ms, status, f"{method} {uri} {proto}")


@lru_cache(maxsize=4096)
def _asctime(text: str) -> float:
    try:
        t = datetime.strptime(" ".join(text.split()), "%a %b %d %H:%M:%S %Y").replace(tzinfo=timezone.utc)
    except ValueError:
        raise LineError("a date like Thu Jan  4 12:00:00 2024", text) from None
    return plausible_time(t.timestamp(), text)


# -- HAProxy --------------------------------------------------------------------------

_HAPROXY = re.compile(r"(?:.*?haproxy\[\d+\]: )?\S+:\d+ \[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d)\.(\d{3})\] \S+ \S+ "
                      r"(-?\d+)/(-?\d+)/(-?\d+)/(-?\d+)/(\+?-?\d+) (\d{3}) .*?\"([^\"]*)\"$", re.ASCII)


class HaproxyLog(_AccessLog):
    """HAProxy's HTTP log format (``option httplog``), with or without the syslog prefix."""

    format = "haproxy"
    label = "HAProxy HTTP log (option httplog)"
    time_meaning = "each request's accept date, to the millisecond (the proxy's local time, read as UTC)"
    timing = Timing("Ta (Tt before HAProxy 1.9)", PROXY, "HAProxy's active time for the request, from its first "
                                                         "byte to the response's last: the server's time (Tr) and "
                                                         "the wait for a free server (Tw) are in it")
    samples = (
        Sample('Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in '
               'static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"',
               (Request(1233922454.655, 109.0, False, "200", "GET /index.html", None, 69.0),)),
        Sample('Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33320 [06/Feb/2009:12:14:14.655] http-in '
               'static/srv1 10/0/30/-1/+110 502 204 - - SH-- 1/1/1/1/0 0/0 "GET /x HTTP/1.1"',
               (Request(1233922454.655, 110.0, True, "502", "GET /x", None, None),)),
    )

    @classmethod
    def sniff(cls, line: str):
        return {} if _HAPROXY.match(line) else None

    @classmethod
    def first_line_rule(cls) -> str:
        return ('an HAProxy HTTP log line: CLIENT:PORT [ACCEPT_DATE] FRONTEND BACKEND/SERVER TR/Tw/Tc/Tr/Ta STATUS '
                '… "REQUEST"')

    def __init__(self, sink, **_):
        super().__init__(sink)
        self.notes.append("HAProxy logs its local time without a zone: times are read as UTC.")
        self._aborted = 0

    def parse(self, line: str) -> LineResult:
        m = _HAPROXY.match(line)
        if m is None:
            raise LineError("an HAProxy HTTP log line (… TR/Tw/Tc/Tr/Ta STATUS … \"REQUEST\")")
        stamp, millis, _, _, _, tr, total, status, request = m.groups()
        time_s = clf_time_s(stamp + " +0000") + int(millis) / 1000.0
        total = total.lstrip("+")
        if total.startswith("-"):
            self._aborted += 1
            return LineResult.IGNORED
        return self._request(time_s, plausible_duration(float(total), total), status, request,
                             float(tr) if not tr.startswith("-") else None)

    def end(self) -> None:
        if self._aborted:
            self.notes.append(f"{self._aborted:,} requests were aborted before a response (a total time of -1): "
                              "counted as ignored lines.")


# -- IIS ------------------------------------------------------------------------------


class IisLog(_AccessLog):
    """IIS W3C extended log: ``#Fields:`` names the space-separated columns."""

    format = "iis"
    label = "IIS W3C extended log"
    time_resolution_s = 1.0
    time_meaning = "when each request was logged (its end), in UTC, to the second"
    timing = Timing("time-taken", PROXY, "IIS's time-taken: from the request's first byte to the response's last "
                                         "byte sent (the client's network is in it, the listen backlog is not)")
    _FIELDS = ("#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) "
               "cs(Referer) sc-status sc-substatus sc-win32-status time-taken")
    samples = (
        Sample("2024-03-10 08:00:01 10.0.0.4 GET /api/items/7 page=2 443 - 203.0.113.9 "
               "Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 46",
               (Request(1710057601.0, 46.0, False, "200", "GET /api/items/{id}", None, None),), before=(_FIELDS,)),
        Sample("#Date: 2024-03-10 08:00:00", LineResult.IGNORED, before=(_FIELDS,)),
    )

    @classmethod
    def sniff(cls, line: str):
        if line.startswith("#Software: Microsoft Internet Information Services") or line.startswith("#Fields: date"):
            return {}
        return None

    @classmethod
    def first_line_rule(cls) -> str:
        return "an IIS W3C log: #Software: Microsoft Internet Information Services … and a #Fields: line"

    def __init__(self, sink, **_):
        super().__init__(sink)
        self._columns = None

    def parse(self, line: str) -> LineResult:
        if line.startswith("#"):
            if line.startswith("#Fields:"):
                names = line[8:].split()
                need = ("date", "time", "cs-method", "cs-uri-stem", "sc-status", "time-taken")
                missing = [n for n in need if n not in names]
                if missing:
                    raise LineError(f"#Fields: with {', '.join(need)} (missing: {', '.join(missing)})", line)
                self._columns = {n: i for i, n in enumerate(names)}
            return LineResult.IGNORED
        if self._columns is None:
            raise LineError("a #Fields: line before the first request")
        fields = line.split(" ")
        col = self._columns
        if len(fields) != len(col):
            raise LineError(f"{len(col)} fields (as in #Fields:)", f"{len(fields)} fields: {line}")
        time_s = iso_s(f"{fields[col['date']]}T{fields[col['time']]}Z")
        taken = fields[col["time-taken"]]
        if not taken.isdigit():
            raise LineError("time-taken in whole milliseconds", taken)
        return self._request(time_s, plausible_duration(float(taken), taken), fields[col["sc-status"]],
                             f"{fields[col['cs-method']]} {fields[col['cs-uri-stem']]} HTTP/1.1")


# -- AWS ALB --------------------------------------------------------------------------

_ALB = re.compile(r'(?:http|https|h2|grpcs|ws|wss) (\d{4}-\d\d-\d\dT[\d:.]+Z) \S+ \S+ \S+ (-?[\d.]+) (-?[\d.]+) '
                  r'(-?[\d.]+) (\d{3}|-) \S+ \d+ \d+ "([^"]*)"', re.ASCII)


class AlbLog(_AccessLog):
    """AWS Application Load Balancer access logs."""

    format = "aws-alb"
    label = "AWS Application Load Balancer access log"
    time_meaning = "when the load balancer sent the response (time), to the microsecond"
    timing = Timing("request + target + response processing time", PROXY,
                    "the load balancer's time: reading the request, the target's time (target_processing_time: from "
                    "sending the request to the target to the start of its response) and sending the response")
    samples = (
        Sample('http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 '
               '10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" '
               '"curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/'
               '73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z '
               '"forward" "-" "-" "10.0.0.1:80" "200" "-" "-"',
               (Request(1530570180.186641, 1.0, False, "200", "GET /", None, 1.0),)),
    )

    @classmethod
    def sniff(cls, line: str):
        return {} if _ALB.match(line) else None

    def __init__(self, sink, **_):
        super().__init__(sink)
        self._untimed = 0

    def end(self) -> None:
        if self._untimed:
            self.notes.append(f"{self._untimed:,} requests have processing times of -1 (no target answered, or the "
                              "client closed first): counted as ignored lines.")

    @classmethod
    def first_line_rule(cls) -> str:
        return 'an AWS ALB access log line: type time elb client:port target:port 3 processing times status … "request"'

    def parse(self, line: str) -> LineResult:
        m = _ALB.match(line)
        if m is None:
            raise LineError("an AWS ALB access log line")
        stamp, req_s, target_s, resp_s, status, request = m.groups()
        if "-1" in (req_s, target_s, resp_s):
            # The load balancer could not send the request to a target (or the client closed): no times to read.
            self._untimed += 1
            return LineResult.IGNORED
        ms = plausible_duration(seconds_ms(req_s) + seconds_ms(target_s) + seconds_ms(resp_s), line[:60])
        return self._request(iso_s(stamp), ms, status, _alb_request(request), seconds_ms(target_s))


def _alb_request(request: str) -> str:
    """``GET http://host:80/path?q HTTP/1.1`` → ``GET /path?q HTTP/1.1``."""
    parts = request.split(" ")
    if len(parts) == 3 and "://" in parts[1]:
        rest = parts[1].split("://", 1)[1]
        parts[1] = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    return " ".join(parts)
