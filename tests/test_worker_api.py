"""The worker's Python (site/browser/perfcalc_worker.py), natively: what the page shows is perfcalc's answer."""

import doctest
import json
import sys
from pathlib import Path

import pytest

import perfcalc

# The worker's module is a top-level module in the browser (py/perfcalc.zip); here it is loaded from its folder.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "site" / "browser"))

import perfcalc_worker as worker  # noqa: E402


def _view(calculator, **values):
    return json.loads(worker.view(json.dumps({"calculator": calculator, "values": values})))


def _link(search, *forms):
    request = {"search": search, "forms": [
        {"key": key, "calculator": cid, "values": {f.name: perfcalc.format_input(f.default)
                                                   for f in perfcalc.get(cid).fields}}
        for key, cid in forms]}
    return json.loads(worker.read_link(json.dumps(request)))


def test_doctests():
    assert doctest.testmod(worker).failed == 0


@pytest.mark.parametrize("cid", list(perfcalc.CALCULATORS))
def test_a_view_is_what_native_perfcalc_computes(cid):
    calc = perfcalc.get(cid)
    result = perfcalc.calculate(cid)
    answer = _view(cid)
    assert answer["ok"] and answer["errors"] == {} and answer["form_error"] == ""
    assert answer["outputs"] == {o.name: [perfcalc.raw_value(result.outputs[o.name]),
                                          perfcalc.format_output(o, result.outputs[o.name])] for o in calc.outputs}
    assert answer["warnings"] == result.warnings
    assert answer["markdown"] == perfcalc.results_markdown(calc, result)
    assert answer["chart"] is (calc.chart is not None)


def test_a_view_asked_again_is_not_computed_again(monkeypatch):
    """A second tab's first views (the page's values, asked already by the first tab) cost a lookup."""
    worker._view.cache_clear()
    calls = []
    evaluate = perfcalc.evaluate
    monkeypatch.setattr(perfcalc, "evaluate", lambda *args: calls.append(args) or evaluate(*args))
    first = worker.view(json.dumps({"calculator": "simulate", "values": {"workers": "4", "seed": "7"}}))
    again = worker.view(json.dumps({"values": {"seed": "7", "workers": "4"}, "calculator": "simulate", "key": "b"}))
    assert again == first and len(calls) == 1  # the same values, in another order, from another form
    other = worker.view(json.dumps({"calculator": "simulate", "values": {"workers": "4", "seed": "8"}}))
    assert other != first and len(calls) == 2  # other values (here the seed) are computed
    worker.view(json.dumps({"calculator": "simulate", "values": {"workers": "4", "seed": "7"}, "changed": "seed"}))
    assert len(calls) == 3  # the field being typed in is part of the answer (errors shown where one types)


def test_bad_input_is_named_per_field_and_gives_no_outputs():
    answer = _view("worker-pool", workers="0", arrival_rps="x")
    assert not answer["ok"] and answer["outputs"] == {} and answer["markdown"] == ""
    assert answer["errors"]["workers"] == "workers must be a whole number from 1 to 10000, got 0"
    assert answer["errors"]["arrival_rps"].startswith("arrival_rps must be a number")


def test_a_cross_field_rule_is_shown_on_its_field():
    answer = _view("gunicorn", memory_mb="100", worker_memory_mb="150")
    assert not answer["ok"]
    assert "worker_memory_mb" in answer["errors"]


def test_a_chart_is_drawn_for_valid_values_only():
    chart = json.loads(worker.chart(json.dumps({"calculator": "worker-pool", "values": {"workers": "7"}})))
    assert chart["svg"].startswith("<svg") and "7 workers" in chart["description"]
    assert json.loads(worker.chart(json.dumps({"calculator": "worker-pool", "values": {"workers": "x"}}))) is None
    assert json.loads(worker.chart(json.dumps({"calculator": "amdahl", "values": {}}))) is None


def test_a_link_assigns_parsed_values():
    answer = _link("?gunicorn.worker_class=GTHREAD&gunicorn.cores=4", ("gunicorn", "gunicorn"))
    assert answer["assign"] == {"gunicorn": {"worker_class": "gthread", "cores": "4"}}
    assert answer["notices"] == {}


def test_the_themes_own_parameters_are_left_alone():
    answer = _link("?q=cache&h=pool&amdahl.concurrency=8", ("amdahl", "amdahl"))
    assert answer["assign"] == {"amdahl": {"concurrency": "8"}} and answer["notices"] == {}


def test_every_notice_survives():
    """A rejected value and an unknown key on the same form: the reader is told both."""
    answer = _link("?capacity.workers=abc&zzz=1", ("capacity", "capacity"), ("slo", "slo"))
    assert answer["assign"] == {}
    notice = answer["notices"]["capacity"]
    assert "workers must be a whole number" in notice and "got 'abc'" in notice
    assert "ignored: zzz" in notice


def test_a_link_that_breaks_a_cross_field_rule_restores_nothing():
    answer = _link("?gunicorn.memory_mb=10", ("gunicorn", "gunicorn"))
    assert answer["assign"] == {}
    assert "could not be used" in answer["notices"]["gunicorn"]


def test_hostile_links_come_back_only_as_plain_text():
    answer = _link("?" + "&".join(f"p{i}=1" for i in range(5000)) + "&__proto__=1", ("amdahl", "amdahl"))
    notice = answer["notices"]["amdahl"]
    assert len(notice) < 400 and "p0, p1, p2 and 4,998 more" in notice
    answer = _link("?amdahl.serial_pct=%3Cscript%3E", ("amdahl", "amdahl"))
    assert answer["assign"] == {} and "'<script>'" in answer["notices"]["amdahl"]


def test_a_rule_between_two_fields_shows_where_the_reader_is_typing():
    request = {"calculator": "gunicorn", "values": {"memory_mb": "100", "worker_memory_mb": "150"}}
    filed = json.loads(worker.view(json.dumps(request)))["errors"]
    assert list(filed) == ["worker_memory_mb"]  # where the rule is filed
    typing = json.loads(worker.view(json.dumps({**request, "changed": "memory_mb"})))["errors"]
    assert typing["memory_mb"] == typing["worker_memory_mb"]  # and where the reader is typing


def test_a_link_reads_numbers_as_the_page_and_the_cli_do():
    answer = _link("?worker-pool.workers=%D9%A3", ("worker-pool", "worker-pool"))
    assert answer["assign"] == {}
    assert "workers must be a whole number from 1 to 10000, written with the digits 0-9, got '٣'" in \
        answer["notices"]["worker-pool"]


def test_an_unexpected_failure_in_the_analysis_is_a_plain_sentence_with_the_traceback_apart(monkeypatch):
    import perfcalc.analyze.analyzer as analyzer_module

    def broken(self):
        raise ZeroDivisionError("division by zero")

    assert json.loads(worker.analyze_begin("a1", "x.log"))["ok"]
    monkeypatch.setattr(analyzer_module.Analyzer, "finish", broken)
    answer = json.loads(worker.analyze_finish("a1"))
    assert answer["error"] == worker.UNEXPECTED
    assert "Nothing was sent anywhere" in answer["error"] and "perfcalc analyze FILE" in answer["error"]
    assert "ZeroDivisionError" in answer["traceback"] and "Traceback" not in answer["error"]


def test_a_log_format_given_on_the_page_reads_a_custom_layout():
    fmt = '$remote_addr [$time_local] "$request" $status rt=$request_time'
    assert json.loads(worker.analyze_begin("a2", "kv.log", json.dumps({"format": "", "log_format": fmt})))["ok"]
    lines = "".join(f'10.0.0.1 [10/Mar/2024:09:00:{i:02d} +0000] "GET /x HTTP/1.1" 200 rt=0.0{i % 9 + 1}0\n'
                    for i in range(30))
    worker.analyze_feed("a2", lines.encode())
    view = json.loads(worker.analyze_finish("a2"))["view"]
    assert view["format"].startswith("your log format (read with the log format given)")


def test_a_comparison_in_steps_is_the_native_comparison():
    """The compare panel's job: two analyses kept, then compared step by step, as perfcalc compare computes it."""
    from perfcalc.analyze import analyze_path
    from perfcalc.analyze.compare import compare
    from perfcalc.format import comparison_cells

    fixtures = Path(__file__).resolve().parent / "fixtures" / "analyze" / "compare"
    paths = [fixtures / "gunicorn-sync-w4-85pct.access.log.gz", fixtures / "gunicorn-gthread-w2-t2-70pct.access.log.gz"]
    for run_id, path in zip(("b", "c"), paths):
        assert json.loads(worker.analyze_begin(f"t-{run_id}", path.name, '{"keep": true}')) == {"ok": True}
        data = path.read_bytes()
        for start in range(0, len(data), 1 << 16):
            assert "progress" in json.loads(worker.analyze_feed(f"t-{run_id}", data[start:start + (1 << 16)]))
        assert json.loads(worker.analyze_finish(f"t-{run_id}")) == {"ok": True}  # kept, not shown
    assert json.loads(worker.compare_begin("t", "t-b", "t-c")) == {"ok": True}
    progress = []
    while "view" not in (answer := json.loads(worker.compare_step("t"))):
        progress.append(answer["progress"])
    assert progress == sorted(progress) and progress[-1] == 1.0
    native = compare(*(analyze_path(p) for p in paths))
    assert answer["view"]["rows"] == [list(row) for row in comparison_cells(native)]
    assert answer["view"]["runs"][0].startswith("Baseline: gunicorn-sync")
    assert answer["view"]["markdown"].startswith("**perfcalc compare**")
    assert not worker._kept and not worker._comparisons and not worker._keeping


def test_a_refused_run_is_an_error_and_nothing_is_kept():
    assert json.loads(worker.analyze_begin("r-1", "empty.log", '{"keep": true}')) == {"ok": True}
    assert json.loads(worker.analyze_finish("r-1"))["error"].startswith("empty.log")
    assert "r-1" not in worker._kept
    worker.compare_cancel("r", "r-1")
    assert not worker._keeping and not worker._analyses


def test_an_unexpected_failure_in_a_comparison_is_a_plain_sentence(monkeypatch):
    import perfcalc.analyze.compare as compare_module

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")
        yield  # a generator, as compare_steps is

    for run_id in ("u-b", "u-c"):
        worker.analyze_begin(run_id, "x.log", '{"keep": true}')
        worker.analyze_feed(run_id, "".join(f'10.0.0.1 - - [10/Mar/2024:09:00:{i:02d} +0000] "GET /x HTTP/1.1" 200 5 '
                                            f'"-" "k6" 0.0{i % 9 + 1}0\n' for i in range(30)).encode())
        assert json.loads(worker.analyze_finish(run_id)) == {"ok": True}
    monkeypatch.setattr(compare_module, "compare_steps", broken)
    assert json.loads(worker.compare_begin("u", "u-b", "u-c")) == {"ok": True}
    answer = json.loads(worker.compare_step("u"))
    assert answer["error"] == worker.UNEXPECTED_COMPARE and "perfcalc compare BASELINE CANDIDATE" in answer["error"]
    assert "ZeroDivisionError" in answer["traceback"] and not worker._comparisons


def test_a_file_read_by_two_interpreters_gives_the_view_of_one():
    """The worker's half, a helper's part handed over as bytes, absorbed: the same view as one reading of it all."""
    data = (Path(__file__).resolve().parent / "fixtures" / "analyze" / "nginx_ramp.log").read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 1
    assert json.loads(worker.analyze_begin("one", "ramp.log"))["ok"]
    worker.analyze_feed("one", data)
    whole = json.loads(worker.analyze_finish("one"))["view"]

    assert json.loads(worker.analyze_begin("first", "ramp.log"))["ok"]
    worker.analyze_feed("first", data[:cut])
    handover = worker.analyze_handover("first")
    worker.part_begin("helper-1", handover)  # in the helper's own interpreter, in the page
    worker.part_feed("helper-1", data[cut:])
    part = worker.part_end("helper-1")
    assert json.loads(worker.analyze_absorb("first", part)) == {"absorbed": True}
    assert json.loads(worker.analyze_finish("first"))["view"] == whole
