"""pyinstrument on demand: add ``?profile`` to a URL and get the call tree as HTML.

    PROFILE_REQUESTS=1 flask --app pyinstrument_flask run
    open http://127.0.0.1:5000/orders?profile

pyinstrument samples the stack every millisecond (``interval=0.001``) and
records wall-clock time, so time spent waiting (a socket read, a lock, a
sleep) appears under the call that waited. The report's header shows the
duration and how much of it was CPU time; the rest is time spent waiting,
the I/O share the worker calculators need.

Profiling stays off unless ``PROFILE_REQUESTS`` is set: anyone who can add
``?profile`` to a URL would otherwise see your code's structure and make
every request they send more expensive.
"""

import os
import time

from flask import Flask, g, jsonify, make_response, request
from pyinstrument import Profiler


def create_app():
    app = Flask(__name__)
    app.config["PROFILE_REQUESTS"] = os.environ.get("PROFILE_REQUESTS") == "1"

    @app.before_request
    def start_profiler():
        if app.config["PROFILE_REQUESTS"] and "profile" in request.args:
            g.profiler = Profiler(interval=0.001)
            g.profiler.start()

    @app.after_request
    def return_profile(response):
        profiler = g.pop("profiler", None)
        if profiler is None:
            return response
        profiler.stop()
        return make_response(profiler.output_html())

    @app.get("/orders")
    def orders():
        time.sleep(0.08)  # stands in for a query or an HTTP call
        lines = [{"sku": i, "price": i * 1.07} for i in range(20_000)]
        return jsonify(count=len(lines), total=round(sum(x["price"] for x in lines), 2))

    return app


if __name__ == "__main__":
    create_app().run()
