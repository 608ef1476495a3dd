"""ARCHITECTURE.md and README.md in step with the tree: every module named, no name of one that is gone."""

import re
from pathlib import Path

import yaml

from perfcalc_site import fences

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("perfcalc", "site/perfcalc_site")
ARCHITECTURE = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _modules() -> set[str]:
    return {p.relative_to(ROOT).as_posix() for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def _module_map() -> dict[str, str]:
    """ARCHITECTURE.md's "Every module" table: path -> what it holds."""
    section = ARCHITECTURE.split("### Every module", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `([^`]+\.py)` \| (.+) \|$", section, re.M))


def test_every_module_is_in_the_architecture_map():
    rows = _module_map()
    missing = sorted(_modules() - rows.keys())
    assert not missing, f"modules missing from ARCHITECTURE.md's 'Every module' table (add a row each): {missing}"


def test_the_architecture_map_names_no_module_that_is_gone():
    gone = sorted(_module_map().keys() - _modules())
    assert not gone, f"ARCHITECTURE.md's 'Every module' table names modules that do not exist: {gone}"


def test_every_row_says_what_the_module_holds():
    assert all(len(text.strip()) > 10 for text in _module_map().values())


def _named_paths(text: str) -> set[str]:
    """Paths of Python modules a document names in code spans, as `perfcalc/x.py` or `site/perfcalc_site/y.py`."""
    found = re.findall(r"`((?:perfcalc|site/perfcalc_site)/[\w/]+\.py)`", text)
    return {path for path in found if not Path(path).stem.isupper()}  # `perfcalc/TOPIC.py` is a placeholder


def test_readme_names_only_modules_that_exist():
    """README's layout table names modules by path; each must be real (ARCHITECTURE.md has the full list)."""
    gone = sorted(_named_paths(README) - _modules())
    assert not gone, f"README.md names modules that do not exist: {gone}"


def test_the_check_sees_a_missing_and_a_stale_module():
    assert _named_paths("see `perfcalc/nothing.py` and `perfcalc/format.py`") - _modules() == {"perfcalc/nothing.py"}


def test_fences_docstring_lists_the_fences_the_engines_register():
    """fences.py's docstring lists each fence, MkDocs registers exactly those, and scan() finds them all."""
    documented = re.findall(r"^- ```([\w-]+):", fences.__doc__, re.M)
    registered = {f["name"]: f["format"] for f in _custom_fences()}
    assert documented == list(registered), (documented, list(registered))
    assert all(formatter.startswith("perfcalc_site.fences.") for formatter in registered.values())
    body = "\n\n".join(f"```{name}\n```" for name in registered)
    assert [name for name, _ in fences.scan(body)] == documented


def _custom_fences() -> list:
    """mkdocs.yml's SuperFences custom fences, each format as the dotted name of its function."""
    loader = type("Loader", (yaml.SafeLoader,), {})
    loader.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda _loader, suffix, _node: suffix)
    loader.add_constructor("!ENV", lambda _loader, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=loader)
    for extension in config["markdown_extensions"]:
        if isinstance(extension, dict) and "pymdownx.superfences" in extension:
            return extension["pymdownx.superfences"]["custom_fences"]
    raise AssertionError("mkdocs.yml registers no SuperFences custom fences")


# Modules whose tests live in another test module, each with where and why. The mirror test below fails on
# a module with neither its own test module nor an entry here, and on an entry that has become its own.
TESTED_ELSEWHERE = {
    "perfcalc/__init__.py": "the way in: tests/test_catalogue.py and every model's tests call it",
    "perfcalc/__main__.py": "two lines that run cli.main: tests/test_cli.py",
    "perfcalc/analyze/__init__.py": "the package's way in (analyze_bytes, analyze_path): tests/analyze/test_analyzer.py",
    "perfcalc/analyze/analysis.py": "through the analyzer on every fixture: tests/analyze/test_analyzer.py",
    "perfcalc/analyze/csvrows.py": "its doctests, and quoted rows in tests/analyze/test_jmeter.py and test_locust.py",
    "perfcalc/analyze/inputs.py": "the suggested inputs: tests/analyze/test_analyzer.py",
    "perfcalc/analyze/report.py": "what perfcalc analyze prints: tests/analyze/test_cli.py",
    "perfcalc/analyze/samples.py": "a record type, filled by the analysis: tests/analyze/test_analyzer.py",
    "perfcalc/analyze/summary.py": "the summary's JSON: tests/analyze/test_analyzer.py and test_cli.py",
    "site/perfcalc_site/__init__.py": "an empty package",
}


def _mirror(module: str) -> str | None:
    """Where a module's own tests are: tests/test_X.py, tests/analyze/test_X.py, tests/site/test_X.py.

    The catalogue's declarations are tested as one (tests/test_catalogue.py), and so is the lab
    (tests/test_lab.py): each package is one contract.
    """
    path = Path(module)
    if path.parts[:2] == ("perfcalc", "catalogue"):
        return "tests/test_catalogue.py"
    if path.parts[:2] == ("perfcalc", "lab"):
        return "tests/test_lab.py"
    folder = {("perfcalc",): "tests", ("perfcalc", "analyze"): "tests/analyze",
              ("site", "perfcalc_site"): "tests/site"}.get(path.parts[:-1])
    return f"{folder}/test_{path.stem}.py" if folder else None


def test_tests_mirror_the_modules():
    missing = sorted(m for m in _modules() if m not in TESTED_ELSEWHERE and not (ROOT / _mirror(m)).exists())
    assert not missing, f"modules with no test module of their own (add it, or say in TESTED_ELSEWHERE where): {missing}"
    own = sorted(m for m in TESTED_ELSEWHERE if (ROOT / _mirror(m)).exists())
    assert not own, f"these have their own test module now: take them off TESTED_ELSEWHERE: {own}"
