"""The fences inside Python-Markdown, as each engine runs them: what MkDocs and Zensical tell a formatter.

MkDocs registers its page as the treeprocessor "relpath", Zensical as the
preprocessor "rendering_context"; :func:`convert` builds a Markdown instance
that carries one or the other (or neither) with the guide's SuperFences.
"""

import markdown

from perfcalc_site import fences

class _File:
    def __init__(self, src_uri, url):
        self.src_uri, self.url = src_uri, url


class _MkDocsContext(markdown.treeprocessors.Treeprocessor):
    """What MkDocs registers as "relpath": the page's file (src_uri, url)."""

    def __init__(self, md, file):
        super().__init__(md)
        self.file = file

    def run(self, root):
        return root


class _ZensicalContext(markdown.preprocessors.Preprocessor):
    """What Zensical registers as "rendering_context": the page (path, url)."""

    def __init__(self, md, page):
        super().__init__(md)
        self.page = page

    def run(self, lines):
        return lines


def convert(text, engine, src_uri="wsgi.md", url="wsgi/"):
    """HTML of ``text`` as ``engine`` ("mkdocs", "zensical" or None) renders it for the page ``src_uri`` at ``url``."""
    formatters = {"perfcalc": fences.form, "perfcalc-cli": fences.cli, "perfcalc-reference": fences.reference_section,
                  "perfcalc-lab": fences.lab_results}
    md = markdown.Markdown(extensions=["pymdownx.superfences", "attr_list"], extension_configs={
        "pymdownx.superfences": {"custom_fences": [{"name": n, "class": n, "format": f} for n, f in formatters.items()]}})
    if engine == "mkdocs":
        md.treeprocessors.register(_MkDocsContext(md, _File(src_uri, url)), "relpath", 1)
    elif engine == "zensical":
        page = type("Page", (), {"path": src_uri, "url": url})()
        md.preprocessors.register(_ZensicalContext(md, page), "rendering_context", 0)
    return md.convert(text)

