"""Declarations of calculator fields and outputs, and the validation they drive.

A calculator is data: its input :class:`Field` objects say how to parse and
check a value (the same code serves the CLI, the browser and the build), its
:class:`Output` objects say how to label and format a result, and its model is
the function that maps one to the other. Declarations check themselves when
they are made: a wrong default, kind, format or model signature fails at
import, not in a reader's browser.
"""

from __future__ import annotations

import math
import re
import typing
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Callable, Literal, Mapping

from .format import plain_number

__all__ = ["PerfcalcError", "Field", "Output", "Calculator", "Result", "ParsedText", "Kind", "Format"]

Kind = Literal["int", "float", "choice", "text"]
Format = Literal["number", "int", "pct", "money", "bool", "text", "interval"]
NoneShown = Literal["n/a", "unbounded"]


class PerfcalcError(ValueError):
    """Bad input for a calculator: the message names the field, the rule and the value."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ParsedText(str):
    """A text input as it was typed, carrying what its field's parser read from it.

    Everywhere the input is shown (the form, the CLI table, JSON) it is the
    text; the model gets ``parsed``. So a text field is parsed once, in
    validation, and a bad one is a validation error like any other.

    >>> t = ParsedText("1:10 2:19", [(1.0, 10.0), (2.0, 19.0)])
    >>> t == "1:10 2:19", t.parsed[1]
    (True, (2.0, 19.0))
    """

    parsed: Any

    def __new__(cls, text: str, parsed: Any) -> ParsedText:
        self = super().__new__(cls, text)
        self.parsed = parsed
        return self

    def __getnewargs__(self):  # copy and pickle keep the parsed value
        return str(self), self.parsed


def _shown(raw: Any) -> str:
    """How a rejected value is quoted back: short, and never the whole of a huge string."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return "nothing"
    if isinstance(raw, str):
        text = raw.strip()
        if len(text) > 40:
            return repr(text[:37] + "...")
        if not text.isascii():
            return repr(text)
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
        return plain_number(raw)
    return repr(raw)


# A whole number as Python writes one: read by int(), exactly, however many digits it has.
_WHOLE = re.compile(r"[+-]?\d+(?:_\d+)*")


def _one_of(kind: Any, allowed: tuple) -> bool:
    return isinstance(kind, str) and kind in allowed


@dataclass(frozen=True)
class Field:
    """One input of a calculator; everything after ``name`` and ``label`` is a keyword.

    ``kind`` is ``int``, ``float``, ``choice`` or ``text``. Bounds are
    inclusive unless ``exclusive_minimum`` or ``exclusive_maximum`` is set
    (for quantities that must be strictly positive, such as a time that
    divides). A text field may name a ``parser(text, field_name)`` that turns
    the text into what the model takes, raising :class:`PerfcalcError`.

    A field refuses to be declared wrong:

    >>> Field("workers", "Workers", kind="int", default=0, minimum=1, maximum=100)
    Traceback (most recent call last):
    ...
    ValueError: field workers: default 0 is invalid: workers must be a whole number from 1 to 100, got 0
    """

    name: str
    label: str
    _: KW_ONLY
    unit: str = ""
    kind: Kind = "float"
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
    parser: Callable[[str, str], Any] | None = None  # text only: text, field name -> the model's value

    def __post_init__(self):
        def refuse(rule: str) -> ValueError:
            return ValueError(f"field {self.name}: {rule}")

        if not _one_of(self.kind, typing.get_args(Kind)):
            raise refuse(f"kind must be one of {', '.join(typing.get_args(Kind))}, got {self.kind!r}")
        numeric = self.kind in ("int", "float")
        if numeric and (self.minimum is None or self.maximum is None):
            raise refuse("a number field needs a minimum and a maximum")
        if numeric and not self.minimum < self.maximum:
            raise refuse(f"minimum must be below maximum, got {self.minimum!r} and {self.maximum!r}")
        if (self.kind == "choice") != bool(self.choices):
            raise refuse("choices are declared for, and only for, a choice field")
        if self.parser is not None and (self.kind != "text" or not callable(self.parser)):
            raise refuse("a parser is a function, and only for a text field")
        if self.kind == "choice" and self.default not in self.choices:
            raise refuse(f"default {self.default!r} is not among the choices {', '.join(self.choices)}")
        try:
            parsed = self.parse(self.default)
        except PerfcalcError as exc:
            raise refuse(f"default {self.default!r} is invalid: {exc}") from None
        if parsed != self.default:
            raise refuse(f"default {self.default!r} reads back as {parsed!r}; declare it as that")

    def rule(self) -> str:
        """The rule in words, as it appears in error messages and help."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "text":
            return self.text_rule or f"text of at most {self.max_length} characters"
        noun = "a whole number" if self.kind == "int" else "a number"
        lo, hi = self.minimum, self.maximum
        low = f"greater than {plain_number(lo)}" if self.exclusive_minimum else f"at least {plain_number(lo)}" if lo is not None else ""
        high = f"less than {plain_number(hi)}" if self.exclusive_maximum else f"at most {plain_number(hi)}" if hi is not None else ""
        if lo is not None and hi is not None and not (self.exclusive_minimum or self.exclusive_maximum):
            return f"{noun} from {plain_number(lo)} to {plain_number(hi)}"
        return " ".join(part for part in (noun, " and ".join(p for p in (low, high) if p)) if part)

    def _fail(self, raw: Any, how: str = "") -> PerfcalcError:
        optional = " (or left empty)" if self.optional else ""
        return PerfcalcError(
            f"{self.name} must be {self.rule()}{optional}{how}, got {_shown(raw)}", self.name
        )

    def parse(self, raw: Any) -> Any:
        """Turn a typed or passed value into a checked Python value.

        Strings are what the browser and the CLI deliver; numbers come from
        Python callers. Booleans are refused: ``True`` is not a worker count.
        An empty optional field is ``None``. A text field with a parser
        gives a :class:`ParsedText`.
        """
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.optional:
                return None
            raise self._fail(raw)
        if self.kind == "text":
            return self._parse_text(raw)
        if self.kind == "choice":
            return self._parse_choice(raw)
        return self._parse_number(raw)

    def _parse_text(self, raw: Any) -> str:
        """Text up to ``max_length``, read by the field's parser if it has one."""
        if not isinstance(raw, str) or len(raw) > self.max_length:
            raise self._fail(raw)
        return raw if self.parser is None else ParsedText(raw, self.parser(raw, self.name))

    def _parse_choice(self, raw: Any) -> str:
        """One of the choices, in any case and with surrounding spaces."""
        text = raw.strip().lower() if isinstance(raw, str) else raw
        if text not in self.choices:
            raise self._fail(raw)
        return text

    def _parse_number(self, raw: Any) -> int | float:
        """A finite number within the bounds; for an int field, a whole one, kept exact."""
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise self._fail(raw)
        value = self._read_typed(raw) if isinstance(raw, str) else raw
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

    def _read_typed(self, raw: str) -> int | float:
        """A number as typed in the page, the CLI or a link, in Python's own grammar: "1e6", "2.5", "1_000".

        An underscore goes only between digits. float() also reads other
        scripts' digits ("٣", "１２"); those are refused, so a number means the
        same wherever it is shown. A whole number for an int field is read by
        int(), exactly, however many digits it has.
        """
        text = raw.strip()
        if len(text) > 60:
            raise self._fail(raw)
        if not text.isascii():
            raise self._fail(raw, ", written with the digits 0-9")
        try:
            return int(text) if self.kind == "int" and _WHOLE.fullmatch(text) else float(text)
        except ValueError:
            raise self._fail(raw) from None


@dataclass(frozen=True)
class Output:
    """One result of a calculator; everything after ``name`` and ``label`` is a keyword.

    ``format`` is ``number``, ``int``, ``pct``, ``money``, ``bool``,
    ``text`` or ``interval`` (a pair ``(low, high)``, shown ``[low, high]``
    with the unit once). A ``None`` value means ``unbounded`` (shown as ∞: a queue that
    never drains) or ``n/a`` (shown as —: a result not asked for).

    >>> Output("utilization", "Utilisation", unit="%", format="pct")
    Traceback (most recent call last):
    ...
    ValueError: output utilization: a pct output's name ends in _pct
    """

    name: str
    label: str
    _: KW_ONLY
    unit: str = ""
    format: Format = "number"
    decimals: int = 2
    none: NoneShown = "n/a"
    help: str = ""

    def __post_init__(self):
        def refuse(rule: str) -> ValueError:
            return ValueError(f"output {self.name}: {rule}")

        if not _one_of(self.format, typing.get_args(Format)):
            raise refuse(f"format must be one of {', '.join(typing.get_args(Format))}, got {self.format!r}")
        if not _one_of(self.none, typing.get_args(NoneShown)):
            raise refuse(f"none must be one of {', '.join(typing.get_args(NoneShown))}, got {self.none!r}")
        if self.format == "pct" and not self.name.endswith("_pct"):
            raise refuse("a pct output's name ends in _pct")
        if not (isinstance(self.decimals, int) and 0 <= self.decimals <= 12):
            raise refuse(f"decimals must be a whole number from 0 to 12, got {self.decimals!r}")


@dataclass(frozen=True)
class Result:
    """What :func:`perfcalc.calculate` returns: checked inputs, outputs, warnings."""

    calculator: str
    inputs: dict
    outputs: dict
    warnings: list = field(default_factory=list)

    def to_json(self) -> dict:
        """The CLI's ``--json`` shape (ARCHITECTURE.md, "Command line")."""
        return {
            "calculator": self.calculator,
            "inputs": dict(self.inputs),
            "outputs": dict(self.outputs),
            "warnings": list(self.warnings),
        }


_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True, kw_only=True)
class Calculator:
    """A calculator declared as data: fields in, outputs out, one model function between.

    ``model`` is called with the checked inputs as keyword arguments (a text
    field's parsed value in place of its text) and returns a ``NamedTuple``
    with a field for every output; ``float('inf')`` is shown as unbounded.
    ``warn(arguments, result)`` returns the warnings the reader should see;
    it compares, it does not compute. The declaration checks that the model
    takes exactly the fields and returns every output, so renaming either
    side fails at import.
    """

    id: str
    title: str
    summary: str
    fields: tuple[Field, ...]
    outputs: tuple[Output, ...]
    model: Callable[..., Any]  # the perfcalc function that holds the model and its citation
    warn: Callable[[Mapping[str, Any], Any], list[str]] | None = None
    assumptions: str
    equations: tuple[str, ...]  # the model in TeX, typeset in the reference
    chart: Callable[[Mapping[str, Any], Mapping[str, Any]], Any] | None = None  # inputs, outputs -> charts.Chart

    def __post_init__(self):
        def refuse(rule: str, error: type[Exception] = ValueError) -> Exception:
            return error(f"calculator {self.id}: {rule}")

        if not (isinstance(self.id, str) and _ID.match(self.id)):
            raise refuse(f"id must be lower-case words joined by hyphens, got {self.id!r}")
        for kind, items in (("field", self.fields), ("output", self.outputs)):
            names = [item.name for item in items]
            if not names or len(set(names)) != len(names):
                raise refuse(f"{kind} names must be present and distinct, got {names}")
        if not (self.equations and all(isinstance(tex, str) and tex.strip() for tex in self.equations)):
            raise refuse("equations state the model in TeX for the reference; got none")
        if not callable(self.model):
            raise refuse(f"model must be a function, got {self.model!r}", TypeError)
        # Read from the code object and the annotations, not inspect/get_type_hints: those
        # import and evaluate far more, and this runs for every calculator at import,
        # in the reader's browser too.
        code = self.model.__code__
        parameters = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
        if set(parameters) != {f.name for f in self.fields}:
            raise refuse(f"{self.model.__qualname__} must take exactly the fields "
                         f"({', '.join(f.name for f in self.fields)}), takes ({', '.join(parameters)})", TypeError)
        returns = self.model.__annotations__.get("return")
        if isinstance(returns, str):  # postponed annotations: the name of a class in the model's module
            returns = self.model.__globals__.get(returns)
        missing = [o.name for o in self.outputs if o.name not in getattr(returns, "_fields", ())]
        if missing:
            raise refuse(f"{self.model.__qualname__} must return a NamedTuple with every output; "
                         f"{getattr(returns, '__name__', returns)} lacks {', '.join(missing)}", TypeError)
        if self.warn is not None and not callable(self.warn):
            raise refuse(f"warn must be a function, got {self.warn!r}", TypeError)
        if self.chart is not None and not callable(self.chart):
            raise refuse(f"chart must be a function, got {self.chart!r}", TypeError)

    def compute(self, values: Mapping[str, Any]) -> tuple[dict, list[str]]:
        """Run the model on checked inputs: ``(outputs, warnings)``, outputs by name."""
        arguments = {name: value.parsed if isinstance(value, ParsedText) else value for name, value in values.items()}
        result = self.model(**arguments)
        return result._asdict(), (list(self.warn(arguments, result)) if self.warn else [])
