"""The build side (site/perfcalc_site): fences, documented commands, the reference, the bundle.

Broken fences and documented commands that drift fail the build, with MkDocs
and with Zensical alike: both run these SuperFences formatters.
"""

import doctest
import json
import re
import zipfile
from pathlib import Path

import markdown
import pytest

import perfcalc
from perfcalc_site import bundle, examples, fences, lab, reference, render
from perfcalc_site.render import FenceError

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@pytest.mark.parametrize("module", [fences, examples, bundle])
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


def test_cli_example_output_is_the_real_output(capsys):
    from perfcalc.cli import main

    shown = examples.run_cli("perfcalc amdahl --serial-pct 10", "cli.md")
    main(["amdahl", "--serial-pct", "10"])
    assert shown == "$ perfcalc amdahl --serial-pct 10\n" + capsys.readouterr().out.rstrip("\n")


def test_cli_example_with_an_unexpected_exit_fails_the_build():
    with pytest.raises(FenceError, match="exited 2, the page says 0"):
        examples.run_cli("perfcalc amdahl --serial-pct 200", "cli.md")
    with pytest.raises(FenceError, match="exited 0, the page says 2"):
        examples.run_cli("perfcalc amdahl  # exits 2", "cli.md")
    with pytest.raises(FenceError, match="must start with 'perfcalc'"):
        examples.run_cli("rm -rf /", "cli.md")


def test_documented_failure_is_shown_with_its_status():
    shown = examples.run_cli("perfcalc worker-pool --workers 0  # exits 2", "cli.md")
    assert "workers must be a whole number from 1 to 10000, got 0" in shown and shown.endswith("$ echo $?\n2")


@pytest.mark.parametrize("body,message", [
    ("arrival_rps: 80\n", "first line must be 'calculator: ID'"),
    ("calculator: nope\n", "calculator must be one of"),
    ("calculator: worker-pool\nworkers: 0\n", "workers must be a whole number"),
    ("calculator: worker-pool\nworkers: 3\nworkers: 4\n", "given twice"),
    ("calculator: worker-pool\nwokers: 3\n", "wokers is not a field of worker-pool"),
    ("calculator: worker-pool\njust text\n", "expected 'name: value'"),
])
def test_a_broken_fence_fails_the_build(body, message):
    with pytest.raises(FenceError, match=message):
        render.render_fence(body, "x", "reference/")


# --- the fences inside Python-Markdown, as each engine runs them ------------------------------

class _File:
    def __init__(self, src_uri, url):
        self.src_uri, self.url = src_uri, url


class _MkDocsContext(markdown.treeprocessors.Treeprocessor):
    """What MkDocs registers as "relpath": the page's file (src_uri, url)."""

    def __init__(self, md, file):
        super().__init__(md)
        self.file = file

    def run(self, root):
        return root


class _ZensicalContext(markdown.preprocessors.Preprocessor):
    """What Zensical registers as "rendering_context": the page (path, url)."""

    def __init__(self, md, page):
        super().__init__(md)
        self.page = page

    def run(self, lines):
        return lines


def _convert(text, engine, src_uri="wsgi.md", url="wsgi/"):
    formatters = {"perfcalc": fences.form, "perfcalc-cli": fences.cli, "perfcalc-reference": fences.reference_section,
                  "perfcalc-lab": fences.lab_results}
    md = markdown.Markdown(extensions=["pymdownx.superfences", "attr_list"], extension_configs={
        "pymdownx.superfences": {"custom_fences": [{"name": n, "class": n, "format": f} for n, f in formatters.items()]}})
    if engine == "mkdocs":
        md.treeprocessors.register(_MkDocsContext(md, _File(src_uri, url)), "relpath", 1)
    elif engine == "zensical":
        page = type("Page", (), {"path": src_uri, "url": url})()
        md.preprocessors.register(_ZensicalContext(md, page), "rendering_context", 0)
    return md.convert(text)


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_a_form_fence_renders_the_calculator_with_native_results(engine):
    html = _convert("```perfcalc\ncalculator: amdahl\nserial_pct: 10\n```\n", engine)
    assert 'data-calculator="amdahl"' in html and 'data-state="static"' in html
    assert 'data-value="10.0"' in html  # max speed-up for 10 % serial: 1 / 0.1
    # The model link resolves from where each engine reads it: MkDocs from the page's URL (wsgi/), Zensical
    # from the source file (wsgi.md, which it rewrites for the output location).
    want = {"mkdocs": "../reference/#amdahl", "zensical": "reference/#amdahl"}[engine]
    assert f'href="{want}"' in html


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_a_broken_fence_fails_the_build_instead_of_showing_as_code(engine):
    with pytest.raises(FenceError, match="wsgi.md: perfcalc fence for worker-pool: workers must be"):
        _convert("```perfcalc\ncalculator: worker-pool\nworkers: 0\n```\n", engine)
    with pytest.raises(FenceError, match="exited 2"):
        _convert("```perfcalc-cli\nperfcalc amdahl --serial-pct 200\n```\n", engine)
    with pytest.raises(FenceError, match="perfcalc-reference.*calculator must be one of"):
        _convert("```perfcalc-reference\ncalculator: nope\n```\n", engine)


# --- the lab's results (```perfcalc-lab) ------------------------------------------------------

LAB_FENCE = "```perfcalc-lab\ndata: lab-results.json\n```\n"


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_the_lab_fence_renders_the_committed_results(engine):
    doc = json.loads((lab.DOCS / "lab-results.json").read_text(encoding="utf-8"))
    html = _convert(LAB_FENCE, engine, src_uri="lab.md", url="lab/")
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
    html = _convert(LAB_FENCE, "mkdocs", src_uri="lab.md", url="lab/")
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
    html = _convert(LAB_FENCE, "mkdocs", src_uri="lab.md", url="lab/")
    assert "<th>stack (adjusted)</th>" in html
    assert "41 / 160 / 1,234" in html and "stack, adjusted: stack (gunicorn:51.2:4) 41 / 160 / 1,234 ms" in html
    assert "1,234 ms (p99 95 % interval [1,225, 1,243] ms)" in html  # a file with the half-width: shown as ends
    first["predicted_adjusted"]["stack"] = {**first["predicted_adjusted"]["stack"], "p99_interval_ms": [1200.0, 1270.0]}
    _lab_docs(tmp_path, monkeypatch, doc)
    html = _convert(LAB_FENCE, "mkdocs", src_uri="lab.md", url="lab/")
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
        _convert(LAB_FENCE, "mkdocs", src_uri="lab.md", url="lab/")


@pytest.mark.parametrize("body, message", [
    ("", "needs 'data: FILE'"),
    ("calculator: worker-pool", "takes only 'data: FILE'"),
    ("data: ../README.md", "is not under docs/"),
])
def test_a_lab_fence_without_a_file_under_docs_fails_the_build(body, message):
    with pytest.raises(FenceError, match=re.escape(message)):
        _convert(f"```perfcalc-lab\n{body}\n```\n", "mkdocs", src_uri="lab.md", url="lab/")


def test_a_bug_in_a_formatter_fails_the_build_too(monkeypatch):
    """SuperFences turns ordinary exceptions into a plain code block; ours become build failures."""
    monkeypatch.setattr(render, "render_form", lambda *a: 1 / 0)
    with pytest.raises(FenceError, match="ZeroDivisionError"):
        _convert("```perfcalc\ncalculator: amdahl\n```\n", "mkdocs")


def test_outside_an_engine_the_fences_refuse_to_guess():
    with pytest.raises(FenceError, match="need to know their page"):
        _convert("```perfcalc\ncalculator: amdahl\n```\n", engine=None)


def test_form_keys_are_unique_on_a_page():
    html = _convert("```perfcalc\ncalculator: amdahl\n```\n\n```perfcalc\ncalculator: amdahl\n```\n", "mkdocs")
    assert re.findall(r'data-key="([^"]+)"', html) == ["amdahl", "amdahl-2"]


def test_scan_finds_what_the_build_renders():
    found = fences.scan((DOCS / "cli.md").read_text())
    assert {name for name, _ in found} == {"perfcalc-cli"}
    assert all(body.strip().startswith("perfcalc ") for _, body in found)


# --- the model reference -----------------------------------------------------------------------

def test_every_calculator_has_one_reference_section_under_its_own_heading():
    """docs/reference.md: `## TITLE {#ID}` then a perfcalc-reference fence for that ID, in catalogue order."""
    text = (DOCS / "reference.md").read_text()
    headings = re.findall(r"^## (.+) \{#([a-z0-9-]+)\}$", text, re.M)
    bodies = [render.parse_fence(body)[0] for name, body in fences.scan(text) if name == "perfcalc-reference"]
    want = [(calc.title, calc.id) for calc in perfcalc.CALCULATORS.values()]
    missing = [f"## {title} {{#{cid}}}\n\n```perfcalc-reference\ncalculator: {cid}\n```"
               for title, cid in want if (title, cid) not in headings]
    assert not missing, "add to docs/reference.md:\n\n" + "\n\n".join(missing)
    assert headings == want and bodies == [cid for _, cid in want]


def test_the_reference_shows_the_model_each_calculator_runs(monkeypatch):
    monkeypatch.setattr(reference, "_typeset_catalogue",
                        lambda: {t: t for c in perfcalc.CALCULATORS.values() for t in c.equations})  # no node
    for calc in perfcalc.CALCULATORS.values():
        section = reference.section(calc)
        assert f"Model: <code>{calc.model.__module__}.{calc.model.__qualname__}</code>" in section
        assert all(f"<code>{f.name}</code>" in section for f in calc.fields)
    capacity = reference.section(perfcalc.get("capacity"))
    assert "perfcalc.cost.fleet_capacity" in capacity
    assert "cost per million successes" in capacity  # fleet_capacity's docstring, not saturation_rps's


# --- the bundle ----------------------------------------------------------------------------------

def _fake_bytecode(sources):
    """What compile-pyc.mjs answers, without node: each module's bytecode, derived from its source."""
    return {arc: text.encode()[::-1] for arc, text in sources.items()}


def test_the_browser_python_holds_every_module_with_bytecode_and_is_reproducible(tmp_path):
    """The browser's perfcalc is the working tree's, subpackages but the lab included, byte for byte the same each build."""
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    bundle.python_archive(first, _fake_bytecode)  # the real compiler runs Pyodide under node (make build)
    bundle.python_archive(second, _fake_bytecode)
    assert (first / bundle.PYTHON_ARCHIVE).read_bytes() == (second / bundle.PYTHON_ARCHIVE).read_bytes()
    package = ROOT / "perfcalc"
    sources = sorted(f"perfcalc/{p.relative_to(package).as_posix()}" for p in package.rglob("*.py")
                     if "__pycache__" not in p.parts and p.relative_to(package).parts[0] != "lab")
    with zipfile.ZipFile(first / bundle.PYTHON_ARCHIVE) as archive:
        shipped = archive.namelist()
        assert {entry.date_time for entry in archive.infolist()} == {(2020, 1, 1, 0, 0, 0)}  # not the build's clock
        # Each module's bytecode beside its source, where zipimport looks for it.
        assert archive.read("perfcalc/catalogue/queueing.pyc") == (package / "catalogue/queueing.py").read_bytes()[::-1]
    assert sorted(n for n in shipped if n.startswith("perfcalc/") and n.endswith(".py")) == sources
    assert sorted(n for n in shipped if n.startswith("perfcalc/") and n.endswith(".pyc")) == [f"{s}c" for s in sources]
    assert not [n for n in shipped if n.startswith("perfcalc/lab/")]  # it starts servers: useless in a page
    assert sorted(n for n in shipped if not n.startswith("perfcalc/")) == [
        f"perfcalc-{perfcalc.__version__}.dist-info/METADATA", "perfcalc_site/__init__.py", "perfcalc_site/__init__.pyc",
        "perfcalc_site/charts.py", "perfcalc_site/charts.pyc", "perfcalc_worker.py", "perfcalc_worker.pyc"]


def _worker_files(out: Path, snapshot: bytes) -> Path:
    for folder, name, data in (("runtime", "worker.js", b"worker"), ("py", "python-snapshot.gz", snapshot),
                               ("vendor/pyodide", "pyodide.asm.wasm", b"wasm")):
        (out / folder).mkdir(parents=True, exist_ok=True)
        (out / folder / name).write_bytes(data)
    (out / "runtime" / "boot.js").write_bytes((ROOT / "site" / "browser" / "boot.js").read_bytes())
    return out


def test_the_shared_worker_is_named_after_what_it_runs(tmp_path):
    """Tabs of two builds never share a worker: another snapshot, another name; the same files, the same name."""
    names = []
    for run, snapshot in enumerate((b"one", b"one", b"two")):
        out = _worker_files(tmp_path / str(run), snapshot)
        bundle.stamp_build(out)
        names.append(re.search(r'const BUILD = "([0-9a-f]{12})";', (out / "runtime" / "boot.js").read_text()).group(1))
    assert names[0] == names[1] != names[2]
    out = _worker_files(tmp_path / "unstamped", b"one")
    (out / "runtime" / "boot.js").write_text("// a boot.js that lost its BUILD line\n")
    with pytest.raises(SystemExit, match="no `const BUILD"):
        bundle.stamp_build(out)


def test_the_bundle_refuses_a_folder_that_is_not_a_built_site(tmp_path, capsys):
    assert bundle.main([str(tmp_path)]) == 1
    assert "is not a built site" in capsys.readouterr().err
