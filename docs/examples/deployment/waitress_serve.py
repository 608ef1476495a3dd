"""Waitress serving the same Flask app: one process, a pool of threads, behind a proxy.

Run:  python waitress_serve.py      (or: waitress-serve --threads=4 --port=8000 app:app)

Waitress is pure Python and runs on Windows too. Its one process runs Python
on one core at a time, so size it like one gthread worker: threads enough to
cover the waiting (WSGI page: ⌈1 ÷ (1 − I/O share)⌉), and for more cores,
more processes behind the proxy. It buffers request and response bodies
itself, so slow clients do not hold a thread.
"""

from __future__ import annotations

import os

WAITRESS_OPTIONS = {
    "listen": f"0.0.0.0:{os.environ.get('PORT', '8000')}",
    # Requests in progress at once; the default is 4.
    "threads": int(os.environ.get("WAITRESS_THREADS", "4")),
    # Connections held open before new ones wait in the kernel's backlog (default 100).
    "connection_limit": 200,
    # Idle keep-alive connections close after this; keep it above the proxy's
    # own idle timeout (nginx upstream keepalive_timeout: 60 s), as with Gunicorn's keepalive.
    "channel_timeout": 75,
    # Trust X-Forwarded-* only from the proxy, one hop; drop them from anyone else.
    "trusted_proxy": os.environ.get("TRUSTED_PROXY", "127.0.0.1"),
    "trusted_proxy_count": 1,
    "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"},
    "clear_untrusted_proxy_headers": True,
    # Refuse bodies over 10 MB before the app reads them.
    "max_request_body_size": 10 * 1024 * 1024,
}


def main() -> None:
    from waitress import serve

    from app import app  # your Flask application

    serve(app, **WAITRESS_OPTIONS)


if __name__ == "__main__":
    main()
