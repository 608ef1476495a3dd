"""The built site: the same sources give the same bytes; every internal link and anchor resolves."""

import hashlib
import re
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from .conftest import build


def _tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_same_sources_build_byte_identical_sites(built_site, tmp_path):
    """A rebuild changes nothing, so readers' browsers download nothing again (the precache is by content)."""
    again = build("mkdocs", tmp_path / "public")
    first, second = _tree(built_site), _tree(again)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


HREF = re.compile(r'\s(?:href|src)="([^"]+)"')
ID = re.compile(r'\sid="([^"]+)"')


def test_every_internal_link_resolves(built_site):
    """Links in the Markdown are checked by the strict build; these include the ones in rendered forms and fences."""
    pages = {p: p.read_text(encoding="utf-8") for p in built_site.rglob("*.html") if p.name != "404.html"}
    ids = {p: set(ID.findall(text)) for p, text in pages.items()}
    broken = []
    for page, text in pages.items():
        base = "file://" + page.as_posix()
        for link in HREF.findall(text):
            if link.startswith(("http:", "https:", "mailto:", "data:", "#")) or link.startswith("//"):
                if link.startswith("#") and link[1:] and unquote(link[1:]) not in ids[page]:
                    broken.append((page.relative_to(built_site).as_posix(), link))
                continue
            target, fragment = urldefrag(urljoin(base, link))
            path = Path(unquote(urlsplit(target).path))
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                broken.append((page.relative_to(built_site).as_posix(), link))
            elif fragment and path in ids and unquote(fragment) not in ids[path]:
                broken.append((page.relative_to(built_site).as_posix(), link))
    assert broken == []
