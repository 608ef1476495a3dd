"""The same guide built by Zensical (Material's successor): a smoke test of everything a reader relies on.

Zensical runs the same SuperFences formatters (no MkDocs hooks) and the same
bundle step; its theme is a fork of Material's, with its own JavaScript. This
checks, on its build served under a sub-path on a random port: every page's
pre-rendered numbers, going live, instant navigation through every page with
one document and one worker, and offline.
"""

import pytest
from playwright.sync_api import expect

from .conftest import PAGES, wait_live
from .helpers import (assert_forms_match, click_nav, count_workers, expected, expected_forms, read_forms,
                      wait_until)


@pytest.mark.parametrize("url", list(PAGES))
def test_every_page_has_its_prerendered_numbers(browser, zensical_url, url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(zensical_url + url)
    shown = []
    for form in page.locator("form.perfcalc").all():
        outputs = {o.get_attribute("name"): [o.get_attribute("data-value"), o.inner_text(), ""]
                   for o in form.locator("output").all()}
        shown.append({"calculator": form.get_attribute("data-calculator"), "outputs": outputs,
                      "warnings": [li.inner_text() for li in form.locator(".perfcalc__warnings li").all()]})
    context.close()
    assert_forms_match(shown, expected_forms(PAGES[url]))


def test_live_instant_navigation_through_every_page(live_page, zensical_url):
    created = count_workers(live_page)
    live_page.goto(zensical_url)
    wait_live(live_page)
    live_page.evaluate("window.__sameDocument = 'yes'")
    for url in [u for u in PAGES if u] + [""]:
        click_nav(live_page, zensical_url + url)
        assert live_page.evaluate("window.__sameDocument") == "yes", f"navigating to {url!r} reloaded the page"
        assert len(created) == 1, created
        forms = read_forms(live_page)
        assert [f.pop("state") for f in forms] == ["live"] * len(forms)
        assert_forms_match(forms, expected_forms(PAGES[url]))
    click_nav(live_page, zensical_url + "wsgi/")
    form = live_page.locator('form.perfcalc[data-key="worker-pool"]')
    form.locator('input[name="workers"]').fill("9")
    want, _ = expected("worker-pool", {"workers": "9"})
    expect(form.locator('output[name="utilization_pct"]')).to_have_attribute("data-value", want["utilization_pct"][0])


def test_offline(browser, zensical_url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(zensical_url)
    wait_live(page)
    page.evaluate("navigator.serviceWorker.ready")
    wait_until(page, "() => navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.reload()
    wait_live(page)
    page.evaluate("window.__sameDocument = 'yes'")
    click_nav(page, zensical_url + "caching/")
    assert page.evaluate("window.__sameDocument") == "yes"
    form = page.locator('form.perfcalc[data-key="cache"]')
    form.locator('input[name="hit_ratio_pct"]').fill("90")
    want, _ = expected("cache", {"hit_ratio_pct": "90"})
    expect(form.locator('output[name="origin_rps"]')).to_have_attribute("data-value", want["origin_rps"][0])
    context.close()


def test_search_under_the_policy(live_page, zensical_url):
    """Zensical's search dialog adds a stylesheet of its own by script: the policy allows it by hash."""
    from .test_security import RECORD_VIOLATIONS
    live_page.add_init_script(RECORD_VIOLATIONS)
    live_page.goto(zensical_url + "wsgi/")
    wait_live(live_page)
    live_page.keyboard.press("/")
    live_page.keyboard.type("cache", delay=30)
    # The dialog lives in a shadow root; its results name the query.
    wait_until(live_page, """() => [...document.body.children].some(e => e.shadowRoot
        && e.shadowRoot.querySelector('dialog[open]') && /cache/i.test(e.shadowRoot.textContent))""")
    assert live_page.evaluate("window.__violations") == []
