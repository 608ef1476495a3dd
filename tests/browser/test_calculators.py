"""Every calculator, live: typed inputs give native Python's outputs; bad input is caught and recovered."""

import pytest
from playwright.sync_api import expect

import perfcalc

from .conftest import FIRST_PAGE, wait_live
from .helpers import read_forms, changed_inputs, expected, same_outputs


def _type(form, calc, typed):
    for f in calc.fields:
        control = form.locator(f':is(input, select, textarea)[name="{f.name}"]')
        if f.kind == "choice":
            control.select_option(typed[f.name])
        else:
            control.fill(typed[f.name])


def _read(page, index):
    return read_forms(page)[index]


@pytest.mark.parametrize("calculator_id", list(perfcalc.CALCULATORS))
def test_calculator_live(live_page, base_url, calculator_id):
    url, index, fence_inputs = FIRST_PAGE[calculator_id]
    calc = perfcalc.get(calculator_id)
    live_page.goto(base_url + url)
    wait_live(live_page)
    form = live_page.locator("form.perfcalc").nth(index)

    # Change every input: the page agrees with native Python, output by output.
    typed = changed_inputs(calculator_id, fence_inputs)
    _type(form, calc, typed)
    want_outputs, want_warnings = expected(calculator_id, typed)
    shown = _read(live_page, index)
    assert shown["state"] == "live"
    assert same_outputs(shown["outputs"], want_outputs), (shown["outputs"], want_outputs)
    assert shown["warnings"] == want_warnings

    # Bad input: named inline, outputs marked stale, what was typed kept.
    victim = next(f for f in calc.fields if f.kind != "choice")
    bad = "1:2" if victim.kind == "text" else "abc"
    control = form.locator(f':is(input, select, textarea)[name="{victim.name}"]')
    control.fill(bad)
    expect(control).to_have_attribute("aria-invalid", "true")
    error = form.locator(f"#{control.get_attribute('id')}-error")
    expect(error).to_be_visible()
    assert error.inner_text().startswith(f"{victim.name} must ")
    assert error.get_attribute("id") in control.get_attribute("aria-describedby").split()
    expect(form).to_have_attribute("data-state", "invalid")
    assert {v[2] for v in _read(live_page, index)["outputs"].values()} == {"true"}
    expect(form.locator(".perfcalc__stale-note")).to_be_visible()
    assert form.locator(".perfcalc__warnings").get_attribute("data-stale") == "true"  # last result's warnings too
    assert control.input_value() == bad

    # Fixed: recovers, and shows the fixed input's results.
    control.fill(typed[victim.name])
    expect(form).to_have_attribute("data-state", "live")
    expect(control).not_to_have_attribute("aria-invalid", "true")
    expect(error).to_be_hidden()
    assert form.locator(".perfcalc__warnings").get_attribute("data-stale") is None
    assert same_outputs(_read(live_page, index)["outputs"], want_outputs)
