"""One content security policy for the whole site, computed from its pages at bundle time.

The policy allows the site's own files and nothing else: no other origin, no
``eval`` and no inline script except the theme's own few small scripts, each
allowed by the hash of its exact text. Those differ by page depth, and every
page carries the union (:func:`site_policy`): Material's instant navigation
swaps the next page into the current document, whose policy then governs it,
so a policy per page would block what only another page needs.
(:func:`policy_for` computes the policy of given pages; :func:`add_policy`
alone, without a policy, gives a page its own, as the doctests do.) Python's
runtime needs ``eval``/WebAssembly compilation, which happens in the worker:
a worker loaded from a same-origin file has its own policy, not the page's.

No inline style is allowed either: the site has none (KaTeX's style
attributes become classes at build time, see ``reference.py``). Should a page
ever carry a style attribute, its exact value is allowed by hash with
``'unsafe-hashes'``, never with ``'unsafe-inline'``. A theme script that
adds a ``<style>`` element of its own (Zensical's search dialog, in a shadow
root) gets that stylesheet's hash, read from the theme's bundle: see
``script_stylesheets``.

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


# JavaScript string literals, each kind consumed whole so that a quote inside another kind is skipped.
_JS_LITERAL = re.compile(r"""'((?:[^'\\\n]|\\.)*)'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`""", re.S)
_STYLESHEET = re.compile(r"[.#:@*a-zA-Z\[][^{}]*\{.*\}", re.S)
_JS_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\n|.)")
_JS_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0", "\n": ""}


def _js_string(body: str) -> str:
    """The text of a JavaScript string literal's body (escapes resolved)."""
    def one(match: re.Match) -> str:
        escape = match.group(1)
        if escape[0] in "ux" and len(escape) > 1:
            return chr(int(escape.strip("ux{}"), 16))
        return _JS_SIMPLE.get(escape, escape)
    return _JS_ESCAPE.sub(one, body)


def script_stylesheets(script: str) -> list[str]:
    r"""The stylesheets a theme script carries as string literals, to be added as ``<style>`` at run time.

    A ``<style>`` element made by script is inline style to the policy, and
    its hash is that of its text. Every single-quoted literal that reads as a
    stylesheet is listed: allowing the exact text of the theme's own CSS
    allows nothing else, and a literal never used as a stylesheet costs one
    hash.

    >>> script_stylesheets(r"var a='.x{color:red}',b='no rule',c='.y:after{content:\'\\2014\'}';")
    ['.x{color:red}', ".y:after{content:'\\2014'}"]
    """
    bodies = (match.group(1) for match in _JS_LITERAL.finditer(script) if match.group(1))
    return [_js_string(body) for body in bodies if _STYLESHEET.fullmatch(body)]


def policy_for(*pages: str, stylesheets: tuple[str, ...] = ()) -> str:
    """The policy for these pages: their inline scripts (and style attributes, if any) by hash, nothing else.

    ``stylesheets`` are what the theme's scripts add as ``<style>`` elements; they are allowed by hash too.
    """
    scripts = sorted({_hash(body) for page in pages for attributes, body in _SCRIPT.findall(page) if _runs(attributes)})
    styles = sorted({_hash(body) for page in pages for body in _STYLE_ELEMENT.findall(page)}
                    | {_hash(sheet) for sheet in stylesheets})
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


def site_policy(pages, stylesheets: tuple[str, ...] = ()) -> str:
    """One policy that every page of the site satisfies.

    Material's instant navigation parses the next page and swaps its content
    into the current document, whose policy (the first page's) then governs
    it: a policy per page would block what only another page needs. The
    inline scripts differ only by page depth, so the union is a handful.
    """
    return policy_for(*(_EXISTING.sub("", page) for page in pages), stylesheets=tuple(stylesheets))


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
