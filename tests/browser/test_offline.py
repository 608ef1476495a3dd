"""The service worker: the 404 page offline, updates offered to the reader, a cleared cache repaired."""

import shutil
import subprocess
import sys

from tests import serving

from .conftest import ROOT, wait_live
from .helpers import wait_until

CACHE = "perfcalc-precache"
CACHED_FILES = f"caches.open('{CACHE}').then(c => c.keys()).then(k => k.length)"


def _controlled(page, url):
    """Open url and wait until the service worker has precached the site and controls the page."""
    page.goto(url)
    wait_live(page)
    page.evaluate("navigator.serviceWorker.ready")
    wait_until(page, "() => navigator.serviceWorker.controller !== null", timeout_s=120)


def test_offline_an_unknown_address_gets_the_sites_404_page(browser, base_url):
    context = browser.new_context()
    page = context.new_page()
    _controlled(page, base_url)
    context.set_offline(True)
    response = page.goto(base_url + "no/such/page/")
    assert response.status == 404
    assert "404" in page.locator("article, .md-content").first.inner_text()
    # Styled and linked for where the site is served, though its links were written for site_url's path.
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    home = page.locator("a.md-header__button.md-logo, a.md-nav__link").first.evaluate("a => a.href")
    assert home.startswith(base_url)
    context.close()


def test_a_cleared_cache_is_repaired_while_online(browser, base_url):
    context = browser.new_context()
    page = context.new_page()
    _controlled(page, base_url)
    files = page.evaluate(CACHED_FILES)
    assert files > 50
    page.evaluate(f"caches.delete('{CACHE}')")  # storage cleared, the worker still running
    page.goto(base_url + "slo/")  # online: answered from the network, and the precache is fetched again
    wait_live(page)
    wait_until(page, f"() => {CACHED_FILES}.then(n => n >= {files})", timeout_s=120)
    context.set_offline(True)
    page.goto(base_url + "load-testing/")  # a page never opened since the cache was cleared
    wait_live(page)
    context.close()


def test_a_new_version_is_offered_and_taken_when_the_reader_accepts(browser, built_site, tmp_path_factory):
    """Build B differs from A by one page; a reader of A is told, and switches when they click Reload."""
    second = tmp_path_factory.mktemp("update") / "public"
    shutil.copytree(built_site, second, symlinks=True)
    page_file = second / "slo" / "index.html"
    page_file.write_text(page_file.read_text().replace("</article>", "<p id='new-version'>New.</p></article>", 1))
    built_for = subprocess.run([sys.executable, "-c", "from perfcalc_site.bundle import built_for; import sys; "
                                "print(built_for(__import__('pathlib').Path(sys.argv[1])))", str(second)],
                               capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run(["node", str(ROOT / "site" / "build-sw.mjs"), str(second), str(ROOT / "site" / "browser" / "sw.js"),
                    built_for], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    assert (second / "sw.js").read_bytes() != (built_site / "sw.js").read_bytes()

    served = tmp_path_factory.mktemp("served") / "current"
    served.symlink_to(built_site, target_is_directory=True)
    with serving.serving(served, tmp_path_factory.mktemp("docroot")) as url:
        context = browser.new_context()
        page = context.new_page()
        _controlled(page, url + "slo/")
        assert page.locator("#new-version").count() == 0
        served.unlink()
        served.symlink_to(second, target_is_directory=True)  # the host now serves build B
        page.reload()  # a navigation: the browser checks for a new service worker
        wait_live(page)
        prompt = page.locator(".perfcalc-update")
        prompt.wait_for(timeout=60_000)
        assert "new version" in prompt.inner_text()
        assert page.locator("#new-version").count() == 0  # nothing changes until the reader says so
        with page.expect_navigation():
            prompt.get_by_role("button", name="Reload").click()
        wait_live(page)
        assert page.locator("#new-version").count() == 1
        context.close()
