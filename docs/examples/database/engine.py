"""One SQLAlchemy engine per Gunicorn worker, with a pool sized for its threads.

Nothing here connects at import: create_engine() only records the settings,
and the pool opens a connection the first time a thread checks one out.
Build the engine in each worker after Gunicorn forks (the app factory, or a
post_fork hook), never in the master: a pooled connection must not cross a
fork.

Run ``python engine.py`` to watch a pool that is too small fail a checkout
(SQLite, so no server is needed).
"""

from __future__ import annotations

import os
import threading
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import TimeoutError as PoolTimeout

THREADS_PER_WORKER = int(os.environ.get("GUNICORN_THREADS", "4"))  # 1 for sync workers

POOL_OPTIONS = {
    # With one session per request a thread holds one connection at a time,
    # so a pool as large as the thread count never makes a thread wait, and
    # max_overflow=0 keeps the total the database sees fixed:
    # instances x workers x pool_size.
    "pool_size": THREADS_PER_WORKER,
    "max_overflow": 0,
    # A thread that cannot get a connection fails after 5 s instead of the
    # default 30 s, well inside Gunicorn's timeout, so the error says "pool".
    "pool_timeout": 5,
    # Test each connection with a cheap round trip at checkout: a connection
    # the database, a failover or a firewall closed is replaced, not used.
    "pool_pre_ping": True,
    # Replace connections older than 30 minutes (load balancers and some
    # managed databases drop long-lived idle connections).
    "pool_recycle": 1800,
}

# Server-side limits for every session this engine opens, in milliseconds.
# statement_timeout cancels a query that runs too long; lock_timeout gives up
# waiting for a row lock; idle_in_transaction_session_timeout ends a session
# that opened a transaction and went quiet (a request that queried, then
# called a slow API while still holding its connection).
SESSION_LIMITS_MS = {
    "statement_timeout": 5_000,
    "lock_timeout": 2_000,
    "idle_in_transaction_session_timeout": 15_000,
}


def libpq_options(limits: dict[str, int] = SESSION_LIMITS_MS) -> str:
    """The libpq ``options`` string that sets each limit when a connection opens.

    >>> libpq_options({"statement_timeout": 5000})
    '-c statement_timeout=5000'
    """
    return " ".join(f"-c {name}={value}" for name, value in limits.items())


def postgres_engine(url: str | None = None) -> Engine:
    """The production engine: PostgreSQL through psycopg 3, limits set at connect.

    Not called at import. The psycopg dialect imports the driver when the
    engine is created, so this needs ``pip install "psycopg[binary]"``.
    Behind PgBouncer in transaction mode use :func:`pgbouncer_engine`.
    """
    return create_engine(
        url or os.environ["DATABASE_URL"],  # postgresql+psycopg://app:…@db:5432/app
        connect_args={"options": libpq_options()},
        **POOL_OPTIONS,
    )


def pgbouncer_engine(url: str | None = None) -> Engine:
    """The same engine pointed at PgBouncer in transaction pooling mode.

    PgBouncer rejects a startup ``options`` parameter it does not track, and
    cannot keep session state such as a SET between transactions, so set the
    limits on the database role instead:

        ALTER ROLE app SET statement_timeout = '5s';

    psycopg 3 prepares a statement after running it five times on a
    connection; PgBouncer before 1.21, or with max_prepared_statements = 0
    (its default before 1.24), cannot follow prepared statements across
    server connections, so turn preparation off there with
    prepare_threshold=None. With 1.21 or later and the setting above 0,
    drop that connect argument and keep the prepared plans.
    """
    return create_engine(
        url or os.environ["PGBOUNCER_URL"],  # postgresql+psycopg://app:…@pgbouncer:6432/app
        connect_args={"prepare_threshold": None},
        **POOL_OPTIONS,
    )


# The same settings for Flask-SQLAlchemy: app.config.update(FLASK_SQLALCHEMY_CONFIG)
FLASK_SQLALCHEMY_CONFIG = {
    "SQLALCHEMY_ENGINE_OPTIONS": {**POOL_OPTIONS, "connect_args": {"options": libpq_options()}},
}


def demo_checkout_timeout(path: str = "pool-demo.db") -> None:
    """Two threads, a pool of one: the second thread waits pool_timeout, then fails."""
    engine = create_engine(f"sqlite:///{path}", pool_size=1, max_overflow=0, pool_timeout=0.5)
    held = threading.Event()
    done = threading.Event()

    def hold_connection() -> None:
        with engine.connect() as conn:  # checks out the pool's only connection
            conn.execute(text("SELECT 1"))
            held.set()
            done.wait(5)

    holder = threading.Thread(target=hold_connection)
    holder.start()
    held.wait(5)
    started = time.perf_counter()
    try:
        with engine.connect():
            print("checked out a second connection (unexpected)")
    except PoolTimeout as exc:
        waited = time.perf_counter() - started
        print(f"second checkout failed after {waited:.2f} s: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    finally:
        done.set()
        holder.join()
        engine.dispose()


if __name__ == "__main__":
    demo_checkout_timeout()
