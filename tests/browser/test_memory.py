"""Thirty instant navigations: whatever memory the page keeps, none of the growth is ours.

Material's instant navigation itself keeps detached DOM from page to page
(measured here: about 1,800 nodes and 2 listeners a navigation, with or
without our runtime). So the guide is compared with the same site without
the runtime, whose sitemap is pointed at where it is served so that its
navigation is instant too: the difference in growth is what the runtime
keeps, and it must be nothing that grows with navigation.
"""

import re
import time

import pytest

from tests import serving

from .conftest import PAGES, wait_live
from .helpers import count_workers, wait_until

NAVIGATIONS = 30


@pytest.fixture(scope="module")
def plain_url(built_site, tmp_path_factory):
    """The built site without the runtime; its sitemap names the address it is served from."""
    plain = serving.without_runtime(built_site, tmp_path_factory.mktemp("plain") / "public")
    with serving.serving(plain, tmp_path_factory.mktemp("docroot")) as url:
        sitemap = plain / "sitemap.xml"
        built_for = re.search(r"<loc>([^<]*)</loc>", sitemap.read_text()).group(1)
        sitemap.write_text(sitemap.read_text().replace(built_for, url))
        yield url


def _counters(page, cdp):
    for _ in range(2):
        cdp.send("HeapProfiler.collectGarbage")
        time.sleep(0.2)
    dom = cdp.send("Memory.getDOMCounters")
    return {"nodes": dom["nodes"], "listeners": dom["jsEventListeners"],
            "heap_mb": cdp.send("Runtime.getHeapUsage")["usedSize"] / 1e6}


def _growth(browser, base, live):
    """Counters after navigation 5 and after navigation NAVIGATIONS, navigating through every page in turn."""
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    workers = count_workers(page)
    cdp = context.new_cdp_session(page)
    page.goto(base)
    if live:
        wait_live(page)
    page.evaluate("window.__sameDocument = 'yes'")
    urls = [u for u in PAGES if u] + [""]
    samples = {}
    for n in range(1, NAVIGATIONS + 1):
        href = base + urls[n % len(urls)]
        page.evaluate("document.querySelector('[data-md-component=container]').dataset.beforeClick = '1'")
        page.evaluate("h => [...document.querySelectorAll('nav.md-nav--primary a.md-nav__link')]"
                      ".find(a => a.href === h).click()", href)
        wait_until(page, "() => !document.querySelector('[data-md-component=container][data-before-click]')"
                   + (" && document.documentElement.dataset.perfcalc === 'live'" if live else ""))
        if n in (5, NAVIGATIONS):
            samples[n] = _counters(page, cdp)
    assert page.evaluate("window.__sameDocument") == "yes", "a navigation reloaded the page"
    assert len(workers) == (1 if live else 0)
    context.close()
    return {k: samples[NAVIGATIONS][k] - samples[5][k] for k in samples[5]}


def test_the_runtime_keeps_nothing_per_navigation(browser, base_url, plain_url):
    ours = _growth(browser, base_url, live=True)
    baseline = _growth(browser, plain_url, live=False)
    extra = {k: ours[k] - baseline[k] for k in ours}
    # 25 navigations: one form's markup, one listener or ~40 kB kept per navigation would exceed these.
    assert extra["listeners"] <= 2, (ours, baseline)
    assert extra["nodes"] <= 300, (ours, baseline)
    assert extra["heap_mb"] <= 1.0, (ours, baseline)
