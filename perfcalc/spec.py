"""Declarations of calculator fields and outputs, and the validation they drive.

A calculator is data: its input :class:`Field` objects say how to parse and
check a value (the same code serves the CLI, the browser and the build), its
:class:`Output` objects say how to label and format a result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

__all__ = ["PerfcalcError", "Field", "Output", "Calculator", "Result"]


class PerfcalcError(ValueError):
    """Bad input for a calculator: the message names the field, the rule and the value."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _num(value: float) -> str:
    """Show a bound the way a reader types it: 10000, 0.5, 1e-09."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    if 1e-9 <= abs(value) < 1e15:
        return f"{value:.9f}".rstrip("0").rstrip(".")
    return repr(float(value))


def _shown(raw: Any) -> str:
    """How a rejected value is quoted back: short, and never the whole of a huge string."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return "nothing"
    if isinstance(raw, str):
        text = raw.strip()
        if len(text) > 40:
            return repr(text[:37] + "...")
        try:
            float(text)
        except ValueError:
            return repr(text)
        return text  # a number typed as text is quoted back as the reader typed it
    if isinstance(raw, float):
        if math.isnan(raw):
            return "nan"
        if math.isinf(raw):
            return "inf" if raw > 0 else "-inf"
        return _num(raw)
    return repr(raw)


@dataclass(frozen=True)
class Field:
    """One input of a calculator.

    ``kind`` is ``int``, ``float``, ``choice`` or ``text``. Bounds are
    inclusive unless ``exclusive_minimum`` is set (for quantities that must be
    strictly positive, such as a time that divides).
    """

    name: str
    label: str
    unit: str = ""
    kind: str = "float"
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    choices: tuple[str, ...] = ()
    optional: bool = False
    help: str = ""
    max_length: int = 10_000
    text_rule: str = ""  # what a text field must contain, in words

    def rule(self) -> str:
        """The rule in words, as it appears in error messages and help."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "text":
            return self.text_rule or f"text of at most {self.max_length} characters"
        noun = "a whole number" if self.kind == "int" else "a number"
        lo, hi = self.minimum, self.maximum
        low = f"greater than {_num(lo)}" if self.exclusive_minimum else f"at least {_num(lo)}" if lo is not None else ""
        high = f"less than {_num(hi)}" if self.exclusive_maximum else f"at most {_num(hi)}" if hi is not None else ""
        if lo is not None and hi is not None and not (self.exclusive_minimum or self.exclusive_maximum):
            return f"{noun} from {_num(lo)} to {_num(hi)}"
        return " ".join(part for part in (noun, " and ".join(p for p in (low, high) if p)) if part)

    def _fail(self, raw: Any) -> PerfcalcError:
        optional = " (or left empty)" if self.optional else ""
        return PerfcalcError(
            f"{self.name} must be {self.rule()}{optional}, got {_shown(raw)}", self.name
        )

    def parse(self, raw: Any) -> Any:
        """Turn a typed or passed value into a checked Python value.

        Strings are what the browser and the CLI deliver; numbers come from
        Python callers. Booleans are refused: ``True`` is not a worker count.
        An empty optional field is ``None``.
        """
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.optional:
                return None
            raise self._fail(raw)
        if self.kind == "text":
            if not isinstance(raw, str) or len(raw) > self.max_length:
                raise self._fail(raw)
            return raw
        if self.kind == "choice":
            text = raw.strip().lower() if isinstance(raw, str) else raw
            if text not in self.choices:
                raise self._fail(raw)
            return text
        if isinstance(raw, bool):
            raise self._fail(raw)
        if isinstance(raw, str):
            text = raw.strip().replace("_", "")
            if len(text) > 60:
                raise self._fail(raw)
            try:
                value = float(text)
            except ValueError:
                raise self._fail(raw) from None
        elif isinstance(raw, (int, float)):
            value = raw
        else:
            raise self._fail(raw)
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            raise self._fail(raw) from None
        if not math.isfinite(number):
            raise self._fail(raw)
        if self.kind == "int":
            if not number.is_integer():
                raise self._fail(raw)
            value = int(value) if isinstance(value, int) else int(number)
        else:
            value = number
        lo, hi = self.minimum, self.maximum
        if lo is not None and (number < lo or (self.exclusive_minimum and number == lo)):
            raise self._fail(raw)
        if hi is not None and (number > hi or (self.exclusive_maximum and number == hi)):
            raise self._fail(raw)
        return value


@dataclass(frozen=True)
class Output:
    """One result of a calculator.

    ``format`` is ``number``, ``int``, ``pct``, ``money``, ``bool`` or
    ``text``. A ``None`` value means ``unbounded`` (shown as ∞: a queue that
    never drains) or ``n/a`` (shown as —: a result not asked for).
    """

    name: str
    label: str
    unit: str = ""
    format: str = "number"
    decimals: int = 2
    none: str = "n/a"
    help: str = ""


@dataclass(frozen=True)
class Result:
    """What :func:`perfcalc.calculate` returns: checked inputs, outputs, warnings."""

    calculator: str
    inputs: dict
    outputs: dict
    warnings: list = field(default_factory=list)

    def to_json(self) -> dict:
        """The CLI's ``--json`` shape (DESIGN.md §3)."""
        return {
            "calculator": self.calculator,
            "inputs": dict(self.inputs),
            "outputs": dict(self.outputs),
            "warnings": list(self.warnings),
        }


Compute = Callable[[Mapping[str, Any]], "tuple[dict, list[str]]"]


@dataclass(frozen=True)
class Calculator:
    """A calculator declared as data: fields in, outputs out, one pure function between."""

    id: str
    title: str
    summary: str
    fields: tuple[Field, ...]
    outputs: tuple[Output, ...]
    compute: Compute
    assumptions: str
    model: str  # the perfcalc function that holds the model and its citation
    chart: Callable[[Mapping[str, Any], Mapping[str, Any]], Any] | None = None  # inputs, outputs -> charts.Chart
    equations: tuple[str, ...] = ()  # the model in TeX, typeset in the reference
