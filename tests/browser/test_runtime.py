"""The runtime: Python in a worker, instant navigation anywhere, offline, failures said out loud.

The site is served under a sub-path on a random port (see conftest), as a
reader's host would serve it; navigation and offline are checked on both
engines' builds (``site_url``: MkDocs + Material, then Zensical, whose theme
has its own JavaScript). "Same document" is proven by a marker set on
``window`` before a click: a full page load gives a fresh ``window`` without
it. "One worker" is counted outside the page (Playwright, Chromium's
targets), so a reload cannot reset the count. One worker for all tabs:
test_shared_worker.py.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

import perfcalc

from .conftest import PAGES, wait_live
from .helpers import (NO_SHARED_WORKER, WORKER_SCRIPT, assert_forms_match, click_nav, count_workers, expected, expected_forms, wait_until,
                      read_forms, same_outputs)

SHOTS = Path(os.environ.get("PERFCALC_SCREENSHOTS", Path(__file__).resolve().parents[2] / ".screenshots"))
def test_instant_navigation_keeps_the_document_and_the_worker(fresh_page, site_url):
    created = count_workers(fresh_page)
    fresh_page.goto(site_url)
    wait_live(fresh_page)
    fresh_page.evaluate("window.__sameDocument = 'yes'")
    for url in [u for u in PAGES if u] + [""]:
        click_nav(fresh_page, site_url + url)
        assert fresh_page.url.split("?")[0].split("#")[0] == site_url + url
        # Same document (a reload would have dropped the marker), same worker, and the numbers are right.
        assert fresh_page.evaluate("window.__sameDocument") == "yes", f"navigating to {url!r} reloaded the page"
        assert len(created) == 1, created
        forms = read_forms(fresh_page)
        assert [f.pop("state") for f in forms] == ["live"] * len(forms)
        assert_forms_match(forms, expected_forms(PAGES[url]))
    # And the calculators mounted after navigation compute: through the worker, as native Python does.
    click_nav(fresh_page, site_url + "load-testing/")
    form = fresh_page.locator('form.perfcalc[data-calculator="usl-fit"]')
    form.locator("textarea").fill("1:10 2:19 4:34 8:50")
    want, _ = expected("usl-fit", {"measurements": "1:10 2:19 4:34 8:50"})
    expect(form.locator('output[name="r_squared"]')).to_have_text(want["r_squared"][1])
    click_nav(fresh_page, site_url + "wsgi/")
    form = fresh_page.locator('form.perfcalc[data-key="worker-pool"]')
    form.locator('input[name="workers"]').fill("9")
    want, _ = expected("worker-pool", {"workers": "9"})
    expect(form.locator('output[name="utilization_pct"]')).to_have_attribute("data-value", want["utilization_pct"][0])
    assert fresh_page.evaluate("window.__sameDocument") == "yes"


def test_offline_after_one_visit(browser, site_url):
    context = browser.new_context()
    page = context.new_page()
    created = count_workers(page)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site_url)
    wait_live(page)
    # The service worker installs once the whole build (runtime included) is precached, then takes control.
    page.evaluate("navigator.serviceWorker.ready")
    wait_until(page, "() => navigator.serviceWorker.controller !== null")

    context.set_offline(True)
    page.reload()
    wait_live(page)
    page.evaluate("window.__sameDocument = 'yes'")
    reloads = len(created)
    for url in ("slo/", "wsgi/"):  # pages never opened before, reached by instant navigation, offline
        click_nav(page, site_url + url)
        assert page.evaluate("window.__sameDocument") == "yes"
    assert len(created) == reloads
    form = page.locator('form.perfcalc[data-key="worker-pool"]')
    form.locator('input[name="workers"]').fill("9")
    want, _ = expected("worker-pool", {"workers": "9"})
    expect(form.locator('output[name="utilization_pct"]')).to_have_attribute("data-value", want["utilization_pct"][0])
    page.goto(site_url + "caching/")  # a full load of a page never opened before, offline
    wait_live(page)
    form = page.locator('form.perfcalc[data-key="cache"]')
    form.locator('input[name="hit_ratio_pct"]').fill("90")
    want, _ = expected("cache", {"hit_ratio_pct": "90"})
    expect(form.locator('output[name="origin_rps"]')).to_have_attribute("data-value", want["origin_rps"][0])
    assert errors == []
    context.close()


def test_fast_typing_ends_on_the_last_value(live_page, base_url):
    """Twenty values typed in quick succession: outputs and chart end on the last, as native Python computes it."""
    live_page.goto(base_url + "wsgi/")
    wait_live(live_page)
    form = live_page.locator('form.perfcalc[data-key="worker-pool"]')
    field = form.locator('input[name="workers"]')
    values = [str(v) for v in range(6, 26)]
    for value in values[:10]:  # one task each, as separate keystrokes are
        field.fill(value)
    form.locator("figure.perfcalc__chart:not([data-drawing])").wait_for()
    # and ten inside a single task, faster than any reader types: each gets its outputs, but the worker
    # draws only the latest chart (drawing every stale value would delay the keystrokes behind them).
    # Counted as the page receives them (the worker's port, boot.js's handoff), whatever kind of worker answers.
    live_page.evaluate("""() => { window.__drawings = 0; window.perfcalcWorker.port.addEventListener('message',
        (event) => { if (event.data.op === 'chart') window.__drawings++; }); }""")
    field.evaluate("""(input, values) => { for (const v of values) {
        input.value = v; input.dispatchEvent(new Event('input', {bubbles: true})); } }""", values[10:])
    last = {"workers": values[-1]}
    want, warnings = expected("worker-pool", last)
    form.locator("figure.perfcalc__chart:not([data-drawing])").wait_for()
    shown = next(f for f in read_forms(live_page) if f["calculator"] == "worker-pool")
    assert same_outputs(shown["outputs"], want), shown["outputs"]
    assert shown["warnings"] == warnings
    r = perfcalc.calculate("worker-pool", **last)
    chart = perfcalc.get("worker-pool").chart(r.inputs, r.outputs)
    assert form.locator("figcaption").inner_text() == f"{chart.title}. {chart.description}"
    assert live_page.evaluate("window.__drawings") == 1


def test_values_typed_while_python_starts_are_computed_once_live(browser, base_url):
    context = browser.new_context(service_workers="block")
    context.add_init_script(NO_SHARED_WORKER)  # Playwright's routes do not see a shared worker's requests
    held = []
    context.route("**/pyodide.asm.wasm", lambda route: held.append(route))  # Python cannot finish starting until released
    page = context.new_page()
    page.goto(base_url + "wsgi/", wait_until="domcontentloaded")
    form = page.locator('form.perfcalc[data-key="worker-pool"]')
    form.locator('input[name="workers"]').fill("7")
    assert page.evaluate("document.documentElement.dataset.perfcalc") == "starting"
    # Until then the old results are marked out of date, and the status says why.
    note = form.locator(".perfcalc__stale-note")
    expect(note).to_be_visible()
    assert "as soon as Python has started" in note.inner_text()
    assert form.locator('output[name="utilization_pct"]').get_attribute("data-stale") == "true"
    assert "Starting Python" in form.locator(".perfcalc__status").inner_text()
    while not held:
        page.wait_for_timeout(50)
    held[0].continue_()
    wait_live(page)
    want, _ = expected("worker-pool", {"workers": "7"})
    shown = next(f for f in read_forms(page) if f["calculator"] == "worker-pool")
    assert same_outputs(shown["outputs"], want)
    expect(note).to_be_hidden()
    assert form.locator(".perfcalc__status").inner_text() == ""
    context.close()


@pytest.mark.parametrize("broken", ["**/runtime/worker.js", "**/pyodide.asm.wasm", "**/py/perfcalc.zip"])
def test_a_worker_that_cannot_start_is_reported(browser, base_url, broken):
    """The worker or what it loads is missing: the page says so and keeps its pre-rendered, correct defaults."""
    context = browser.new_context(service_workers="block")
    # Playwright's routes do not see a shared worker's requests (a shared worker missing a file: test_shared_worker.py).
    context.add_init_script(NO_SHARED_WORKER)
    context.route(broken, lambda route: route.fulfill(status=404, body="gone"))
    page = context.new_page()
    page.goto(base_url + "caching/")
    page.wait_for_selector('html[data-perfcalc="failed"]', state="attached", timeout=60_000)
    statuses = page.locator(".perfcalc__status").all_inner_texts()
    assert statuses and all("could not start" in s for s in statuses), statuses
    assert page.locator('form.perfcalc[data-state="static"]').count() == page.locator("form.perfcalc").count() > 0
    native = perfcalc.raw_value(perfcalc.calculate("cache").outputs["origin_rps"])
    form = page.locator('form.perfcalc[data-calculator="cache"]')
    assert form.locator('output[name="origin_rps"]').get_attribute("data-value") == native
    # Typing cannot update anything now: the numbers are marked out of date, not shown as if valid.
    form.locator('input[name="arrival_rps"]').fill("500")
    assert form.locator('output[name="origin_rps"]').get_attribute("data-stale") == "true"
    expect(form.locator(".perfcalc__stale-note")).to_contain_text("Python is not running")
    context.close()


def test_a_worker_that_dies_is_reported(browser, base_url):
    """A dedicated worker (the fallback) that crashes fires an error event on the page's side."""
    context = browser.new_context(service_workers="block")
    context.add_init_script(NO_SHARED_WORKER)
    page = context.new_page()
    page.goto(base_url + "wsgi/")
    wait_live(page)
    worker = next(w for w in page.workers if w.url.endswith(WORKER_SCRIPT))
    worker.evaluate("setTimeout(() => { throw new Error('the worker crashed') }, 0)")
    page.wait_for_selector('html[data-perfcalc="failed"]', state="attached")
    form = page.locator('form.perfcalc[data-key="worker-pool"]')
    assert "stopped responding" in form.locator(".perfcalc__status").inner_text()
    form.locator('input[name="workers"]').fill("9")
    assert form.locator('output[name="utilization_pct"]').get_attribute("data-stale") == "true"
    assert form.get_attribute("data-state") == "static"
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


def test_python_is_downloaded_once(fresh_page, base_url):
    """The worker fetches each runtime file once (Pyodide's own requests for them are answered from those bytes)."""
    requests = []
    fresh_page.context.add_init_script(NO_SHARED_WORKER)  # Playwright does not see a shared worker's requests
    fresh_page.on("request", lambda r: requests.append(r.url))
    fresh_page.goto(base_url + "wsgi/")
    wait_live(fresh_page)
    for name in ("pyodide.asm.wasm", "python_stdlib.zip", "py/perfcalc.zip", "py/python-snapshot.gz"):
        assert sum(u.endswith(name) for u in requests) == 1, (name, [u for u in requests if u.endswith(name)])
