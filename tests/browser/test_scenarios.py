"""Shareable scenarios: the URL carries the inputs; links restore them; bad links restore nothing harmful."""

from urllib.parse import parse_qsl, quote

import pytest
from playwright.sync_api import expect

import perfcalc

from .conftest import wait_live
from .helpers import expected, read_forms, same_outputs, settle, wait_until

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
    wait_until(page, """want => { const have = Object.fromEntries(new URLSearchParams(location.search));
        return Object.keys(have).length === Object.keys(want).length
            && Object.entries(want).every(([k, v]) => have[k] === v); }""", want)


def test_typing_writes_the_link_and_the_link_round_trips(live_page, base_url):
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

    other = live_page.context.new_page()  # another tab of the same reader
    other.goto(live_page.evaluate("location.href"))
    wait_live(other)
    assert same_outputs(_pool_outputs(other), _pool_outputs(live_page))
    other.close()


def _q(key, value):
    return quote(key, safe="") + "=" + quote(value, safe="")


PWN = "window.__pwned=1"
# Query strings (and fragments) a hostile link could carry. None may run script or add markup; each
# gets at most a short plain-text notice, and the calculators keep their own values.
HOSTILE = [
    _q("worker-pool.arrival_rps", f"<script>{PWN}</script>"),
    _q("worker-pool.workers", f"javascript:{PWN}"),
    _q("worker-pool.service_time_ms", "1e999"),
    _q("worker-pool.target_p99_ms", "9" * 500),
    _q("worker-pool.__proto__", "1"),
    _q(f"<img src=x onerror={PWN}>.x", "1"),
    _q("gunicorn.io_wait_pct", f'"><svg onload={PWN}>'),
    _q("worker-pool.workers", "&lt;script&gt;" + PWN + "&lt;/script&gt;"),  # entities
    "worker-pool.workers=%253Cscript%253E" + quote(PWN),  # double encoding
    _q("worker-pool.workers", "1" * 60_000),  # a 60 kB value (Python's http.server refuses URLs over 64 kB)
    "&".join(f"p{i}=1" for i in range(5000)),  # 5,000 parameters
    _q("__proto__.polluted", "1") + "&" + _q("constructor.prototype.polluted", "1"),
    _q("worker-pool.workers", "4") + f"#<img src=x onerror={PWN}>",  # a payload in the fragment
    _q("worker-pool.workers", "1") + "&" + _q("worker-pool.workers", f"<svg/onload={PWN}>"),  # the key twice
    _q("worker-pool.workers", "\x00\u202e7"),  # a NUL and a right-to-left override
    _q("worker-pool.workers", "\u0663"),  # another script's digit
    _q("worker_pool.workers", "1") + "&" + _q(".", "1") + "&" + _q("", "1") + "&" + _q("worker-pool.", "1"),
    _q("blocking-io.workers", "1e3") + "&" + _q("blocking-io.io_wait_ms", f"'{PWN}'"),
]


@pytest.mark.parametrize("query", HOSTILE, ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
def test_a_hostile_link_restores_nothing_harmful(live_page, base_url, query):
    dialogs = []
    live_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    live_page.goto(base_url + "wsgi/?" + query)
    wait_live(live_page)
    assert live_page.evaluate("window.__pwned") is None and dialogs == []
    assert live_page.evaluate("({}).polluted") is None
    # Nothing was added to the page: no script, image or event handler inside the forms (the only
    # SVG is the chart we draw), and every notice is short plain text.
    assert live_page.locator("form.perfcalc script, form.perfcalc img").count() == 0
    assert live_page.locator("form.perfcalc svg").count() == live_page.locator(".perfcalc__chart-svg > svg").count()
    assert live_page.evaluate("""[...document.querySelectorAll('form.perfcalc *')]
        .flatMap(e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on'))""") == []
    notices = [n for n in live_page.locator(".perfcalc__notice").all() if n.is_visible()]
    assert len(notices) <= 2
    for notice in notices:
        text = notice.inner_text()
        assert ("ignored" in text or "defaults" in text) and len(text) < 400
        assert notice.evaluate("n => n.children.length") == 0  # text only, no elements
    # The calculators the link could not touch show the values of the page, computed as native Python does.
    for form in read_forms(live_page):
        if form["calculator"] != "worker-pool" or "worker-pool.workers=4" not in query:
            want, _ = expected(form["calculator"], {})
            assert same_outputs(form["outputs"], want), form["calculator"]


def test_each_notice_survives(live_page, base_url):
    """A rejected value and an unknown key: both are reported, the rejection on its own calculator."""
    live_page.goto(base_url + "metrics/?capacity.workers=abc&zzz=1")
    wait_live(live_page)
    own = live_page.locator('form.perfcalc[data-key="capacity"] .perfcalc__notice')
    expect(own).to_be_visible()
    assert "workers must be a whole number" in own.inner_text() and "got 'abc'" in own.inner_text()
    shown = " ".join(n.inner_text() for n in live_page.locator(".perfcalc__notice").all() if n.is_visible())
    assert "ignored: zzz" in shown


def test_a_link_value_is_used_as_parsed(live_page, base_url):
    live_page.goto(base_url + "wsgi/?gunicorn.worker_class=GTHREAD&gunicorn.threads=4")
    wait_live(live_page)
    form = live_page.locator('form.perfcalc[data-key="gunicorn"]')
    assert form.locator('select[name="worker_class"]').input_value() == "gthread"
    assert form.get_attribute("data-state") == "live"
    expect(form.locator(".perfcalc__notice")).to_be_hidden()


def test_the_themes_own_parameters_are_left_alone(live_page, base_url):
    live_page.goto(base_url + "wsgi/?q=pool&h=worker")
    wait_live(live_page)
    assert [n for n in live_page.locator(".perfcalc__notice").all() if n.is_visible()] == []
    live_page.locator(POOL).locator('input[name="workers"]').fill("7")
    _wait_for_query(live_page, {"q": "pool", "h": "worker", "worker-pool.workers": "7"})


def test_a_rule_between_two_fields_shows_where_the_reader_types(live_page, base_url):
    live_page.goto(base_url + "wsgi/")
    wait_live(live_page)
    form = live_page.locator('form.perfcalc[data-key="gunicorn"]')
    form.locator('input[name="memory_mb"]').fill("100")  # less than one worker needs
    settle(live_page)
    typed_in = form.locator("#pc-gunicorn-memory_mb-error")
    expect(typed_in).to_contain_text("worker_memory_mb must be at most memory_mb")
    expect(form.locator('input[name="memory_mb"]')).to_have_attribute("aria-invalid", "true")
    form.locator('input[name="memory_mb"]').fill("2048")
    settle(live_page)
    expect(typed_in).to_have_text("")
    assert form.get_attribute("data-state") == "live"


@pytest.mark.parametrize("typed,valid", [("1_0", True), ("_4_", False), ("1__0", False), ("٣", False), ("１２", False)])
def test_numbers_are_read_as_the_cli_and_links_read_them(live_page, base_url, typed, valid):
    live_page.goto(base_url + "wsgi/")
    wait_live(live_page)
    form = live_page.locator(POOL)
    form.locator('input[name="workers"]').fill(typed)
    settle(live_page)
    error = form.locator("#pc-worker-pool-workers-error").inner_text()
    if valid:
        assert error == "" and form.get_attribute("data-state") == "live"
    else:
        assert error == perfcalc.evaluate("worker-pool", {"workers": typed})[1]["workers"]  # native Python's words
        assert ("written with the digits 0-9" in error) is (not typed.isascii())


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
    # (Material may have added the heading in view to the address meanwhile: compare without the fragment.)
    assert copied.split("#")[0] == page.evaluate("location.href").split("#")[0]
    assert "worker-pool.arrival_rps=85" in copied

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
