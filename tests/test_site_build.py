"""Build-side contract: broken fences and documented commands fail the build."""

import importlib.util
import sys
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("mkdocs")
from mkdocs.exceptions import PluginError  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "site"))

import render  # noqa: E402

spec = importlib.util.spec_from_file_location("perfcalc_site_hooks", ROOT / "site" / "hooks.py")
hooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hooks)


def test_cli_example_output_is_the_real_output(capsys):
    from perfcalc.cli import main

    shown = hooks._run_cli("perfcalc amdahl --serial-pct 10", "cli.md")
    main(["amdahl", "--serial-pct", "10"])
    assert shown == "$ perfcalc amdahl --serial-pct 10\n" + capsys.readouterr().out.rstrip("\n")


def test_cli_example_with_an_unexpected_exit_fails_the_build():
    with pytest.raises(PluginError, match="exited 2, the page says 0"):
        hooks._run_cli("perfcalc amdahl --serial-pct 200", "cli.md")
    with pytest.raises(PluginError, match="exited 0, the page says 2"):
        hooks._run_cli("perfcalc amdahl  # exits 2", "cli.md")
    with pytest.raises(PluginError, match="must start with 'perfcalc'"):
        hooks._run_cli("rm -rf /", "cli.md")


def test_documented_failure_is_shown_with_its_status():
    shown = hooks._run_cli("perfcalc worker-pool --workers 0  # exits 2", "cli.md")
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
    with pytest.raises(render.FenceError, match=message):
        render.render_fence(body, "x", "reference/")


def _fake_bytecode(sources):
    """What compile-pyc.mjs answers, without node: one .pyc per module, derived from its source."""
    out = {}
    for arc, text in sources.items():
        folder, _, name = arc.rpartition("/")
        pyc = f"__pycache__/{name[:-3]}.cpython-3x.pyc"
        out[f"{folder}/{pyc}" if folder else pyc] = text.encode()[::-1]
    return out


def test_the_browser_python_holds_every_module_with_bytecode_and_is_reproducible(tmp_path, monkeypatch):
    """The browser's perfcalc is the working tree's, subpackages included, byte for byte the same each build."""
    monkeypatch.setattr(hooks, "_bytecode", _fake_bytecode)  # the real one runs Pyodide under node (make build)
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    hooks._build_python(first)
    hooks._build_python(second)
    for name in (hooks.WHEEL, hooks.SITE_DEPS):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    package = ROOT / "perfcalc"
    sources = sorted(f"perfcalc/{p.relative_to(package).as_posix()}" for p in package.rglob("*.py")
                     if "__pycache__" not in p.parts)
    with zipfile.ZipFile(first / hooks.WHEEL) as wheel:
        shipped = [n for n in wheel.namelist() if not n.startswith("perfcalc-")]
        assert {entry.date_time for entry in wheel.infolist()} == {(2020, 1, 1, 0, 0, 0)}  # not the build's clock
    assert sorted(n for n in shipped if n.endswith(".py")) == sources
    assert "perfcalc/catalogue/queueing.py" in shipped
    assert "perfcalc/catalogue/__pycache__/queueing.cpython-3x.pyc" in shipped
    with zipfile.ZipFile(first / hooks.SITE_DEPS) as deps:
        assert sorted(deps.namelist()) == ["__pycache__/charts.cpython-3x.pyc",
                                           "__pycache__/perfcalc_worker.cpython-3x.pyc", "charts.py",
                                           "perfcalc_worker.py"]


def test_the_reference_shows_the_model_each_calculator_runs(monkeypatch):
    import perfcalc

    monkeypatch.setattr(hooks, "_typeset", lambda tex: tex)  # KaTeX needs node; the model text does not
    reference = hooks._reference_markdown()
    for calc in perfcalc.CALCULATORS.values():
        assert f"Model: `{calc.model.__module__}.{calc.model.__qualname__}`" in reference
    assert "Model: `perfcalc.cost.fleet_capacity`" in reference
    assert "cost per million successes" in reference  # fleet_capacity's docstring, not saturation_rps's
