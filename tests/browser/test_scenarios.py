"""Shareable scenarios: the URL carries the inputs; links restore them; bad links restore nothing harmful."""

from urllib.parse import parse_qsl, quote

import pytest
from playwright.sync_api import expect

import perfcalc

from .conftest import wait_live
from .helpers import expected, read_forms, same_outputs, settle

POOL = 'form.perfcalc[data-key="worker-pool"]'


def _pool_outputs(page):
    return next(f for f in read_forms(page) if f["calculator"] == "worker-pool")["outputs"]


def test_a_shared_link_restores_the_scenario(live_page, base_url):
    live_page.goto(base_url + "wsgi/?worker-pool.arrival_rps=90&worker-pool.workers=7")
    wait_live(live_page)
    form = live_page.locator(POOL)
    assert form.locator('input[name="arrival_rps"]').input_value() == "90"
    assert form.locator('input[name="workers"]').input_value() == "7"
    want, _ = expected("worker-pool", {"arrival_rps": "90", "service_time_ms": "50", "workers": "7", "target_p99_ms": "250"})
    assert same_outputs(_pool_outputs(live_page), want)
    expect(form.locator(".perfcalc__notice")).to_be_hidden()


def _query(page):
    return dict(parse_qsl(page.evaluate("location.search").lstrip("?")))


def _wait_for_query(page, want):
    page.wait_for_function("""want => { const have = Object.fromEntries(new URLSearchParams(location.search));
        return Object.keys(have).length === Object.keys(want).length
            && Object.entries(want).every(([k, v]) => have[k] === v); }""", arg=want)


def test_typing_writes_the_link_and_the_link_round_trips(live_page, base_url, context):
    live_page.goto(base_url + "wsgi/")
    wait_live(live_page)
    form = live_page.locator(POOL)
    form.locator('input[name="workers"]').fill("8")
    form.locator('input[name="service_time_ms"]').fill("40")
    # The link is written once typing pauses (writing the URL restyles the whole page).
    query = {"worker-pool.workers": "8", "worker-pool.service_time_ms": "40"}
    _wait_for_query(live_page, query)
    # Invalid input does not rewrite the link: it keeps the last valid scenario.
    form.locator('input[name="workers"]').fill("-3")
    settle(live_page)
    live_page.wait_for_timeout(800)
    assert _query(live_page) == query
    # Typing in another calculator keeps this one's last valid values in the link.
    live_page.locator('form.perfcalc[data-key="blocking-io"] input[name="workers"]').fill("3")
    _wait_for_query(live_page, {**query, "blocking-io.workers": "3"})
    form.locator('input[name="workers"]').fill("8")
    settle(live_page)

    other = context.new_page()
    other.goto(live_page.evaluate("location.href"))
    wait_live(other)
    assert same_outputs(_pool_outputs(other), _pool_outputs(live_page))
    other.close()


HOSTILE = [
    ("worker-pool.arrival_rps", "<script>window.__pwned=1</script>"),
    ("worker-pool.workers", "javascript:window.__pwned=1"),
    ("worker-pool.service_time_ms", "1e999"),
    ("worker-pool.target_p99_ms", "9" * 500),
    ("worker-pool.__proto__", "1"),
    ("<img src=x onerror=window.__pwned=1>.x", "1"),
    ("gunicorn.io_wait_pct", '"><svg onload=window.__pwned=1>'),
]


@pytest.mark.parametrize("key,value", HOSTILE, ids=[k[:20] for k, _ in HOSTILE])
def test_a_hostile_link_restores_nothing_harmful(live_page, base_url, key, value):
    dialogs = []
    live_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    live_page.goto(base_url + "wsgi/?" + quote(key, safe="") + "=" + quote(value, safe=""))
    wait_live(live_page)
    assert live_page.evaluate("window.__pwned") is None and dialogs == []
    # Nothing was added to the page: no script, image or event handler inside the forms (the only
    # SVG is the chart we draw), and the notice is plain text.
    assert live_page.locator("form.perfcalc script, form.perfcalc img").count() == 0
    assert live_page.locator("form.perfcalc svg").count() == live_page.locator(".perfcalc__chart-svg > svg").count()
    assert live_page.evaluate("""[...document.querySelectorAll('form.perfcalc *')]
        .flatMap(e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on'))""") == []
    notices = [n for n in live_page.locator(".perfcalc__notice").all() if n.is_visible()]
    assert len(notices) == 1
    assert "ignored" in notices[0].inner_text() or "defaults" in notices[0].inner_text()
    assert len(notices[0].inner_text()) < 400
    # Every calculator shows its defaults, computed as native Python does.
    for form in read_forms(live_page):
        want, _ = expected(form["calculator"], {})
        assert same_outputs(form["outputs"], want), form["calculator"]


def test_unknown_fields_are_ignored_but_valid_ones_apply(live_page, base_url):
    live_page.goto(base_url + "wsgi/?worker-pool.workers=6&worker-pool.bogus=1&nope.x=2")
    wait_live(live_page)
    form = live_page.locator(POOL)
    assert form.locator('input[name="workers"]').input_value() == "6"
    notice = live_page.locator(".perfcalc__notice").first
    expect(notice).to_be_visible()
    assert "worker-pool.bogus" in notice.inner_text() and "nope.x" in notice.inner_text()


def test_copy_link_and_copy_results(browser, base_url):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(base_url + "wsgi/")
    wait_live(page)
    form = page.locator(POOL)
    form.locator('input[name="arrival_rps"]').fill("85")
    form.get_by_role("button", name="Copy link").click()
    expect(form.locator(".perfcalc__copied")).to_have_text("Link copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.evaluate("location.href") and "worker-pool.arrival_rps=85" in copied

    form.get_by_role("button", name="Copy results").click()
    expect(form.locator(".perfcalc__copied")).to_have_text("Results copied as Markdown")
    table = page.evaluate("navigator.clipboard.readText()")
    calc = perfcalc.get("worker-pool")
    want = perfcalc.results_markdown(calc, perfcalc.calculate(
        "worker-pool", arrival_rps="85", service_time_ms="50", workers="5", target_p99_ms="250"))
    # The browser's last-bit arithmetic may differ; the formatted table may not.
    assert table == want
    context.close()


def test_typing_in_search_is_not_a_calculator_event(live_page, base_url):
    live_page.goto(base_url + "caching/")
    wait_live(live_page)
    live_page.keyboard.press("/")  # Material's search shortcut
    live_page.locator("input.md-search__input").fill("cache")
    live_page.wait_for_timeout(300)  # let the input event reach every listener; the monitor checks for errors
