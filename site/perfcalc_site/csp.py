"""A content security policy for every page, computed from the page itself at bundle time.

The policy allows the site's own files and nothing else: no other origin, no
``eval`` and no inline script on the page except the theme's own few small
scripts, each allowed by the hash of its exact text (they differ by page
depth, so each page gets its own list). Python's runtime needs
``eval``/WebAssembly compilation, which happens in the worker: a worker loaded
from a same-origin file has its own policy, not the page's.

No inline style is allowed either: the site has none (KaTeX's style
attributes become classes at build time, see ``reference.py``). Should a page
ever carry a style attribute, its exact value is allowed by hash with
``'unsafe-hashes'``, never with ``'unsafe-inline'``.

>>> page = '<html><head><meta charset="utf-8"><script>var a = 1;</script></head><body></body></html>'
>>> print(policy_for(page))  # doctest: +NORMALIZE_WHITESPACE
default-src 'self'; script-src 'self' 'sha256-+dZ6udsWxNVoGfScAq7t5IIF5UJb4F6RhjbN6oe1p4w='; style-src 'self';
img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'none'
"""

from __future__ import annotations

import base64
import hashlib
import html
import re

META = '<meta http-equiv="Content-Security-Policy" content="{policy}">'
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
_STYLE_ATTRIBUTE = re.compile(r"""\sstyle=(?:"([^"]*)"|'([^']*)')""", re.I)
_CHARSET = re.compile(r"<meta\s+charset=[^>]*>", re.I)
_EXISTING = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _runs(attributes: str) -> bool:
    """Whether a <script> without src is executed: no type, or a JavaScript type (not JSON data)."""
    if re.search(r"\bsrc\s*=", attributes, re.I):
        return False
    kind = re.search(r"""\btype\s*=\s*["']?([^"'\s>]+)""", attributes, re.I)
    return kind is None or kind.group(1).lower() in ("text/javascript", "application/javascript", "module")


def policy_for(*pages: str) -> str:
    """The policy for these pages: their inline scripts (and style attributes, if any) by hash, nothing else."""
    scripts = sorted({_hash(body) for page in pages for attributes, body in _SCRIPT.findall(page) if _runs(attributes)})
    styles = sorted({_hash(body) for page in pages for body in _STYLE_ELEMENT.findall(page)})
    attributes = sorted({_hash(html.unescape(a or b)) for page in pages for a, b in _STYLE_ATTRIBUTE.findall(page)})
    style = ["'self'", *styles] + (["'unsafe-hashes'", *attributes] if attributes else [])
    return "; ".join([
        "default-src 'self'",
        "script-src " + " ".join(["'self'", *scripts]),
        "style-src " + " ".join(style),
        "img-src 'self' data:",  # the theme's icons are data: URIs in its stylesheet
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'none'",
    ])


def site_policy(pages) -> str:
    """One policy that every page of the site satisfies.

    Material's instant navigation parses the next page and swaps its content
    into the current document, whose policy (the first page's) then governs
    it: a policy per page would block what only another page needs. The
    inline scripts differ only by page depth, so the union is a handful.
    """
    return policy_for(*(_EXISTING.sub("", page) for page in pages))


def add_policy(page: str, policy: str | None = None) -> str:
    """The page with a policy (its own, unless one is given) as the first thing in <head>.

    A policy applies only to what follows it; bundling a folder twice still gives one.

    >>> add_policy('<head><meta charset="utf-8"><title>x</title></head>').count('Content-Security-Policy')
    1
    """
    page = _EXISTING.sub("", page)
    policy = policy or policy_for(page)
    meta = META.format(policy=policy.replace("&", "&amp;").replace('"', "&quot;"))
    charset = _CHARSET.search(page)
    if charset is None:
        raise ValueError("a page without <meta charset> cannot carry a policy in the right place")
    return page[:charset.end()] + meta + page[charset.end():]
