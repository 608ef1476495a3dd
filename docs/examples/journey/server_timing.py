"""Where a request's time goes inside the app, hop by hop, in a Server-Timing header and one log line.

    Server-Timing: pre;dur=0.4;desc="routing, session, before_request", db;dur=5.2,
                   api;dur=20.3, tpl;dur=1.1, app;dur=27.6

- ``pre``: from the moment the WSGI server called the app to the first
  line of the view: Flask's routing, the session, every before_request hook.
- ``db``, ``api``, ``redis`` ...: whatever the view wraps in ``timed(name)``,
  summed when it runs more than once (three queries are one ``db`` entry).
- ``tpl``: Jinja rendering, timed by Flask's template signals.
- ``app``: the whole app so far, when the response headers are made; what
  is left of it after the named parts is Python in the view and Flask's
  after_request work.

The browser's developer tools show the header under the request's Timing
tab, and a page can read it from the Navigation and Resource Timing APIs.
Gunicorn's ``%(D)s`` and nginx's ``$upstream_response_time`` time the same
request from outside; the differences between them are the hops between.
The header tells anyone who can see the response how your backend spends
its time: send it to your own staff or test clients only (SHOW_TIMING).

Run:  flask --app server_timing run   then   curl -si http://127.0.0.1:5000/orders/7
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

from flask import Flask, before_render_template, g, jsonify, render_template_string, request, template_rendered

log = logging.getLogger("timing")
START_KEY = "timing.start"  # set in the WSGI environ before Flask routes the request


def timed_wsgi(wsgi_app):
    """Stamp the environ when the server hands the request to the app, before any Flask code runs."""

    def app(environ, start_response):
        environ[START_KEY] = time.perf_counter()
        return wsgi_app(environ, start_response)

    return app


@contextlib.contextmanager
def timed(name: str) -> Iterator[None]:
    """Add the time spent in the block to this request's entry ``name``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        parts = g.setdefault("timing_parts", {})
        parts[name] = parts.get(name, 0.0) + (time.perf_counter() - start) * 1000


def header_value(parts: dict[str, float], pre_ms: float | None, app_ms: float) -> str:
    """The Server-Timing value: durations in milliseconds, as the specification wants."""
    entries = []
    if pre_ms is not None:
        entries.append(f'pre;dur={pre_ms:.1f};desc="routing, session, before_request"')
    entries += [f"{name};dur={ms:.1f}" for name, ms in parts.items()]
    entries.append(f"app;dur={app_ms:.1f}")
    return ", ".join(entries)


def install_timing(app: Flask) -> Flask:
    """Time every request of ``app``; call it after registering the app's own before_request hooks."""
    app.wsgi_app = timed_wsgi(app.wsgi_app)

    @app.before_request
    def _view_starts():
        # Hooks registered before this one count in "pre"; any registered after it, as view time.
        start = request.environ.get(START_KEY)
        g.timing_pre = (time.perf_counter() - start) * 1000 if start is not None else None

    def _render_starts(sender, template, context, **extra):
        g.timing_render_start = time.perf_counter()

    def _render_ends(sender, template, context, **extra):
        start = g.pop("timing_render_start", None)
        if start is not None:
            parts = g.setdefault("timing_parts", {})
            parts["tpl"] = parts.get("tpl", 0.0) + (time.perf_counter() - start) * 1000

    before_render_template.connect(_render_starts, app, weak=False)
    template_rendered.connect(_render_ends, app, weak=False)

    @app.after_request
    def _report(response):
        start = request.environ.get(START_KEY)
        if start is None:
            return response
        app_ms = (time.perf_counter() - start) * 1000
        parts = g.get("timing_parts", {})
        value = header_value(parts, g.get("timing_pre"), app_ms)
        if app.config.get("SHOW_TIMING"):
            response.headers.add("Server-Timing", value)  # add: keep entries the view or other hooks set
        log.info("timing path=%s status=%s %s", request.path, response.status_code,
                 " ".join(f"{k}_ms={v:.1f}" for k, v in {"app": app_ms, **parts}.items()))
        return response

    return app


PAGE = """<h1>Order {{ order.id }}</h1>
<ul>{% for item in order["items"] %}<li>{{ item.sku }} × {{ item.quantity }}</li>{% endfor %}</ul>"""


def load_order(order_id: int) -> dict:
    with timed("db"):
        time.sleep(0.005)  # stands for a 5 ms query through the pool
    return {"id": order_id, "items": [{"sku": f"SKU-{n}", "quantity": n + 1} for n in range(20)]}


def shipping_quote(order: dict) -> float:
    with timed("api"):
        time.sleep(0.02)  # stands for a 20 ms call to another service
    return 4.95


def create_app(show_timing: bool = True) -> Flask:
    app = Flask(__name__)
    app.config["SHOW_TIMING"] = show_timing

    @app.get("/orders/<int:order_id>")
    def order_page(order_id: int):
        order = load_order(order_id)
        shipping_quote(order)
        return render_template_string(PAGE, order=order)

    @app.get("/api/orders/<int:order_id>")
    def order_json(order_id: int):
        order = load_order(order_id)
        with timed("json"):
            response = jsonify(order)
        return response

    return install_timing(app)


app = create_app()
logging.basicConfig(level=logging.INFO)
