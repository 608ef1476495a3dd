"""One presentation, two renderings: the command line's text and the page's view show the same rows."""

import sys
from pathlib import Path

import pytest

from perfcalc.analyze import analyze_path, summary_table
from perfcalc.analyze.present import clean, present

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "analyze"
sys.path.insert(0, str(ROOT / "site" / "browser"))
import perfcalc_worker  # noqa: E402  (the worker's Python, run natively)


@pytest.mark.parametrize("name", ["nginx_ramp.log", "gunicorn_D.log", "jmeter_steps.csv", "locust_stats.csv",
                                  "locust_stats_history.csv", "k6_handle_summary.json"])
def test_the_text_and_the_page_render_the_same_presentation(name):
    s = analyze_path(FIXTURES / name)
    shown = present(s)
    text = summary_table(s)
    view = perfcalc_worker.analysis_view(s)
    page_rows = {tuple(r) for r in view["rows"]}
    for block in shown.blocks:
        for label, value in block.rows:
            assert value in text
            prefix = "" if block.style == "figures" else f"{block.title}: "
            assert (prefix + label, value) in page_rows
        if block.basis:
            assert block.basis in text
    assert view["endpoints"] == [list(r) for r in shown.endpoints.rows] if shown.endpoints else view["endpoints"] == []
    for row in (shown.endpoints.rows if shown.endpoints else ()):
        assert all(cell in text for cell in row)
    assert view["fills"] == {cid: dict(values) for cid, values in shown.inputs}
    assert view["notes"] == list(shown.notes) and all(n in text for n in shown.notes)


def test_labels_say_what_the_time_field_measures_and_what_littles_law_counts():
    gunicorn = analyze_path(FIXTURES / "gunicorn_D.log")
    assert "busy workers" in gunicorn.concurrency_counts and "service time" in gunicorn.latency.measures
    nginx = analyze_path(FIXTURES / "nginx_ramp.log")
    assert "wait for the upstream" in nginx.latency.measures and "in flight" in nginx.concurrency_counts
    assert "listen backlog is in it" in nginx.upstream_latency.measures
    for s in (gunicorn, nginx):
        data = s.to_json()
        assert data["latency"]["measures"] == s.latency.measures and data["concurrency_counts"] == s.concurrency_counts
        assert s.latency.measures in summary_table(s)


def test_control_characters_from_a_file_are_escaped_in_the_text():
    line = '10.0.0.1 - - [10/Mar/2024:10:00:{:02d} +0000] "GET /a\x1b[2J HTTP/1.1" 200 5 "-" "ua" 0.010\n'
    from perfcalc.analyze import analyze_bytes
    s = analyze_bytes("".join(line.format(i) for i in range(20)), "esc\x07.log")
    text = summary_table(s)
    assert "\x1b" not in text and "\x07" not in text and "\\x1b[2J" in text and "esc\\x07.log" in text
    assert clean("plain") == "plain"


def test_the_page_charts_captions_are_written_here_with_the_shared_figures():
    from perfcalc.analyze import analyze_path
    from perfcalc.analyze.present import figures
    from perfcalc.format import figure

    s = analyze_path(Path(__file__).resolve().parent.parent / "fixtures" / "analyze" / "nginx_ramp.log")
    charts = figures(s)
    assert [c.title for c in charts] == ["Throughput over time", "p99 response time over time",
                                         "Latency distribution"]
    assert figure(s.throughput_rps, "requests/s", 2) in charts[0].description
    p99s = [v for v in s.charts.p99_ms if v is not None]
    assert charts[1].description.endswith(f"from {figure(min(p99s))} to {figure(max(p99s), 'ms')}.")
