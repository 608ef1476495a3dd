"""A strict content security policy on every page, and nothing the page does breaks it."""

import re

import pytest

from .conftest import PAGES, wait_live
from .helpers import click_nav, settle, wait_until

# Recorded before any page script runs (Playwright's init scripts are not subject to the page's policy).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  [e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber, (e.sample || '').slice(0, 80)]));
"""


def _policy(page):
    return page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")


@pytest.mark.parametrize("url", list(PAGES))
def test_every_page_carries_a_strict_policy_first(static_page, base_url, url):
    page = static_page
    page.goto(base_url + url)
    assert page.locator('meta[http-equiv="Content-Security-Policy"]').count() == 1
    # First in <head> after the charset: a policy only governs what follows it.
    assert page.evaluate("document.head.children[1].getAttribute('http-equiv')") == "Content-Security-Policy"
    directives = dict(d.strip().split(" ", 1) for d in _policy(page).split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'none'"
    script = directives["script-src"].split()
    assert script[0] == "'self'" and all(re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", s) for s in script[1:])
    assert "'unsafe-inline'" not in directives["style-src"] and "'unsafe-eval'" not in _policy(page)


def test_nothing_violates_the_policy(live_page, base_url):
    """Every page live, a calculator typed into and its chart redrawn, instant navigation, search, a shared link."""
    live_page.add_init_script(RECORD_VIOLATIONS)
    live_page.goto(base_url + "?amdahl.serial_pct=7")
    wait_live(live_page)
    for url in [u for u in PAGES if u and u != "wsgi/"]:
        click_nav(live_page, base_url + url)
        assert live_page.evaluate("window.__violations") == [], url
    click_nav(live_page, base_url + "wsgi/")
    form = live_page.locator('form.perfcalc[data-key="worker-pool"]')
    form.locator('input[name="workers"]').fill("8")
    settle(live_page)
    form.locator("figure.perfcalc__chart:not([data-drawing])").wait_for()
    live_page.keyboard.press("/")  # the theme's search: its results are rendered under the same policy
    # Typed, not filled: Material searches on key events, and a filled value before its index is ready is never searched.
    live_page.locator("input.md-search__input").press_sequentially("cache", delay=30)
    live_page.locator(".md-search-result__item").first.wait_for()
    live_page.goto(base_url + "reference/")  # KaTeX's style attributes, allowed by hash
    wait_live(live_page)
    assert live_page.evaluate("window.__violations") == []


def test_a_violation_would_be_seen(browser, base_url):
    """The recorder works: a script the policy does not allow is blocked and reported."""
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(base_url)
    wait_live(page)
    page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__ran = true'; document.body.append(s); }""")
    wait_until(page, "() => window.__violations.length > 0")
    assert page.evaluate("window.__ran") is None
    assert page.evaluate("window.__violations")[0][0] == "script-src-elem"
    context.close()
