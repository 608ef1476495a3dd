"""Build-side contract: broken fences and documented commands fail the build."""

import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("mkdocs")
pytest.importorskip("pygal")  # the hook renders charts in the forms it builds
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
