"""perfcalc.analyze.detect: which tool wrote a file, told from its first line; a forced format that does
not fit; times in the wrong unit, whatever the format.

Fixtures are in tests/fixtures/analyze (README.md there says which were
recorded from real runs and which were written to the documented format).
"""

import json

import pytest

from perfcalc import PerfcalcError
from perfcalc.analyze import analyze_bytes, analyze_path
from perfcalc.analyze.accesslog import clf_time_s
from perfcalc.analyze.detect import detect
from perfcalc.analyze.jmeter import DEFAULT_COLUMNS, JMeterCsv
from perfcalc.analyze.k6 import rfc3339_s
from perfcalc.analyze.records import LineError, Recorder

from .parsers import FIXTURES


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
