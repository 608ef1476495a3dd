"""The new pages' examples do what their pages say, run for real.

test_examples.py proves every example imports; this module runs three of
them: the Server-Timing app of "A request's whole journey", the orjson
provider and the hot path of "Faster Python itself", and the outbound
client of "Outbound HTTP" against a real HTTP server on 127.0.0.1 (the only
address any test here talks to). No assertion depends on how fast this
machine is: timeouts are checked by the exception they raise, never by the
clock.
"""

from __future__ import annotations

import datetime
import decimal
import json
import logging
import re
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


@pytest.fixture
def example(monkeypatch):
    """Import docs/examples/PAGE/NAME.py fresh, with its folder on sys.path (examples import neighbours)."""

    def load(page: str, name: str):
        monkeypatch.syspath_prepend(str(EXAMPLES / page))
        for module in ("orjson_provider", name):
            monkeypatch.delitem(sys.modules, module, raising=False)
        return __import__(name)

    return load


# --- A request's whole journey: the Server-Timing header ------------------------------------

ENTRY = r'(?P<name>[a-z]+);dur=(?P<dur>\d+(?:\.\d+)?)(?:;desc="[^"]*")?'


def parse_server_timing(value: str) -> dict[str, float]:
    """Parse by the header's grammar (name;dur=ms[;desc="…"], comma-separated), rejecting anything else."""
    assert re.fullmatch(f"{ENTRY}(?:, {ENTRY})*".replace("?P<name>", "").replace("?P<dur>", ""), value), value
    return {m["name"]: float(m["dur"]) for m in re.finditer(ENTRY, value)}


def test_server_timing_names_every_hop_and_the_parts_fit_inside_the_whole(example):
    timing = example("journey", "server_timing")
    client = timing.create_app().test_client()
    page = parse_server_timing(client.get("/orders/7").headers["Server-Timing"])
    assert list(page) == ["pre", "db", "api", "tpl", "app"]
    assert page["db"] >= 5 and page["api"] >= 20  # the sleeps the view makes, at least
    # Nested, never overlapping: the parts fit in the whole, give or take five roundings to 0.1 ms.
    assert page["pre"] + page["db"] + page["api"] + page["tpl"] <= page["app"] + 0.25
    api = parse_server_timing(client.get("/api/orders/7").headers["Server-Timing"])
    assert list(api) == ["pre", "db", "json", "app"]


def test_server_timing_counts_before_request_hooks_registered_before_it_as_pre(example):
    timing = example("journey", "server_timing")
    from flask import Flask

    app = Flask("hooks")
    app.config["SHOW_TIMING"] = True
    app.before_request(lambda: time.sleep(0.03))  # e.g. loading the user: 30 ms before the view

    @app.get("/")
    def index():
        return "ok"

    timing.install_timing(app)
    entries = parse_server_timing(app.test_client().get("/").headers["Server-Timing"])
    assert entries["pre"] >= 30


def test_server_timing_keeps_the_entries_a_view_or_another_hook_set(example):
    """The header is added, not replaced: the outbound example's view sets its own api;dur= entry."""
    timing = example("journey", "server_timing")
    from flask import Flask

    app = Flask("own-entries")
    app.config["SHOW_TIMING"] = True

    @app.get("/")
    def index():
        return "ok", 200, {"Server-Timing": "api;dur=12.5"}

    timing.install_timing(app)
    values = app.test_client().get("/").headers.getlist("Server-Timing")
    assert values[0] == "api;dur=12.5" and list(parse_server_timing(values[1])) == ["pre", "app"]


def test_server_timing_is_only_sent_when_asked(example, caplog):
    timing = example("journey", "server_timing")
    with caplog.at_level(logging.INFO, logger="timing"):
        response = timing.create_app(show_timing=False).test_client().get("/orders/1")
    assert "Server-Timing" not in response.headers
    assert re.search(r"path=/orders/1 status=200 app_ms=[\d.]+ db_ms=[\d.]+ api_ms=", caplog.text)


# --- Faster Python itself: the orjson provider and the hot path -----------------------------


@dataclass
class Line:
    sku: str
    quantity: int


def awkward_payload():
    return {
        "when": datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.timezone.utc),
        "day": datetime.date(2026, 3, 1),
        "amount": decimal.Decimal("129.90"),
        "id": uuid.UUID(int=7),
        "line": Line("SKU-1", 2),
        "name": "Zoë Ångström",
        "nested": {"b": [1, 2.5, None, True], "a": {"z": 1, "y": 2}},
        "markup": __import__("markupsafe").Markup("<b>bold</b>"),
    }


def test_orjson_provider_sends_what_flasks_default_provider_sends(example):
    provider = example("faster-python", "orjson_provider")
    from flask import Flask
    from flask.json.provider import DefaultJSONProvider

    apps = {kind: Flask(kind) for kind in ("default", "orjson")}
    apps["orjson"].json = provider.OrjsonProvider(apps["orjson"])
    for app in apps.values():
        app.get("/")(lambda: awkward_payload())
    bodies = {kind: app.test_client().get("/") for kind, app in apps.items()}
    assert isinstance(apps["default"].json, DefaultJSONProvider)
    assert json.loads(bodies["orjson"].data) == json.loads(bodies["default"].data)  # same meaning
    assert bodies["orjson"].mimetype == "application/json"
    # Same key order (sorted), same HTTP date for datetimes: only the escaping of "ë" differs.
    assert bodies["orjson"].data.decode() == json.dumps(json.loads(bodies["default"].data), ensure_ascii=False,
                                                         separators=(",", ":")) + "\n"
    assert b'"when":"Sun, 01 Mar 2026 09:30:00 GMT"' in bodies["orjson"].data


def test_orjson_provider_keeps_the_interface_promises(example):
    provider = example("faster-python", "orjson_provider")
    app = provider.create_app()
    with app.app_context():
        assert app.json.dumps({"b": 1, "a": 2}) == '{"a":2,"b":1}'  # a str, sorted
        assert app.json.loads(b'{"x": [1, 2]}') == {"x": [1, 2]}
        from flask import render_template_string

        assert render_template_string("{{ v|tojson }}", v={"s": "<script>"}) == '{"s":"\\u003cscript\\u003e"}'
        with pytest.raises(TypeError, match="does not support cls"):
            app.json.dumps({}, cls=json.JSONEncoder)
        with pytest.raises(TypeError, match="takes no options"):
            app.json.loads("{}", object_hook=dict)
    client = app.test_client()
    assert client.post("/echo", json={"a": [1, "ü"]}).get_json() == {"received": {"a": [1, "ü"]}}
    app.config["DEBUG"] = True  # debug mode pretty-prints, as Flask's provider does
    assert client.get("/orders/1").data.startswith(b'{\n  "customer"')


def test_the_orjson_provider_reads_request_bodies_more_strictly_and_rounds_big_integers(example):
    """What the page warns about: bodies the standard library took as they were, orjson refuses or changes."""
    provider = example("faster-python", "orjson_provider")
    from flask.json.provider import DefaultJSONProvider

    big = 123456789012345678901234567890  # beyond 64 bits, e.g. an id from a system with 128-bit keys
    body = f'{{"n": {big}}}'
    for kind in (DefaultJSONProvider, provider.OrjsonProvider):
        client = provider.create_app(kind).test_client()
        echoed = json.loads(client.post("/echo", data=body, content_type="application/json").data)
        nan = client.post("/echo", data='{"x": NaN}', content_type="application/json")
        if kind is DefaultJSONProvider:
            assert echoed["received"]["n"] == big and nan.status_code == 200
        else:  # silently a float, rounded to 17 significant digits; NaN, which is not JSON, is a 400
            assert echoed["received"]["n"] == float(big) != big and nan.status_code == 400


def test_the_json_benchmark_runs_and_compares_the_same_bodies(example):
    bench = example("faster-python", "bench_json")
    results = bench.measure(orders=3, number=2, repeat=3)
    assert set(results) == {"flask default", "stdlib, unsorted, UTF-8", "orjson", "orjson, RFC 3339 dates"}
    sizes = {name: size for name, (_, _, size) in results.items()}
    assert sizes["orjson"] == sizes["stdlib, unsorted, UTF-8"] < sizes["flask default"]  # \u escapes are longer
    assert sizes["orjson, RFC 3339 dates"] != sizes["orjson"]  # the one that changes the date format
    assert all(dump > 0 and request > 0 for dump, request, _ in results.values())


def test_the_hot_path_computes_what_a_direct_calculation_gives(example):
    hot = example("faster-python", "hot_path")
    rows = [(1, 2, 300.0), (1, 1, 500.0), (2, 3, 10.0), (3, 1, 100.0)]
    # customer 1: 1100 → 10 % off → 990 → +20 % tax; 2: 30, no discount; 3: exactly 100 → 2 % off.
    assert hot.order_summary(rows, 0.2) == {1: 1188.0, 2: 36.0, 3: 117.6}
    assert hot.make_rows(5) == hot.make_rows(5) and len(hot.make_rows(1000)) == 1000


# --- Outbound HTTP: a real server on 127.0.0.1 ---------------------------------------------


class Downstream(BaseHTTPRequestHandler):
    """/prices/ok, /prices/slow, /prices/flaky (503 twice, then 200), /prices/down (always 503), /prices/cookie."""

    protocol_version = "HTTP/1.1"  # keep-alive, so the client's pool can reuse connections
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stall

    def do_GET(self):  # noqa: N802 - the http.server API
        server = self.server
        with server.lock:
            server.hits[self.path] = server.hits.get(self.path, 0) + 1
            server.ports.add(self.client_address[1])
            hits = server.hits[self.path]
        if self.path == "/prices/cookie":  # a session cookie, as a login or a sticky load balancer sets
            server.cookies.append(self.headers.get("Cookie"))
            return self.reply(200, {"amount": 12.5}, {"Set-Cookie": "session=user-17; Path=/"})
        if self.path.startswith("/prices/slow"):
            time.sleep(server.slow_s)
        if self.path == "/prices/down" or (self.path == "/prices/flaky" and hits <= 2):
            return self.reply(503, {"error": "unavailable"})
        self.reply(200, {"amount": 12.5})

    do_POST = do_GET

    def reply(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that timed out closes its socket mid-reply: expected here, not worth a traceback


@pytest.fixture
def downstream():
    server = QuietServer(("127.0.0.1", 0), Downstream)
    server.daemon_threads = True
    server.lock, server.hits, server.ports, server.slow_s, server.cookies = threading.Lock(), {}, set(), 0.3, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def url(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def fast_policy(client_module, **overrides):
    """The example's policy with short timeouts and no backoff, so failures take milliseconds here."""
    values = dict(connect_timeout_s=0.5, read_timeout_s=0.1, backoff_s=0.0)
    return client_module.CallPolicy(**{**values, **overrides})


def test_503s_are_retried_and_the_third_attempt_succeeds(example, downstream):
    client = example("outbound-http", "client")
    service = client.ServiceClient(url(downstream), fast_policy(client))
    assert service.get_json("/prices/flaky") == {"amount": 12.5}
    assert downstream.hits["/prices/flaky"] == 3


def test_a_post_is_never_retried(example, downstream):
    client = example("outbound-http", "client")
    service = client.ServiceClient(url(downstream), fast_policy(client))
    response = service.session().post(url(downstream) + "/prices/flaky", timeout=1)
    assert response.status_code == 503 and downstream.hits["/prices/flaky"] == 1


def test_retries_give_up_after_the_policy_and_the_view_says_502(example, downstream):
    client = example("outbound-http", "client")
    service = client.ServiceClient(url(downstream), fast_policy(client), client.CircuitBreaker(threshold=100))
    app = client.create_app(client=service)
    response = app.test_client().get("/quote/down")
    assert downstream.hits["/prices/down"] == 3  # 1 + 2 retries
    assert response.status_code == 502


def test_a_read_timeout_fires_and_the_view_says_504(example, downstream):
    client = example("outbound-http", "client")
    service = client.ServiceClient(url(downstream), fast_policy(client, retries=0))
    app = client.create_app(client=service)
    downstream.slow_s = 1.0  # ten times the read timeout: a busy machine cannot make the answer arrive in time
    response = app.test_client().get("/quote/slow")
    assert response.status_code == 504
    ok = app.test_client().get("/quote/ok")
    assert ok.status_code == 200 and ok.get_json() == {"sku": "ok", "price": {"amount": 12.5}}
    assert re.fullmatch(r"api;dur=\d+\.\d", ok.headers["Server-Timing"])


def test_the_breaker_opens_fails_fast_and_lets_one_trial_through(example, downstream):
    client = example("outbound-http", "client")
    now = [1000.0]
    breaker = client.CircuitBreaker(threshold=3, reset_s=10, clock=lambda: now[0])
    service = client.ServiceClient(url(downstream), fast_policy(client, retries=0), breaker)
    app = client.create_app(client=service)
    web = app.test_client()
    assert [web.get("/quote/down").status_code for _ in range(3)] == [502, 502, 502]
    refused = web.get("/quote/down")
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "10"
    assert downstream.hits["/prices/down"] == 3  # the fourth call never left the process
    now[0] += 10  # half-open: one trial goes through, fails, and the breaker opens again
    assert web.get("/quote/down").status_code == 502 and downstream.hits["/prices/down"] == 4
    assert web.get("/quote/down").status_code == 503
    now[0] += 10
    breaker.record(success=True)  # a successful trial closes it
    assert breaker.opened_at is None and breaker.failures == 0


def test_only_one_trial_runs_while_half_open(example):
    client = example("outbound-http", "client")
    now = [0.0]
    breaker = client.CircuitBreaker(threshold=1, reset_s=5, clock=lambda: now[0])
    breaker.record(success=False)
    now[0] = 5
    breaker.before_call()  # the trial
    with pytest.raises(client.CircuitOpen):
        breaker.before_call()  # everyone else still fails fast


def test_a_blocking_pool_never_opens_more_connections_than_its_size(example, downstream):
    client = example("outbound-http", "client")
    downstream.slow_s = 0.1
    service = client.ServiceClient(url(downstream), fast_policy(client, read_timeout_s=5, pool_maxsize=2))
    calls = [threading.Thread(target=service.get_json, args=("/prices/slow",)) for _ in range(6)]
    for call in calls:
        call.start()
    for call in calls:
        call.join(10)
    assert downstream.hits["/prices/slow"] == 6
    assert len(downstream.ports) <= 2  # six threads took turns on two connections


def test_a_non_blocking_pool_opens_extra_connections_and_throws_them_away(example, downstream, caplog):
    client = example("outbound-http", "client")
    downstream.slow_s = 0.1
    policy = fast_policy(client, read_timeout_s=5, pool_maxsize=2, pool_block=False)  # requests' default
    service = client.ServiceClient(url(downstream), policy)
    with caplog.at_level(logging.WARNING, logger="urllib3.connectionpool"):
        calls = [threading.Thread(target=service.get_json, args=("/prices/slow",)) for _ in range(6)]
        for call in calls:
            call.start()
        for call in calls:
            call.join(10)
    assert len(downstream.ports) > 2
    assert "Connection pool is full, discarding connection" in caplog.text


def test_the_worst_case_bound_is_the_arithmetic_the_page_shows(example):
    client = example("outbound-http", "client")
    assert client.CallPolicy().worst_case_s() == pytest.approx(3 * 2.5 + 0.3)
    assert client.CallPolicy(retries=0).worst_case_s() == pytest.approx(2.5)
    assert client.CallPolicy(retries=3).worst_case_s() == pytest.approx(4 * 2.5 + 0.3 + 0.5)


def test_each_process_gets_its_own_session(example, monkeypatch):
    client = example("outbound-http", "client")
    service = client.ServiceClient("http://127.0.0.1:9")
    first = service.session()
    assert service.session() is first
    monkeypatch.setattr(client.os, "getpid", lambda: -1)  # as in a forked worker
    assert service.session() is not first


def test_the_worst_case_backoffs_are_urllib3s_own(example):
    """The bound's pauses, checked against the Retry object itself: urllib3's get_backoff_time after each failure."""
    client = example("outbound-http", "client")
    from urllib3.exceptions import ConnectTimeoutError

    for retries in (1, 2, 4):
        policy = client.CallPolicy(retries=retries)
        retry = policy.retry().new(backoff_jitter=0.0)
        pauses = []
        for _ in range(retries):
            retry = retry.increment(method="GET", url="/x", error=ConnectTimeoutError("refused"))
            pauses.append(retry.get_backoff_time())
        jitter = policy.backoff_s * sum(1 for pause in pauses if pause > 0)  # jitter is added only to real pauses
        attempts = retries + 1
        assert policy.worst_case_s() == pytest.approx(attempts * 2.5 + sum(pauses) + jitter)


def test_a_trial_that_raises_something_unexpected_does_not_jam_the_breaker(example):
    """A half-open trial that ends in anything but a RequestException must still count, or the breaker stays open."""
    client = example("outbound-http", "client")
    now = [0.0]
    breaker = client.CircuitBreaker(threshold=1, reset_s=5, clock=lambda: now[0])
    service = client.ServiceClient("http://127.0.0.1:9", breaker=breaker)
    breaker.record(success=False)
    now[0] = 5

    class Broken:
        def get(self, *args, **kwargs):
            raise UnicodeError("not a RequestException")  # a hook's bug, or gevent's Timeout (a BaseException)

    service.session = Broken
    with pytest.raises(UnicodeError):
        service.get_json("/prices/ok")  # the trial
    assert not breaker.trial_running and breaker.opened_at == 5
    now[0] = 10
    breaker.before_call()  # once reset_s has passed again, the next trial goes through


def test_the_connect_timeout_applies_to_each_address_the_name_resolves_to(example, monkeypatch):
    """urllib3 tries every address getaddrinfo returns, each with the whole connect timeout."""
    client = example("outbound-http", "client")
    import socket

    import requests

    three = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 9))] * 3  # e.g. a load balancer in 3 zones
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: three)
    timeouts = []

    def unreachable(sock, address):  # as a silently dropped SYN ends: no packet leaves this machine
        timeouts.append(sock.gettimeout())
        raise TimeoutError("timed out")

    monkeypatch.setattr(socket.socket, "connect", unreachable)
    policy = client.CallPolicy(retries=0)
    service = client.ServiceClient("http://prices.internal:8080", policy, client.CircuitBreaker(threshold=100))
    with pytest.raises(requests.ConnectTimeout):
        service.get_json("/prices/ok")
    assert timeouts == [policy.connect_timeout_s] * 3
    assert policy.worst_case_s(addresses=3) == pytest.approx(3 * 0.5 + 2.0)
    assert client.CallPolicy().worst_case_s(addresses=2) == pytest.approx(3 * (2 * 0.5 + 2.0) + 0.3)


def test_a_cookie_the_service_sets_is_not_sent_on_later_calls(example, downstream):
    """One Session serves every user of the process: a cookie it kept would go out on other users' calls."""
    client = example("outbound-http", "client")
    service = client.ServiceClient(url(downstream), fast_policy(client))
    service.get_json("/prices/cookie")
    service.get_json("/prices/cookie")
    assert downstream.cookies == [None, None]
    assert len(service.session().cookies) == 0
