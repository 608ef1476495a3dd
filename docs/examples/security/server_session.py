"""Server-side sessions with Flask-Session: an id in the cookie, the data in Redis.

Run:  SESSION_REDIS_URL=redis://localhost:6379/1 flask --app server_session run

What it costs: every request that carries the session cookie reads the
session from Redis before the view runs, whether the view uses it or not,
and by default (Flask's SESSION_REFRESH_EACH_REQUEST) writes it back too, to
renew its expiry: two round trips on every request of a logged-in user,
static files served by Flask included. This file turns the write off unless
the session changed. And if Redis stops answering, every such request fails
with a 500 after the client's timeout: there is no fallback, so keep the
timeouts short and the Redis highly available.
"""

from __future__ import annotations

import os
from datetime import timedelta

import redis
from flask import Flask, session
from flask_session import Session
from redis.backoff import NoBackoff
from redis.retry import Retry


def redis_client(url: str) -> redis.Redis:
    # redis-py waits 5 s to connect and 5 s per reply by default; a session read
    # that takes longer than 200 ms is an outage, not a slow request.
    return redis.Redis.from_url(url, socket_connect_timeout=0.2, socket_timeout=0.2, retry=Retry(NoBackoff(), 0))


def create_app(client: redis.Redis | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY", "dev only: set SECRET_KEY"),
        SESSION_TYPE="redis",
        SESSION_REDIS=client or redis_client(os.environ.get("SESSION_REDIS_URL", "redis://localhost:6379/1")),
        SESSION_KEY_PREFIX="session:",
        # Write the session only when a view changed it: one round trip per request, not two.
        # The session then expires 14 days after its last change, not its last use.
        SESSION_REFRESH_EACH_REQUEST=False,
        PERMANENT_SESSION_LIFETIME=timedelta(days=14),
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    Session(app)

    @app.post("/cart/<int:item>")
    def add_to_cart(item: int):
        session.setdefault("cart", []).append(item)
        session.modified = True  # a change inside a list is invisible to the session otherwise
        return {"items": len(session["cart"])}

    @app.get("/cart")
    def show_cart():
        return {"cart": session.get("cart", [])}

    return app
