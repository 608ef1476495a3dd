"""perfcalc_site.reference: one section per calculator, under its own heading, showing the model it runs."""

import re
from pathlib import Path

import perfcalc
from perfcalc_site import fences, reference, render

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_calculator_has_one_reference_section_under_its_own_heading():
    """docs/reference.md: `## TITLE {#ID}` then a perfcalc-reference fence for that ID, in catalogue order."""
    text = (DOCS / "reference.md").read_text()
    headings = re.findall(r"^## (.+) \{#([a-z0-9-]+)\}$", text, re.M)
    bodies = [render.parse_fence(body)[0] for name, body in fences.scan(text) if name == "perfcalc-reference"]
    want = [(calc.title, calc.id) for calc in perfcalc.CALCULATORS.values()]
    missing = [f"## {title} {{#{cid}}}\n\n```perfcalc-reference\ncalculator: {cid}\n```"
               for title, cid in want if (title, cid) not in headings]
    assert not missing, "add to docs/reference.md:\n\n" + "\n\n".join(missing)
    assert headings == want and bodies == [cid for _, cid in want]


def test_the_reference_shows_the_model_each_calculator_runs(monkeypatch):
    monkeypatch.setattr(reference, "_typeset_catalogue",
                        lambda: {t: t for c in perfcalc.CALCULATORS.values() for t in c.equations})  # no node
    for calc in perfcalc.CALCULATORS.values():
        section = reference.section(calc)
        assert f"Model: <code>{calc.model.__module__}.{calc.model.__qualname__}</code>" in section
        assert all(f"<code>{f.name}</code>" in section for f in calc.fields)
    capacity = reference.section(perfcalc.get("capacity"))
    assert "perfcalc.cost.fleet_capacity" in capacity
    assert "cost per million successes" in capacity  # fleet_capacity's docstring, not saturation_rps's


