"""Why SQLAlchemy's pool runs dry: how long connections are held, and how many are out.

``watch_pool(engine)`` adds two pool event listeners. Each connection's
checkout time is stored on its pool record; at checkin the hold time is
logged when it is long, and kept in a running summary. With Little's law,
connections in use = checkouts per second × mean hold time, so the summary
tells you whether the pool is too small for the traffic or the connections
are held too long (a session kept open across an HTTP call, a transaction
left idle, a connection never returned).

Nothing connects at import; the demonstration at the bottom uses SQLite
in memory.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import event

log = logging.getLogger(__name__)


class PoolWatch:
    def __init__(self, engine, slow_hold_ms: float = 500.0):
        self.engine, self.slow_hold_ms = engine, slow_hold_ms
        self.lock = threading.Lock()
        self.checkouts = 0
        self.held_ms = 0.0
        self.longest_ms = 0.0
        self.started = time.monotonic()
        event.listen(engine, "checkout", self._checkout)
        event.listen(engine, "checkin", self._checkin)

    def _checkout(self, dbapi_connection, record, proxy):
        record.info["checked_out_at"] = time.monotonic()

    def _checkin(self, dbapi_connection, record):
        since = record.info.pop("checked_out_at", None)
        if since is None:
            return
        held = (time.monotonic() - since) * 1000.0
        with self.lock:
            self.checkouts += 1
            self.held_ms += held
            self.longest_ms = max(self.longest_ms, held)
        if held > self.slow_hold_ms:
            log.warning("connection held %.0f ms (pool: %s)", held, self.engine.pool.status())

    def summary(self) -> dict:
        """Checkout rate, mean hold, and the connections they imply (Little's law) beside the pool's state."""
        with self.lock:
            elapsed = max(time.monotonic() - self.started, 1e-9)
            rate = self.checkouts / elapsed
            mean_hold = self.held_ms / self.checkouts if self.checkouts else 0.0
            pool = self.engine.pool
            return {
                "checkouts_per_s": round(rate, 2),
                "mean_hold_ms": round(mean_hold, 2),
                "longest_hold_ms": round(self.longest_ms, 2),
                "connections_in_use_littles_law": round(rate * mean_hold / 1000.0, 2),
                "pool_status": pool.status(),
            }


def watch_pool(engine, slow_hold_ms: float = 500.0) -> PoolWatch:
    return PoolWatch(engine, slow_hold_ms)


if __name__ == "__main__":
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import QueuePool

    logging.basicConfig(level=logging.INFO)
    engine = create_engine("sqlite://", poolclass=QueuePool, pool_size=2, max_overflow=0, pool_timeout=1)
    watch = watch_pool(engine, slow_hold_ms=100)
    with engine.connect() as conn:
        conn.execute(text("select 1"))
        time.sleep(0.2)  # stands for an HTTP call made while the connection is checked out
    for _ in range(50):
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    print(watch.summary())
