"""Access logs in any layout: known layouts recognised from their lines, and a log-format string given by the reader."""

import pytest

from perfcalc import PerfcalcError
from perfcalc.analyze import analyze_bytes
from perfcalc.analyze.templates import KNOWN_LAYOUTS, compile_layout, detect_layout

# The log_format strings readers give, and a line nginx writes with each (the same request).
LINE_PARTS = ('203.0.113.9', '[10/Mar/2024:09:00:01 +0000]', '"GET /api/items/7?x=1 HTTP/1.1"', '200', '512')


@pytest.mark.parametrize("name, source, line", KNOWN_LAYOUTS, ids=[n for n, _, _ in KNOWN_LAYOUTS])
def test_every_known_layout_recognises_its_own_line(name, source, line):
    assert detect_layout(line).name == name
    s = analyze_bytes("\n".join([line] * 3) + "\n", "x.log")
    assert s.requests == 3 and s.lines.rejected == 0
    assert s.endpoints[0].endpoint.split(" ")[0] in ("GET", "POST")
    has_time = compile_layout(source).unit is not None or name.startswith("Traefik")
    assert (s.latency is not None) == has_time or s.format == "gunicorn"


def test_plain_combined_gives_everything_but_latency_and_names_the_directive():
    lines = [f'93.184.216.34 - - [10/Mar/2024:09:00:{i:02d} +0000] "GET /p/{i} HTTP/1.1" {500 if i % 10 == 0 else 200} '
             f'153 "-" "Mozilla/5.0"' for i in range(40)]
    s = analyze_bytes("\n".join(lines) + "\n", "access.log")
    assert s.format_label == "nginx combined (no request time)"
    assert s.requests == 40 and s.throughput_rps == pytest.approx(1.0) and s.failures == 4
    assert s.latency is None and s.mean_concurrency is None and s.charts.histogram_counts == []
    assert s.endpoints[0].endpoint == "GET /p/{id}" and s.endpoints[0].mean_ms is None
    assert "worker-pool" not in s.calculator_inputs
    assert sum("$request_time" in n and "%D" in n for n in s.notes) == 1


def test_a_log_format_string_reads_key_values_extra_fields_and_double_spaces():
    fmt = ('$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" '
           '"$http_user_agent" $http_x_forwarded_for $ssl_protocol request_time=$request_time '
           'upstream_response_time=$upstream_response_time')
    line = ('203.0.113.9 - - [10/Mar/2024:09:00:{:02d} +0000] "GET /api/items/7?x=1 HTTP/1.1" 200 512 "-" "k6" '
            ' TLSv1.3 request_time=0.0{:02d} upstream_response_time=0.010, 0.0{:02d}')  # empty X-F-F: two spaces
    text = "\n".join(line.format(i, 20 + i, 5 + i) for i in range(30)) + "\n"
    s = analyze_bytes(text, "kv.log", log_format=fmt)
    assert s.format == "access-log" and s.detected == "read with the log format given"
    assert s.requests == 30 and s.latency.min_ms == 20.0 and s.upstream_latency.min_ms == 15.0
    with pytest.raises(PerfcalcError, match=r"the log format '\$remote_addr' is no time field"):
        analyze_bytes(text, "kv.log", log_format="$remote_addr")


@pytest.mark.parametrize("fmt, line, want_ms", [
    ('%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %T',
     '198.51.100.23 - - [10/Mar/2024:09:00:01 +0100] "GET / HTTP/1.1" 200 5120 "-" "Mozilla/5.0" 2', 2000.0),
    ('%h %l %u %t "%r" %>s %b %{ms}T', '198.51.100.23 - - [10/Mar/2024:09:00:01 +0100] "GET / HTTP/1.1" 200 - 48', 48.0),
    ('%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)s',
     ' - - [10/Mar/2024:09:00:01 +0000] "GET / HTTP/1.1" 200 2 "-" "curl/8.5.0" 37', 37.0),  # unix socket: no address
    ('%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(T)s',
     '127.0.0.1 - - [10/Mar/2024:09:00:01 +0000] "GET / HTTP/1.1" 200 2 "-" "curl/8.5.0" 1', 1000.0),
])
def test_apache_and_gunicorn_units(fmt, line, want_ms):
    s = analyze_bytes(line + "\n", "x.log", log_format=fmt)
    assert s.latency.p50_ms == want_ms


def test_ingress_nginx_default_is_read_without_being_told_even_after_a_bad_first_line():
    name, _, line = KNOWN_LAYOUTS[0]
    retried = ('10.244.0.1 - - [15/Dec/2023:01:47:14 +0000] "GET /webapp/ HTTP/1.1" 502 150 "-" "Mozilla/5.0" 667 '
               '0.001 [default-webapp-8000] [] 10.244.0.27:8000, 10.244.0.27:8000, 10.244.0.27:8000 0, 0, 0 0.000, '
               '0.000, 0.000 502, 502, 502 065205c3ab074cab564e29aa7684f6f6')
    s = analyze_bytes("not a log line\n" + line + "\n" + retried + "\n", "ingress.log")
    assert s.format_label == name and s.lines.rejected == 1 and s.rejected[0].line == 1
    assert s.requests == 2 and s.failures == 1 and "line 1 did not fit" in s.detected
