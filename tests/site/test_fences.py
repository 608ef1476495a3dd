"""perfcalc_site.fences: each fence under both engines, a broken one failing the build instead of showing as code.

Broken fences and documented commands that drift fail the build, with MkDocs
and with Zensical alike: both run these SuperFences formatters.
"""

import doctest
import re
from pathlib import Path

import pytest

from perfcalc_site import fences, render
from perfcalc_site.render import FenceError

from .engines import convert

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_doctests():
    assert doctest.testmod(fences).failed == 0


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_a_form_fence_renders_the_calculator_with_native_results(engine):
    html = convert("```perfcalc\ncalculator: amdahl\nserial_pct: 10\n```\n", engine)
    assert 'data-calculator="amdahl"' in html and 'data-state="static"' in html
    assert 'data-value="10.0"' in html  # max speed-up for 10 % serial: 1 / 0.1
    # The model link resolves from where each engine reads it: MkDocs from the page's URL (wsgi/), Zensical
    # from the source file (wsgi.md, which it rewrites for the output location).
    want = {"mkdocs": "../reference/#amdahl", "zensical": "reference/#amdahl"}[engine]
    assert f'href="{want}"' in html


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_a_broken_fence_fails_the_build_instead_of_showing_as_code(engine):
    with pytest.raises(FenceError, match="wsgi.md: perfcalc fence for worker-pool: workers must be"):
        convert("```perfcalc\ncalculator: worker-pool\nworkers: 0\n```\n", engine)
    with pytest.raises(FenceError, match="exited 2"):
        convert("```perfcalc-cli\nperfcalc amdahl --serial-pct 200\n```\n", engine)
    with pytest.raises(FenceError, match="perfcalc-reference.*calculator must be one of"):
        convert("```perfcalc-reference\ncalculator: nope\n```\n", engine)


def test_a_bug_in_a_formatter_fails_the_build_too(monkeypatch):
    """SuperFences turns ordinary exceptions into a plain code block; ours become build failures."""
    monkeypatch.setattr(render, "render_form", lambda *a: 1 / 0)
    with pytest.raises(FenceError, match="ZeroDivisionError"):
        convert("```perfcalc\ncalculator: amdahl\n```\n", "mkdocs")


def test_outside_an_engine_the_fences_refuse_to_guess():
    with pytest.raises(FenceError, match="need to know their page"):
        convert("```perfcalc\ncalculator: amdahl\n```\n", engine=None)


def test_form_keys_are_unique_on_a_page():
    html = convert("```perfcalc\ncalculator: amdahl\n```\n\n```perfcalc\ncalculator: amdahl\n```\n", "mkdocs")
    assert re.findall(r'data-key="([^"]+)"', html) == ["amdahl", "amdahl-2"]


def test_scan_finds_what_the_build_renders():
    found = fences.scan((DOCS / "cli.md").read_text())
    assert {name for name, _ in found} == {"perfcalc-cli"}
    assert all(body.strip().startswith("perfcalc ") for _, body in found)


