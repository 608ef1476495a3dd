"""perfcalc_site.lab: the ```perfcalc-lab table from the committed results, under both engines; bad files fail the build."""

import json
import re

import pytest

from perfcalc_site import lab
from perfcalc_site.render import FenceError

from .engines import convert

# --- the lab's results (```perfcalc-lab) ------------------------------------------------------

LAB_FENCE = "```perfcalc-lab\ndata: lab-results.json\n```\n"


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_the_lab_fence_renders_the_committed_results(engine):
    doc = json.loads((lab.DOCS / "lab-results.json").read_text(encoding="utf-8"))
    html = convert(LAB_FENCE, engine, src_uri="lab.md", url="lab/")
    assert html.count("<tr data-run=") == len(doc["runs"])
    for run in doc["runs"]:
        assert f'data-run="{run["name"]}"' in html
    assert doc["machine"]["gunicorn"] in html and doc["machine"]["flask"] in html
    assert "<code>" + doc["command"] + "</code>" in html
    # The data file's link resolves from where each engine reads it (as the forms' model links do).
    want = {"mkdocs": "../lab-results.json", "zensical": "lab-results.json"}[engine]
    assert f'href="{want}"' in html


def _lab_docs(tmp_path, monkeypatch, doc) -> None:
    monkeypatch.setattr(lab, "DOCS", tmp_path)
    (tmp_path / "lab-results.json").write_text(json.dumps(doc) if not isinstance(doc, str) else doc,
                                               encoding="utf-8")


def test_a_run_that_did_not_hold_is_shown_as_such_and_text_from_the_file_is_escaped(tmp_path, monkeypatch):
    doc = json.loads((lab.DOCS / "lab-results.json").read_text(encoding="utf-8"))
    run = doc["runs"][0]
    run.update(holds=False, counts=True, label="<script>alert(1)</script>")
    run["checks"] = {"p50_in_range": True, "p95_in_range": True, "p99_in_range": False}
    _lab_docs(tmp_path, monkeypatch, doc)
    html = convert(LAB_FENCE, "mkdocs", src_uri="lab.md", url="lab/")
    assert "no: p99 outside" in html and "Did not hold: " + run["name"] in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_stack_figures_show_where_the_file_has_them_and_not_measured_where_it_does_not(tmp_path, monkeypatch):
    doc = json.loads((lab.DOCS / "lab-results.json").read_text(encoding="utf-8"))
    for run in doc["runs"]:  # the committed file may predate the lab's stack figures
        for part in ("predicted", "predicted_adjusted"):
            run[part].pop("stack", None)
    first = doc["runs"][0]
    first["predicted_adjusted"]["stack"] = {"model": "stack (gunicorn:51.2:4)", "tiers": "gunicorn:51.2:4",
                                            "p50_ms": 41.0, "p95_ms": 160.0, "p99_ms": 1234.0, "p99_ci_ms": 9.0}
    _lab_docs(tmp_path, monkeypatch, doc)
    html = convert(LAB_FENCE, "mkdocs", src_uri="lab.md", url="lab/")
    assert "<th>stack (adjusted)</th>" in html
    assert "41 / 160 / 1,234" in html and "stack, adjusted: stack (gunicorn:51.2:4) 41 / 160 / 1,234 ms" in html
    assert "1,234 ms (p99 95 % interval [1,225, 1,243] ms)" in html  # a file with the half-width: shown as ends
    first["predicted_adjusted"]["stack"] = {**first["predicted_adjusted"]["stack"], "p99_interval_ms": [1200.0, 1270.0]}
    _lab_docs(tmp_path, monkeypatch, doc)
    html = convert(LAB_FENCE, "mkdocs", src_uri="lab.md", url="lab/")
    assert "1,234 ms (p99 95 % interval [1,200, 1,270] ms)" in html
    assert html.count("not in this run") == len(doc["runs"]) - 1


@pytest.mark.parametrize("content, message", [
    (None, "lab-results.json does not exist under docs/"),
    ("{not json", "lab-results.json is not JSON"),
    ({"command": "x", "machine": {}, "runs": []}, 'lab-results.json: lab results: machine: "date" is missing'),
])
def test_a_missing_or_malformed_results_file_fails_the_build(tmp_path, monkeypatch, content, message):
    if content is None:
        monkeypatch.setattr(lab, "DOCS", tmp_path)
    else:
        _lab_docs(tmp_path, monkeypatch, content)
    with pytest.raises(FenceError, match=re.escape("lab.md: perfcalc-lab: " + message)):
        convert(LAB_FENCE, "mkdocs", src_uri="lab.md", url="lab/")


@pytest.mark.parametrize("body, message", [
    ("", "needs 'data: FILE'"),
    ("calculator: worker-pool", "takes only 'data: FILE'"),
    ("data: ../README.md", "is not under docs/"),
])
def test_a_lab_fence_without_a_file_under_docs_fails_the_build(body, message):
    with pytest.raises(FenceError, match=re.escape(message)):
        convert(f"```perfcalc-lab\n{body}\n```\n", "mkdocs", src_uri="lab.md", url="lab/")

