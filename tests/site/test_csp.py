"""perfcalc_site.csp: one policy for the site, scripts and styles allowed by hash and nothing else."""

import base64
import doctest
import hashlib

import pytest

from perfcalc_site import csp


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _page(head: str = "", body: str = "") -> str:
    return f'<html><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


def test_doctests():
    failed, tried = doctest.testmod(csp)
    assert tried and not failed


def test_only_scripts_that_run_are_hashed():
    page = _page('<script>a()</script><script src="x.js"></script><script type="application/json">{"a": 1}</script>'
                 '<script type="module">b()</script>')
    script_src = next(d for d in csp.policy_for(page).split("; ") if d.startswith("script-src"))
    assert script_src == " ".join(["script-src", "'self'", *sorted([_sha("a()"), _sha("b()")])])


def test_a_style_attribute_is_allowed_by_hash_never_unsafe_inline():
    policy = csp.policy_for(_page(body='<p style="color: red">x</p>'))
    assert f"'unsafe-hashes' {_sha('color: red')}" in policy and "unsafe-inline" not in policy
    assert "unsafe-hashes" not in csp.policy_for(_page(body="<p>x</p>"))


def test_theme_stylesheets_and_style_elements_are_allowed_by_hash():
    policy = csp.policy_for(_page("<style>.a{}</style>"), stylesheets=(".b{color:red}",))
    assert _sha(".a{}") in policy and _sha(".b{color:red}") in policy


def test_one_policy_for_the_site_allows_every_page_and_ignores_policies_already_there():
    """Instant navigation swaps pages into the first one's document: its policy must allow every page's scripts."""
    first, deeper = _page("<script>depth(0)</script>"), _page("<script>depth(1)</script>")
    policy = csp.site_policy([csp.add_policy(first), deeper])
    assert _sha("depth(0)") in policy and _sha("depth(1)") in policy
    assert csp.site_policy([csp.add_policy(first)]) == csp.policy_for(first)


def test_the_policy_goes_right_after_the_charset_once_and_escaped():
    page = csp.add_policy(csp.add_policy(_page("<title>t</title>"), "default-src 'self'"), 'a "b" & c')
    assert page.count("Content-Security-Policy") == 1
    assert '<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="a &quot;b&quot; &amp; c">' in page


def test_a_page_without_a_charset_is_refused():
    with pytest.raises(ValueError, match="meta charset"):
        csp.add_policy("<html><head></head></html>")


def test_stylesheets_in_a_script_are_read_with_their_escapes():
    assert csp.script_stylesheets(r"x='.a{content:\'\u00e9\'}';y='plain text'") == [".a{content:'é'}"]
