"""perfcalc.analyze.accesslog on nginx and Gunicorn access logs: what every line becomes and what it
refuses.

Fixtures are in tests/fixtures/analyze (README.md there says which were
recorded from real runs and which were written to the documented format).
"""

import pytest

from perfcalc.analyze.accesslog import GunicornLog, NginxLog, clf_time_s, endpoint_of, sniff_access_log
from perfcalc.analyze.records import LineError, Recorder

from .parsers import FIXTURES, records


def test_nginx_upstream_times_dashes_retries_and_a_garbage_request():
    got, parser = records("nginx", "nginx_ramp.log")
    assert parser.label == "nginx combined + $request_time + $upstream_response_time"
    static = [r for r in got if r.endpoint == "GET /static/app.{id}.js" or "static" in r.endpoint]
    assert static and all(r.upstream_ms is None for r in static)  # "-": served by nginx itself
    retried = [r for r in got if r.status == "502"]
    assert retried and all(r.failed for r in retried)
    line = next(x for x in (FIXTURES / "nginx_ramp.log").read_text().splitlines() if '" 502 ' in x)
    first, second = line.rsplit(" ", 2)[-2:]
    assert retried[0].upstream_ms == pytest.approx((float(first.rstrip(",")) + float(second)) * 1000)
    garbage = [r for r in got if r.endpoint == "(malformed request line)"]
    assert len(garbage) == 1 and garbage[0].status == "400" and not garbage[0].failed
    assert {r.endpoint for r in got} >= {"GET /api/users/{id}", "POST /api/orders", "GET /health"}


def test_nginx_sample_main_format_with_forwarded_for_and_a_negative_offset():
    got, parser = records("nginx", "nginx_forwarded.log")
    assert parser.label == "nginx combined + $request_time" and len(got) == 30
    assert got[0].time_s == clf_time_s("10/Mar/2024:23:59:50 -0500") == 1710133190.0
    assert got[0].endpoint == "GET /search" and 50 <= got[0].duration_ms <= 150


def test_gunicorn_units_microseconds_and_seconds():
    d, parser_d = records("gunicorn", "gunicorn_D.log")
    line = (FIXTURES / "gunicorn_D.log").read_text().splitlines()[0]
    assert d[0].duration_ms == int(line.rsplit(" ", 1)[1]) / 1000
    assert "%(D)s" in parser_d.label
    seconds, parser_l = records("gunicorn", "gunicorn_L.log")
    line = (FIXTURES / "gunicorn_L.log").read_text().splitlines()[0]
    assert seconds[0].duration_ms == pytest.approx(float(line.rsplit(" ", 1)[1]) * 1000)
    assert "%(L)s" in parser_l.label
    assert {r.endpoint for r in d} == {"GET /api/items/{id}", "GET /slow", "GET /flaky"}


@pytest.mark.parametrize("tail, format_id, label", [
    ("1234", "gunicorn", "%(D)s"),
    ("0.001234", "gunicorn", "%(L)s"),
    ("0.012", "nginx", "$request_time"),
    ("0.012 0.010", "nginx", "$upstream_response_time"),
    ("0.012 -", "nginx", "$upstream_response_time"),
    ("0.012 0.004, 0.005 : 0.001", "nginx", "$upstream_response_time"),
])
def test_access_log_variants_are_told_by_the_request_time(tail, format_id, label):
    line = f'1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 2326 "-" "UA" {tail}'
    cls, args = sniff_access_log(line)
    assert cls.format == format_id and label in args["label"]


def test_access_log_lines_that_do_not_fit_the_variant_are_rejected():
    parser = NginxLog(Recorder(), unit="s", upstream=True, label="nginx")
    base = '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 2326 "-" "UA" '
    with pytest.raises(LineError, match="upstream_response_time"):
        parser.parse(base + "0.012 soon")
    with pytest.raises(LineError, match="a time like"):
        parser.parse(base.replace("Oct", "Okt") + "0.012 0.010")
    with pytest.raises(LineError, match="a request time after the user agent"):
        parser.parse(base.rstrip())
    gunicorn = GunicornLog(Recorder(), unit="us", upstream=False, label="g")
    with pytest.raises(LineError, match="whole microseconds"):
        gunicorn.parse(base + "0.5")


def test_endpoints_drop_queries_and_ids():
    assert endpoint_of("GET /orders/9f1c2b3a-1d2e-4f5a-8b9c-0a1b2c3d4e5f/items?x=1 HTTP/1.1") == "GET /orders/{id}/items"
    assert endpoint_of("GET /assets/app.0123456789abcdef0123.js HTTP/1.1") == "GET /assets/app.0123456789abcdef0123.js"
    assert endpoint_of("GET /v2/users/0123456789abcdef HTTP/1.1") == "GET /v2/users/{id}"
    assert endpoint_of("-") == "(malformed request line)"
