"""Charts: drawn at build time with their text alternative, redrawn as the reader types."""

import pytest
from playwright.sync_api import expect

import perfcalc

from .conftest import FIRST_PAGE, wait_live
from .helpers import changed_inputs, settle

CHARTED = [cid for cid, calc in perfcalc.CALCULATORS.items() if calc.chart]


def _native_chart(cid, inputs):
    r = perfcalc.calculate(cid, **inputs)
    return perfcalc.get(cid).chart(r.inputs, r.outputs)


def _native_caption(cid, inputs):
    chart = _native_chart(cid, inputs)
    return f"{chart.title}. {chart.description}"


def _change_that_redraws(cid, inputs):
    """The first typed field whose change, as a reader would type it, changes the drawn chart natively."""
    from perfcalc_site import charts  # what the worker draws

    def drawn(values):
        return charts.render_svg(_native_chart(cid, values))

    before = drawn(inputs)
    typed = changed_inputs(cid, inputs)
    for f in perfcalc.get(cid).fields:
        if f.kind == "choice" or not typed[f.name]:
            continue
        try:
            after = drawn({**inputs, f.name: typed[f.name]})
        except perfcalc.PerfcalcError:
            continue
        if after != before:
            return f.name, typed[f.name]
    raise AssertionError(f"no single typed change redraws {cid}'s chart")


@pytest.mark.parametrize("cid", CHARTED)
def test_chart_is_prerendered_with_a_text_alternative(static_page, base_url, cid):
    url, index, inputs = FIRST_PAGE[cid]
    page = static_page
    page.goto(base_url + url)
    figure = page.locator("form.perfcalc").nth(index).locator("figure.perfcalc__chart")
    assert figure.locator("svg").count() == 1
    caption = figure.locator("figcaption")
    assert caption.get_attribute("id") == figure.get_attribute("aria-labelledby")
    assert caption.inner_text() == _native_caption(cid, inputs)


@pytest.mark.parametrize("cid", CHARTED)
def test_chart_changes_when_an_input_changes(live_page, base_url, cid):
    url, index, inputs = FIRST_PAGE[cid]
    live_page.goto(base_url + url)
    wait_live(live_page)
    form = live_page.locator("form.perfcalc").nth(index)
    svg = form.locator(".perfcalc__chart-svg")
    before = svg.inner_html()
    change = _change_that_redraws(cid, inputs)
    form.locator(f':is(input, textarea)[name="{change[0]}"]').fill(change[1])
    # The chart is drawn in the task after the outputs, for the latest input only.
    form.locator("figure.perfcalc__chart:not([data-drawing])").wait_for()
    assert svg.inner_html() != before
    typed = {el.get_attribute("name"): el.input_value() for el in form.locator(":is(input, select, textarea)[name]").all()}
    assert form.locator("figcaption").inner_text() == _native_caption(cid, typed)
    # Invalid input marks the chart stale with the outputs.
    form.locator(f':is(input, textarea)[name="{change[0]}"]').fill("x")
    expect(form.locator("figure.perfcalc__chart")).to_have_attribute("data-stale", "true")


def test_fast_typing_draws_only_the_latest_chart(live_page, base_url):
    url, index, inputs = FIRST_PAGE["worker-pool"]
    live_page.goto(base_url + url)
    wait_live(live_page)
    form = live_page.locator("form.perfcalc").nth(index)
    # Five inputs inside one task: the outputs follow each, the chart only the last.
    live_page.evaluate("""form => { const i = form.querySelector('input[name="workers"]');
        for (const v of ['6', '7', '8', '9', '10']) { i.value = v; i.dispatchEvent(new Event('input', {bubbles: true})); } }""",
                       form.element_handle())
    native = perfcalc.calculate("worker-pool", **{**inputs, "workers": 10}).outputs["max_rps"]
    settle(live_page)
    assert form.locator('output[name="max_rps"]').get_attribute("data-value") == perfcalc.raw_value(native)
    form.locator("figure.perfcalc__chart:not([data-drawing])").wait_for()
    assert "10 workers" in form.locator("figcaption").inner_text()
