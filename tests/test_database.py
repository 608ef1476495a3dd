"""Database models: N+1 queries, connection pools, indexes, session cookies."""

import base64
import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfcalc
from perfcalc import PerfcalcError, calculate, database

ROOT = Path(__file__).resolve().parents[1]


def test_hikaricp_pool_formula():
    """HikariCP wiki, "About Pool Sizing": (core_count × 2) + effective_spindle_count;
    a 4-core i7 server with one disk: 9 (the wiki rounds to "9 or 10")."""
    assert database.hikari_pool_size(4, 1) == 9
    assert calculate("connection-pool", db_cores=16, db_effective_spindles=0).outputs["hikari_pool_size"] == 32


def test_sync_workers_hold_one_connection_each():
    """SQLAlchemy's QueuePool opens connections lazily, and a single-threaded worker holds at most one
    at a time: 2 instances × 5 sync workers need 10 connections, not 2 × 5 × (5 + 10) = 150."""
    r = calculate("connection-pool", app_instances=2, workers_per_instance=5, threads_per_worker=1,
                  pool_size_per_worker=5, max_overflow_per_worker=10)
    assert r.outputs["connections_needed"] == 10 and r.outputs["fits"] is True


def test_threads_fill_the_pool_up_to_its_overflow():
    """gthread with 16 threads: each worker may hold min(5 + 10, 16) = 15, so 2 × 5 × 15 = 150 > 97; the
    16th thread of each worker waits on checkout and fails with SQLAlchemy's pool timeout."""
    r = calculate("connection-pool", app_instances=2, workers_per_instance=5, threads_per_worker=16,
                  pool_size_per_worker=5, max_overflow_per_worker=10, db_max_connections=100,
                  db_reserved_connections=3)
    assert r.outputs == {"connections_needed": 150, "connections_available": 97, "headroom": -53,
                         "fits": False, "hikari_pool_size": 9}
    assert any("PgBouncer" in w for w in r.warnings)
    assert any("16 threads" in w and "pool timeout" in w for w in r.warnings)
    eight = calculate("connection-pool", threads_per_worker=8, pool_size_per_worker=5, max_overflow_per_worker=10)
    assert eight.outputs["connections_needed"] == 2 * 5 * 8
    assert not any("pool timeout" in w for w in eight.warnings)


def test_reserved_must_be_below_max():
    with pytest.raises(PerfcalcError, match="db_reserved_connections must be less than db_max_connections"):
        calculate("connection-pool", db_max_connections=10, db_reserved_connections=10)


def test_n_plus_one():
    o = calculate("n-plus-one", items=100, query_time_ms=1.5, eager_queries=1).outputs
    assert o["lazy_queries"] == 101 and o["lazy_db_time_ms"] == pytest.approx(151.5)
    assert o["eager_db_time_ms"] == pytest.approx(1.5) and o["slowdown"] == pytest.approx(101)
    assert calculate("n-plus-one", items=0).outputs["lazy_queries"] == 1


def test_btree_levels_are_exact_integers():
    assert [database.btree_levels(r, 10) for r in (1, 10, 11, 100, 101, 10**12)] == [1, 1, 2, 2, 3, 12]
    o = calculate("index-scan", rows=10**12, rows_per_page=100, fanout=1000).outputs
    assert o["btree_levels"] == 4 and o["scan_pages"] == 10**10


@settings(max_examples=200, deadline=None)
@given(rows=st.integers(1, 10**12), fanout=st.integers(2, 100_000))
def test_btree_levels_definition(rows, fanout):
    levels = database.btree_levels(rows, fanout)
    assert fanout ** levels >= rows and (levels == 1 or fanout ** (levels - 1) < rows)


def test_session_cookie_matches_flask():
    """Our size model against Flask's own signed-cookie session.

    Flask compresses when that is shorter: then the model is an upper bound.
    When it does not (short or high-entropy data), the size must match to the
    byte (timestamps are 4 bytes until 2106).
    """
    flask = pytest.importorskip("flask")
    import base64
    import os

    app = flask.Flask(__name__)
    app.secret_key = "test"

    @app.route("/<int:size>")
    def set_session(size):
        flask.session["d"] = base64.b64encode(os.urandom(size)).decode()
        return flask.session["d"]

    client = app.test_client()
    uncompressed = 0
    for size in (1, 4, 8, 12, 300, 1500, 2900):
        response = client.get(f"/{size}")
        cookie = response.headers["Set-Cookie"].split(";")[0]
        session_bytes = len(json.dumps({"d": response.get_data(as_text=True)}, separators=(",", ":")))
        predicted = database.session_cookie_bytes(session_bytes)
        if cookie.startswith("session=."):  # compressed
            assert len(cookie) <= predicted
        else:
            uncompressed += 1
            assert len(cookie) == predicted
    assert uncompressed >= 2


def test_session_warning_is_true_when_flask_compresses():
    """3,332 bytes of token-like JSON: uncompressed the cookie would be 4,486 bytes, but Flask compresses
    it to about 1,500, well under the limit. The model is an upper bound and must say so, not claim the
    cookie "will be silently dropped"."""
    flask = pytest.importorskip("flask")
    import random

    app = flask.Flask(__name__)
    app.secret_key = "test"
    rng = random.Random(1)

    @app.route("/")
    def set_session():
        flask.session["tokens"] = [{"id": i, "token": f"{rng.getrandbits(128):032x}", "scope": "read write"}
                                   for i in range(45)]
        return json.dumps(dict(flask.session), separators=(",", ":"))

    response = app.test_client().get("/")
    cookie = response.headers["Set-Cookie"].split(";")[0]
    session_bytes = len(response.get_data(as_text=True))
    assert cookie.startswith("session=.") and len(cookie) < database.BROWSER_COOKIE_LIMIT_BYTES  # compressed, fits
    r = calculate("session-size", session_bytes=session_bytes)
    assert r.outputs["cookie_bytes"] >= len(cookie) and r.outputs["over_browser_limit"] is True
    (warning,) = r.warnings
    assert "will be silently dropped" not in warning
    assert "Uncompressed" in warning and "compresses" in warning


def _flask_cookie_bytes(value):
    """The length of the ``session=…`` cookie Flask 3.1 sets for a session {"t": value}, and whether it compressed."""
    flask = pytest.importorskip("flask")
    app = flask.Flask(__name__)
    app.secret_key = "test"

    @app.route("/")
    def set_session():
        flask.session["t"] = value
        return ""

    cookie = app.test_client().get("/").headers["Set-Cookie"].split(";")[0]
    return len(cookie), cookie.startswith("session=.")


# Random tokens as applications store them, with the bits of randomness each character carries.
_TOKENS = {
    "hex": (lambda rng, n: f"{rng.getrandbits(4 * n):0{n}x}", 4),
    "base64": (lambda rng, n: base64.urlsafe_b64encode(rng.randbytes(n * 3 // 4)).decode(), 6),
    "bytes": (lambda rng, n: rng.randbytes(n * 3 // 4), 6),  # Flask's tagged JSON stores bytes as base64
}


@pytest.mark.parametrize("kind", list(_TOKENS))
def test_random_tokens_compress_in_flask(kind):
    """The size model is before compression, and random tokens are no exception to Flask compressing: hex
    characters carry 4 bits of their 8 and base64 ones 6, and zlib takes most of the rest back. Measured on
    Flask's own SecureCookieSessionInterface (itsdangerous's zlib step): at 1 KB and more, hex comes to under
    62 % of the model's size and base64 to under 82 %, and neither below the bits it carries (the floor no
    compressor can pass), which the model's documentation states."""
    make, bits = _TOKENS[kind]
    rng = random.Random(kind)
    for chars in (1000, 2000, 3000):
        value = make(rng, chars)
        cookie, compressed = _flask_cookie_bytes(value)
        session_bytes = len(json.dumps({"t": value if isinstance(value, str) else {" b": base64.b64encode(value).decode()}},
                                       separators=(",", ":")))
        model = database.session_cookie_bytes(session_bytes)
        assert compressed and cookie < {4: 0.62, 6: 0.82}[bits] * model, (kind, chars, cookie, model)
        token_bytes = chars * bits / 8  # the randomness in the session
        assert cookie > 4 / 3 * token_bytes, (kind, chars, cookie)


def test_no_text_says_random_tokens_do_not_compress():
    """The claim the audit found wrong (Flask 3.1 compresses random tokens, above) is gone from the model, the
    calculator and the guide."""
    calc = perfcalc.get("session-size")
    texts = [database.session_size.__doc__, database.session_cookie_bytes.__doc__, calc.assumptions,
             *(o.help for o in calc.outputs), *calc.warn({}, database.session_size(10_000, 1)),
             (ROOT / "docs" / "pitfalls.md").read_text(), (ROOT / "docs" / "security.md").read_text()]
    wrong = re.compile(r"(not|n't) compress \(random|random tokens[^.]{0,40}(not|n't) compress", re.IGNORECASE)
    assert [t for t in texts if wrong.search(" ".join(t.split()))] == []


def test_session_over_limit():
    r = calculate("session-size", session_bytes=3100)
    assert r.outputs["over_browser_limit"] is True and r.warnings
    assert calculate("session-size", session_bytes=3000).outputs["over_browser_limit"] is False


def test_connection_pool_model():
    """Three instances of nine workers with 4 threads and pools of 5 + 10, against 100 − 3: 3 × 9 × 4 = 108 > 97."""
    r = database.connection_pool(3, 9, 4, 5, 10, 100, 3, 4, 1)
    assert r[:5] == (108, 97, -11, False, 9)
    assert r.connections_needed == database.pool_connections(3, 9, database.connections_per_worker(4, 5, 10))
    assert database.connections_per_worker(1, 5, 10) == 1 and database.connections_per_worker(40, 5, 10) == 15
    with pytest.raises(PerfcalcError) as err:
        database.connection_pool(3, 9, 4, 5, 10, 100, 100, 4, 1)
    assert err.value.field == "db_reserved_connections"


@settings(max_examples=200, deadline=None)
@given(i=st.integers(1, 100), w=st.integers(1, 100), t=st.integers(1, 200), p=st.integers(1, 100),
       o=st.integers(0, 100), m=st.integers(1, 10_000), reserved=st.integers(0, 10_000))
def test_connection_pool_headroom(i, w, t, p, o, m, reserved):
    if reserved >= m:
        with pytest.raises(PerfcalcError):
            database.connection_pool(i, w, t, p, o, m, reserved, 4, 1)
        return
    r = database.connection_pool(i, w, t, p, o, m, reserved, 4, 1)
    assert r.headroom == r.connections_available - r.connections_needed
    assert r.fits == (r.headroom >= 0)
    # Never more than the threads can hold, nor more than the pools can open.
    assert r.connections_needed == i * w * min(t, p + o)
    assert r.connections_needed <= i * w * t and r.connections_needed <= i * w * (p + o)
    # One more thread never needs fewer connections.
    assert database.connection_pool(i, w, t + 1, p, o, m, reserved, 4, 1).connections_needed >= r.connections_needed


def test_n_plus_one_model():
    """SQLAlchemy's lazy loading: 1 + N round trips; selectinload: 2."""
    r = database.n_plus_one(50, 2.0, 2)
    assert r == (51, 102.0, 4.0, 98.0, 25.5)
    assert r.time_saved_ms == r.lazy_db_time_ms - r.eager_db_time_ms
    assert r.slowdown == r.lazy_db_time_ms / r.eager_db_time_ms


def test_index_vs_scan_speedup():
    r = database.index_vs_scan(1_000_000, 100, 0.1, 300)
    assert (r.scan_pages, r.btree_levels) == (10_000, 3)
    assert r.speedup == pytest.approx(1000.0 / 0.4)


def test_session_size_model():
    """A session of b bytes: ⌈4b/3⌉ + 43 bytes of cookie, sent with every request."""
    r = database.session_size(3000, 1_000_000)
    assert r.cookie_bytes == 4043 and not r.over_browser_limit
    assert r.monthly_upload_gb == pytest.approx(4043 * 1_000_000 / 1e9)
    assert database.session_size(3100, 0) == (4177, True, 0.0)
