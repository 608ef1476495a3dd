"""The CLI contract (ARCHITECTURE.md, "Command line")."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from perfcalc import CALCULATORS, calculate
from perfcalc.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_list_shows_all_calculators(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == list(CALCULATORS)


@pytest.mark.parametrize("cid", list(CALCULATORS))
def test_every_calculator_runs_with_defaults_as_table_and_json(cid, capsys):
    assert main([cid]) == 0
    table = capsys.readouterr().out
    assert CALCULATORS[cid].title in table and "Outputs" in table
    assert main([cid, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"calculator", "inputs", "outputs", "warnings"}
    assert data["calculator"] == cid
    assert data["outputs"] == json.loads(json.dumps(calculate(cid).outputs))


def test_flags_use_dashes_and_override_defaults(capsys):
    assert main(["worker-pool", "--arrival-rps", "90", "--workers", "4", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["inputs"]["arrival_rps"] == 90 and data["inputs"]["workers"] == 4
    assert data["outputs"]["utilization_pct"] == pytest.approx(112.5)
    assert data["outputs"]["p99_ms"] is None  # unbounded is null in JSON
    assert data["warnings"]


def test_empty_value_clears_an_optional_field(capsys):
    assert main(["littles-law", "--concurrency", "30", "--throughput-rps", "", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["outputs"]["throughput_rps"] == pytest.approx(200)


def test_two_values_given_say_how_to_empty_the_third(capsys):
    """Omitted flags take their defaults, so two values given to littles-law are three: the message says which
    took its default and how to leave it empty, instead of only "got 3"."""
    assert main(["littles-law", "--concurrency", "30", "--throughput-rps", "100"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "perfcalc littles-law: error: littles-law needs exactly two of concurrency, throughput_rps and "
        "response_time_ms, got 3 (response_time_ms was not given, so it took its default, 150: to leave it empty, "
        'pass --response-time-ms "")\n')
    assert main(["littles-law", "--concurrency", "30"]) == 2
    assert capsys.readouterr().err.endswith(
        "got 3 (throughput_rps and response_time_ms were not given, so they took their defaults, 200 and 150: "
        'to leave one empty, pass --throughput-rps "" or --response-time-ms "")\n')
    # Given explicitly, the three are the reader's own: nothing to explain.
    assert main(["littles-law", "--concurrency", "30", "--throughput-rps", "100", "--response-time-ms", "1"]) == 2
    assert capsys.readouterr().err.endswith("got 3\n")
    # A field's own error needs no such note.
    assert main(["littles-law", "--concurrency", "0", "--throughput-rps", ""]) == 2
    assert "took its default" not in capsys.readouterr().err


def test_bad_input_exit_2_message_on_stderr_nothing_on_stdout(capsys):
    assert main(["worker-pool", "--workers", "0"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "workers must be a whole number from 1 to 10000, got 0" in captured.err


def test_help_shows_units_defaults_and_bounds(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["gunicorn", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "--io-wait-pct" in out and "[%]" in out and "default 70.0" in out and "from 1 to 1024" in out


def test_module_and_console_script_entry_points():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "perfcalc", "slo", "--json"], capture_output=True, text=True, env=env)
    assert run.returncode == 0 and json.loads(run.stdout)["calculator"] == "slo"
    bad = subprocess.run([sys.executable, "-m", "perfcalc", "slo", "--slo-pct", "abc"], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and bad.stdout == "" and "slo_pct must be" in bad.stderr
    unknown = subprocess.run([sys.executable, "-m", "perfcalc", "slo", "--nope", "1"], capture_output=True, text=True, env=env)
    assert unknown.returncode == 2 and unknown.stdout == ""
    script = Path(sys.executable).parent / "perfcalc"
    if script.exists():
        run = subprocess.run([str(script), "list"], capture_output=True, text=True)
        assert run.returncode == 0 and "worker-pool" in run.stdout


def test_digits_of_other_scripts_are_refused_as_on_the_page(capsys):
    """The CLI reads numbers with the same grammar as the page and shared links."""
    assert main(["worker-pool", "--workers", "٣"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "workers must be a whole number from 1 to 10000, written with the digits 0-9, got '٣'" in captured.err


def test_help_shows_a_percent_sign_once(capsys):
    """argparse prints a subcommand's description as written: a doubled %% would reach the reader."""
    with pytest.raises(SystemExit):
        main(["simulate", "--help"])
    out = capsys.readouterr().out
    assert "10 %" in out and "%%" not in out
