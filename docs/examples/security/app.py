"""A Flask app behind a TLS-terminating proxy: real client addresses, secure
cookies, CSRF tokens, a Content Security Policy and shared rate limits.

Importing this module connects to nothing. With RATELIMIT_STORAGE_URI unset
the limiter keeps its counters in this process's memory, which is right for
tests and wrong in production (see below).
"""

from __future__ import annotations

import os
from datetime import timedelta

from flask import Flask, abort, redirect, render_template_string, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.security import check_password_hash, generate_password_hash

app = Flask(__name__)

# Trust exactly as many proxies as set each header: one nginx in front
# means one X-Forwarded-For entry and one X-Forwarded-Proto are ours; a
# load balancer in front of nginx makes x_for=2. Trusting more lets any
# client choose its own IP address (and dodge the rate limits below).
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

app.config.update(
    SECRET_KEY=os.environ.get("SECRET_KEY", "dev only: set SECRET_KEY in production"),
    SESSION_COOKIE_SECURE=True,        # sent over HTTPS only
    SESSION_COOKIE_HTTPONLY=True,      # not readable from JavaScript (Flask's default)
    SESSION_COOKIE_SAMESITE="Lax",     # not sent on cross-site POSTs; Flask's default is None
    PERMANENT_SESSION_LIFETIME=timedelta(hours=12),  # Flask's default is 31 days
    MAX_CONTENT_LENGTH=1024 * 1024,    # refuse bodies over 1 MB with 413 before reading them
)

csrf = CSRFProtect(app)  # every POST, PUT, PATCH and DELETE needs a valid token

# Talisman sets the security headers. HSTS is left to the proxy (nginx.conf),
# which sees every response, including the ones Flask never produces; the
# proxy also redirects plain HTTP, so force_https stays off here.
Talisman(
    app,
    force_https=False,
    strict_transport_security=False,
    content_security_policy={
        "default-src": "'self'",
        "script-src": "'self'",
        "img-src": ["'self'", "data:"],
        "object-src": "'none'",
        "base-uri": "'self'",
        "frame-ancestors": "'none'",
    },
    content_security_policy_nonce_in=["script-src"],  # inline scripts need {{ csp_nonce() }}
    frame_options="DENY",  # as frame-ancestors 'none', for browsers without CSP level 2
    session_cookie_secure=True,
)

# Counters live where every worker can see them. With memory://, each Gunicorn
# worker counts on its own: "5 per minute" becomes 5 per minute per worker
# per instance, 40 a minute on two instances of four workers, and which
# worker a request lands on decides whether it is refused.
limiter = Limiter(
    get_remote_address,  # request.remote_addr, made the client's by ProxyFix
    app=app,
    storage_uri=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),  # redis://redis:6379/3 in production
    default_limits=["300 per minute"],
    headers_enabled=True,  # RateLimit headers and Retry-After on 429
)

# One user, to make the example self-contained. Werkzeug's default is scrypt
# (N=2**15, r=8): about 0.12 s of CPU and 32 MiB of memory per hash or check
# (measure yours with hash_cost.py).
USERS = {"ada": generate_password_hash("correct horse battery staple")}
# Checked when the user does not exist, so both answers take as long and
# the timing does not reveal which usernames exist.
DUMMY_HASH = generate_password_hash("no such user")

LOGIN_FORM = """<form method="post">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  <input name="username" autocomplete="username">
  <input name="password" type="password" autocomplete="current-password">
  <button>Sign in</button>
</form>"""


@app.get("/login")
def login_form():
    return render_template_string(LOGIN_FORM)


@app.post("/login")
@limiter.limit("5 per minute")                                           # per client address
@limiter.limit("20 per hour", key_func=lambda: request.form.get("username", ""))  # per account
def login():
    # The limits run before this body, so a refused attempt costs no hashing.
    stored = USERS.get(request.form.get("username", ""))
    valid = check_password_hash(stored or DUMMY_HASH, request.form.get("password", ""))
    if stored is None or not valid:
        abort(401)
    session.clear()  # a fresh session at login: no fixation
    session["user"] = request.form["username"]
    return redirect(url_for("account"))


@app.get("/account")
def account():
    if "user" not in session:
        return redirect(url_for("login_form"))
    return {"user": session["user"]}
