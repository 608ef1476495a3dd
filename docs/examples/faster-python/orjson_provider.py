"""orjson behind Flask's JSON provider: every jsonify(), dict return and request.get_json() uses it.

    from orjson_provider import OrjsonProvider
    app.json = OrjsonProvider(app)           # or, for every app of a subclass:
    class App(Flask): json_provider_class = OrjsonProvider

What a client receives keeps its meaning: the same keys in the same order
(sorted, as Flask's default provider does), datetimes still as HTTP dates
through Flask's own ``default`` (so clients see no format change), Decimal
and UUID as strings, dataclasses as objects. What changes in the bytes:
non-ASCII text is sent as UTF-8 rather than ``\\u`` escapes (both are valid
JSON), NaN and infinities become ``null`` (the standard library writes
``NaN``, which is not JSON), and integers beyond 64 bits raise an error. What changes in what it
reads (request.get_json()): NaN, Infinity, lone surrogates and nesting
deeper than 1024 levels are refused (a 400), and an integer beyond 64 bits
arrives as a float, rounded without an error. orjson does not run on PyPy.

Run:  flask --app orjson_provider run   then   curl http://127.0.0.1:5000/orders/7
"""

from __future__ import annotations

import datetime
import decimal
import typing as t
import uuid

import orjson
from flask import Flask
from flask.json.provider import DefaultJSONProvider

# Datetimes and dataclasses go to ``default`` (Flask's: HTTP dates, dataclasses.asdict), so switching
# providers changes no date a client sees, and dataclass fields come out sorted like every other key.
BASE_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
# The standard library's keyword arguments that have an orjson equivalent or no effect on meaning.
UNDERSTOOD = {"default", "sort_keys", "indent", "separators", "ensure_ascii"}


class OrjsonProvider(DefaultJSONProvider):
    """Flask's default provider with orjson doing the work; its settings (sort_keys, compact) still apply."""

    base_options = BASE_OPTIONS

    def _options(self, sort_keys: bool, indent: bool) -> int:
        options = self.base_options
        if sort_keys:
            options |= orjson.OPT_SORT_KEYS
        if indent:
            options |= orjson.OPT_INDENT_2
        return options

    def _encode(self, obj: t.Any, **kwargs: t.Any) -> bytes:
        unknown = set(kwargs) - UNDERSTOOD
        if unknown:  # cls=, object_hook= ...: refuse rather than silently produce something else
            raise TypeError(f"OrjsonProvider does not support {', '.join(sorted(unknown))}")
        options = self._options(kwargs.get("sort_keys", self.sort_keys), bool(kwargs.get("indent")))
        return orjson.dumps(obj, default=kwargs.get("default", self.default), option=options)

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        # A str, as the interface promises: Jinja's |tojson filter and flask.json.dumps use this.
        return self._encode(obj, **kwargs).decode()

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        if kwargs:
            raise TypeError(f"OrjsonProvider.loads takes no options, got {', '.join(sorted(kwargs))}")
        return orjson.loads(s)

    def response(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """A JSON response built from bytes, skipping the str round trip the default provider makes."""
        if args and kwargs:
            raise TypeError("app.json.response() takes either args or kwargs, not both")
        obj = (args[0] if len(args) == 1 else list(args)) if args else (kwargs or None)
        pretty = self.compact is False or (self.compact is None and self._app.debug)
        body = orjson.dumps(obj, default=self.default, option=self._options(self.sort_keys, pretty))
        return self._app.response_class(body + b"\n", mimetype=self.mimetype)


def sample_order(order_id: int) -> dict[str, t.Any]:
    """An order as a view might return it: the types Flask's provider knows how to send."""
    return {
        "id": order_id,
        "reference": uuid.UUID(int=order_id),
        "customer": {"name": "Zoë Ångström", "email": f"customer{order_id}@example.com"},
        "placed_at": datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.timezone.utc),
        "total": decimal.Decimal("129.90"),
        "items": [{"sku": f"SKU-{n:04d}", "quantity": n % 3 + 1, "price": 9.99 + n} for n in range(5)],
        "paid": True,
        "notes": None,
    }


def create_app(provider: type[DefaultJSONProvider] = OrjsonProvider) -> Flask:
    app = Flask(__name__)
    app.json = provider(app)

    @app.get("/orders/<int:order_id>")
    def order(order_id: int):
        return sample_order(order_id)  # a dict: Flask sends it through app.json.response()

    @app.post("/echo")
    def echo():
        from flask import request

        return {"received": request.get_json()}  # parsed by app.json.loads()

    return app


app = create_app()
