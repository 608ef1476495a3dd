"""Which tool wrote a file: told from its first non-blank line, never guessed silently.

Each format's parser says whether a first line is its own (``sniff``); the
formats are tried in a fixed order and the first that recognises the line
wins, and the summary says which and why ("detected from line 1"). Files
of known tools in formats not read here get a message saying what to
export instead. The file's name is only a hint for the message when
nothing matches (a ``.jtl`` that is not JMeter CSV is told what JMeter CSV
looks like).
"""

from __future__ import annotations

from .accesslog import GunicornLog, NginxLog, sniff_access_log
from .jmeter import JMeterCsv, JMeterXml
from .k6 import K6Csv, K6Json, K6Summary
from .locust import LocustHistory, LocustRequests, LocustStats
from .servers import AlbLog, EnvoyLog, HaproxyLog, IisLog, JsonAccessLog, UwsgiLog
from .templates import LayoutLog, detect_layout

__all__ = ["FORMATS", "detect", "unsupported"]

FORMATS = {
    "k6-json": K6Json,
    "k6-summary": K6Summary,
    "locust-stats": LocustStats,
    "locust-history": LocustHistory,
    "jmeter-csv": JMeterCsv,
    "nginx": NginxLog,
    "gunicorn": GunicornLog,
    "access-log": LayoutLog,
    "json-access-log": JsonAccessLog,
    "envoy": EnvoyLog,
    "uwsgi": UwsgiLog,
    "haproxy": HaproxyLog,
    "iis": IisLog,
    "aws-alb": AlbLog,
    "jmeter-xml": JMeterXml,
    "k6-csv": K6Csv,
    "locust-requests": LocustRequests,
}

_BY_NAME = (  # (file name ending, format) to word the message when no format matched
    ("_stats_history.csv", "locust-history"),
    ("_stats.csv", "locust-stats"),
    (".jtl", "jmeter-csv"),
)

# First lines of files that known tools write but that hold no per-request
# or summary data read here: (what the file looks like, and what to give instead).
_KNOWN_OTHERS = (
    (lambda s: s.startswith('"Method","Name","Error"') or s.startswith("Method,Name,Error,Occurrences"),
     "this is Locust's _failures.csv, which counts errors but holds no requests or times",
     "give the _stats.csv or _stats_history.csv written beside it"),
    (lambda s: s.startswith("Count,Message,Traceback") or s.startswith('"Count","Message","Traceback"'),
     "this is Locust's _exceptions.csv, which lists exceptions but holds no requests or times",
     "give the _stats.csv or _stats_history.csv written beside it"),
    (lambda s: s[:15].lower().startswith(("<!doctype", "<html")),
     "this is an HTML page (a report?), which holds no raw data",
     "give the tool's data file (k6 JSON, Locust CSV, JMeter results, an access log)"),
    (lambda s: s.startswith("PK\x03\x04"), "this is a zip archive", "extract the file first"),
)


def detect(line: str, name: str):
    """``(parser class, constructor arguments)`` for a file whose first non-blank line is ``line``; ``None`` if unknown."""
    for cls in (K6Json, K6Summary, LocustHistory, LocustStats, LocustRequests, JMeterCsv, JMeterXml, K6Csv, IisLog,
                EnvoyLog, UwsgiLog, HaproxyLog, AlbLog, JsonAccessLog):
        args = cls.sniff(line)
        if args is not None:
            return cls, args
    found = sniff_access_log(line)
    if found is not None:
        return found
    layout = detect_layout(line)
    return (LayoutLog, {"layout": layout}) if layout is not None else None


def known_other(line: str):
    """``(what the file is, what to give instead)`` for a known tool's file that holds nothing read here."""
    for matches, what, todo in _KNOWN_OTHERS:
        if matches(line):
            return what, todo
    return None


def unsupported(line: str, name: str) -> str:
    """What to give: the format the file's name suggests, or the formats read here."""
    lowered = name.lower()
    for ending, format_id in _BY_NAME:
        if lowered.endswith(ending):
            return FORMATS[format_id].first_line_rule()
    return ("one of: k6 JSON lines (--out json), k6 CSV (--out csv) or a k6 summary JSON; Locust's _stats.csv, "
            "_stats_history.csv or 0.x _requests.csv; JMeter CSV or XML results; or an access log from nginx, "
            "Apache, Gunicorn, uWSGI, Caddy, Traefik, Envoy, HAProxy, IIS or an AWS load balancer. An access log "
            "in a layout of its own reads once you give the layout it was written with (--log-format; on the "
            "page, the Log format field)")
