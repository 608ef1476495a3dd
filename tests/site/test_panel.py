"""perfcalc_site.panel: the analysis panel as the build writes it, before the page's controller wires it."""

import html.parser

import pytest

from perfcalc.analyze import FORMATS
from perfcalc_site import panel
from perfcalc_site.render import FenceError


class _Elements(html.parser.HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("body, title", [("", "Analyse your load test"), ("for: load-tests", "Analyse your load test"),
                                         ("for: logs", "Analyse your access log")])
def test_the_panel_asks_for_what_the_fence_says(body, title):
    assert f">{title}</p>" in panel.render_panel(body, "k1")


@pytest.mark.parametrize("body", ["for: pdfs", "kind: logs", "for: logs\nfor: load-tests\nextra", "nonsense"])
def test_an_unknown_option_fails_the_build(body):
    with pytest.raises(FenceError, match="perfcalc-analyze takes 'for: load-tests or logs or compare'"):
        panel.panel_fence(body, "k1")


def test_every_control_is_disabled_until_the_page_is_live():
    tags = _Elements(panel.render_panel("", "k1")).tags
    controls = [(tag, attrs) for tag, attrs in tags if tag in ("input", "select", "textarea")]
    assert controls and all("disabled" in attrs for _, attrs in controls)
    assert [a for t, a in tags if t == "section"][0]["data-state"] == "static"


def test_every_format_is_offered_by_its_name_after_detect_it():
    options = [attrs["value"] for tag, attrs in _Elements(panel.render_panel("", "k1")).tags if tag == "option"]
    assert options == ["", *FORMATS] and set(panel.FORMAT_NAMES) == set(FORMATS)


def test_ids_are_unique_and_carry_the_key_so_two_panels_can_share_a_page():
    ids = [attrs["id"] for _, attrs in _Elements(panel.render_panel("", "k1") + panel.render_panel("", "k2")).tags
           if "id" in attrs]
    assert len(ids) == len(set(ids)) and all(i.startswith(("pa-k1", "pa-k2")) for i in ids)


def test_every_label_names_a_control_of_the_panel():
    tags = _Elements(panel.render_panel("", "k1")).tags
    ids = {attrs["id"] for _, attrs in tags if "id" in attrs}
    assert {attrs["for"] for tag, attrs in tags if tag == "label"} <= ids
