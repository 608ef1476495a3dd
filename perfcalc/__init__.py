"""perfcalc: sound, cited performance calculators for Flask/WSGI services.

Every calculator is declared once in :mod:`perfcalc.catalogue`; this module
is the single way in for every caller (CLI, browser, build):

>>> r = calculate("littles-law", throughput_rps=200, response_time_ms=150)
>>> r.outputs["concurrency"]
30.0
>>> calculate("worker-pool", workers=0)
Traceback (most recent call last):
...
perfcalc.spec.PerfcalcError: workers must be a whole number from 1 to 10000, got 0
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from .catalogue import CALCULATORS, get
from .format import format_input, format_output, raw_value, results_markdown
from .spec import Calculator, Field, Output, PerfcalcError, Result

__all__ = [
    "CALCULATORS",
    "Calculator",
    "Field",
    "Output",
    "PerfcalcError",
    "Result",
    "calculate",
    "evaluate",
    "format_input",
    "format_output",
    "get",
    "raw_value",
    "results_markdown",
    "validate",
]

__version__ = "0.1.0"


def validate(calculator_id: str, inputs: Mapping[str, Any] | None = None) -> tuple[dict, dict]:
    """Parse every field; return ``(values, errors)`` with one message per bad field.

    Omitted fields take their defaults. Unknown field names are errors too
    (keyed by that name), so a typo never passes silently. A text field with
    a parser is read here, once (its value is a :class:`~perfcalc.spec.ParsedText`).
    """
    calc = get(calculator_id)
    inputs = dict(inputs or {})
    values, errors = {}, {}
    for name in inputs:
        if not isinstance(name, str) or name not in {f.name for f in calc.fields}:
            shown = str(name)[:40]
            errors[shown] = (f"{shown} is not a field of {calc.id}; fields are "
                             + ", ".join(f.name for f in calc.fields))
    for f in calc.fields:
        try:
            values[f.name] = f.parse(inputs[f.name] if f.name in inputs else f.default)
        except PerfcalcError as exc:
            errors[f.name] = str(exc)
    return values, errors


def evaluate(calculator_id: str, inputs: Mapping[str, Any] | None = None) -> tuple[Result | None, dict]:
    """Validate and compute once; return ``(result, {})`` or ``(None, errors)``.

    Errors are keyed by field name (a cross-field rule under the field it
    names; a rule about the whole form under ``""``), so a form can mark every
    bad field from one call.

    >>> result, errors = evaluate("worker-pool", {"workers": "0", "arrival_rps": "x"})
    >>> result is None, sorted(errors)
    (True, ['arrival_rps', 'workers'])
    """
    calc = get(calculator_id)
    values, errors = validate(calc.id, inputs)
    if errors:
        return None, errors
    try:
        outputs, warnings = calc.compute(values)
    except PerfcalcError as exc:
        return None, {exc.field or "": str(exc)}
    except (ArithmeticError, ValueError) as exc:  # a safety net; tests fail on any input that reaches it
        return None, {"": f"{calc.id} cannot compute these inputs: {exc}"}
    for name, value in outputs.items():
        if isinstance(value, float) and not math.isfinite(value):
            outputs[name] = None
    for o in calc.outputs:  # an interval not stated, or unbounded
        if o.format == "interval" and outputs[o.name] is not None and not all(map(math.isfinite, outputs[o.name])):
            outputs[o.name] = None
    ordered = {o.name: outputs[o.name] for o in calc.outputs}
    return Result(calc.id, values, ordered, warnings), {}


def calculate(calculator_id: str, /, **inputs: Any) -> Result:
    """Validate ``inputs`` for a calculator, compute, and return a :class:`Result`.

    Raises :class:`PerfcalcError` (and nothing else) for any bad input; its
    message names the field, the rule and the value.
    """
    result, errors = evaluate(calculator_id, inputs)
    if errors:
        name, message = next(iter(errors.items()))
        raise PerfcalcError(message, name or None)
    return result
