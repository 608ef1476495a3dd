"""One interpreter for every tab: a SharedWorker, per-tab state kept apart, a dedicated worker as the fallback.

The worker hands each tab an interpreter id with READY (``<html
data-perfcalc-interpreter>``) and says what it serves when asked (protocol.js,
STATE): tabs sharing one interpreter show the same id. SharedWorker is taken
away, or made to fail, by a script that runs before the page's own.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests import serving

from .conftest import PAGES, Monitor, origin_of, wait_live
from .helpers import (NO_SHARED_WORKER, WORKER_STATE, SharedWorkers, count_workers, expected, read_forms,
                      same_outputs, wait_until)

WORKER_KIND = "document.documentElement.dataset.perfcalcWorker"
INTERPRETER = "document.documentElement.dataset.perfcalcInterpreter"


def _live_tab(context, url):
    page = context.new_page()
    page.goto(url)
    wait_live(page)
    return page


def _computes(page, key="worker-pool", field="workers", value="9", fence=None):
    """Typing into a calculator (its fence's inputs, the form's key its id) gives what native Python gives."""
    page.locator(f'form.perfcalc[data-key="{key}"] [name="{field}"]').fill(value)
    want, _ = expected(key, {**(fence or {}), field: value})
    deadline = time.monotonic() + 30
    while True:
        shown = next(f for f in read_forms(page) if f["calculator"] == key)
        if same_outputs(shown["outputs"], want) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert shown["state"] == "live" and same_outputs(shown["outputs"], want), (shown["outputs"], want)


def test_two_tabs_share_one_interpreter(browser, base_url):
    context = browser.new_context(service_workers="block")
    first = _live_tab(context, base_url + "wsgi/")
    workers = count_workers(first)
    second = _live_tab(context, base_url + "wsgi/")
    assert first.evaluate(WORKER_KIND) == second.evaluate(WORKER_KIND) == "shared"
    assert first.evaluate(INTERPRETER) == second.evaluate(INTERPRETER)
    assert len(workers) == 1, workers
    assert second.evaluate(WORKER_STATE)["tabs"] == 2
    # Each tab's answers go to that tab only: different values typed in each, each sees its own.
    _computes(first, value="9")
    _computes(second, value="13")
    _computes(first, value="11")
    context.close()


FALLBACKS = {
    "SharedWorker does not exist": NO_SHARED_WORKER,
    "SharedWorker cannot be created": "window.SharedWorker = function () { throw new DOMException('refused', "
                                      "'SecurityError'); };",
}


# What a tab posts to its worker, and when (ms from the navigation's start).
POSTS = """window.__posts = []; const post = MessagePort.prototype.postMessage;
MessagePort.prototype.postMessage = function (m, t) { __posts.push([m && m.op, performance.now()]); return post.call(this, m, t); };"""


def test_a_tab_beside_another_asks_for_its_first_views_at_once_and_once(browser, base_url):
    """The shared worker is ready already: the views are asked for as the modules run, before DOMContentLoaded
    (and so before Material's own start), one per form (not again when Material shows the page)."""
    context = browser.new_context(service_workers="block")
    context.add_init_script(POSTS)
    _live_tab(context, base_url + "wsgi/")
    second = _live_tab(context, base_url + "wsgi/")
    views = second.evaluate("__posts.filter(p => p[0] === 'view').map(p => p[1])")
    parsed = second.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventStart")
    assert len(views) == second.locator("form.perfcalc").count(), views
    assert max(views) <= parsed, (views, parsed)
    context.close()


@pytest.mark.parametrize("fallback", list(FALLBACKS))
def test_without_a_shared_worker_each_tab_has_a_dedicated_one(browser, base_url, fallback):
    context = browser.new_context(service_workers="block")
    context.add_init_script(FALLBACKS[fallback])
    first = _live_tab(context, base_url + "wsgi/")
    second = _live_tab(context, base_url + "wsgi/")
    assert first.evaluate(WORKER_KIND) == second.evaluate(WORKER_KIND) == "dedicated"
    assert first.evaluate(INTERPRETER) != second.evaluate(INTERPRETER)
    assert second.evaluate(WORKER_STATE)["tabs"] == 1
    _computes(first)
    _computes(second)
    context.close()


LINE = '10.0.0.1 - - [10/Mar/2024:10:{m:02d}:{s:02d} +0000] "GET /x HTTP/1.1" 200 5 "-" "ua" 0.050\n'


def _access_log(path, lines):
    path.write_text("".join(LINE.format(m=(i // 3000) % 60, s=(i // 50) % 60) for i in range(lines)))
    return path


def _start_analysis(page, path):
    panel = page.locator("section.perfcalc-analyze")
    expect(panel).to_have_attribute("data-state", "live")
    panel.locator('input[type="file"]').set_input_files(str(path))
    wait_until(page, "() => document.querySelector('section.perfcalc-analyze progress').value > 0")


def test_closing_a_tab_cancels_its_jobs_and_nothing_else(browser, base_url, tmp_path):
    context = browser.new_context(service_workers="block")
    closing = _live_tab(context, base_url + "metrics/")
    staying = _live_tab(context, base_url + "metrics/")
    _start_analysis(closing, _access_log(tmp_path / "closing.log", 800_000))
    _start_analysis(staying, _access_log(tmp_path / "staying.log", 200_000))
    state = staying.evaluate(WORKER_STATE)
    assert state["tabs"] == 2 and state["jobs"]["all"] == 2 and state["jobs"]["tab"] == 1
    closing.close()
    # The worker notices the tab is gone (its Web Lock is released) and stops that tab's job only.
    wait_until(staying, f"async () => (await ({WORKER_STATE})()).tabs === 1")
    state = staying.evaluate(WORKER_STATE)
    assert state["jobs"]["dropped"] == 1
    staying.locator("section.perfcalc-analyze .perfcalc-analyze__result:not([hidden])").wait_for(timeout=120_000)
    rows = dict(staying.evaluate("""() => [...document.querySelector('.perfcalc-analyze__result table')
        .querySelectorAll('tbody tr')].map(r => [...r.children].map(c => c.textContent))"""))
    assert rows["Lines"].startswith("200,000 read, 200,000 used")
    assert staying.evaluate(WORKER_STATE)["jobs"] == {"tab": 0, "all": 0, "dropped": 1}
    _computes(staying, "capacity", "workers", "8", fence=dict(next(i for c, i in PAGES["metrics/"] if c == "capacity")))
    context.close()


def test_a_shared_worker_missing_a_file_is_reported(browser, built_site, tmp_path_factory):
    """The shared worker cannot start Python (the browser's Python is missing): every tab says so, numbers kept."""
    site = serving.linked_copy(built_site, tmp_path_factory.mktemp("no-python") / "public", apart="py")
    (site / "py" / "python-snapshot.gz").symlink_to(built_site / "py" / "python-snapshot.gz")
    with serving.serving(site, tmp_path_factory.mktemp("docroot")) as url:
        context = browser.new_context(service_workers="block")
        for _ in range(2):
            page = context.new_page()
            page.goto(url + "wsgi/")
            page.wait_for_selector('html[data-perfcalc="failed"]', state="attached", timeout=60_000)
            status = page.locator('form.perfcalc[data-key="worker-pool"] .perfcalc__status').inner_text()
            assert "could not start" in status
        context.close()


def test_a_shared_workers_requests_are_seen(browser, base_url):
    """The checks that nothing leaves the site see the shared worker's requests too (see SharedWorkers for the gap)."""
    context = browser.new_context(service_workers="block")
    watch = SharedWorkers(browser, context)
    try:
        monitor = Monitor(origins={origin_of(base_url)}, shared_workers=watch)
        context.on("request", lambda r: monitor.requests.append(r.url))
        page = _live_tab(context, base_url + "wsgi/")
        assert page.evaluate(WORKER_KIND) == "shared"
        # Pyodide's runtime and Python's files, fetched by the worker alone: none of them seen by Playwright. Not
        # pyodide.asm.mjs: a module the worker imports is in no Resource Timing entry, so when the watcher attaches
        # after it loaded (a loaded machine) it is in the gap SharedWorkers describes, and the check would be luck.
        fetched = ("pyodide.asm.wasm", "py/python-snapshot.gz")
        deadline = time.monotonic() + 10  # the watcher's replies arrive as protocol events, delivered while we wait
        while not all(any(u.endswith(n) for u in watch.requests) for n in fetched) and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        for name in fetched:
            assert any(u.endswith(name) for u in watch.requests), (name, watch.requests)
            assert not any(u.endswith(name) for u in monitor.requests), name
        assert monitor.outside() == []
        # The worker asks another origin for something (a port nothing listens on): the check fails.
        elsewhere = "http://127.0.0.2:9/from-the-shared-worker"
        watch.evaluate(f"fetch({elsewhere!r}).catch(() => null), 1")
        deadline = time.monotonic() + 10
        while elsewhere not in monitor.outside() and time.monotonic() < deadline:
            page.wait_for_timeout(50)  # Playwright delivers the protocol's events while it waits, not in time.sleep
        assert monitor.outside() == [elsewhere]
        with pytest.raises(AssertionError, match="requests left the site"):
            monitor.check()
        context.close()
    finally:
        watch.close()


UNRESPONSIVE_S = 20  # connection.js's watchdog: without a signal, a dead worker shows only after this silence


def test_a_shared_worker_that_ends_is_noticed_at_once(browser, base_url):
    """The shared worker ends (closed here; killed or crashed alike): every tab says so at once, nothing typed."""
    context = browser.new_context(service_workers="block")
    watch = SharedWorkers(browser, context)
    try:
        tabs = [_live_tab(context, base_url + "wsgi/") for _ in range(2)]
        assert {tab.evaluate(WORKER_KIND) for tab in tabs} == {"shared"}
        ended = time.monotonic()
        assert watch.evaluate("close(), 1")
        for tab in tabs:
            tab.wait_for_selector('html[data-perfcalc="failed"]', state="attached", timeout=UNRESPONSIVE_S * 1000 / 2)
            status = tab.locator('form.perfcalc[data-key="worker-pool"] .perfcalc__status').inner_text()
            assert "stopped responding" in status
        assert time.monotonic() - ended < UNRESPONSIVE_S / 2
        form = tabs[0].locator('form.perfcalc[data-key="worker-pool"]')
        form.locator('input[name="workers"]').fill("9")
        assert form.locator('output[name="utilization_pct"]').get_attribute("data-stale") == "true"
        context.close()
    finally:
        watch.close()
