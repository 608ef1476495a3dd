"""Calling another service from a Flask view: one pooled Session per process, a timeout on every call,
retries with backoff only for what a second try can fix, and a circuit breaker that stops calling a
service that is down.

    PRICES_URL=http://127.0.0.1:9000 gunicorn -w 4 --threads 8 -k gthread client:app
    curl -i http://127.0.0.1:8000/quote/SKU-1

Size the pool to the threads that may call the service at once from one
process (``--threads``; 1 for sync workers), and make ``worst_case_s()``
of the policy fit under the request's own deadline: Gunicorn's timeout,
the proxy's proxy_read_timeout and, first of all, the user's patience.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy

import requests
from flask import Flask
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.util.retry import Retry


@dataclass(frozen=True)
class CallPolicy:
    """How one service is called. Every number here bounds how long a call can hold a worker."""

    connect_timeout_s: float = 0.5   # inside a data centre a connection takes a millisecond or two
    read_timeout_s: float = 2.0      # the longest silence between bytes, not the whole response
    retries: int = 2                 # at most 3 attempts in all
    backoff_s: float = 0.1           # waits 0, then 0.2 s (+ up to 0.1 s of jitter)
    pool_maxsize: int = 8            # = threads per process that may call this service at once
    pool_block: bool = True          # a thread waits for a pooled connection instead of opening more

    def retry(self) -> Retry:
        return Retry(
            total=self.retries,
            connect=self.retries,    # the request never reached the server: always safe to repeat
            read=1,                  # a reset mid-response (a stale keep-alive) deserves one more try
            status=self.retries,
            other=0,
            status_forcelist=(502, 503, 504),
            allowed_methods=Retry.DEFAULT_ALLOWED_METHODS,  # idempotent methods only: never a POST
            backoff_factor=self.backoff_s,
            backoff_jitter=self.backoff_s,
            # urllib3 would otherwise sleep for as long as a 429/503 says in Retry-After (up to 6 hours).
            respect_retry_after_header=False,
            raise_on_status=False,   # after the last retry, hand back the 503 rather than raise
        )

    def worst_case_s(self, addresses: int = 1) -> float:
        """An upper bound on one call: every attempt times out on connect and read, plus every backoff.

        ``addresses``: how many addresses the host name resolves to. urllib3
        tries each in turn with the whole connect timeout, so an unreachable
        service behind a name with three addresses (a load balancer in three
        zones, or IPv6 and IPv4) costs three connect timeouts per attempt.
        Not covered: DNS resolution, which no timeout bounds, and a server that
        trickles one byte per read timeout (the read timeout restarts with each byte).
        """
        # urllib3 sleeps before retry n (after n failures): 0 for the first, backoff × 2^(n−1) + jitter after.
        backoffs = sum(min(Retry.DEFAULT_BACKOFF_MAX, self.backoff_s * 2 ** (n - 1) + self.backoff_s)
                       for n in range(2, self.retries + 1))
        attempt_s = addresses * self.connect_timeout_s + self.read_timeout_s
        return (self.retries + 1) * attempt_s + backoffs


class CircuitOpen(Exception):
    """The breaker is open: the call was not made."""

    def __init__(self, retry_after_s: float):
        super().__init__(f"circuit open for {retry_after_s:.1f} s more")
        self.retry_after_s = retry_after_s


class CircuitBreaker:
    """Closed → open after ``threshold`` failures in a row; open → one trial call after ``reset_s``.

    State lives in one process, so each Gunicorn worker learns about an
    outage on its own: with W workers, up to W × threshold calls fail
    before every breaker is open. The lock makes it safe under gthread.
    """

    def __init__(self, threshold: int = 5, reset_s: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self.threshold, self.reset_s, self.clock = threshold, reset_s, clock
        self.failures = 0
        self.opened_at: float | None = None
        self.trial_running = False
        self._lock = threading.Lock()

    def before_call(self) -> None:
        with self._lock:
            if self.opened_at is None:
                return
            waited = self.clock() - self.opened_at
            if waited < self.reset_s or self.trial_running:
                raise CircuitOpen(max(0.0, self.reset_s - waited))
            self.trial_running = True  # half-open: this call is the trial, the others keep failing fast

    def record(self, success: bool) -> None:
        with self._lock:
            self.trial_running = False
            if success:
                self.failures, self.opened_at = 0, None
                return
            self.failures += 1
            if self.opened_at is not None or self.failures >= self.threshold:
                self.opened_at = self.clock()


def timed_out(error: requests.RequestException) -> bool:
    """Did the call time out? With retries on, requests reports a read timeout that used up its
    retries as a ConnectionError wrapping urllib3's MaxRetryError, not as requests.Timeout."""
    if isinstance(error, requests.Timeout):
        return True
    reason = error.args[0] if error.args else None
    return isinstance(reason, MaxRetryError) and isinstance(reason.reason, ReadTimeoutError)


class UpstreamError(Exception):
    """The service answered, with an error a retry did not fix."""


class ServiceClient:
    """One downstream service: its base URL, its call policy, its breaker and one Session per process."""

    def __init__(self, base_url: str, policy: CallPolicy | None = None, breaker: CircuitBreaker | None = None):
        self.base_url = base_url.rstrip("/")
        self.policy = policy or CallPolicy()
        self.breaker = breaker or CircuitBreaker()
        self._session: requests.Session | None = None
        self._pid = 0

    def session(self) -> requests.Session:
        # Per process: a Session made before Gunicorn forks (preload_app) would share its pooled
        # sockets with every worker, and two processes writing to one socket corrupt both streams.
        if self._session is None or self._pid != os.getpid():
            session = requests.Session()
            # One Session serves every user this process calls for: a cookie the service set (a login, a
            # sticky load balancer) would go out on everyone's later calls. Keep none; send credentials per call.
            session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=self.policy.pool_maxsize,
                                  max_retries=self.policy.retry(), pool_block=self.policy.pool_block)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._session, self._pid = session, os.getpid()
        return self._session

    def get_json(self, path: str) -> object:
        self.breaker.before_call()
        try:
            # requests has no session-wide timeout: without timeout= a call can wait forever.
            response = self.session().get(self.base_url + path, timeout=(
                self.policy.connect_timeout_s, self.policy.read_timeout_s))
        except BaseException:  # a timeout, a refusal, or anything else: a half-open trial must always end
            self.breaker.record(success=False)
            raise
        self.breaker.record(success=response.status_code < 500)
        if response.status_code >= 400:
            raise UpstreamError(f"{response.status_code} from {path}")
        return response.json()


def create_app(prices_url: str | None = None, client: ServiceClient | None = None) -> Flask:
    app = Flask(__name__)
    prices = client or ServiceClient(prices_url or os.environ.get("PRICES_URL", "http://127.0.0.1:9000"))
    app.extensions["prices"] = prices

    @app.get("/quote/<sku>")
    def quote(sku: str):
        started = time.perf_counter()
        try:
            price = prices.get_json(f"/prices/{sku}")
        except CircuitOpen as error:  # fail in microseconds instead of holding a worker for seconds
            return {"error": "prices unavailable"}, 503, {"Retry-After": str(max(1, round(error.retry_after_s)))}
        except requests.RequestException as error:
            if timed_out(error):
                return {"error": "prices timed out"}, 504
            return {"error": f"prices failed: {error.__class__.__name__}"}, 502
        except UpstreamError as error:
            return {"error": str(error)}, 502
        api_ms = (time.perf_counter() - started) * 1000
        return {"sku": sku, "price": price}, 200, {"Server-Timing": f"api;dur={api_ms:.1f}"}

    return app


app = create_app()
