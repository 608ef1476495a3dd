"""WCAG 2.1 AA with axe-core (vendored from npm): no serious or critical violation, on any page, in either scheme.

Checked live, in the states a reader meets: every page as it loads, a form
with an invalid input (its error and the out-of-date results shown), and a
page whose Python could not start.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import PAGES, ROOT, wait_live
from .helpers import NO_SHARED_WORKER, click_nav, settle

AXE = Path(ROOT / "node_modules" / "axe-core" / "axe.min.js")
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _serious(page):
    """axe's serious and critical violations on the page as it is now: [(rule, target, summary)]."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())  # evaluated by the test driver, so the page's policy does not apply
    result = page.evaluate("rules => axe.run(document, rules)", RULES)
    return [(v["id"], n["target"], n.get("failureSummary", "")[:200])
            for v in result["violations"] if v["impact"] in ("serious", "critical") for n in v["nodes"]]


@pytest.fixture(params=["light", "dark"])
def scheme_page(request, browser):
    context = browser.new_context(color_scheme=request.param, service_workers="block")
    yield context.new_page()
    context.close()


def test_every_page(scheme_page, base_url):
    page = scheme_page
    page.goto(base_url)
    wait_live(page)
    found = {"": _serious(page)}
    for url in [u for u in PAGES if u]:
        click_nav(page, base_url + url)
        found[url] = _serious(page)
    assert {url: v for url, v in found.items() if v} == {}


def test_an_invalid_input_and_stale_results(scheme_page, base_url):
    page = scheme_page
    page.goto(base_url + "wsgi/")
    wait_live(page)
    form = page.locator('form.perfcalc[data-key="worker-pool"]')
    control = form.locator('input[name="workers"]')
    control.fill("0")
    settle(page)
    error = form.locator(f"#{control.get_attribute('id')}-error")
    # The message is text in a live region that was already there, so assistive technology announces it.
    expect(error).to_have_text("workers must be a whole number from 1 to 10000, got 0")
    assert error.get_attribute("aria-live") == "polite"
    assert error.get_attribute("id") in control.get_attribute("aria-describedby").split()
    expect(form.locator(".perfcalc__stale-note")).to_be_visible()
    assert _serious(page) == []


def test_a_page_whose_python_could_not_start(browser, base_url):
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme, service_workers="block")
        context.add_init_script(NO_SHARED_WORKER)  # Playwright's routes do not see a shared worker's requests
        context.route("**/pyodide.asm.wasm", lambda route: route.fulfill(status=404, body="gone"))
        page = context.new_page()
        page.goto(base_url + "caching/")
        page.wait_for_selector('html[data-perfcalc="failed"]', state="attached")
        status = page.locator(".perfcalc__status").first
        assert status.get_attribute("role") == "status" and "could not start" in status.inner_text()
        page.locator('form.perfcalc[data-key="cache"] input[name="hit_ratio_pct"]').fill("90")
        assert _serious(page) == [], scheme
        context.close()


def test_a_wide_equation_can_be_scrolled_from_the_keyboard(static_page, base_url):
    page = static_page
    page.goto(base_url + "reference/")
    equations = page.locator(".perfcalc-equation")
    assert equations.count() > 0
    assert set(equations.evaluate_all("els => els.map(e => e.tabIndex)")) == {0}
