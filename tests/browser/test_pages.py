"""Every page: correct numbers before JavaScript (in both engines' builds), then live, with nothing leaving the site."""

import pytest

from .conftest import PAGES, wait_live
from .helpers import assert_forms_match, expected_forms, read_forms


def test_every_calculator_is_on_some_page():
    import perfcalc

    on_pages = {cid for fences in PAGES.values() for cid, _ in fences}
    assert on_pages == set(perfcalc.CALCULATORS)


@pytest.mark.parametrize("url", list(PAGES))
def test_prerendered_results_without_javascript(static_page, site_url, url):
    page = static_page
    page.goto(site_url + url)
    found = []
    for form in page.locator("form.perfcalc").all():
        outputs = {o.get_attribute("name"): [o.get_attribute("data-value"), o.inner_text(), o.get_attribute("data-stale") or ""]
                   for o in form.locator("output").all()}
        found.append({"calculator": form.get_attribute("data-calculator"), "outputs": outputs,
                      "warnings": [li.inner_text() for li in form.locator(".perfcalc__warnings li").all()],
                      "state": form.get_attribute("data-state")})
    assert [f.pop("state") for f in found] == ["static"] * len(found)
    # Built natively with the same Python as this test: identical to the bit.
    assert found == expected_forms(PAGES[url])


@pytest.mark.parametrize("url", list(PAGES))
def test_page_goes_live_with_the_same_numbers(live_page, base_url, url):
    live_page.goto(base_url + url)
    wait_live(live_page)
    forms = read_forms(live_page)
    assert [f.pop("state") for f in forms] == ["live"] * len(forms)
    assert_forms_match(forms, expected_forms(PAGES[url]))
    assert live_page.locator(".perfcalc__status").all_inner_texts() == [""] * len(forms)  # "Starting Python…" is gone


CASE_STUDY = [  # (form key on the deployment page, output, the text the article quotes)
    ("littles-law-2", "concurrency", "144 requests are in flight"),
    ("capacity", "max_rps", "33.3 requests/s"),
    ("cache", "origin_rps", "30 requests/s"),
    ("worker-pool", "p99_ms", "p99 of 1,463.2 ms"),
]


def test_case_study_calculators_show_what_the_text_quotes(static_page, base_url):
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "deployment.md").read_text()
    page = static_page
    page.goto(base_url + "deployment/")
    for key, output, quote in CASE_STUDY:
        assert quote in re.sub(r"\*\*", "", text), quote
        shown = page.locator(f'form[data-key="{key}"] output[name="{output}"]').inner_text()
        number = re.findall(r"\d[\d,]*(?:\.\d+)?", quote)[-1]
        assert shown.startswith(number), (key, output, shown, quote)
    # And the p99 target that no pool size meets with 4 workers: 147 slots for 1,200 requests/s.
    import perfcalc
    assert perfcalc.calculate("worker-pool", arrival_rps=1200, service_time_ms=120, workers=150,
                              target_p99_ms=600).outputs["workers_for_target"] == 147
    assert "**147** slots" in text


def test_reference_typesets_every_equation_at_build_time(static_page, base_url):
    import perfcalc

    page = static_page
    page.goto(base_url + "reference/")
    total = sum(len(c.equations) for c in perfcalc.CALCULATORS.values())
    assert page.locator(".perfcalc-equation .katex-display").count() == total
    for cid in perfcalc.CALCULATORS:  # every calculator's "Model and sources" link has its target
        assert page.locator(f'[id="{cid}"]').count() == 1
    # The TeX source travels with the rendering (MathML annotation), for screen readers and copying.
    first = perfcalc.get("littles-law").equations[0]
    assert page.locator('.perfcalc-reference[data-calculator="littles-law"] .perfcalc-equation annotation').first.text_content() == first
