"""perfcalc_site.examples: documented command lines run through the real CLI; a drifted one fails the build."""

import doctest

import pytest

from perfcalc_site import examples
from perfcalc_site.render import FenceError


def test_doctests():
    assert doctest.testmod(examples).failed == 0


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

