"""perfcalc.format, the one place numbers become text: its doctests, and the edges they do not reach."""

import ast
import doctest
import math
from pathlib import Path

import pytest

import perfcalc
from perfcalc import format as fmt
from perfcalc.spec import Output

ROOT = Path(__file__).resolve().parent.parent
NAN, INF = math.nan, math.inf


def test_doctests():
    failed, tried = doctest.testmod(fmt)
    assert tried > 10 and failed == 0


@pytest.mark.parametrize("value, text", [
    (NAN, "—"), (INF, "∞"), (-INF, "-∞"), (-1234.5, "-1,234"), (1e20, "100,000,000,000,000,000,000"),
    (1.234e-12, "0.00000000000123"), (-0.0001234, "-0.000123"),
    (999.5, "1,000"), (0.9995, "1"), (99.96, "100"), (0.001, "0.001"), (12.345, "12.3"),
])
def test_significant_edges(value, text):
    assert fmt.significant(value) == text


@pytest.mark.parametrize("value, text", [
    (NAN, "— ms"), (INF, "∞ ms"), (-INF, "-∞ ms"), (-0.04, "0.0 ms"), (-2.25, "-2.2 ms"), (2.35, "2.4 ms"),
    (1e18, "1,000,000,000,000,000,000.0 ms"), (7, "7 ms"),
])
def test_figure_edges(value, text):
    assert fmt.figure(value, "ms", 1) == text


@pytest.mark.parametrize("value, text", [
    (NAN, "—"), (INF, "∞"), (-INF, "-∞"), (999.0, "999"), (999.9, "1e+03"), (1000.0, "1,000"),
    (999_999.0, "999,999"), (1e6, "1M"), (-2.5e9, "-2.5e+03M"), (1e-7, "1e-07"),
])
def test_tick_label_edges(value, text):
    assert fmt.tick_label(value) == text


@pytest.mark.parametrize("value, text", [(0.05, "0.1"), (0.04, "0"), (-0.05, "-0.1"), (1234.56, "1234.6"),
                                         (-0.0, "0"), (719.96, "720")])
def test_tenths_edges(value, text):
    assert fmt.tenths(value) == text


@pytest.mark.parametrize("value, text", [(1e-9, "0.000000001"), (1e-10, "1e-10"), (-0.25, "-0.25"),
                                         (86_400.0, "86400"), (1e15, "1000000000000000.0"), (NAN, "nan"),
                                         (0.1 + 0.2, "0.3")])
def test_plain_number_edges(value, text):
    assert fmt.plain_number(value) == text


@pytest.mark.parametrize("output, value, text", [
    (Output("t_ms", "t", unit="ms", decimals=1), -0.0, "0.0 ms"),           # no negative zero
    (Output("t_ms", "t", unit="ms", decimals=1), 0.0004, "0.0004 ms"),      # tiny but not zero: significant digits
    (Output("t_ms", "t", unit="ms", decimals=0), 0.3, "0.3 ms"),
    (Output("t_ms", "t", unit="ms", decimals=1), -0.0004, "-0.0004 ms"),
    (Output("n", "n", format="int"), 2.5, "2"),                             # half to even, as round()
    (Output("n", "n", format="int"), 3.5, "4"),
    (Output("n", "n", format="int"), -0.4, "0"),
    (Output("n", "n", format="int"), 1e20, "100,000,000,000,000,000,000"),
    (Output("x", "x", unit="×"), 9.135, "9.13×"),
    (Output("c", "c", unit="$", format="money"), -5.0, "$-5.00"),
    (Output("b", "b", format="bool"), False, "no"),
    (Output("s", "s", format="text"), "redis", "redis"),
    (Output("p99_ms", "p99", none="unbounded"), None, "∞"),
    (Output("p99_ms", "p99"), None, "—"),
])
def test_format_output_edges(output, value, text):
    assert fmt.format_output(output, value) == text


def test_breakdown_edges():
    assert fmt.format_breakdown([("a", NAN), ("b", -INF), ("c", -0.001)], "ms", 2).replace("\u00a0", " ") == \
        "a ∞, b ∞, c -0.001 ms"


def test_input_rows_are_the_cli_table_and_the_markdown():
    calc = perfcalc.get("littles-law")
    result = perfcalc.calculate("littles-law", concurrency="", throughput_rps="200", response_time_ms="50")
    rows = [(f.name, text) for f, text in fmt.input_rows(calc, result)]
    assert rows == [("concurrency", "(empty)"), ("throughput_rps", "200 requests/s"), ("response_time_ms", "50 ms")]
    markdown = fmt.results_markdown(calc, result)
    for f, text in fmt.input_rows(calc, result):
        assert f"| {f.label} | {text} |" in markdown


# The helpers that once formatted numbers on their own, each beside the code it served.
_FORMATTERS = {"_n", "_num", "_format", "_money", "_fmt"}


def test_no_private_number_formatter_outside_format_py():
    """Numbers become text in perfcalc/format.py only: no module defines its own _n, _num, _format …"""
    found = []
    for path in [*(ROOT / "perfcalc").rglob("*.py"), *(ROOT / "site" / "perfcalc_site").rglob("*.py")]:
        if path.name == "format.py" and path.parent.name == "perfcalc":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name in _FORMATTERS:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert not found, f"number formatters outside perfcalc/format.py: {found}; use perfcalc.format"
