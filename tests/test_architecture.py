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
