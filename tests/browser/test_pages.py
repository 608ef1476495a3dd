"""Every page: correct numbers before JavaScript, then live, with nothing leaving the site."""

import pytest

from .conftest import PAGES, wait_live
from .helpers import READ_FORMS, assert_forms_match, expected


def _expected_forms(url):
    forms = []
    for calculator_id, inputs in PAGES[url]:
        outputs, warnings = expected(calculator_id, inputs)
        forms.append({"calculator": calculator_id, "outputs": outputs, "warnings": warnings})
    return forms


def test_every_calculator_is_on_some_page():
    import perfcalc

    on_pages = {cid for fences in PAGES.values() for cid, _ in fences}
    assert on_pages == set(perfcalc.CALCULATORS)


@pytest.mark.parametrize("url", list(PAGES))
def test_prerendered_results_without_javascript(browser, base_url, url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + url)
    found = []
    for form in page.locator("form.perfcalc").all():
        outputs = {o.get_attribute("name"): [o.get_attribute("data-value"), o.inner_text(), o.get_attribute("data-stale") or ""]
                   for o in form.locator("output").all()}
        found.append({"calculator": form.get_attribute("data-calculator"), "outputs": outputs,
                      "warnings": [li.inner_text() for li in form.locator(".perfcalc__warnings li").all()],
                      "state": form.get_attribute("data-state")})
    context.close()
    assert [f.pop("state") for f in found] == ["static"] * len(found)
    # Built natively with the same Python as this test: identical to the bit.
    assert found == _expected_forms(url)


@pytest.mark.parametrize("url", list(PAGES))
def test_page_goes_live_with_the_same_numbers(live_page, base_url, url):
    live_page.goto(base_url + url)
    wait_live(live_page)
    forms = live_page.evaluate(READ_FORMS)
    assert [f.pop("state") for f in forms] == ["live"] * len(forms)
    assert_forms_match(forms, _expected_forms(url))
    assert live_page.locator(".perfcalc__status").evaluate_all("els => els.map(e => getComputedStyle(e, '::before').content)") \
        == ["none"] * len(forms)  # "Starting Python…" is gone
