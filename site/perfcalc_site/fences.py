"""The guide's custom fences, as SuperFences formatters.

Registered in ``mkdocs.yml`` under ``pymdownx.superfences``; MkDocs and
Zensical both run Python-Markdown with pymdownx, so both build them the same
way, with no engine-specific hook:

- ```perfcalc: a calculator form whose results are computed here, natively,
  so correct numbers are on the page before (and without) JavaScript;
- ```perfcalc-cli: command lines run through the real CLI, shown with their
  output;
- ```perfcalc-reference: one calculator's model reference;
- ```perfcalc-analyze: a panel that reads the reader's own load-test results
  or access log, in the browser;
- ```perfcalc-lab: the table of ``perfcalc lab`` results from the committed
  data file (``make lab`` regenerates it).

A malformed fence raises :class:`~perfcalc_site.render.FenceError`, which
SuperFences lets through: the build fails, naming the page and the problem.
"""

from __future__ import annotations

from typing import Any

import perfcalc

from . import examples, lab, panel, reference
from .render import FenceError, parse_fence, render_fence


def _loud(formatter):
    """Any failure of a formatter fails the build.

    SuperFences catches every exception but its own and leaves the fence as
    plain text: a bug here would silently ship a page without its calculator.
    """
    import functools

    @functools.wraps(formatter)
    def wrapper(src, language, class_name, options, md, **kwargs):
        try:
            return formatter(src, language, class_name, options, md, **kwargs)
        except FenceError:
            raise
        except Exception as exc:  # noqa: BLE001 - re-raised as the one exception SuperFences lets through
            raise FenceError(f"```{language} fence failed: {exc!r}") from exc
    return wrapper


def page_of(md: Any) -> tuple[str, str]:
    """The page being rendered: its source path, and the relative path from where its links resolve to the root.

    Formatters are not told which page they are on, but a form links to the
    model reference by a relative URL (the site must work under any path).
    MkDocs keeps the page's file on its link-rewriting treeprocessor and
    leaves links in raw HTML as written, so they must be relative to the
    page's URL. Zensical keeps the page on its context preprocessor and
    rewrites every relative link in the output as if it were written in the
    Markdown source, so they must be relative to the source file. If neither
    engine's context is there, the build fails rather than guessing.

    >>> class File: src_uri, url = "wsgi.md", "wsgi/"
    >>> class Relpath: file = File
    >>> class MkDocsMarkdown: treeprocessors, preprocessors = {"relpath": Relpath}, {}
    >>> page_of(MkDocsMarkdown)
    ('wsgi.md', '../')
    """
    relpath = md.treeprocessors["relpath"] if "relpath" in md.treeprocessors else None
    if relpath is not None and getattr(relpath, "file", None) is not None:  # MkDocs
        return relpath.file.src_uri, relative_to_root(relpath.file.url)
    context = md.preprocessors["rendering_context"] if "rendering_context" in md.preprocessors else None
    if context is not None and getattr(context, "page", None) is not None:  # Zensical
        return context.page.path, relative_to_root(context.page.path)
    raise FenceError("perfcalc fences need to know their page: build with MkDocs or Zensical")


def relative_to_root(url: str) -> str:
    """From a page's URL or source path to the site root, relatively: the folders it sits in, each one up.

    >>> [relative_to_root(u) for u in ("", "./", "index.html", "wsgi/", "wsgi/index.html", "a/b/", "guide/x.md")]
    ['', '', '', '../', '../', '../../', '../']
    """
    folders = [part for part in url.split("/")[:-1] if part not in ("", ".")]
    return "../" * len(folders)


def _page_state(md: Any) -> dict:
    """Per-page memory (form keys seen so far), kept on the Markdown instance the engine made for this page."""
    state = getattr(md, "_perfcalc_page", None)
    if state is None:
        state = md._perfcalc_page = {"seen": {}}
    return state


@_loud
def form(src: str, language: str, class_name: str, options: dict, md: Any, **kwargs: Any) -> str:
    """```perfcalc: the pre-rendered calculator form."""
    path, to_root = page_of(md)
    try:
        calculator_id, _ = parse_fence(src)
        seen = _page_state(md)["seen"]
        seen[calculator_id] = seen.get(calculator_id, 0) + 1
        # Readable, stable keys: they name fields in shared links (?worker-pool.workers=7).
        key = calculator_id if seen[calculator_id] == 1 else f"{calculator_id}-{seen[calculator_id]}"
        return render_fence(src, key, to_root + "reference/")
    except FenceError as exc:
        raise FenceError(f"{path}: {exc}") from exc


@_loud
def cli(src: str, language: str, class_name: str, options: dict, md: Any, **kwargs: Any) -> str:
    """```perfcalc-cli: each line run through the CLI, shown as a terminal transcript."""
    path, _ = page_of(md)
    runs = [examples.run_cli(line, path) for line in src.splitlines() if line.strip()]
    return examples.console_block("\n\n".join(runs))


@_loud
def reference_section(src: str, language: str, class_name: str, options: dict, md: Any, **kwargs: Any) -> str:
    """```perfcalc-reference: ``calculator: ID`` → that calculator's model reference."""
    path, _ = page_of(md)
    try:
        calculator_id, extra = parse_fence(src)
        if extra:
            raise FenceError(f"perfcalc-reference takes only 'calculator: ID', got {', '.join(extra)}")
        return reference.section(perfcalc.get(calculator_id))
    except perfcalc.PerfcalcError as exc:
        raise FenceError(f"{path}: perfcalc-reference: {exc}") from exc
    except FenceError as exc:
        raise FenceError(f"{path}: {exc}") from exc


@_loud
def analyze_panel(src: str, language: str, class_name: str, options: dict, md: Any, **kwargs: Any) -> str:
    """```perfcalc-analyze: the panel that reads the reader's own load-test results or access log."""
    path, _ = page_of(md)
    seen = _page_state(md)["seen"]
    seen["analyze"] = seen.get("analyze", 0) + 1
    key = "analyze" if seen["analyze"] == 1 else f"analyze-{seen['analyze']}"
    try:
        return panel.panel_fence(src, key)
    except FenceError as exc:
        raise FenceError(f"{path}: {exc}") from exc


@_loud
def lab_results(src: str, language: str, class_name: str, options: dict, md: Any, **kwargs: Any) -> str:
    """```perfcalc-lab: ``data: FILE`` → the lab's results table from that file under docs/."""
    path, to_root = page_of(md)
    try:
        return lab.lab_fence(src, to_root)
    except FenceError as exc:
        raise FenceError(f"{path}: {exc}") from exc


def scan(markdown_text: str) -> list[tuple[str, str]]:
    """Every custom fence of a page, as (fence name, body), found by the same SuperFences the build runs.

    Tests use this instead of a regex of their own, so they see exactly the
    fences the build renders.
    """
    import markdown

    found: list[tuple[str, str]] = []

    def record(name):
        def formatter(src, language, class_name, options, md, **kwargs):
            found.append((name, src))
            return ""
        return formatter

    fences = [{"name": name, "class": name, "format": record(name)}
              for name in ("perfcalc", "perfcalc-cli", "perfcalc-reference", "perfcalc-analyze", "perfcalc-lab")]
    markdown.Markdown(extensions=["pymdownx.superfences", "admonition", "pymdownx.details", "attr_list"],
                      extension_configs={"pymdownx.superfences": {"custom_fences": fences}}).convert(markdown_text)
    return found
