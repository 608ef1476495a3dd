"""The analysis end to end: numbers against an independent computation, any chunking, hostile files."""

import json
import math
import zlib
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfcalc
from perfcalc import PerfcalcError
from perfcalc.analyze import Analyzer, analyze_bytes, analyze_path, summary_table
from perfcalc.analyze.inputs import calculator_inputs
from perfcalc.analyze.stats import STEADY_FRACTION

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "analyze"
ALL = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.iterdir() if p.is_file() and p.suffix != ".py"
             and p.name != "README.md")


def independent_nginx(path: Path):
    """(time, request_time ms, status) per line, read with str methods, strptime and Decimal, not the parser's."""
    rows = []
    for line in path.read_text().splitlines():
        stamp = line[line.index("[") + 1:line.index("]")]
        after_agent = line.rsplit('"', 1)[1].split()
        status = line.split('" ', 1)[1].split()[0]
        rows.append((datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S %z").timestamp(),
                     float(Decimal(after_agent[0]) * 1000), status))
    return rows


def nearest_rank(values, p):
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered) / 100 - 1e-9)) - 1]


def test_nginx_window_numbers_match_an_independent_computation():
    s = analyze_path(FIXTURES / "nginx_ramp.log")
    rows = independent_nginx(FIXTURES / "nginx_ramp.log")
    t0 = min(t for t, _, _ in rows)
    inside = [(t, d, st_) for t, d, st_ in rows if s.window.start_s <= t - t0 < s.window.end_s]
    durations = [d for _, d, _ in inside]
    assert s.requests == len(inside) < len(rows)
    assert s.failures == sum(1 for *_, code in inside if code >= "500")
    assert s.throughput_rps == pytest.approx(len(inside) / s.window.duration_s)
    lat = s.latency
    assert lat.mean_ms == pytest.approx(sum(durations) / len(durations))
    assert (lat.min_ms, lat.max_ms) == (min(durations), max(durations))
    for p, got in ((50, lat.p50_ms), (90, lat.p90_ms), (95, lat.p95_ms), (99, lat.p99_ms), (99.9, lat.p999_ms)):
        assert got == nearest_rank(durations, p)
    # Little's law over the same window.
    assert s.mean_concurrency == pytest.approx(s.throughput_rps * lat.mean_ms / 1000)
    assert s.lines == (len(rows), len(rows), 0, 0)


def test_the_window_follows_the_stated_rule():
    s = analyze_path(FIXTURES / "nginx_ramp.log")
    c = s.charts
    rates = c.throughput_rps
    middle = sorted(rates[len(rates) // 4: len(rates) - len(rates) // 4])
    threshold = STEADY_FRACTION * middle[(len(middle) - 1) // 2]
    inside = [i for i, t in enumerate(c.time_s) if s.window.start_s <= t + c.bucket_s / 2 < s.window.end_s]
    assert all(rates[i] >= threshold for i in (inside[0], inside[-1]))
    assert all(r < threshold for i, r in enumerate(rates) if i < inside[0] or i > inside[-1])
    assert 0 < s.window.start_s and s.window.end_s < s.span_s  # the ramps were dropped


def test_charts_are_plain_lists_of_equal_length_and_the_histogram_counts_the_window():
    s = analyze_path(FIXTURES / "nginx_ramp.log")
    c = s.charts
    assert len(c.time_s) == len(c.throughput_rps) == len(c.p99_ms) == len(c.error_rate_pct)
    assert sum(c.histogram_counts) == s.requests
    assert len(c.histogram_edges_ms) == len(c.histogram_counts) + 1
    assert c.histogram_edges_ms[0] <= s.latency.min_ms and c.histogram_edges_ms[-1] >= s.latency.max_ms
    assert max(c.throughput_rps) == s.peak_throughput_rps


def test_endpoint_percentiles_are_exact_per_endpoint():
    s = analyze_path(FIXTURES / "gunicorn_D.log")
    lines = (FIXTURES / "gunicorn_D.log").read_text().splitlines()
    slow = [int(x.rsplit(" ", 1)[1]) / 1000 for x in lines if '"GET /slow ' in x]
    stats = next(e for e in s.endpoints if e.endpoint == "GET /slow")
    assert stats.requests == len(slow)  # a 2-second excerpt: the whole file is one steady window
    assert (stats.p50_ms, stats.p95_ms, stats.p99_ms) == tuple(nearest_rank(slow, p) for p in (50, 95, 99))
    assert sum(e.requests for e in s.endpoints) == s.requests


def test_upstream_time_is_reported_beside_the_request_time():
    s = analyze_path(FIXTURES / "nginx_ramp.log")
    assert s.upstream_latency.count < s.requests  # static files have no upstream
    assert s.calculator_inputs["worker-pool"]["service_time_ms"] == pytest.approx(s.upstream_latency.mean_ms, rel=1e-3)
    assert any("$upstream_response_time" in n for n in s.notes)


def test_k6_step_test_steps_and_usl_points():
    s = analyze_path(FIXTURES / "k6_points.json")
    assert [st_.level for st_ in s.steps] == [1, 2, 3]
    assert [st_.throughput_rps for st_ in s.steps] == [1.0, 2.0, 3.0]  # one request per VU a second
    assert s.usl_measurements == "1:1 2:2 3:3" and s.load_name == "VUs" and s.load_max == 3
    assert s.calculator_inputs["usl-fit"] == {"measurements": "1:1 2:2 3:3"}


def test_gzip_is_read_the_same_as_the_plain_file():
    plain, packed = analyze_path(FIXTURES / "k6_points.json"), analyze_path(FIXTURES / "k6_points.json.gz")
    a, b = plain.to_json(), packed.to_json()
    for d in (a, b):
        d.pop("file"), d.pop("notes")
    assert a == b


# -- any chunking, every line accounted for ------------------------------------------


CHUNKED = ["nginx_ramp.log", "jmeter_steps.csv", "k6_points.json.gz", "locust_stats_history.csv",
           "k6_summary_export.json", "gunicorn_L.log"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CHUNKED), st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=40))
def test_any_chunking_gives_the_same_summary(name, sizes):
    data = (FIXTURES / name).read_bytes()
    whole = analyze_bytes(data, name).to_json()
    a, i, k = Analyzer(name), 0, 0
    while i < len(data):
        a.feed(data[i:i + sizes[k % len(sizes)]])
        i += sizes[k % len(sizes)]
        k += 1
    assert a.finish().to_json() == whole


garbage = st.sampled_from(["not a log line", "{", "\x00\x01\x02", "GET / HTTP/1.1", "1,2,3", '"unterminated'])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=270), garbage), max_size=15))
def test_counts_add_up_and_bad_lines_are_counted_not_dropped(insertions):
    lines = (FIXTURES / "nginx_ramp.log").read_text().splitlines()
    for at, bad in sorted(insertions, reverse=True):
        lines.insert(at, bad)
    s = analyze_bytes("\n".join(lines) + "\n", "ramp.log")
    assert s.lines.read == len(lines)
    assert s.lines.used + s.lines.ignored + s.lines.rejected == s.lines.read
    assert s.lines.rejected == len(insertions) and s.lines.used == len(lines) - len(insertions)
    assert [r.line for r in s.rejected] == sorted(at + 1 + k for k, (at, _) in enumerate(sorted(insertions)))[:10]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=3300), st.one_of(garbage, st.just(""))), max_size=40),
       st.sampled_from([1 << 20, 4096, 100_000]))
def test_blocks_read_at_once_give_what_line_by_line_gives(insertions, slice_bytes):
    """The block path (odd lines anywhere, halving around them) against the same file read line by line."""
    from unittest import mock

    from perfcalc.analyze.accesslog import AccessLog

    lines = (FIXTURES / "nginx_ramp.log").read_text().splitlines() * 12
    for at, bad in sorted(insertions, reverse=True):
        lines.insert(at, bad)
    data = ("\n".join(lines) + "\n").encode()

    def read():
        a = Analyzer("ramp.log")
        try:
            for i in range(0, len(data), slice_bytes):
                a.feed(data[i:i + slice_bytes])
            return a.finish().to_json()
        except PerfcalcError as exc:  # a first line of another format: the same refusal either way
            return str(exc)

    with mock.patch.object(AccessLog, "parse_block", lambda self, text, lines=None: None):
        one_by_one = read()
    assert read() == one_by_one


def test_progress_counts_bytes_and_lines_as_it_goes():
    data = (FIXTURES / "nginx_ramp.log").read_bytes()
    a = Analyzer("ramp.log")
    p = a.feed(data[:1000])
    assert p.bytes_read == 1000 and 0 < p.lines_read == p.lines_used < 10
    p = a.feed(data[1000:])
    assert p.bytes_read == len(data) and p.lines_read == data.count(b"\n")
    a.finish()
    with pytest.raises(PerfcalcError, match="finished"):
        a.feed(b"more")


# -- everything is plain data, and fits the calculators ------------------------------


def _plain(value):
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (str, int, bool))


@pytest.mark.parametrize("name", [n for n in ALL if not n.startswith("hostile/")])
def test_every_fixture_summarises_to_plain_data_and_valid_calculator_inputs(name):
    s = analyze_path(FIXTURES / name)
    data = s.to_json()
    assert _plain(data)
    json.dumps(data, allow_nan=False)
    assert s.lines.used + s.lines.ignored + s.lines.rejected == s.lines.read
    assert s.calculator_inputs, name
    for cid, values in s.calculator_inputs.items():
        calc = perfcalc.get(cid)
        assert set(values) <= {f.name for f in calc.fields}
        checked, errors = perfcalc.validate(cid, values)
        assert errors == {}, (name, cid, errors)
        result, errors = perfcalc.evaluate(cid, values)
        if cid == "simulate" and set(errors) == {"arrival_rps"}:
            # No file records the number of workers, so the form's default (5) stands beside the measured rate:
            # a load test run near capacity is then too busy to simulate, which simulate says and why.
            assert "too close to capacity to simulate" in errors["arrival_rps"], (name, errors)
            continue
        assert result is not None, (name, cid, errors)
    assert summary_table(s).startswith(f"{FIXTURES / name}: {s.format_label}")


def test_requests_per_month_only_from_an_hour_of_access_log_and_said_how():
    start = 1_700_000_000
    stamps = [datetime.fromtimestamp(start + 36 * i, timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000")
              for i in range(101)]
    log = "".join(f'1.2.3.4 - - [{t}] "GET /x HTTP/1.1" 200 5 "-" "ua" 0.050\n' for t in stamps)
    s = analyze_bytes(log, "hour.log")
    assert s.calculator_inputs["capacity"]["requests_per_month"] == round(101 / 3601 * 730 * 3600)
    assert any("× 730 h" in n for n in s.notes)
    short = analyze_path(FIXTURES / "nginx_ramp.log")
    assert "requests_per_month" not in short.calculator_inputs["capacity"]
    load_test = analyze_path(FIXTURES / "jmeter_steps.csv")
    assert "requests_per_month" not in load_test.calculator_inputs["capacity"]


def test_pre_aggregated_files_say_what_cannot_be_derived():
    history = analyze_path(FIXTURES / "locust_stats_history.csv")
    assert history.latency.p99_ms is None and history.latency.mean_ms is not None
    assert history.stated_latency.p99_ms == 110.0 and "as Locust states it" in history.stated_latency.basis
    assert any("Percentiles over a window cannot be derived" in n for n in history.notes)
    stats = analyze_path(FIXTURES / "locust_stats.csv")
    assert "whole run including ramp-up" in stats.latency.basis and stats.window is None


def test_locust_window_counts_are_differences_of_the_cumulative_totals():
    s = analyze_path(FIXTURES / "locust_stats_history.csv")
    rows = [line.split(",") for line in (FIXTURES / "locust_stats_history.csv").read_text().splitlines()[1:]]
    t0 = int(rows[0][0])
    at = {int(r[0]) - t0: r for r in rows}
    start, end = at[s.window.start_s], at[s.window.end_s]
    assert s.requests == int(end[17]) - int(start[17]) and s.failures == int(end[18]) - int(start[18])
    mean = (float(end[20]) * int(end[17]) - float(start[20]) * int(start[17])) / s.requests
    assert s.latency.mean_ms == pytest.approx(mean)


# -- hostile files --------------------------------------------------------------------


@pytest.mark.parametrize("name, message", [
    # Each says what the file looks like, what is missing, and what to do, in that order.
    ("binary.bin", r"binary.bin line 1: it has byte 0x[0-9a-f]{2} at column \d+ where UTF-8 text is needed; give "
                   r"the text file itself"),
    ("empty.log", r"empty.log: the file is empty; there is nothing to read; give one of: k6 JSON lines"),
    ("blank_lines.log", r"blank_lines.log: the file is only blank lines; there is nothing to read; give one of"),
    ("k6_summary_truncated.json", r"k6_summary_truncated.json line \d+: it has '.*' where a complete JSON document "
                                  r"\(k6's summary\), not .* is needed; give the file whole"),
    ("nested.json", r"nested.json line 1: the line is '\[\[\[.*'; no format read here starts like it; give one of: "
                    r"k6 JSON lines"),
])
def test_hostile_files_are_clear_errors_naming_file_and_line(name, message):
    with pytest.raises(PerfcalcError, match=message):
        analyze_path(FIXTURES / "hostile" / name)


def test_plain_combined_was_refused_and_is_now_read_without_latency():
    s = analyze_path(FIXTURES / "hostile" / "plain_combined.log")
    assert s.latency is None and s.requests > 0 and s.format_label == "nginx combined (no request time)"
    assert any("$request_time" in n for n in s.notes)


def test_a_truncated_last_line_is_rejected_and_the_rest_used():
    s = analyze_path(FIXTURES / "hostile" / "truncated.log")
    assert s.lines == (11, 10, 0, 1) and s.rejected[0].line == 11
    assert s.rejected[0].expected.startswith("a line in nginx combined")


def test_a_100_kb_line_is_rejected_and_shown_short():
    s = analyze_path(FIXTURES / "hostile" / "long_line.log")
    assert s.lines == (11, 10, 0, 1) and s.rejected[0].line == 6
    assert len(s.rejected[0].found) < 80 and s.rejected[0].found.startswith("'AAAA")


def test_bytes_that_are_not_utf8_reject_their_line_with_the_column():
    s = analyze_path(FIXTURES / "hostile" / "not_utf8.log")
    assert s.lines.rejected == 1 and s.rejected[0].line == 4
    assert s.rejected[0].expected == "UTF-8 text" and s.rejected[0].found.startswith("byte 0xe9 at column ")


def test_a_truncated_gzip_is_read_as_far_as_it_goes_and_said():
    s = analyze_path(FIXTURES / "hostile" / "gzip_truncated.json.gz")
    assert any("truncated" in n for n in s.notes) and s.requests > 0
    assert s.lines.rejected <= 1  # at most the line cut by the end of the data


def test_text_from_the_file_is_escaped_where_it_is_quoted():
    good = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\" 0.001\n"
    s = analyze_bytes(good + "<img src=x onerror=alert(1)>\x1b[2J\x07\n" + good, "x.log")
    found = s.rejected[0].found
    assert "\x1b" not in found and "\x07" not in found and found.startswith("'<img")


def test_nothing_parsable_is_an_error_not_an_empty_summary():
    with pytest.raises(PerfcalcError, match=r"x.csv: it looks like JMeter CSV .*, but no line could be read: line 2, "
                                            r"the first, has 'not' where timeStamp .* was expected; give a file"):
        analyze_bytes("timeStamp,elapsed\nnot,numbers\n", "x.csv")
    with pytest.raises(PerfcalcError, match=r"k.json: it reads as k6 JSON lines .*, but no line in it is a request"):
        analyze_bytes('{"type":"Point","metric":"vus","data":{"time":"2024-01-01T00:00:00Z","value":1}}\n', "k.json")


# -- the committed fixtures are the generator's -----------------------------------------


def test_generated_fixtures_are_what_the_generator_writes():
    import importlib.util
    spec = importlib.util.spec_from_file_location("generate", FIXTURES / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    for name, data in generate.files().items():
        committed = (FIXTURES / name).read_bytes()
        if name.endswith(".gz"):  # compressed bytes differ between zlib builds; their content must not
            text = zlib.decompressobj(wbits=31).decompress(committed)
            assert text and zlib.decompressobj(wbits=31).decompress(data).startswith(text[:len(text) // 2]), name
        else:
            assert committed == data, f"{name} differs from generate.py's output: run it and commit"


def test_a_locust_statistics_reset_starts_the_run_again():
    lines = (FIXTURES / "locust_stats_history.csv").read_text().splitlines()
    header, rows = lines[0], [line.split(",") for line in lines[1:]]
    t_last = int(rows[-1][0])
    again = []
    for k, row in enumerate(rows[1:40], start=1):  # the run again after a reset: counts from zero
        row = list(row)
        row[0] = str(t_last + k)
        again.append(",".join(row))
    s = analyze_bytes("\n".join([header] + lines[1:] + again) + "\n", "reset.csv")
    assert any("reset 1 time(s)" in n for n in s.notes)
    assert s.start_utc == datetime.fromtimestamp(t_last + 1, timezone.utc).isoformat(timespec="milliseconds")[:-6] + "Z"
    assert s.requests <= int(rows[39][17]) and s.requests > 0


def test_feed_takes_bytes_like_text_and_buffer_proxies_only():
    class BufferProxy:  # what Pyodide hands Python for a JavaScript Uint8Array
        def __init__(self, data):
            self.data = data

        def to_bytes(self):
            return self.data

    data = (FIXTURES / "nginx_forwarded.log").read_bytes()
    expected = analyze_bytes(data, "f.log").to_json()
    for wrap in (bytes, bytearray, memoryview, BufferProxy, lambda d: d.decode()):
        a = Analyzer("f.log")
        assert a.feed(wrap(data[:100])).to_json()["bytes_read"] == 100
        a.feed(wrap(data[100:]))
        assert a.finish().to_json() == expected
    for wrong in (42, None, [1, 2]):
        with pytest.raises(PerfcalcError, match=r"^f.log: feed\(\) takes the file's bytes"):
            Analyzer("f.log").feed(wrong)


def test_simulate_is_suggested_only_with_a_p99_a_lognormal_can_have():
    common = dict(throughput_rps=40.0, service_ms=12.0, service_basis="the mean", error_rate_pct=0.0,
                  usl_measurements=None, requests_in_file=1000, span_s=60.0, month_extrapolation=False)
    inputs, _ = calculator_inputs(p99_ms=60.0, **common)
    assert inputs["simulate"] == {"arrival_rps": 40.0, "service_time_ms": 12.0, "service_p99_ms": 60.0}
    heavy, notes = calculator_inputs(p99_ms=500.0, **common)  # 41.7 × the mean: no lognormal
    assert "simulate" not in heavy and "worker-pool" in heavy
    assert any(n.startswith("Not suggested for simulate: the measured p99 (500 ms) is 41.7 × the mean") for n in notes)
    unknown, notes = calculator_inputs(p99_ms=None, **common)
    assert "simulate" not in unknown and any("gives no p99" in n for n in notes)


# -- the steady window's samples, for compare ----------------------------------------


def test_run_samples_are_the_window_requests_in_time_order():
    s = analyze_path(FIXTURES / "nginx_ramp.log")
    rows = independent_nginx(FIXTURES / "nginx_ramp.log")
    t0 = min(t for t, _, _ in rows)
    inside = [(t - t0, d, code >= "500") for t, d, code in rows if s.window.start_s <= t - t0 < s.window.end_s]
    inside.sort(key=lambda r: r[0])  # stable: the file's order among requests of the same second
    got = s.samples
    assert list(got.time_s) == [t for t, _, _ in inside]
    assert list(got.latency_ms) == [d for _, d, _ in inside]
    assert [bool(f) for f in got.failed] == [f for _, _, f in inside]
    assert got.duration_s == s.window.duration_s and got.kind == "requests" and got.stated is None
    assert got.format_label == s.format_label and "samples" not in s.to_json()


def test_run_samples_of_pre_aggregated_files_state_what_the_tool_stated():
    stats = analyze_path(FIXTURES / "locust_stats.csv").samples
    assert stats.count == 0 and stats.kind == "totals"
    assert stats.stated["requests"] == 8791 and stats.stated["percentiles_ms"]["99"] == 110.0
    history = analyze_path(FIXTURES / "locust_stats_history.csv")
    assert history.samples.stated["requests"] == history.requests and history.samples.kind == "intervals"


# -- honest figures on degenerate input ----------------------------------------------


def test_one_timestamp_gives_no_rate_no_littles_law_and_no_suggestions():
    one = '10.0.0.1 - - [10/Mar/2024:10:00:00 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua" 0.250\n'
    s = analyze_bytes(one, "one.log")
    assert s.requests == 1 and s.latency.p50_ms == 250.0
    assert s.throughput_rps is None and s.mean_concurrency is None and s.peak_throughput_rps is None
    assert s.calculator_inputs == {} and any("same timestamp" in n for n in s.notes)


def test_span_is_last_minus_first_and_the_rate_counts_intervals_between_events():
    # Ten requests a second apart, timed to the millisecond (JMeter): 9 s, 1.0/s.
    header = "timeStamp,elapsed,label,responseCode,success\n"
    rows = "".join(f"{1710061200000 + 1000 * i},20,home,200,true\n" for i in range(10))
    s = analyze_bytes(header + rows, "ten.jtl")
    assert s.span_s == 9.0 and s.throughput_rps == pytest.approx(1.0)
    # The same as an access log gives with whole seconds.
    log = "".join(f'1.2.3.4 - - [10/Mar/2024:10:00:0{i} +0000] "GET /x HTTP/1.1" 200 5 "-" "ua" 0.020\n' for i in range(10))
    a = analyze_bytes(log, "ten.log")
    assert a.span_s == 9.0 and a.throughput_rps == pytest.approx(1.0)


def test_chart_buckets_scale_to_a_short_file():
    log = "".join(f'1.2.3.4 - - [10/Mar/2024:10:00:0{i % 3} +0000] "GET /x HTTP/1.1" 200 5 "-" "ua" 0.020\n'
                  for i in range(10))
    s = analyze_bytes(log, "short.log")
    assert s.charts.bucket_s <= 5


def test_a_run_that_mostly_failed_is_warned_before_the_inputs():
    log = "".join(f'1.2.3.4 - - [10/Mar/2024:10:00:{i:02d} +0000] "GET /x HTTP/1.1" {503 if i % 4 else 200} 5 "-" '
                  f'"ua" 0.020\n' for i in range(40))
    s = analyze_bytes(log, "failing.log")
    assert s.error_rate_pct == 75.0 and s.warnings and "Most requests failed" in s.warnings[0]
    text = summary_table(s)
    assert text.index("Most requests failed") < text.index("Calculator inputs")


def test_statuses_count_the_same_window_as_the_rest():
    s = analyze_path(FIXTURES / "nginx_ramp.log")
    assert sum(n for _, n in s.statuses) == s.requests and "steady window" in s.statuses_scope


def test_a_quote_opened_while_the_format_is_still_unknown_counts_its_lines():
    """Hypothesis found it: a header whose first byte became a quote is held until the format is known; re-read,
    it opened a record that the next line closed, and that record's first line was counted nowhere."""
    header = (FIXTURES / "jmeter_steps.csv").read_text().splitlines()[0]
    raw = ('"' + header[1:] + "\n"
           '1710061201000,37,GET /api/items,500,Internal Server Error,Shop 1-1,text,false,"Test failed: code expected\n'
           "1710061200000,51,GET /api/items,200,OK,Shop 1-1,text,true,,555,180,1,1,http://shop.test/api/items,48,0,")
    lines = analyze_bytes(raw.encode(), "jmeter_steps.csv").lines
    assert (lines.read, lines.used, lines.ignored, lines.rejected) == (3, 1, 0, 2)


def test_without_samples_the_summary_is_the_same_and_compare_says_what_is_missing():
    """The page's one-file panel and `perfcalc analyze` skip the window's samples, which only compare reads."""
    from perfcalc.analyze.compare import compare

    path = FIXTURES / "nginx_ramp.log"
    with_samples, without = analyze_path(path), analyze_path(path, samples=False)
    assert without.to_json() == with_samples.to_json()
    assert without.samples is None and len(with_samples.samples.latency_ms) == with_samples.requests
    with pytest.raises(PerfcalcError, match="holds no samples"):
        compare(without, with_samples)


REAL_LOGS = sorted(p for p in (FIXTURES / "formats").iterdir() if p.suffix == ".log")
BLOCK_READ = {"nginx_request_time.log", "gunicorn_lab_sync_D.log"}


@pytest.mark.parametrize("path", REAL_LOGS, ids=[p.name for p in REAL_LOGS])
def test_real_tools_logs_read_in_blocks_as_line_by_line(path):
    """The block path on what the tools wrote (tests/fixtures/analyze/formats/README): the same summary as line by
    line, in small slices (lines cut across slices) and in one."""
    from unittest import mock

    from perfcalc.analyze.accesslog import AccessLog

    data = path.read_bytes() * 40  # enough lines for a block of several hundred

    def read(slice_bytes):
        a = Analyzer(path.name)
        for i in range(0, len(data), slice_bytes):
            a.feed(data[i:i + slice_bytes])
        return a.finish().to_json()

    with mock.patch.object(AccessLog, "parse_block", lambda self, text, lines=None: None):
        one_by_one = read(1 << 20)
    blocks = []
    real_parse_block = AccessLog.parse_block

    def counted(self, text, lines=None):
        blocks.append(real_parse_block(self, text, lines))
        return blocks[-1]

    with mock.patch.object(AccessLog, "parse_block", counted):
        assert read(1 << 20) == one_by_one
        assert read(4096) == one_by_one
    if path.name in BLOCK_READ:  # the formats the block path serves: it must really have read them
        assert any(n for n in blocks), "no block was read at once"


# -- a file read in two parts (the page's second core) ---------------------------------------------------------

def _feed(analyzer, data: bytes, slice_bytes: int) -> None:
    for i in range(0, len(data), slice_bytes):
        analyzer.feed(data[i:i + slice_bytes])


def _two_parts(data: bytes, cut: int, name: str, slice_bytes: int = 4096):
    """``data`` read up to ``cut`` (a line boundary) by one analyzer and from there by a second, then joined."""
    first = Analyzer(name)
    head = data[:cut]
    known = head.index(b"\n") + 1 if b"\n" in head else len(head)
    _feed(first, head[:known], slice_bytes)  # the page hands over once the format is known, then reads on
    handover = first.handover()
    assert handover is not None, "the format is known from the first line and reads in parts"
    _feed(first, head[known:], slice_bytes)
    second = Analyzer.part_of(handover)
    _feed(second, data[cut:], slice_bytes)
    assert first.absorb(second.part())
    return first.finish()


def _whole(summary):
    samples = summary.samples
    return summary.to_json(), (list(samples.latency_ms), list(samples.failed), list(samples.time_s))


SPLITTABLE = ["nginx_ramp.log", "gunicorn_L.log", "gunicorn_D.log", "formats/gunicorn_lab_sync_D.log",
              "formats/nginx_request_time.log"]


@pytest.mark.parametrize("name", SPLITTABLE)
def test_a_file_read_in_two_parts_summarises_as_if_read_whole(name):
    """Every line boundary of the file (up to 60 of them, spread out) as the cut: the summary is the same, to the bit."""
    data = (FIXTURES / name).read_bytes()
    whole = _whole(analyze_bytes(data, name))
    ends = [i + 1 for i, byte in enumerate(data) if byte == 10][:-1]
    for cut in ends[::max(1, len(ends) // 60)]:
        assert _whole(_two_parts(data, cut, name)) == whole, f"cut after byte {cut}"


def _log(seconds: int, per_second: int, endpoints: int, seed: int = 1) -> list[str]:
    """nginx combined + $request_time lines over ``seconds`` seconds, endpoints met in a shuffled order."""
    import random

    rng = random.Random(seed)
    lines = []
    for s in range(seconds):
        stamp = datetime.fromtimestamp(1_700_000_000 + s, timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000")
        for _ in range(per_second):
            path = f"/e{rng.randrange(endpoints)}/{rng.randrange(10**6)}"
            status = rng.choice(["200", "200", "200", "404", "503"])
            lines.append(f'10.0.0.1 - - [{stamp}] "GET {path} HTTP/1.1" {status} 12 "-" "k6" {rng.random():.3f}')
    return lines


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(min_value=0.01, max_value=0.99),
       st.lists(st.tuples(st.integers(min_value=1, max_value=9000), st.one_of(garbage, st.just(""))), max_size=30),
       st.sampled_from([4096, 100_000, 1 << 20]))
def test_parts_join_exactly_across_widened_pages_renumbered_endpoints_and_bad_lines(fraction, insertions, slice_bytes):
    """A log longer than MAX_PAGES seconds (the pages widen in one part, not the other), odd lines anywhere."""
    lines = _log(seconds=4500, per_second=2, endpoints=60)
    for at, bad in sorted(insertions, reverse=True):
        lines.insert(at, bad)
    data = ("\n".join(lines) + "\n").encode()
    cut = data.index(b"\n", int(len(data) * fraction)) + 1
    whole = analyze_bytes(data, "long.log")
    assert _whole(_two_parts(data, cut, "long.log", slice_bytes)) == _whole(whole)


def test_parts_that_together_reach_the_endpoint_limit_are_not_joined_and_the_rest_is_read_on():
    from perfcalc.analyze.analysis import MAX_ENDPOINTS

    data = ("\n".join(_log(seconds=300, per_second=4, endpoints=MAX_ENDPOINTS + 40)) + "\n").encode()
    cut = data.index(b"\n", len(data) // 2) + 1
    first = Analyzer("many.log")
    first.feed(data[:cut])
    second = Analyzer.part_of(first.handover())
    second.feed(data[cut:])
    assert not first.absorb(second.part())  # which names become "(other endpoints)" would depend on the cut
    first.feed(data[cut:])  # nothing was taken: the first reads the rest itself
    assert _whole(first.finish()) == _whole(analyze_bytes(data, "many.log"))


def test_only_a_parser_without_state_between_lines_hands_over():
    assert Analyzer("x").handover() is None  # no format yet
    k6 = Analyzer("k6.json")
    k6.feed((FIXTURES / "k6_points.json").read_bytes()[:5000])
    assert k6.handover() is None
    gz = Analyzer("ramp.log.gz")
    gz.feed(zlib.compress((FIXTURES / "nginx_ramp.log").read_bytes(), wbits=31))
    assert gz.handover() is None  # a gzip stream has no line boundary to start the second part at
