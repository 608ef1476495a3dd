"""perfcalc.analyze.k6 on k6's output: the per-sample JSON lines and the end-of-test summaries, what
every line becomes and what it refuses.

Fixtures are in tests/fixtures/analyze (README.md there says which were
recorded from real runs and which were written to the documented format).
"""

import pytest

from perfcalc.analyze import analyze_path
from perfcalc.analyze.k6 import K6Json, rfc3339_s
from perfcalc.analyze.records import LineError, LineResult, LoadLevel, Recorder, Request

from .parsers import FIXTURES, records


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


def test_a_summary_with_an_integer_thousands_of_digits_long_is_refused_with_a_message():
    """Found by the fuzz test: Python refuses to read an integer of over 4,300 digits (int_max_str_digits) with a
    ValueError that has no position, and the summary reader crashed on it."""
    from perfcalc import PerfcalcError
    from perfcalc.analyze import analyze_bytes

    text = (FIXTURES / "k6_summary_export.json").read_text().replace('"passes": 595', '"passes": ' + "7" * 5000, 1)
    with pytest.raises(PerfcalcError, match="thousands of digits"):
        analyze_bytes(text.encode(), "summary.json")
