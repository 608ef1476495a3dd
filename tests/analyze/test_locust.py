"""perfcalc.analyze.locust on Locust's --csv files: the stats and the history, what every row becomes
and what it refuses.

Fixtures are in tests/fixtures/analyze (README.md there says which were
recorded from real runs and which were written to the documented format).
"""

import pytest

from perfcalc import PerfcalcError
from perfcalc.analyze import analyze_path
from perfcalc.analyze.records import Interval, Total

from .parsers import FIXTURES, records


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
