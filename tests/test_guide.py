"""The guide as readers need it: every topic page a substantial article, and no error a review found comes back.

A topic page (every page but the home page, the model reference and the
command line) has at least 700 words of prose (code, tables, fences and
included examples not counted), a pre-filled calculator, a runnable example
from ``docs/examples/``, a "how to measure" section for the inputs readers
cannot guess, and a "Common mistakes" section.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import perfcalc
from perfcalc_site.fences import scan
from perfcalc_site.render import parse_fence

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NOT_TOPICS = {"index.md", "reference.md", "cli.md"}
MIN_PROSE_WORDS = 700


def _nav_pages() -> list[str]:
    class _Loader(yaml.SafeLoader):
        pass

    # mkdocs.yml has tags for MkDocs (!ENV, !!python/name:...); only the nav matters here.
    _Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    pages = []
    for entry in config["nav"]:
        for value in entry.values():
            pages.extend(v for item in value for v in item.values()) if isinstance(value, list) else pages.append(value)
    return pages


TOPICS = [p for p in _nav_pages() if p not in NOT_TOPICS]


def prose(markdown: str) -> str:
    """The page's running text: no fenced blocks, includes, tables, HTML, headings' anchors or link targets."""
    text = re.sub(r"^(`{3,}|~{3,}).*?^\1\s*$", " ", markdown, flags=re.S | re.M)
    text = re.sub(r"^\s*--8<--.*$", " ", text, flags=re.M)
    text = re.sub(r"^\s*\|.*$", " ", text, flags=re.M)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\{[#:.][^}]*\}", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"^\[\^?[^\]]+\]:\s*\S+", " ", text, flags=re.M)
    return text


def words(markdown: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'’.%-]*", prose(markdown)))


def calculators(markdown: str) -> list[str]:
    return [parse_fence(body)[0] for name, body in scan(markdown) if name == "perfcalc"]


def test_the_prose_count_leaves_out_code_tables_and_includes():
    page = "Two words.\n\n```python\nx = 1\n```\n\n| a | b |\n|---|---|\n\n--8<-- \"x/y.py\"\n"
    assert words(page) == 2


def test_the_new_pages_are_in_the_navigation():
    assert {"background-jobs.md", "database.md", "security.md", "troubleshooting.md",
            "journey.md", "faster-python.md", "outbound-http.md"} <= set(TOPICS)


@pytest.mark.parametrize("name", TOPICS)
def test_every_topic_page_is_a_substantial_article(name):
    text = (DOCS / name).read_text(encoding="utf-8")
    assert words(text) >= MIN_PROSE_WORDS, f"{name}: {words(text)} words of prose"
    assert calculators(text), f"{name}: no calculator"
    assert re.search(r'^\s*--8<--\s+"', text, re.M), f"{name}: no runnable example from docs/examples/"
    assert re.search(r"^#{2,4} .*how to measure", text, re.M | re.I), f"{name}: no 'How to measure' section"
    assert re.search(r"^#{2,3} Common mistakes", text, re.M), f"{name}: no 'Common mistakes' section"


def test_every_calculator_is_embedded_on_a_topic_page():
    embedded = {cid for name in TOPICS for cid in calculators((DOCS / name).read_text(encoding="utf-8"))}
    assert set(perfcalc.CALCULATORS) - embedded == set()


# Statements a review found wrong; each pattern is the wrong claim, not the topic.
WRONG = {
    "a blocking call holds the GIL while it waits": r"GIL\W{1,4}for about a second",
    "a Redis hit bypasses Flask": r"CDN and Redis answered",
    "Gunicorn starts cores × 2 + 1 workers by default": r"would start 129 workers",
    "WSGI servers speak only HTTP/1.1": r"speak(?:s)? HTTP/1\.1",
    "Locust's load shape is an open model": r"(?:LoadTestShape|load shape)[^.]{0,80}open model",
    "not possible with 4 workers": r"not possible with 4 workers",
    # %(D)s runs until the body's last byte is written, so against the time to the headers it goes negative.
    "nginx's header time minus %(D)s is the queue": r"upstream_header_time`? minus Gunicorn",
    # Little's law counts the requests in service only from the service time, not the time queued as well.
    "time in Gunicorn (queue included) sets the slots needed": r"spent in Gunicorn means \d+ requests",
    # urllib3 spends the whole connect timeout on each address the name resolves to.
    "a call's worst case ignores the name's addresses": r"up to 7\.8 s before that wait,? and it must fit",
}


@pytest.mark.parametrize("claim", list(WRONG))
def test_no_page_repeats_a_known_error(claim):
    found = [p.name for p in sorted(DOCS.glob("*.md"))
             if re.search(WRONG[claim], " ".join(p.read_text(encoding="utf-8").split()), re.I)]
    assert found == [], f"{claim}: {found}"
