"""The CLI contract for `perfcalc analyze` (ARCHITECTURE.md, "Command line")."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from perfcalc.analyze import FORMATS, analyze_path
from perfcalc.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "analyze"


def test_table_by_default_with_the_summary_numbers(capsys):
    assert main(["analyze", str(FIXTURES / "nginx_ramp.log")]) == 0
    out = capsys.readouterr().out
    s = analyze_path(FIXTURES / "nginx_ramp.log")
    assert out.startswith(f"{FIXTURES / 'nginx_ramp.log'}: nginx combined + $request_time")
    p99_line = next(line for line in out.splitlines() if line.startswith("  p99 "))
    assert p99_line.split() == ["p99", f"{s.latency.p99_ms:,.1f}", "ms"]
    assert f"throughput          {s.throughput_rps:,.2f} requests/s" in out
    assert "worker-pool: --arrival-rps" in out and "Notes" in out


def test_json_is_the_summary_s_plain_data(capsys):
    assert main(["analyze", str(FIXTURES / "locust_usl_stats_history.csv"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == json.loads(json.dumps(analyze_path(FIXTURES / "locust_usl_stats_history.csv").to_json()))
    assert data["calculator_inputs"]["usl-fit"]["measurements"].startswith("1:")
    assert data["format"] == "locust-history" and data["kind"] == "intervals"


@pytest.mark.parametrize("format_id", list(FORMATS))
def test_every_format_can_be_given(format_id, capsys):
    example = {"k6-json": "k6_points.json", "k6-summary": "k6_summary_export.json", "locust-stats": "locust_stats.csv",
               "locust-history": "locust_stats_history.csv", "jmeter-csv": "jmeter_steps.csv",
               "nginx": "nginx_ramp.log", "gunicorn": "gunicorn_D.log", "access-log": "formats/ingress_nginx.log",
               "json-access-log": "formats/caddy.json.log", "envoy": "formats/envoy_istio.log",
               "uwsgi": "formats/uwsgi.log", "haproxy": "formats/haproxy.log", "iis": "formats/iis_w3c.log",
               "aws-alb": "formats/aws_alb.log", "jmeter-xml": "formats/jmeter_results.xml",
               "k6-csv": "formats/k6_results.csv", "locust-requests": "formats/locust0_requests.csv"}[format_id]
    assert main(["analyze", str(FIXTURES / example), "--format", format_id, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == format_id and data["detected"] == f"given as {format_id}"


@pytest.mark.parametrize("args, message", [
    (["hostile/binary.bin"], "binary.bin line 1: it has byte 0x"),
    (["hostile/empty.log"], "empty.log: the file is empty"),
    (["nginx_ramp.log", "--format", "jmeter-csv"], "nginx_ramp.log line 1: the line is '192.0.2."),
    (["hostile/missing_column_stats.csv"], "(missing: Request Count)"),
    (["no-such-file.log"], "no-such-file.log: cannot read the file"),
])
def test_bad_input_exit_2_message_on_stderr_nothing_on_stdout(args, message, capsys):
    path, *rest = args
    assert main(["analyze", str(FIXTURES / path), *rest]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("perfcalc analyze: error: ") and message in captured.err


def test_an_unknown_format_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["analyze", str(FIXTURES / "nginx_ramp.log"), "--format", "apache"])
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "invalid choice: 'apache'" in captured.err


def test_standard_input_and_the_module_entry_point():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    data = (FIXTURES / "k6_points.json.gz").read_bytes()
    run = subprocess.run([sys.executable, "-m", "perfcalc", "analyze", "-", "--json"], input=data,
                         capture_output=True, env=env)
    assert run.returncode == 0 and json.loads(run.stdout)["file"] == "<stdin>"
    assert json.loads(run.stdout)["usl_measurements"] == "1:1 2:2 3:3"
    bad = subprocess.run([sys.executable, "-m", "perfcalc", "analyze", "-"], input=b"\x00\x01garbage\n",
                         capture_output=True, env=env)
    assert bad.returncode == 2 and bad.stdout == b"" and b"<stdin> line 1: the line is '\\x00\\x01garbage'; no format read here starts like it; give one of" in bad.stderr


def test_the_calculators_are_unchanged(capsys):
    assert main(["list"]) == 0
    assert "analyze" not in capsys.readouterr().out
    assert main(["usl-fit", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["calculator"] == "usl-fit"


def test_json_refusal_is_an_error_object_on_stdout_and_exit_2(capsys):
    path = FIXTURES / "hostile" / "binary.bin"
    assert main(["analyze", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    error = json.loads(captured.out)["error"]
    assert error["file"] == str(path) and error["line"] == 1
    assert error["message"].startswith("it has byte 0x") and "give the text file itself" in error["message"]
    assert captured.err.startswith("perfcalc analyze: error: ")
    assert main(["analyze", str(FIXTURES / "hostile" / "empty.log"), "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["line"] is None and error["message"].startswith("the file is empty")


def test_log_format_option_reads_a_custom_nginx_layout(tmp_path, capsys):
    log = tmp_path / "kv.log"
    log.write_text("".join(f'10.0.0.1 [10/Mar/2024:09:00:{i:02d} +0000] "GET /x HTTP/1.1" 200 rt={i / 1000:.3f}\n'
                           for i in range(1, 31)))
    fmt = '$remote_addr [$time_local] "$request" $status rt=$request_time'
    assert main(["analyze", str(log), "--log-format", fmt, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "access-log" and data["latency"]["max_ms"] == 30.0
    assert "wait for the upstream" in data["latency"]["measures"]


def test_compare_takes_a_format_for_both_runs_or_for_each(tmp_path, capsys):
    """Two runs of one custom nginx layout (rt=…) are refused without its log_format and read with it; a run of
    that layout set against a plain Gunicorn %(D)s log needs it for the baseline only."""
    fmt = '$remote_addr [$time_local] "$request" $status rt=$request_time'
    logs = []
    for name, ms in (("before", 20), ("after", 26)):
        log = tmp_path / f"{name}.log"
        log.write_text("".join(f'10.0.0.1 [10/Mar/2024:09:{i // 60:02d}:{i % 60:02d} +0000] "GET /x HTTP/1.1" 200 '
                               f"rt={(ms + i % 7) / 1000:.3f}\n" for i in range(600)))
        logs.append(str(log))
    assert main(["compare", *logs, "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["line"] == 1 and "give the layout it was written with (--log-format" in error["message"]
    assert main(["compare", *logs, "--log-format", fmt, "--json"]) == 0
    p50 = next(m for m in json.loads(capsys.readouterr().out)["metrics"] if m["metric"] == "p50_ms")
    assert (p50["baseline"], p50["candidate"], p50["verdict"]) == (23.0, 29.0, "slower")
    gunicorn = str(FIXTURES / "gunicorn_D.log")
    assert main(["compare", logs[0], gunicorn, "--baseline-log-format", fmt, "--json"]) == 0
    assert [m["metric"] for m in json.loads(capsys.readouterr().out)["metrics"]][0] == "p50_ms"
    assert main(["compare", logs[0], gunicorn, "--baseline-log-format", fmt, "--candidate-format", "access-log"]) == 0
    assert main(["compare", logs[0], gunicorn, "--candidate-log-format", fmt]) == 2
    capsys.readouterr()
