"""Every further format on a fixture written the way its tool writes it (provenance: tests/fixtures/analyze/README.md).

Each is detected from the file alone, read whole, and its median checked
against the same lines read independently (plain string methods, no
parser of ours).
"""

import math
import re
from pathlib import Path

import pytest

from perfcalc.analyze import analyze_path
from perfcalc.analyze.detect import FORMATS

FORMATS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "analyze" / "formats"


def nearest_rank(values, p):
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered) / 100 - 1e-9)) - 1]


def ms_after(pattern, scale):
    return lambda line: [float(x) * scale for x in re.findall(pattern, line)][:1]


# file, format id, the label's start, how to read each line's duration (ms) independently
CASES = [
    ("ingress_nginx.log", "access-log", "ingress-nginx default", lambda l: [float(l.split('" ')[-1].split()[1]) * 1000]),
    ("nginx_upstream_time.log", "access-log", "nginx upstream_time", ms_after(r"rt=([\d.]+)", 1000)),
    ("traefik_common.log", "access-log", "Traefik common", ms_after(r" (\d+)ms$", 1)),
    ("caddy.json.log", "json-access-log", "Caddy", ms_after(r'"duration":([\d.]+)', 1000)),
    ("traefik.json.log", "json-access-log", "Traefik", ms_after(r'"Duration":(\d+)', 1e-6)),
    ("nginx_escape_json.log", "json-access-log", "nginx JSON", ms_after(r'"rt":([\d.]+)', 1000)),
    ("envoy_istio.log", "envoy", "Envoy", lambda l: [float(l.split('" ')[2].split()[2])]),
    ("uwsgi.log", "uwsgi", "uWSGI", ms_after(r"in (\d+) msecs", 1)),
    ("haproxy.log", "haproxy", "HAProxy", lambda l: [float(re.search(r" (\d+)/(\d+)/(\d+)/(\d+)/(\d+) ", l).group(5))]),
    ("iis_w3c.log", "iis", "IIS", lambda l: [] if l.startswith("#") else [float(l.split()[-1])]),
    ("aws_alb.log", "aws-alb", "AWS", lambda l: [sum(float(x) for x in l.split()[5:8]) * 1000]),
    ("jmeter_results.xml", "jmeter-xml", "JMeter XML", lambda l: [float(m) for m in re.findall(r'^<httpSample t="(\d+)"', l)]),
    ("k6_results.csv", "k6-csv", "k6 CSV", lambda l: [float(l.split(",")[2])] if l.startswith("http_req_duration") else []),
    ("gunicorn_lab_sync_D.log", "gunicorn", "Gunicorn", lambda l: [int(l.rsplit(" ", 1)[1]) / 1000]),
]


@pytest.mark.parametrize("name, format_id, label, duration", CASES, ids=[c[0] for c in CASES])
def test_each_format_is_detected_read_whole_and_exact(name, format_id, label, duration):
    s = analyze_path(FORMATS_DIR / name)
    assert s.format == format_id and s.format_label.startswith(label) and s.detected.startswith("detected from line")
    assert s.lines.rejected == 0 and s.lines.used + s.lines.ignored == s.lines.read
    durations = [d for line in (FORMATS_DIR / name).read_text().splitlines() for d in duration(line)]
    if s.window.duration_s and s.requests == len(durations):  # the whole file is the steady window
        assert s.latency.p50_ms == pytest.approx(nearest_rank(durations, 50))
    else:
        assert min(durations) <= s.latency.p50_ms <= max(durations)
    assert s.latency.measures  # what the time field measures is said
    assert analyze_path(FORMATS_DIR / name, format=format_id).detected == f"given as {format_id}"  # the menu forces it


def test_plain_combined_fixture_reads_everything_but_latency():
    s = analyze_path(FORMATS_DIR / "nginx_combined_plain.log")
    assert s.format_label == "nginx combined (no request time)" and s.latency is None and s.requests == 80
    assert s.throughput_rps == pytest.approx(80 / 20) and s.statuses[0][0] == "200"


def test_locust_0x_requests_csv_is_whole_run_totals():
    s = analyze_path(FORMATS_DIR / "locust0_requests.csv")
    assert s.format == "locust-requests" and s.kind == "totals"
    assert (s.requests, s.failures, s.throughput_rps, s.latency.p50_ms) == (8791, 201, 109.49, 18.0)
    assert {e.endpoint for e in s.endpoints} == {"GET /api/items/[id]", "GET /flaky", "GET /slow"}


def test_a_windows_1252_name_in_locust_stats_is_read_with_a_note():
    s = analyze_path(FORMATS_DIR / "locust_cp1252_stats.csv")
    assert s.lines.rejected == 0 and s.endpoints[0].endpoint == "GET /café/[id]"
    assert any("not UTF-8" in n and "cp1252" in n for n in s.notes)


def test_every_format_has_a_fixture_or_an_older_test():
    covered = {c[1] for c in CASES} | {"access-log", "locust-requests", "locust-stats", "k6-json", "k6-summary",
                                      "locust-history", "jmeter-csv", "nginx", "gunicorn"}
    assert set(FORMATS) <= covered
