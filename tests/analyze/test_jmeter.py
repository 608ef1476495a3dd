"""perfcalc.analyze.jmeter on JMeter's CSV results, with and without a header: what every row becomes
and what it refuses.

Fixtures are in tests/fixtures/analyze (README.md there says which were
recorded from real runs and which were written to the documented format).
"""

import pytest

from perfcalc import PerfcalcError
from perfcalc.analyze import analyze_bytes, analyze_path
from perfcalc.analyze.jmeter import DEFAULT_COLUMNS, JMeterCsv
from perfcalc.analyze.records import LineError, LineResult, Recorder, Request

from .parsers import FIXTURES, records


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


def test_a_header_quoted_against_rfc_4180_is_refused_by_name():
    """Hypothesis found it: the CSV error escaped detection as a LineError instead of a refusal of the file."""
    expected = r"^x\.csv line 1: it has 'timeStamp,\"\"a' where a header naming the timeStamp and elapsed columns"
    with pytest.raises(PerfcalcError, match=expected):
        analyze_bytes(b'timeStamp,""a\n1710061200000,51\n', "x.csv")
