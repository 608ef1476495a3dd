"""Each parser on its tool's output: what every line becomes, and what it refuses.

Fixtures are in tests/fixtures/analyze (README.md there says which were
recorded from real runs and which were written to the documented format).
"""

import json
from pathlib import Path

import pytest

from perfcalc import PerfcalcError
from perfcalc.analyze import analyze_bytes, analyze_path
from perfcalc.analyze.accesslog import GunicornLog, NginxLog, clf_time_s, endpoint_of, sniff_access_log
from perfcalc.analyze.records import LineResult
from perfcalc.analyze.detect import FORMATS, detect
from perfcalc.analyze.jmeter import DEFAULT_COLUMNS, JMeterCsv
from perfcalc.analyze.k6 import K6Json, rfc3339_s
from perfcalc.analyze.records import Interval, LineError, LoadLevel, Recorder, Request, Total

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "analyze"


def records(format_id: str, path: str, **kw):
    """Every record the parser makes from a fixture, by feeding it its lines as the analyzer does."""
    sink = Recorder()
    lines = (FIXTURES / path).read_text().splitlines()
    cls = FORMATS[format_id]
    parser = cls(sink, **cls.sniff(lines[0]))
    for line in lines:
        parser.parse(line)
    parser.end()
    return sink.records, parser


# -- k6 ---------------------------------------------------------------------------


def test_k6_points_are_requests_and_vus_the_load_level():
    got, parser = records("k6-json", "k6_points.json")
    requests = [r for r in got if isinstance(r, Request)]
    levels = [r for r in got if isinstance(r, LoadLevel)]
    assert len(requests) == 1 * 11 + 2 * 11 + 3 * 11 and len(levels) == 33
    assert [lv.level for lv in levels[::11]] == [1, 2, 3]
    first = requests[0]
    assert first.time_s == pytest.approx(rfc3339_s("2024-03-10T08:00:00.157000Z"))
    assert first.endpoint == "GET https://shop.test/api/items" and first.status == "200" and not first.failed
    assert {(r.status, r.failed) for r in requests} == {("200", False), ("503", True), ("0", True)}
    assert parser.notes == []


def test_k6_reads_any_key_order_and_ignores_other_metrics():
    sink = Recorder()
    parser = K6Json(sink)
    newer = ('{"metric":"http_req_duration","type":"Point","data":{"time":"2024-01-01T00:00:01+02:00",'
             '"value":12.5,"tags":{"method":"GET","name":"home","status":"302","expected_response":"true"},'
             '"metadata":{"vu":"1","iter":"0"}}}')
    assert parser.parse(newer) is LineResult.USED
    assert parser.parse('{"metric":"http_req_waiting","type":"Point","data":{"time":"x","value":1}}') is LineResult.IGNORED
    assert parser.parse('{"type":"Metric","data":{"name":"vus","type":"gauge"},"metric":"vus"}') is LineResult.IGNORED
    assert sink.records == [Request(1704060001.0, 12.5, False, "302", "GET home", None)]


def test_k6_without_expected_response_falls_back_on_the_status_and_says_so():
    sink = Recorder()
    parser = K6Json(sink)
    for status in ("200", "404", "399"):
        parser.parse('{"type":"Point","metric":"http_req_duration","data":{"time":"2024-01-01T00:00:00Z",'
                     f'"value":1,"tags":{{"status":"{status}"}}}}}}')
    parser.end()
    assert [r.failed for r in sink.records] == [False, True, False]
    assert "no expected_response tag" in parser.notes[0]


@pytest.mark.parametrize("line, expected", [
    ('{"type":"Point","metric":"http_req_duration","data":{"time":"2024-01-01T00:00:00Z","value":-1,"tags":{}}}',
     "a number from 0 to 10\\^15"),
    ('{"type":"Point","metric":"http_req_duration","data":{"time":"2024-02-30T00:00:00Z","value":1,"tags":{}}}',
     "a valid date"),
    ('{"type":"Point","metric":"http_req_duration","data":{"time":"yesterday","value":1}}', "RFC 3339"),
    ('{"type":"Point","metric":"http_req_duration","data":{"time":"2024-01-01T00:00:00Z","val', "a JSON object"),
    ('{"type":"Point","metric":"http_reqs","data":{"ti', "a JSON object"),
    ('["http_req_duration"]', "a JSON object"),
])
def test_k6_bad_lines_say_what_was_expected(line, expected):
    with pytest.raises(LineError, match=expected):
        K6Json(Recorder()).parse(line)


def test_k6_summaries_in_all_three_shapes():
    handle = analyze_path(FIXTURES / "k6_handle_summary.json")
    assert (handle.requests, handle.failures, handle.throughput_rps) == (1080, 27, pytest.approx(35.95375))
    assert handle.latency.p99_ms == pytest.approx(701.20438105) and handle.latency.p50_ms == pytest.approx(251.1127225)
    assert handle.span_s == pytest.approx(30.038123) and handle.load_max == 10
    assert {e.endpoint for e in handle.endpoints} == {"{expected_response:true}", "{name:https://shop.test/api/cart}"}
    legacy = analyze_path(FIXTURES / "k6_summary_export.json")
    assert (legacy.requests, legacy.failures, legacy.latency.p95_ms) == (600, 5, pytest.approx(171.2011))
    assert legacy.latency.p99_ms is None and any("No p99" in n for n in legacy.notes)
    assert legacy.span_s == pytest.approx(600 / 9.99397)  # no state in the legacy export: count / rate
    v1 = analyze_path(FIXTURES / "k6_summary_v1.json")
    assert (v1.requests, v1.failures, v1.span_s, v1.latency.p99_ms) == (1500, 30, 60.0, 445.12)
    for s in (handle, legacy, v1):
        assert s.kind == "totals" and s.window is None and s.charts is None and s.steps == ()


def test_rfc3339_offsets_and_fractions():
    assert rfc3339_s("2024-01-01T02:00:00+02:00") == rfc3339_s("2024-01-01T00:00:00Z") == 1704067200.0
    assert rfc3339_s("2024-01-01T00:00:00.5-01:30") == 1704067200.0 + 5400.5
    cache = {}
    assert rfc3339_s("2024-01-01T00:00:00.25Z", cache) == rfc3339_s("2024-01-01T00:00:00.25Z", cache)


# -- Locust -----------------------------------------------------------------------


def test_locust_stats_rows_and_the_aggregated_row():
    got, _ = records("locust-stats", "locust_stats.csv")
    assert all(isinstance(r, Total) for r in got) and [r.endpoint for r in got][-1] == ""
    whole = got[-1]
    assert (whole.requests, whole.failures) == (8791, 201)
    assert dict(whole.percentiles_ms)[99.0] == 110.0 and dict(whole.percentiles_ms)[99.99] == 490.0
    assert whole.mean_ms == 27.353592753947922 and whole.rate_rps == 109.49196349798946
    assert got[1].endpoint == "GET /flaky" and got[1].failures == 201


def test_locust_history_rows_with_na_before_the_first_request():
    got, _ = records("locust-history", "locust_stats_history.csv")
    assert all(isinstance(r, Interval) and r.endpoint == "" for r in got)
    assert got[0].requests_total == 0 and got[0].percentiles_ms == ()  # N/A while nothing was measured
    assert got[1] == Interval(1795271370, 1, "", 19, 0, 26.69676289473213, 9.576458000083221, 86.18202599973301,
                              0.0, got[1].percentiles_ms)
    assert dict(got[1].percentiles_ms)[50.0] == 14.0
    assert [r.users for r in got[::16]] == [0, 1, 2, 4, 8, 12]


def test_locust_full_history_has_rows_per_name():
    got, _ = records("locust-history", "locust_full_stats_history.csv")
    names = {r.endpoint for r in got}
    assert names == {"", "GET /api/items/[id]", "GET /slow", "GET /flaky"}


def test_locust_csv_without_a_needed_column_is_refused_by_name():
    with pytest.raises(PerfcalcError, match=r"missing_column_stats.csv line 1: it has 'Type,Name,Failure Count.*' "
                                            r"where a header with the columns .*\(missing: Request Count\) is needed"):
        analyze_path(FIXTURES / "hostile" / "missing_column_stats.csv")


def test_locust_failures_csv_is_named_with_what_to_give_instead():
    with pytest.raises(PerfcalcError, match=r"line 1: the line is '.*': this is Locust's _failures.csv, which .*; "
                                            r"give the _stats.csv"):
        analyze_path(FIXTURES / "hostile" / "locust_failures.csv")


# -- JMeter -----------------------------------------------------------------------


def test_jmeter_with_header_quoted_fields_and_transaction_samples():
    got, parser = records("jmeter-csv", "jmeter_steps.csv")
    assert all(isinstance(r, Request) for r in got)
    assert not any(r.endpoint == "Checkout" for r in got)  # Transaction Controller samples skipped
    transactions = (FIXTURES / "jmeter_steps.csv").read_text().count("Number of samples in transaction")
    assert any(f"Skipped {transactions} Transaction Controller samples" in n for n in parser.notes)
    assert got[0] == Request(1710061200.0, 51.0, False, "200", "GET /api/items", 1)
    failed = [r for r in got if r.failed]
    assert failed and all(r.status == "500" for r in failed)  # each one's multi-line failureMessage was read
    assert sorted({r.concurrency for r in got}) == [1, 2, 3, 4]


def test_jmeter_without_header_uses_the_17_default_columns():
    s = analyze_path(FIXTURES / "jmeter_noheader.csv")
    assert s.format_label.endswith("without a header row: the 17 default columns")
    assert s.lines == (10, 10, 0, 0) and s.load_max == 2
    assert len(DEFAULT_COLUMNS) == 17


def test_jmeter_rows_with_a_column_missing_are_rejected_and_counted():
    s = analyze_path(FIXTURES / "hostile" / "jmeter_short_rows.csv")
    assert s.lines == (5, 3, 1, 1)  # a header, and the third of four rows lost its last column
    assert s.rejected[0].line == 4 and s.rejected[0].expected == "17 columns (as in the header)"
    assert s.rejected[0].found.startswith("'16 columns: 1710068401000,")


@pytest.mark.parametrize("row, expected", [
    ("2024/03/10 09:00:00.000,12,home,200,OK,t,text,true,,1,1,1,1,u,1,0,0", "milliseconds since the epoch"),
    ("1710061200000,-5,home,200,OK,t,text,true,,1,1,1,1,u,1,0,0", "elapsed in whole milliseconds"),
    ("1710061200000,5,home,200,OK,t,text,maybe,,1,1,1,1,u,1,0,0", "success: true or false"),
])
def test_jmeter_bad_cells_say_what_was_expected(row, expected):
    parser = JMeterCsv(Recorder(), ",", DEFAULT_COLUMNS, header=False)
    with pytest.raises(LineError, match=expected):
        parser.parse(row)


def test_jmeter_header_in_another_order_with_tabs():
    sink = Recorder()
    header = "timeStamp\tlabel\telapsed\tsuccess"
    parser = JMeterCsv(sink, **JMeterCsv.sniff(header))
    assert parser.parse(header) is LineResult.IGNORED
    assert parser.parse("1710061200123\tlogin\t250\tfalse") is LineResult.USED
    assert sink.records == [Request(1710061200.123, 250.0, True, "", "login", None)]
    assert parser.parse('1710061200123\t"two\tlines') is LineResult.PENDING


# -- access logs ------------------------------------------------------------------


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


# -- detection --------------------------------------------------------------------


@pytest.mark.parametrize("path, format_id", [
    ("k6_points.json", "k6-json"), ("k6_handle_summary.json", "k6-summary"),
    ("k6_summary_export.json", "k6-summary"), ("k6_summary_v1.json", "k6-summary"),
    ("locust_stats.csv", "locust-stats"), ("locust_stats_history.csv", "locust-history"),
    ("jmeter_steps.csv", "jmeter-csv"), ("jmeter_noheader.csv", "jmeter-csv"),
    ("nginx_ramp.log", "nginx"), ("nginx_forwarded.log", "nginx"),
    ("gunicorn_D.log", "gunicorn"), ("gunicorn_L.log", "gunicorn"),
])
def test_every_fixture_is_detected_from_its_first_line(path, format_id):
    first = (FIXTURES / path).read_text().splitlines()[0]
    assert detect(first, path)[0].format == format_id
    assert analyze_path(FIXTURES / path).detected == "detected from line 1"
    assert analyze_path(FIXTURES / path, format=format_id).detected == f"given as {format_id}"


def test_a_forced_format_that_does_not_fit_names_the_line_and_the_format():
    with pytest.raises(PerfcalcError, match=r"nginx_ramp.log line 1: the line is '.*', which is not JMeter CSV "
                                            r"results: a header row starting timeStamp,elapsed.*; choose the file's "
                                            r"own format, or leave the format to be detected"):
        analyze_path(FIXTURES / "nginx_ramp.log", format="jmeter-csv")
    with pytest.raises(PerfcalcError, match=r"line 1: the line is .*, which is not a Gunicorn access log line"):
        analyze_path(FIXTURES / "nginx_ramp.log", format="gunicorn")
    with pytest.raises(PerfcalcError, match=r"^format must be one of k6-json, .*, got 'apache'$"):
        analyze_bytes(b"", format="apache")


def test_json_that_is_no_k6_file_is_not_taken_for_one():
    with pytest.raises(PerfcalcError, match=r"x.json line 1: the line is .*; no format read here starts like it; "
                                            r"give one of: k6 JSON lines"):
        analyze_bytes(json.dumps({"type": "Feature", "geometry": None}), "x.json")


def test_times_outside_1980_to_2200_are_unit_mistakes_and_rejected():
    parser = JMeterCsv(Recorder(), ",", DEFAULT_COLUMNS, header=False)
    with pytest.raises(LineError, match="a time between 1980 and 2200"):  # microseconds, not milliseconds
        parser.parse("1710061200000000,12,home,200,OK,t,text,true,,1,1,1,1,u,1,0,0")
    with pytest.raises(LineError, match="a time between 1980 and 2200"):
        rfc3339_s("9999-01-01T00:00:00Z")
    with pytest.raises(LineError, match="a time between 1980 and 2200"):
        clf_time_s("10/Oct/1970:13:55:36 -0700")
