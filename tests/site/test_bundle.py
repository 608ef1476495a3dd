"""perfcalc_site.bundle: the browser's Python archive, the shared worker's name, a folder that is not a site refused.

The bundle run on a real build (its runtime, snapshot and reproducibility):
tests/browser/test_build.py.
"""

import doctest
import re
import zipfile
from pathlib import Path

import pytest

import perfcalc
from perfcalc_site import bundle

ROOT = Path(__file__).resolve().parents[2]


def test_doctests():
    assert doctest.testmod(bundle).failed == 0


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


def test_every_page_preloads_the_modules_the_controller_imports(tmp_path):
    """The controller's whole import graph (not the workers it starts), named beside its module script."""
    graph = bundle.module_graph(ROOT / "site" / "browser")
    assert graph[0] == bundle.ENTRY_MODULE
    assert {"connection.js", "forms.js", "protocol.js", "dom.js", "links.js", "analysis-view.js"} <= set(graph)
    assert not {"worker.js", "helper.js", "interpreter.js", "boot.js"} & set(graph)  # workers, and the classic script
    page = '<body><p>x</p><script type="module" src="../runtime/perfcalc.js" data-service-worker="../sw.js"></script>'
    preloaded = bundle.preload_modules(page, graph)
    assert re.findall(r'<link rel="modulepreload" href="\.\./runtime/([\w.-]+)">', preloaded) == graph[1:]
    assert preloaded.index("modulepreload") > preloaded.index("<p>x</p>")
    assert bundle.preload_modules("<p>a redirect</p>", graph) == "<p>a redirect</p>"
    (tmp_path / "perfcalc.js").write_text('import { a } from "./gone.js";\n')
    with pytest.raises(bundle.BundleError, match=r"runtime/perfcalc.js imports ./gone.js, which is not in site/browser/"):
        bundle.module_graph(tmp_path)


def test_the_bundle_refuses_a_folder_that_is_not_a_built_site(tmp_path, capsys):
    assert bundle.main([str(tmp_path)]) == 1
    assert "is not a built site" in capsys.readouterr().err
