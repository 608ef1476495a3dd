"""Access logs: nginx ``combined`` with ``$request_time``, Gunicorn's default format with ``%(D)s`` or ``%(L)s``.

Formats implemented, as their documentation defines them:

- nginx, module ngx_http_log_module, the predefined ``combined`` format::

      $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"

  followed by ``$request_time`` ("request processing time in seconds with a
  milliseconds resolution; time elapsed between the first bytes were read
  from the client and the log write after the last bytes were sent"), and
  optionally ``$upstream_response_time`` (seconds; "times of several
  responses are separated by commas and colons", ``-`` when no upstream
  was asked). Extra quoted fields between the user agent and the request
  time (``"$http_x_forwarded_for"``, as in nginx's sample ``main`` format)
  are allowed and skipped. nginx escapes ``"`` inside values as ``\\x22``.
  Source: nginx.org/en/docs/http/ngx_http_log_module.html and
  ngx_http_upstream_module.html (embedded variables).
- Gunicorn, settings reference, ``access_log_format``: the default
  ``%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"`` followed by
  ``%(D)s`` (request time in microseconds, an integer) or ``%(L)s``
  (decimal seconds, six decimals). ``%(M)s`` (milliseconds, also an
  integer) cannot be told from ``%(D)s`` by its digits and is not
  supported: a log with it would read 1,000 times too fast, so the summary
  always says which unit it read.

Both write ``$time_local`` / ``%(t)s`` as ``[10/Oct/2000:13:55:36 -0700]``
when the response has been sent, so the time is a request's *end*, to the
second. Failures are responses with status 5xx (the server's errors; 4xx
are the client's and are counted by status only). Endpoints are the method
and the path without its query string, with segments that are numbers,
UUIDs or long hex strings replaced by ``{id}``, so ``/users/42`` and
``/users/7`` are one endpoint.
"""

from __future__ import annotations

import gc
import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from itertools import repeat
from operator import ge

from .records import (NO_UPSTREAM, PROXY, SERVICE, LineError, LineResult, Request, Sample, Timing, plausible_duration,
                      plausible_time)

__all__ = ["AccessLog", "NginxLog", "GunicornLog", "clf_time_s", "endpoint_of", "seconds_ms"]

_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                       "Nov", "Dec"), 1)}

# Combined (or Gunicorn's default) up to the user agent, any extra quoted
# fields, then the request time and whatever follows it.
_LINE = re.compile(r'\S+ \S+ \S+ \[([^\]]*)\] "([^"]*)" (\d{3}) (?:\d+|-) "[^"]*" "[^"]*"(?: "[^"]*")*'
                   r' (\d+(?:\.\d+)?)(?: (.*))?\Z', re.ASCII)
# The same line without any request time: plain combined, told apart for a clear message.
_PLAIN = re.compile(r'\S+ \S+ \S+ \[[^\]]*\] "[^"]*" \d{3} (?:\d+|-) "[^"]*" "[^"]*"(?: "[^"]*")*\Z', re.ASCII)
_UPSTREAM = re.compile(r"(?:\d+\.\d+|-)(?:\s*[,:]\s*(?:\d+\.\d+|-))*\Z", re.ASCII)
_UPSTREAM_TIME = re.compile(r"\d+\.\d+", re.ASCII)
# A whole path segment that is a number, a UUID or a long hex string.
_ID_SEGMENT = re.compile(r"/(?:\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
                         r"|[0-9a-fA-F]{16,})(?=/|\Z)", re.ASCII)

_LAYOUT = ('the combined format ($remote_addr - $remote_user [$time_local] "$request" $status '
           '$body_bytes_sent "$http_referer" "$http_user_agent")')
# Caches bounded so that a log of unique paths or times cannot grow them without limit.
_CACHE_LIMIT = 20_000

REQUEST_TIME = Timing("$request_time", PROXY,
                      "nginx's whole time for the request, from its first byte read from the client to the log write "
                      "after the last byte sent: the wait for the upstream and a slow client's reading are in it")


@lru_cache(maxsize=_CACHE_LIMIT)
def clf_time_s(text: str) -> float:
    """Unix time of a Common Log Format timestamp, ``10/Oct/2000:13:55:36 -0700``.

    >>> clf_time_s("10/Oct/2000:13:55:36 -0700")
    971211336.0
    """
    try:
        if len(text) != 26 or text[2] != "/" or text[6] != "/" or text[11] != ":" or text[20] != " ":
            raise ValueError
        offset = timedelta(hours=int(text[22:24]), minutes=int(text[24:26]))
        if text[21] == "-":
            offset = -offset
        elif text[21] != "+":
            raise ValueError
        time_s = datetime(int(text[7:11]), _MONTHS[text[3:6]], int(text[0:2]), int(text[12:14]), int(text[15:17]),
                          int(text[18:20]), tzinfo=timezone(offset)).timestamp()
    except (ValueError, KeyError):
        raise LineError("a time like [10/Oct/2000:13:55:36 -0700]", text) from None
    return plausible_time(time_s, text)


# Characters of a logged duration read: 24 hold any real one (nginx logs 0.123, Envoy and ALB six decimals).
_SECONDS_CHARS = 24


def seconds_ms(text: str) -> float:
    """Milliseconds in decimal seconds as logged, rounded once (0.205 is 205.0, not 205.00000000000003).

    >>> seconds_ms("0.205"), seconds_ms("1.5"), seconds_ms("0.012345"), seconds_ms("3")
    (205.0, 1500.0, 12.345, 3000.0)

    Only the first 24 characters count (more than any clock logs), so a
    mangled field of thousands of digits is a figure too large to be
    plausible, not an integer Python refuses to convert:

    >>> seconds_ms("7" * 5000) > 1e20
    True
    """
    whole, _, fraction = text[:_SECONDS_CHARS].partition(".")
    digits = int(whole + fraction)
    shift = len(fraction) - 3
    return digits / 10 ** shift if shift > 0 else float(digits * 10 ** -shift)


@lru_cache(maxsize=_CACHE_LIMIT)
def endpoint_of(request_line: str) -> str:
    """The endpoint of a request line: method and path, query dropped, ids as ``{id}``.

    >>> endpoint_of("GET /users/42/orders?page=2 HTTP/1.1")
    'GET /users/{id}/orders'
    >>> endpoint_of("\\\\x16\\\\x03\\\\x01")  # a TLS handshake sent to a plain-HTTP port
    '(malformed request line)'
    """
    parts = request_line.split(" ")
    if len(parts) != 3 or not parts[0].isalpha():
        return "(malformed request line)"
    return f"{parts[0]} {_ID_SEGMENT.sub('/{id}', parts[1].split('?', 1)[0])}"


_ID_SEGMENTS = re.compile(_ID_SEGMENT.pattern.replace(r"(?=/|\Z)", r"(?=/|$)"), re.ASCII | re.MULTILINE)


class AccessLog:
    """One access-log variant: where the request time is and what unit it has.

    ``unit`` is ``"us"`` (an integer of microseconds: Gunicorn's ``%(D)s``)
    or ``"s"`` (decimal seconds: nginx's ``$request_time``, Gunicorn's
    ``%(L)s``); ``upstream`` says whether ``$upstream_response_time``
    follows the request time.
    """

    kind = "requests"
    time_resolution_s = 1.0   # $time_local and %(t)s are whole seconds
    time_meaning = "the end of each request (when it was logged), to the second"
    failure_rule = "status 5xx"
    load_name = ""
    format = ""
    # A file may be read in two parts (Analyzer.handover): no state is carried from line to line, and
    # whole-second times keep the pages' float32 offsets exact however the parts are joined.
    splittable = True

    def __init__(self, sink, unit: str, upstream: bool, label: str):
        self.sink = sink
        self.unit = unit
        self.upstream = upstream
        self.label = label
        self.notes = []
        self.timing = REQUEST_TIME if unit == "s" and self.format == "nginx" else GUNICORN_TIME[unit]

    @classmethod
    def sniff(cls, line: str):
        """Constructor arguments if ``line`` is this kind of log, else ``None``."""
        raise NotImplementedError

    @classmethod
    def first_line_rule(cls) -> str:
        raise NotImplementedError

    def parse(self, line: str) -> LineResult:
        m = _LINE.match(line)
        if m is None:
            if _PLAIN.match(line):
                raise LineError(f"a request time after the user agent ({self.label})")
            raise LineError(f"a line in {self.label}")
        stamp, request, status, duration, rest = m.groups()
        time_s = clf_time_s(stamp)
        if self.unit == "us":
            if "." in duration:
                raise LineError("a request time in whole microseconds (%(D)s)", duration)
            duration_ms = plausible_duration(int(duration[:16]) / 1000.0, duration)
        else:
            if "." not in duration:
                raise LineError("a request time in seconds with a decimal point", duration)
            duration_ms = plausible_duration(seconds_ms(duration[:24]), duration)
        upstream_ms = None
        if self.upstream and rest is not None and rest.isascii() and rest.replace(".", "", 1).isdigit():
            upstream_ms = plausible_duration(seconds_ms(rest[:24]), rest)  # one upstream, one time: most lines
        elif self.upstream:
            if rest is None or not _UPSTREAM.match(rest):
                raise LineError("$upstream_response_time after $request_time: seconds, '-', or several "
                                "separated by ', ' or ' : '", rest or "nothing")
            # Retries and internal redirects list one time per upstream asked, in turn: the
            # application's share of the request is their sum ("-": none was asked).
            times = _UPSTREAM_TIME.findall(rest)
            if times:
                upstream_ms = plausible_duration(sum(seconds_ms(t[:24]) for t in times), rest)
        elif rest is not None:
            raise LineError(f"the end of the line after the request time ({self.label})", rest)
        self.sink.request(time_s, duration_ms, status >= "500", status, endpoint_of(request), None, upstream_ms)
        return LineResult.USED

    def parse_block(self, text: str, lines: int | None = None) -> int | None:
        """Read a block of whole lines (each ending with a newline) at once: the number read, or ``None``.

        ``lines`` is how many lines the block holds, if the caller has counted them already.

        One regex scan over the block (:data:`_BLOCK`), the fields only as
        columns, each column turned into numbers by one C-level ``map``: the
        same records as :meth:`parse` line by line (a test holds them equal
        on every fixture), in a fraction of the interpreter's time. A block
        with any line that does not read (a blank line, another format, a
        time out of range) is handed back whole: the analyzer then reads it
        in smaller pieces and :meth:`parse` says which line and why.
        """
        if not text:
            return 0
        enabled = gc.isenabled()
        gc.disable()  # the block's tuples live together and die together: nothing for the GC to find
        try:
            rows = _BLOCK[self.upstream].findall(text)
            # Every match starts a line and ends one: as many matches as lines means each line is one match.
            if len(rows) != (text.count("\n") if lines is None else lines):
                return None
            columns = tuple(zip(*rows))
            del rows
        finally:
            if enabled:
                gc.enable()
        stamps, paths, requests, statuses, durations = columns[:5]
        try:
            times = list(map(clf_time_s, stamps))
            durations_ms = list(map(_DURATION[self.unit], durations))
            upstream = list(map(_upstream_kept, columns[5])) if self.upstream else None
        except LineError:
            return None
        self.sink.requests(times, durations_ms, list(map(ge, statuses, repeat("500"))), statuses,
                           _block_endpoints(paths, requests), upstream)
        return len(times)

    def parse_many(self, lines: list) -> int | None:
        """:meth:`parse_block` of a list of lines (without their newlines)."""
        return self.parse_block("\n".join(lines) + "\n") if lines else 0

    def end(self) -> None:
        pass


GUNICORN_TIME = {
    unit: Timing(atom, SERVICE, f"Gunicorn's request time ({atom}), from when the worker had read the request to "
                                "when it sent the response: time the request waited in the listen backlog (or in a "
                                "worker's queue) is not in it, so it is service time, not the client's response time")
    for unit, atom in (("us", "%(D)s"), ("s", "%(L)s"), ("ms", "%(M)s"), ("whole_s", "%(T)s"))}


@lru_cache(maxsize=_CACHE_LIMIT)
def _seconds_duration_ms(text: str) -> float:
    if "." not in text:
        raise LineError("a request time in seconds with a decimal point", text)
    return plausible_duration(seconds_ms(text[:24]), text)


@lru_cache(maxsize=_CACHE_LIMIT)
def _micros_duration_ms(text: str) -> float:
    if "." in text:
        raise LineError("a request time in whole microseconds (%(D)s)", text)
    return plausible_duration(int(text[:16]) / 1000.0, text)


_DURATION = {"s": _seconds_duration_ms, "us": _micros_duration_ms}

# _LINE over a block of lines (MULTILINE: ^ and $ at each line's ends), capturing only what the summary
# needs. The request is either well formed ("METHOD path[?query] protocol": group 2 is its method and
# path, the endpoint before its ids are replaced) or anything else in quotes (group 3, read by
# endpoint_of); either way it spans what _LINE's "([^"]*)" spans, so a line matches exactly when _LINE
# matches it, with the same fields. With an upstream time the rest of the line is group 6 and required
# (parse() refuses a line without it); without, nothing may follow the request time.
_BLOCK_HEAD = (r'^\S+ \S+ \S+ \[([^\]]*)\] "(?:([A-Za-z]+ [^ ?"]*)(?:\?[^ "]*)? [^ "]+|([^"]*))" (\d{3}) (?:\d+|-) '
               r'"[^"]*" "[^"]*"(?: "[^"]*")* (\d+(?:\.\d+)?)')
_BLOCK = {False: re.compile(_BLOCK_HEAD + "$", re.ASCII | re.MULTILINE),
          True: re.compile(_BLOCK_HEAD + " (.*)$", re.ASCII | re.MULTILINE)}


def _block_endpoints(paths: tuple, requests: tuple) -> list:
    """Endpoints of a block's requests: the well-formed ones' ids replaced in one pass, the others one by one.

    >>> _block_endpoints(("GET /users/42", "", "POST /a/0123456789abcdef/b"), ("", "\\x16\\x03", ""))
    ['GET /users/{id}', '(malformed request line)', 'POST /a/{id}/b']
    """
    endpoints = _ID_SEGMENTS.sub("/{id}", "\n".join(paths)).split("\n")
    if "" in paths:
        endpoints = [e if e else endpoint_of(r) for e, r in zip(endpoints, requests)]
    return endpoints


@lru_cache(maxsize=_CACHE_LIMIT)
def _upstream_ms(rest):
    """``$upstream_response_time`` in ms (several upstreams: their sum; ``-``: ``None``), as :meth:`AccessLog.parse` reads it."""
    if rest is not None and rest.isascii() and rest.replace(".", "", 1).isdigit():
        return plausible_duration(seconds_ms(rest[:24]), rest)
    if rest is None or not _UPSTREAM.match(rest):
        raise LineError("$upstream_response_time after $request_time", rest or "nothing")
    times = _UPSTREAM_TIME.findall(rest)
    return plausible_duration(sum(seconds_ms(t[:24]) for t in times), rest) if times else None


@lru_cache(maxsize=_CACHE_LIMIT)
def _upstream_kept(rest):
    """:func:`_upstream_ms` as the sink's arrays keep it: ``NO_UPSTREAM`` where no upstream was asked."""
    upstream_ms = _upstream_ms(rest)
    return NO_UPSTREAM if upstream_ms is None else upstream_ms


def _sniff(line: str):
    m = _LINE.match(line)
    if m is None:
        return None
    duration, rest = m.group(4), m.group(5)
    return duration, rest


class NginxLog(AccessLog):
    format = "nginx"
    samples = (
        Sample('192.0.2.145 - - [10/Mar/2024:09:00:01 +0100] "GET /static/app.4f9c2a1b7d3e8f60.js HTTP/2.0" 200 2117 '
               '"-" "curl/8.5.0" 0.000 -',
               (Request(1710057601.0, 0.0, False, "200", "GET /static/app.4f9c2a1b7d3e8f60.js", None, None),)),
        Sample('10.0.0.1 - - [10/Mar/2024:09:00:02 +0100] "GET /api/reports HTTP/1.1" 502 150 "-" "k6/0.49.0" 0.203 '
               '0.100, 0.101',
               (Request(1710057602.0, 203.0, True, "502", "GET /api/reports", None, 201.0),)),
        Sample('10.0.0.1 - - [10/Mar/2024:09:00:02 +0100] "GET / HTTP/1.1" 200 150 "-" "k6/0.49.0" 0.203 soon',
               "upstream_response_time"),
    )

    @classmethod
    def first_line_rule(cls):
        return f"an nginx access log line: {_LAYOUT} followed by $request_time [and $upstream_response_time]"

    @classmethod
    def sniff(cls, line):
        found = _sniff(line)
        if found is None or "." not in found[0]:
            return None
        duration, rest = found
        if rest is not None and not _UPSTREAM.match(rest):
            return None
        upstream = rest is not None
        label = "nginx combined + $request_time" + (" + $upstream_response_time" if upstream else "")
        return dict(unit="s", upstream=upstream, label=label)


class GunicornLog(AccessLog):
    format = "gunicorn"
    samples = (  # Gunicorn 27.0.1 on 127.0.0.1 (tests/fixtures/analyze/gunicorn_D.log, gunicorn_L.log)
        Sample('127.0.0.1 - - [21/Nov/2026:14:30:17 +0000] "GET /api/items/449 HTTP/1.1" 200 11 "-" '
               '"python-requests/2.34.2" 6605',
               (Request(1795271417.0, 6.605, False, "200", "GET /api/items/{id}", None, None),)),
        Sample('127.0.0.1 - - [21/Nov/2026:14:30:17 +0000] "GET /api/items/449 HTTP/1.1" 200 11 "-" '
               '"python-requests/2.34.2" 0.5', "whole microseconds"),
    )

    @classmethod
    def first_line_rule(cls):
        return ('a Gunicorn access log line: the default format %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s '
                '"%(f)s" "%(a)s" followed by %(D)s or %(L)s')

    @classmethod
    def sniff(cls, line):
        found = _sniff(line)
        if found is None or found[1] is not None:
            return None
        if "." in found[0]:
            return dict(unit="s", upstream=False, label="Gunicorn access log + %(L)s (request time in seconds)")
        return dict(unit="us", upstream=False, label="Gunicorn access log + %(D)s (request time in microseconds; "
                                                     "Apache combined + %D is the same line)")


def sniff_access_log(line: str):
    """``(format, arguments)`` for an access-log line, or ``None``.

    Told apart by the request time's digits: an integer is Gunicorn's
    ``%(D)s``; six decimals and nothing after is Gunicorn's ``%(L)s``;
    other decimals (nginx writes three) are nginx's ``$request_time``,
    with ``$upstream_response_time`` if anything follows.
    """
    found = _sniff(line)
    if found is None:
        return None
    duration, rest = found
    if "." not in duration or (rest is None and len(duration.split(".")[1]) == 6):
        args = GunicornLog.sniff(line)  # None when more follows (ingress-nginx's default: not Gunicorn's)
        return (GunicornLog, args) if args else None
    args = NginxLog.sniff(line)
    return (NginxLog, args) if args else None


def is_plain_combined(line: str) -> bool:
    """An access-log line with no request time at all (plain ``combined``)."""
    return _PLAIN.match(line) is not None
