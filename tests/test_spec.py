"""Declarations that check themselves, and the validation they drive."""

import copy
import pickle
from typing import NamedTuple

import pytest

import perfcalc
from perfcalc import PerfcalcError, calculate, evaluate, validate
from perfcalc.spec import Calculator, Field, Output, ParsedText


def number(**overrides):
    return Field("workers", "Workers", **{"kind": "int", "default": 4, "minimum": 1, "maximum": 100, **overrides})


class Doubled(NamedTuple):
    doubled: int
    note: str


def double(workers: int) -> Doubled:
    """Twice the workers.

    >>> double(2).doubled
    4
    """
    return Doubled(2 * workers, "")


def calculator(**overrides):
    declared = dict(id="double", title="Double", summary="Twice.", fields=(number(),),
                    outputs=(Output("doubled", "Doubled", format="int"),), model=double, assumptions="None.",
                    equations=("y = 2x",))
    return Calculator(**{**declared, **overrides})


# --- Field ----------------------------------------------------------------------

def test_a_valid_field_declares():
    f = number()
    assert (f.kind, f.default, f.rule()) == ("int", 4, "a whole number from 1 to 100")


def test_field_options_are_keywords_after_name_and_label():
    with pytest.raises(TypeError):
        Field("workers", "Workers", "", "int", 4, 1, 100)
    with pytest.raises(TypeError):
        Output("p99_ms", "p99", "ms")


def test_field_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="field workers: kind must be one of int, float, choice, text, got 'integer'"):
        number(kind="integer")


def test_field_refuses_a_default_below_its_minimum():
    with pytest.raises(ValueError, match="field workers: default 0 is invalid: workers must be a whole number "
                                         "from 1 to 100, got 0"):
        number(default=0)


def test_field_refuses_a_default_above_its_maximum():
    with pytest.raises(ValueError, match="default 101 is invalid"):
        number(default=101)


def test_field_refuses_a_default_on_an_exclusive_bound():
    with pytest.raises(ValueError, match="default 100.0 is invalid"):
        Field("slo_pct", "SLO", default=100.0, minimum=0.0, maximum=100.0, exclusive_maximum=True)


def test_field_refuses_a_required_field_without_a_default():
    with pytest.raises(ValueError, match="default None is invalid"):
        number(default=None)
    assert number(default=None, optional=True).default is None


def test_field_refuses_a_default_it_would_read_differently():
    with pytest.raises(ValueError, match="default 4.5 is invalid"):
        number(default=4.5)
    with pytest.raises(ValueError, match="default '4' reads back as 4; declare it as that"):
        number(default="4")


def test_field_refuses_a_choice_default_not_among_the_choices():
    with pytest.raises(ValueError, match="field worker_class: default 'eventlet' is not among the choices sync, gevent"):
        Field("worker_class", "Worker class", kind="choice", default="eventlet", choices=("sync", "gevent"))
    with pytest.raises(ValueError, match="default 'Sync' is not among the choices"):
        Field("worker_class", "Worker class", kind="choice", default="Sync", choices=("sync", "gevent"))


def test_field_refuses_choices_on_a_field_that_is_no_choice_and_a_choice_without_them():
    with pytest.raises(ValueError, match="choices are declared for, and only for, a choice field"):
        number(choices=("1", "2"))
    with pytest.raises(ValueError, match="choices are declared for, and only for, a choice field"):
        Field("worker_class", "Worker class", kind="choice", default="sync")


def test_field_refuses_a_number_without_both_bounds():
    with pytest.raises(ValueError, match="a number field needs a minimum and a maximum"):
        number(maximum=None)
    with pytest.raises(ValueError, match="minimum must be below maximum, got 100 and 1"):
        number(minimum=100, maximum=1, default=50)


def test_field_refuses_a_parser_on_a_field_that_is_not_text():
    with pytest.raises(ValueError, match="a parser is a function, and only for a text field"):
        number(parser=lambda text, name: text)
    with pytest.raises(ValueError, match="a parser is a function, and only for a text field"):
        Field("notes", "Notes", kind="text", default="x", parser="split")


def test_a_text_field_default_must_parse():
    def words(text, name):
        if len(text.split()) < 2:
            raise PerfcalcError(f"{name} must be at least two words, got {text!r}", name)
        return text.split()

    with pytest.raises(ValueError, match="field title: default 'one' is invalid: title must be at least two words"):
        Field("title", "Title", kind="text", default="one", parser=words)
    assert Field("title", "Title", kind="text", default="one two", parser=words).parse("a b c").parsed == ["a", "b", "c"]


# --- Output ---------------------------------------------------------------------

def test_output_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="output p99_ms: format must be one of number, int, pct, money, bool, text, interval, "
                                         "got 'percent'"):
        Output("p99_ms", "p99", format="percent")


def test_output_refuses_an_unknown_none_shown():
    with pytest.raises(ValueError, match="output p99_ms: none must be one of n/a, unbounded, got 'infinite'"):
        Output("p99_ms", "p99", none="infinite")


def test_output_refuses_a_pct_without_the_suffix():
    with pytest.raises(ValueError, match="output utilization: a pct output's name ends in _pct"):
        Output("utilization", "Utilisation", format="pct")


def test_output_refuses_impossible_decimals():
    with pytest.raises(ValueError, match="decimals must be a whole number from 0 to 12, got -1"):
        Output("p99_ms", "p99", decimals=-1)


# --- Calculator -----------------------------------------------------------------

def test_a_valid_calculator_declares_and_computes():
    calc = calculator()
    assert calc.compute({"workers": 3}) == ({"doubled": 6, "note": ""}, [])
    warned = calculator(warn=lambda args, r: [f"{r.doubled} is even"])
    assert warned.compute({"workers": 3})[1] == ["6 is even"]


def test_calculator_refuses_a_bad_id():
    with pytest.raises(ValueError, match="calculator Double It: id must be lower-case words joined by hyphens"):
        calculator(id="Double It")


def test_calculator_refuses_duplicate_names():
    with pytest.raises(ValueError, match="field names must be present and distinct"):
        calculator(fields=(number(), number()))
    with pytest.raises(ValueError, match="output names must be present and distinct"):
        calculator(outputs=(Output("doubled", "Doubled"), Output("doubled", "Again")))


def test_calculator_refuses_no_equations():
    with pytest.raises(ValueError, match="equations state the model in TeX"):
        calculator(equations=())


def test_calculator_refuses_a_model_that_is_not_a_function():
    with pytest.raises(TypeError, match="model must be a function, got 'perfcalc.cost.fleet_capacity'"):
        calculator(model="perfcalc.cost.fleet_capacity")


def test_calculator_refuses_a_model_that_does_not_take_the_fields():
    def renamed(servers: int) -> Doubled:
        return Doubled(2 * servers, "")

    with pytest.raises(TypeError, match=r"renamed must take exactly the fields \(workers\), takes \(servers\)"):
        calculator(model=renamed)

    def anything(**inputs) -> Doubled:
        return Doubled(0, "")

    with pytest.raises(TypeError, match="must take exactly the fields"):
        calculator(model=anything)


def test_calculator_refuses_a_model_that_does_not_return_every_output():
    with pytest.raises(TypeError, match="double must return a NamedTuple with every output; Doubled lacks tripled"):
        calculator(outputs=(Output("tripled", "Tripled"),))

    def bare(workers: int) -> tuple:
        return (2 * workers,)

    with pytest.raises(TypeError, match="bare must return a NamedTuple with every output"):
        calculator(model=bare)


def test_calculator_refuses_warnings_or_a_chart_that_are_not_functions():
    with pytest.raises(TypeError, match="warn must be a function"):
        calculator(warn=["always"])
    with pytest.raises(TypeError, match="chart must be a function"):
        calculator(chart="line")


# --- the text parser hook -------------------------------------------------------

def test_parsed_text_is_the_text_and_carries_the_parse():
    text = ParsedText("1:10 2:19 4:30", [(1.0, 10.0), (2.0, 19.0), (4.0, 30.0)])
    assert text == "1:10 2:19 4:30" and str(text) == "1:10 2:19 4:30" and type(str(text)) is str
    for copied in (copy.deepcopy(text), pickle.loads(pickle.dumps(text))):
        assert copied == text and copied.parsed == text.parsed


def test_measurements_are_checked_in_validation():
    """validate() reports bad measurements itself; before, they passed and failed later in compute."""
    values, errors = validate("usl-fit", {"measurements": "1:10 2:19"})
    assert errors == {"measurements": "measurements must contain at least 3 distinct concurrency levels to fit "
                                      "σ, κ and λ, got 2"}
    values, errors = validate("usl-fit", {"measurements": "1:10 2:abc 4:30"})
    assert "'2:abc'" in errors["measurements"]


def test_measurements_are_parsed_once(monkeypatch):
    calls = []
    field = perfcalc.get("usl-fit").fields[0]
    original = field.parser

    def counting(text, name):
        calls.append(text)
        return original(text, name)

    monkeypatch.setattr(perfcalc.scalability, "parse_measurements", counting)  # the chart must not reparse either
    object.__setattr__(field, "parser", counting)
    try:
        result, errors = evaluate("usl-fit", {"measurements": "1:98 2:192 4:341 8:585"})
        perfcalc.get("usl-fit").chart(result.inputs, result.outputs)
    finally:
        object.__setattr__(field, "parser", original)
    assert not errors and calls == ["1:98 2:192 4:341 8:585"]
    assert result.inputs["measurements"] == "1:98 2:192 4:341 8:585"  # shown and echoed as typed
    assert result.to_json()["inputs"]["measurements"] == "1:98 2:192 4:341 8:585"


def test_a_model_error_names_its_field():
    """Cross-field rules live in the model and still name the field they are about."""
    result, errors = evaluate("connection-pool", {"db_max_connections": "10", "db_reserved_connections": "10"})
    assert result is None and list(errors) == ["db_reserved_connections"]
    with pytest.raises(PerfcalcError) as err:
        calculate("gunicorn", memory_mb=100, worker_memory_mb=200)
    assert err.value.field == "worker_memory_mb"


# --- numbers as typed: Python's grammar, ASCII digits -------------------------------------------

WORKERS = perfcalc.get("worker-pool").fields[2]
RATE = perfcalc.get("worker-pool").fields[0]


@pytest.mark.parametrize("typed,value", [
    ("7", 7), (" 7 ", 7), ("+7", 7), ("1_0", 10), ("7.0", 7), ("1e1", 10),
])
def test_a_whole_number_is_read_as_python_reads_it(typed, value):
    assert WORKERS.parse(typed) == value and isinstance(WORKERS.parse(typed), int)


@pytest.mark.parametrize("typed", ["_4_", "1__0", "4_", "0x7", "7 workers", "nan", "inf", "1e999"])
def test_what_python_would_not_read_is_refused(typed):
    with pytest.raises(PerfcalcError, match=r"^workers must be a whole number from 1 to 10000, got "):
        WORKERS.parse(typed)


def test_underscores_are_allowed_only_where_python_allows_them():
    assert RATE.parse("1_000.5") == 1000.5
    for typed in ("_1", "1_", "1__0", "1_.5"):
        with pytest.raises(PerfcalcError):
            RATE.parse(typed)


@pytest.mark.parametrize("typed", ["٣", "１２", "7٣", "\u0667"])
def test_digits_of_other_scripts_are_refused_by_name(typed):
    """float() would read them; the page, the CLI and a shared link must agree on what a number is."""
    with pytest.raises(PerfcalcError) as error:
        WORKERS.parse(typed)
    assert str(error.value) == (f"workers must be a whole number from 1 to 10000, written with the digits 0-9, "
                                f"got {typed!r}")
