"""Reads from a replica, writes to the primary, and read-your-writes for the writer.

A replica replays the primary's changes a little later (its lag), so a user
who has just saved something and reads it back from a replica may not see
it. Here a session routes SELECTs to the replica unless it has written, and
a user who wrote in the last REPLICA_LAG_ALLOWANCE_S seconds reads from the
primary: the timestamp travels in Flask's session cookie.

create_app() connects to nothing; ``python replicas.py`` runs a demonstration
on two SQLite files standing in for the primary and a replica that has not
caught up.
"""

from __future__ import annotations

import os
import time

from flask import Flask, g, jsonify, request
from flask import session as cookie
from sqlalchemy import Delete, Insert, Update, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

# Longer than the replica lag you measure at p99 (pg_stat_replication.replay_lag
# on the primary, or the ReplicaLag metric on RDS), with a margin.
REPLICA_LAG_ALLOWANCE_S = 5.0


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]


class RoutingSession(Session):
    """Writes, and everything after the first write, go to the primary; other reads to the replica."""

    def get_bind(self, mapper=None, clause=None, **kw):
        engines = self.info["engines"]
        if self._flushing or isinstance(clause, (Insert, Update, Delete)):
            self.info["use_primary"] = True  # read what this session wrote from where it wrote it
        return engines["primary"] if self.info.get("use_primary") else engines["replica"]


def create_app(primary_url: str | None = None, replica_url: str | None = None) -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "dev only: set SECRET_KEY in production")
    engines = {
        "primary": create_engine(primary_url or os.environ.get("PRIMARY_URL", "sqlite:///primary.db")),
        "replica": create_engine(replica_url or os.environ.get("REPLICA_URL", "sqlite:///replica.db")),
    }
    app.extensions["engines"] = engines

    @app.before_request
    def open_session():
        recent_write = cookie.get("primary_until", 0) > time.time()
        g.db = RoutingSession(info={"engines": engines, "use_primary": recent_write})

    @app.teardown_request
    def close_session(exc):
        db = g.pop("db", None)
        if db is not None:
            db.close()

    @app.post("/notes")
    def add_note():
        g.db.add(Note(text=request.get_json()["text"]))
        g.db.commit()
        cookie["primary_until"] = time.time() + REPLICA_LAG_ALLOWANCE_S
        return {"status": "saved"}, 201

    @app.get("/notes")
    def list_notes():
        notes = g.db.scalars(select(Note).order_by(Note.id)).all()
        source = "primary" if g.db.info.get("use_primary") else "replica"
        return jsonify(source=source, notes=[n.text for n in notes])

    return app


if __name__ == "__main__":
    app = create_app()
    for engine in app.extensions["engines"].values():
        Base.metadata.create_all(engine)
    writer, reader = app.test_client(), app.test_client()
    writer.post("/notes", json={"text": "hello"})
    print("the writer reads:", writer.get("/notes").get_json())   # primary: sees its note
    print("another user reads:", reader.get("/notes").get_json())  # replica: has not caught up
