"""The catalogue contract: every calculator, every field, every bad input.

Nothing here lists the calculators: the tests read the catalogue, and the
catalogue is checked against the table in ARCHITECTURE.md.
"""

import ast
import importlib
import inspect
import math
import re
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfcalc import CALCULATORS, PerfcalcError, calculate, format_output, raw_value, validate
from perfcalc.networks import MAX_PROCESSES, MAX_SERVERS

IDS = list(CALCULATORS)
ARCHITECTURE = Path(__file__).resolve().parents[1] / "ARCHITECTURE.md"
UNIT_SUFFIX = re.compile(r"_(ms|s|rps|pct|mb|gb|per_hour|per_month|bytes|items|connections|queries|requests|days|hours|min|"
                         r"per_window|per_second|per_key|per_worker|per_instance|per_million_requests|per_gb_second|"
                         r"per_month|per_million_successful)$")


def _table_row(calc) -> str:
    """The row ARCHITECTURE.md's catalogue table holds for a calculator, as the code declares it."""
    inputs = ", ".join(f"[{f.name}]" if f.optional else f.name for f in calc.fields)
    outputs = ", ".join(o.name for o in calc.outputs)
    model = f"{calc.model.__module__.removeprefix('perfcalc.')}.{calc.model.__qualname__}"
    return f"| `{calc.id}` | `{model}` | {inputs} | {outputs} | {'yes' if calc.chart else ''} |".replace("|  |", "| |")


def test_the_catalogue_is_the_documented_one():
    """ARCHITECTURE.md lists every calculator, in order, with its model, fields, outputs and chart."""
    documented = [line.strip() for line in ARCHITECTURE.read_text().splitlines() if re.match(r"\| `[a-z0-9-]+` \| `", line)]
    assert [re.match(r"\| `([a-z0-9-]+)`", row).group(1) for row in documented] == list(CALCULATORS)
    for row, calc in zip(documented, CALCULATORS.values()):
        assert row == _table_row(calc), f"ARCHITECTURE.md's row for {calc.id} should read:\n{_table_row(calc)}"


@pytest.mark.parametrize("cid", IDS)
def test_each_calculator_is_declared_beside_its_model(cid):
    """One topic, one room: the model in perfcalc/TOPIC.py, the declaration in perfcalc/catalogue/TOPIC.py."""
    calc = CALCULATORS[cid]
    module = sys.modules[calc.model.__module__]
    assert getattr(module, calc.model.__qualname__) is calc.model  # a public, top-level function: renames fail at import
    topic = calc.model.__module__.rpartition(".")[2]
    assert calc in vars(importlib.import_module(f"perfcalc.catalogue.{topic}")).values()


@pytest.mark.parametrize("cid", IDS)
def test_every_model_states_its_maths(cid):
    """The model reference shows the model's docstring: the equation, a cited source, a worked problem."""
    model = CALCULATORS[cid].model
    doc = inspect.getdoc(model)
    assert doc and "\n\n" in doc, "a one-line summary, then the equation and its assumptions"
    assert ">>> " in doc, "a worked problem, run as a doctest"
    assert "Source" in doc + (inspect.getdoc(sys.modules[model.__module__]) or "")


@pytest.mark.parametrize("cid", [cid for cid in IDS if CALCULATORS[cid].warn])
def test_warnings_compare_and_do_not_compute(cid):
    """A warning compares results with named thresholds; every formula lives in the model.

    The one arithmetic allowed is scaling a named threshold (an UPPER_CASE constant) by one quantity.
    """
    tree = ast.parse(textwrap.dedent(inspect.getsource(CALCULATORS[cid].warn)))
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp):
            scaled_threshold = (isinstance(node.op, ast.Mult) and isinstance(node.left, ast.Name)
                                and node.left.id.isupper())
            assert scaled_threshold, f"{cid}: a formula in the warnings: {ast.unparse(node)}"
        if isinstance(node, ast.Compare):
            for operand in [node.left, *node.comparators]:
                bare = isinstance(operand, ast.Constant) and type(operand.value) in (int, float) and operand.value != 0
                assert not bare, f"{cid}: a bare threshold in the warnings: {ast.unparse(node)}"


CATALOGUE = Path(__file__).resolve().parents[1] / "perfcalc" / "catalogue"
# Declarations whose bounds have not moved to fields.py yet, each with its reason.
LITERAL_BOUNDS_EXEMPT: dict = {}  # catalogue modules allowed literal bounds, each with its reason


def _literal(node) -> bool:
    """A number written out (or arithmetic on one), as opposed to a name: 0 and 1, "none" and "one", are words."""
    if isinstance(node, ast.Constant):
        return type(node.value) in (int, float) and node.value not in (0, 1)
    if isinstance(node, ast.UnaryOp):
        return _literal(node.operand)
    if isinstance(node, ast.BinOp):
        return _literal(node.left) or _literal(node.right)
    return False


def _literal_bounds(source: str) -> list[str]:
    return [f"line {node.lineno}: {kw.arg}={ast.unparse(kw.value)}"
            for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
            for kw in node.keywords if kw.arg in ("minimum", "maximum") and _literal(kw.value)]


@pytest.mark.parametrize("path", sorted(p.name for p in CATALOGUE.glob("*.py") if p.name != "fields.py"))
def test_every_bound_is_named_in_fields(path):
    """A declaration's minimum= and maximum= name a bound from catalogue/fields.py, where each has its reason."""
    found = _literal_bounds((CATALOGUE / path).read_text(encoding="utf-8"))
    if path in LITERAL_BOUNDS_EXEMPT:
        pytest.skip(LITERAL_BOUNDS_EXEMPT[path])
    assert not found, f"catalogue/{path}: bounds written as numbers, name them in fields.py: {found}"


def test_the_literal_bound_check_sees_one():
    assert _literal_bounds('count("n", "N", default=1, maximum=10_000)') == ["line 1: maximum=10000"]
    assert _literal_bounds('Field("t", "T", minimum=0.0, maximum=MAX_S)') == []
    assert _literal_bounds('Field("t", "T", maximum=MAX_S * 2)') == ["line 1: maximum=MAX_S * 2"]
    assert _literal_bounds('Field("t", "T", minimum=-5, maximum=1)') == ["line 1: minimum=-5"]


@pytest.mark.parametrize("cid", IDS)
def test_computes_from_defaults(cid):
    calc = CALCULATORS[cid]
    r = calculate(cid)
    assert list(r.outputs) == [o.name for o in calc.outputs]
    for o in calc.outputs:
        value = r.outputs[o.name]
        if o.format == "interval" and value is not None:  # a stated interval: two finite ends, in order
            low, high = value
            assert isinstance(low, float) and isinstance(high, float) and math.isfinite(low) and low <= high
        else:
            assert value is None or isinstance(value, (bool, int, float, str))
        if isinstance(value, float):
            assert math.isfinite(value)
        assert format_output(o, value)
    # Defaults describe a healthy small deployment: nothing is unbounded there, and every interval is stated
    # (simulate's and stack's defaults are where their coverage tests found it true).
    assert all(r.outputs[o.name] is not None for o in calc.outputs if o.none == "unbounded" or o.format == "interval"), \
        r.outputs


@pytest.mark.parametrize("cid", IDS)
def test_declarations_are_complete(cid):
    calc = CALCULATORS[cid]
    assert calc.title and calc.summary and calc.assumptions and calc.model.__module__.startswith("perfcalc.")
    names = [f.name for f in calc.fields]
    assert len(set(names)) == len(names)
    for f in calc.fields:
        assert f.label and f.kind in ("int", "float", "choice", "text")
        if f.kind in ("int", "float"):
            assert f.minimum is not None and f.maximum is not None, f.name
            if f.default is not None:
                assert f.parse(f.default) == f.default
    for o in calc.outputs:
        assert o.label and o.format in ("number", "int", "pct", "money", "bool", "text", "interval")
        if o.format == "pct":
            assert o.name.endswith("_pct")


def _numeric_fields():
    for cid, calc in CALCULATORS.items():
        for f in calc.fields:
            if f.kind in ("int", "float"):
                yield pytest.param(cid, f, id=f"{cid}.{f.name}")


@pytest.mark.parametrize("cid,field", list(_numeric_fields()))
def test_every_numeric_field_rejects_bad_values(cid, field):
    bad = ["abc", "nan", "NaN", "inf", "-inf", float("nan"), float("inf"), float("-inf"), True, [1], "1,5", "0x10"]
    if not field.optional:
        bad += ["", "   ", None]
    bad.append(field.minimum - 1 if not field.exclusive_minimum else field.minimum)
    bad.append(field.maximum * 10 + 1)
    bad.append(10 ** 400)  # an int too big for a float
    if field.kind == "int":
        bad.append(field.minimum + 0.5)
    for value in bad:
        with pytest.raises(PerfcalcError) as err:
            calculate(cid, **{field.name: value})
        message = str(err.value)
        assert message.startswith(f"{field.name} must be "), message
        assert field.rule() in message
        assert ", got " in message
        assert err.value.field == field.name


def test_message_names_the_field_the_rule_and_the_value():
    with pytest.raises(PerfcalcError) as err:
        calculate("worker-pool", workers="0")
    assert str(err.value) == "workers must be a whole number from 1 to 10000, got 0"
    with pytest.raises(PerfcalcError) as err:
        calculate("worker-pool", arrival_rps="fast")
    assert str(err.value) == "arrival_rps must be a number from 0.000001 to 1000000, got 'fast'"
    with pytest.raises(PerfcalcError) as err:
        calculate("gunicorn", worker_class="eventlet")
    assert str(err.value) == "worker_class must be one of sync, gthread, gevent, got 'eventlet'"
    with pytest.raises(PerfcalcError) as err:
        calculate("slo", slo_pct=100)
    assert str(err.value) == "slo_pct must be a number at least 0 and less than 100, got 100"


def test_strings_are_accepted_like_the_browser_sends_them():
    assert calculate("worker-pool", arrival_rps=" 80 ", workers="5", service_time_ms="5e1").inputs["workers"] == 5
    assert calculate("worker-pool", workers="5.0").inputs["workers"] == 5
    assert calculate("cache-size", catalog_items="1_000_000").inputs["catalog_items"] == 1_000_000
    assert calculate("gunicorn", worker_class=" GThread ").inputs["worker_class"] == "gthread"


def test_unknown_fields_and_calculators():
    with pytest.raises(PerfcalcError, match="wokers is not a field of worker-pool"):
        calculate("worker-pool", wokers=4)
    with pytest.raises(PerfcalcError, match="calculator must be one of capacity"):
        calculate("nope")


def test_validate_reports_every_bad_field():
    values, errors = validate("worker-pool", {"arrival_rps": "x", "workers": "-1", "service_time_ms": "50"})
    assert set(errors) == {"arrival_rps", "workers"}
    assert values["service_time_ms"] == 50.0


def test_raw_values_for_the_page():
    r = calculate("connection-pool", threads_per_worker=16)
    assert raw_value(r.outputs["fits"]) == "false"
    assert raw_value(calculate("worker-pool", arrival_rps=200).outputs["p99_ms"]) == ""


junk = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.sampled_from(["", "1e308", "-0", "1e-320", "9" * 400, "sync", "1:1 2:2 3:3"]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cid=st.sampled_from(IDS), data=st.data())
def test_nothing_but_perfcalc_error_escapes(cid, data):
    calc = CALCULATORS[cid]
    chosen = data.draw(st.lists(st.sampled_from([f.name for f in calc.fields]), unique=True))
    inputs = {name: data.draw(junk) for name in chosen}
    try:
        r = calculate(cid, **inputs)
    except PerfcalcError as exc:
        assert str(exc)
        return
    for value in r.outputs.values():
        assert value is None or not isinstance(value, float) or math.isfinite(value)


def _tier(index):
    """One tier as a reader writes it, anywhere in the syntax's bounds: name:service_ms[:servers[:visits]]."""
    servers = st.one_of(st.integers(1, MAX_SERVERS).map(str),
                        st.integers(1, MAX_PROCESSES).flatmap(lambda p: st.integers(1, MAX_SERVERS // p).map(
                            lambda t: f"{p}x{t}")))
    service = st.floats(0.001, 3_600_000.0).map(repr)
    visits = st.floats(0.001, 1000.0).map(repr)
    return st.tuples(service, st.none() | servers, st.none() | visits).map(
        lambda t: ":".join([f"tier{index}", t[0]] + ([t[1] or "1"] if t[1] or t[2] else []) + ([t[2]] if t[2] else [])))


# Valid text for each text field, as its parser reads it.
VALID_TEXT = {
    "measurements": st.lists(st.tuples(st.integers(1, 1000), st.floats(0.001, 1e6)), min_size=3, max_size=20,
                             unique_by=lambda p: p[0]).map(lambda ps: " ".join(f"{n}:{x}" for n, x in ps)),
    "tiers": st.integers(1, 10).flatmap(lambda k: st.tuples(*(_tier(i) for i in range(k)))).flatmap(
        lambda tiers: st.sampled_from([", ", "\n", ","]).map(lambda sep: sep.join(tiers))),
}


def _valid_value(f):
    if f.kind == "choice":
        return st.sampled_from(f.choices)
    if f.kind == "text":
        return VALID_TEXT[f.name]
    lo, hi = f.minimum, f.maximum
    if f.kind == "int":
        return st.integers(int(lo), int(hi))
    return st.floats(lo, hi, exclude_min=f.exclusive_minimum, exclude_max=f.exclusive_maximum)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cid=st.sampled_from([c for c in IDS if c != "littles-law"]), data=st.data())
def test_every_valid_input_computes(cid, data):
    """Valid by declaration means computable: only documented cross-field rules may refuse."""
    calc = CALCULATORS[cid]
    inputs = {f.name: data.draw(_valid_value(f), label=f.name) for f in calc.fields}
    try:
        r = calculate(cid, **inputs)
    except PerfcalcError as exc:
        documented = (r"must be (less than|at most) (db_max_connections|memory_mb)",  # the pool, gunicorn
                      r"service_p99_ms must be at (most|least) .* mean service time",  # simulate, stack: no lognormal
                      r"service_p99_ms must be given for lognormal",  # stack: the p99 is optional
                      r"busiest_process_pct must be at least \S+ for \S+'s \d+ processes",  # stack: below even
                      r"tiers must make at most \d+ visits per request",  # stack: the simulation's size
                      r"requests must be at most [\d,]+ for these tiers",  # stack: requests × visits
                      r"processes must divide workers evenly",  # worker-pool: threads per process
                      r"requests must be at least [\d,]+ here",  # simulate: a run too short to settle
                      r"arrival_rps is too close to capacity to simulate")  # simulate: no run here would settle
        assert any(re.search(rule, str(exc)) for rule in documented), str(exc)
        return
    for o in calc.outputs:
        value = r.outputs[o.name]
        if isinstance(value, float):
            assert math.isfinite(value)
            if o.format in ("pct", "money") and o.name != "headroom":
                assert value >= 0, (o.name, value)
        format_output(o, value)


@pytest.mark.parametrize("cid", IDS)
def test_every_model_is_stated_as_equations(cid):
    calc = CALCULATORS[cid]
    assert calc.equations and all(isinstance(tex, str) and tex.strip() for tex in calc.equations)
