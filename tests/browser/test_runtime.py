"""One interpreter across instant navigation; offline after one visit; screenshots to look at."""

import os
from pathlib import Path

import pytest

import perfcalc

from .conftest import LIVE, PAGES, wait_live

SHOTS = Path(os.environ.get("PERFCALC_SCREENSHOTS", Path(__file__).resolve().parents[2] / ".screenshots"))


# Counts, in the page itself, every fetch of the Pyodide runtime: a second boot would fetch again.
COUNT_RUNTIME_FETCHES = """
window.__runtimeFetches = 0;
const originalFetch = window.fetch;
window.fetch = function (resource, ...rest) {
  if (/pyodide\\.asm\\.wasm|python_stdlib\\.zip/.test(String(resource && resource.url || resource))) window.__runtimeFetches++;
  return originalFetch.call(this, resource, ...rest);
};
"""
RESOURCE_ENTRIES = "name => performance.getEntriesByType('resource').filter(e => e.name.endsWith(name)).length"


def test_instant_navigation_reuses_the_interpreter(live_page, base_url):
    live_page.add_init_script(COUNT_RUNTIME_FETCHES)
    live_page.goto(base_url)
    wait_live(live_page)
    assert live_page.evaluate("window.perfcalcBoots") == 1
    for link_text, calculator in (("Caching", "cache"), ("Pitfalls", "n-plus-one"), ("Load testing", "usl-fit")):
        live_page.get_by_role("navigation").get_by_role("link", name=link_text, exact=True).first.click()
        live_page.wait_for_selector(f'form.perfcalc[data-calculator="{calculator}"][data-state="live"]')
        # Same document, same Python: the counter set at boot survived, and nothing booted again.
        assert live_page.evaluate("window.perfcalcBoots") == 1
        assert live_page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert live_page.evaluate("window.__runtimeFetches") == 2  # the wasm and the stdlib, once each
    assert live_page.evaluate(RESOURCE_ENTRIES, "pyodide.asm.wasm") == 1
    assert live_page.evaluate(RESOURCE_ENTRIES, "python_stdlib.zip") == 1
    # And the mounted calculators are live: typing recomputes.
    form = live_page.locator('form.perfcalc[data-calculator="usl-fit"]')
    form.locator("textarea").fill("1:10 2:19 4:34 8:50")
    assert form.locator('output[name="r_squared"]').get_attribute("data-stale") is None
    assert float(form.locator('output[name="lambda_rps"]').get_attribute("data-value")) > 0


def test_offline_after_one_visit(browser, base_url):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base_url)
    wait_live(page)
    # The worker installs once the whole build (runtime included) is precached.
    page.wait_for_function("navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready.then(() => true)")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # now controlled by the service worker
    wait_live(page)
    assert page.evaluate("navigator.serviceWorker.controller !== null")

    context.set_offline(True)
    page.reload()
    wait_live(page)
    page.get_by_role("navigation").get_by_role("link", name="SLOs and error budgets", exact=True).first.click()
    page.wait_for_selector('form.perfcalc[data-calculator="slo"][data-state="live"]')
    page.goto(base_url + "wsgi/")  # a full load of a page never opened before
    wait_live(page)
    form = page.locator('form.perfcalc[data-calculator="worker-pool"]')
    form.locator('input[name="workers"]').fill("9")
    assert page.locator('form.perfcalc[data-calculator="worker-pool"]').get_attribute("data-state") == "live"
    assert form.locator('output[name="utilization_pct"]').get_attribute("data-value") == repr(80 * 0.05 / 9 * 100)
    assert errors == []
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("url", ["", "wsgi/"])
def test_screenshots(browser, base_url, scheme, url):
    """Screenshots for a person to look at (written to .screenshots/)."""
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(base_url + url)
    wait_live(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{url.strip('/') or 'home'}-{scheme}.png"
    page.screenshot(path=str(path), full_page=True)
    expected_scheme = "slate" if scheme == "dark" else "default"
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected_scheme
    assert path.stat().st_size > 10_000
    context.close()


def test_a_runtime_that_cannot_start_is_reported(browser, base_url):
    """The wasm is unreachable: the page says so and keeps its pre-rendered, correct defaults."""
    context = browser.new_context(service_workers="block")
    context.route("**/pyodide.asm.wasm", lambda route: route.fulfill(status=404, body="gone"))
    page = context.new_page()
    page.goto(base_url + "caching/")
    page.wait_for_selector('html[data-perfcalc="failed"]', state="attached", timeout=60_000)
    status = page.locator(".perfcalc__status").first.evaluate("e => getComputedStyle(e, '::before').content")
    assert "could not start" in status
    assert page.locator('form.perfcalc[data-state="static"]').count() == page.locator("form.perfcalc").count() > 0
    native = perfcalc.raw_value(perfcalc.calculate("cache").outputs["origin_rps"])
    assert page.locator('form.perfcalc[data-calculator="cache"] output[name="origin_rps"]').get_attribute("data-value") == native
    context.close()


def test_web_app_manifest(live_page, base_url):
    """Installable: a manifest linked from every page, relative scope, icons that load."""
    live_page.goto(base_url + "caching/")
    href = live_page.locator('link[rel="manifest"]').evaluate("l => l.href")
    assert href == base_url + "manifest.webmanifest"
    manifest = live_page.evaluate("url => fetch(url).then(r => r.json())", href)
    assert manifest["start_url"] == "./" and manifest["scope"] == "./" and manifest["display"] == "standalone"
    sizes = set()
    for icon in manifest["icons"]:
        status, kind = live_page.evaluate(
            "url => fetch(url).then(r => [r.status, r.headers.get('content-type')])", base_url + icon["src"])
        assert status == 200 and kind.startswith(icon["type"])
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
