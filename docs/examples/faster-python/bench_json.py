"""How much does orjson save a Flask view? Serialisation alone, then whole requests through the test client.

    python bench_json.py            # 50 orders per response (about 23 KB of JSON)
    python bench_json.py 500        # a bigger payload

Four providers answer the same view: Flask's default (the standard
library's json with sort_keys=True and ensure_ascii=True), the same
library with both turned off (no new dependency), orjson through
OrjsonProvider (same output as Flask's), and orjson writing dates in its
own format. Each figure is the median CPU time of several timeit
repeats, so a background burst moves it less than it moves a mean; run it
twice and trust only differences larger than the two runs' disagreement.
"""

from __future__ import annotations

import statistics
import sys
import time
import timeit
import typing as t

from flask import Flask
from flask.json.provider import DefaultJSONProvider

import orjson
from orjson_provider import OrjsonProvider, sample_order


class UnsortedProvider(DefaultJSONProvider):
    """The standard library without the two settings that cost time: key sorting and ASCII escaping."""

    sort_keys = False
    ensure_ascii = False


class OrjsonIsoDatesProvider(OrjsonProvider):
    """orjson writing datetimes itself, as RFC 3339 ("2026-03-01T09:30:00+00:00"), not as HTTP dates.

    Faster for date-heavy payloads, but a format change every client must accept.
    """

    base_options = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


PROVIDERS: dict[str, type[DefaultJSONProvider]] = {
    "flask default": DefaultJSONProvider,
    "stdlib, unsorted, UTF-8": UnsortedProvider,
    "orjson": OrjsonProvider,
    "orjson, RFC 3339 dates": OrjsonIsoDatesProvider,
}


def payload(orders: int) -> dict[str, t.Any]:
    return {"orders": [sample_order(n) for n in range(orders)], "count": orders, "next": None}


def create_app(provider: type[DefaultJSONProvider] = DefaultJSONProvider, orders: int = 50) -> Flask:
    app = Flask(__name__)
    app.json = provider(app)
    data = payload(orders)

    @app.get("/orders")
    def orders_view():
        return data  # the view's own work is nil: what is left is Flask, Werkzeug and the JSON

    return app


def median_us(statement: t.Callable[[], object], number: int, repeat: int) -> float:
    """Median over ``repeat`` runs of the CPU time per call, in microseconds.

    CPU time (process_time) rather than the wall clock: on a busy machine
    other processes stretch wall time far more than they stretch this.
    """
    runs = timeit.repeat(statement, number=number, repeat=repeat, timer=time.process_time)
    return statistics.median(runs) / number * 1e6


def measure(orders: int = 50, number: int = 200, repeat: int = 9) -> dict[str, tuple[float, float, int]]:
    """Per provider: (µs to serialise the payload, µs per whole GET through the test client, body bytes)."""
    results = {}
    for name, provider in PROVIDERS.items():
        app = create_app(provider, orders)
        client = app.test_client()
        body = client.get("/orders").data
        with app.app_context():
            data = payload(orders)
            dump_us = median_us(lambda: app.json.response(data), number, repeat)
        request_us = median_us(lambda: client.get("/orders"), number, repeat)
        results[name] = (dump_us, request_us, len(body))
    return results


def main(orders: int = 50) -> None:
    results = measure(orders)
    base_dump, base_request, _ = results["flask default"]
    print(f"{orders} orders per response, Python {sys.version.split()[0]}")
    print(f"{'provider':24} {'serialise µs':>13} {'request µs':>11} {'bytes':>7}  speed-up (serialise, request)")
    for name, (dump_us, request_us, size) in results.items():
        print(f"{name:24} {dump_us:13.1f} {request_us:11.1f} {size:7d}  "
              f"{base_dump / dump_us:.2f}×, {base_request / request_us:.2f}×")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
