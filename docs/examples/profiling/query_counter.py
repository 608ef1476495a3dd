"""Count the SQL statements and the database time of every request, with SQLAlchemy events.

    flask --app query_counter run
    curl -sI http://127.0.0.1:5000/authors        # x-query-count: 41
    curl -sI http://127.0.0.1:5000/authors/eager  # x-query-count: 2

``before_cursor_execute`` and ``after_cursor_execute`` fire around every
statement an engine sends; the counter keeps the count and the time per
request in ``flask.g`` and reports them as ``X-Query-Count`` and
``Server-Timing: db;dur=…``. A request over ``QUERY_WARNING`` statements is
logged: forty nearly identical SELECTs on one page are an N+1 pattern.
``count_queries()`` is the same counter for tests: assert that a page's
query count stays flat when the data grows.

The engine is in-memory SQLite here so the example runs anywhere; the
listeners are the same for PostgreSQL or MySQL.
"""

import logging
import time
from contextlib import contextmanager

from flask import Flask, g, has_app_context, jsonify, request
from sqlalchemy import ForeignKey, create_engine, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, selectinload
from sqlalchemy.pool import StaticPool

QUERY_WARNING = 20
log = logging.getLogger("query_counter")


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    books: Mapped[list["Book"]] = relationship(back_populates="author")


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"), index=True)
    author: Mapped[Author] = relationship(back_populates="books")


def install_query_counter(engine):
    """Count statements and time them, per request (in ``g``) or per ``count_queries`` block."""

    @event.listens_for(engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("query_start", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):
        elapsed = time.perf_counter() - conn.info["query_start"].pop()
        for tally in _tallies():
            tally["count"] += 1
            tally["seconds"] += elapsed


_blocks = []  # tallies of open count_queries() blocks


def _tallies():
    found = list(_blocks)
    if has_app_context() and "queries" in g:
        found.append(g.queries)
    return found


@contextmanager
def count_queries():
    """``with count_queries() as q: ...`` then ``q["count"]``, ``q["seconds"]``."""
    tally = {"count": 0, "seconds": 0.0}
    _blocks.append(tally)
    try:
        yield tally
    finally:
        _blocks.remove(tally)


def create_app():
    app = Flask(__name__)
    engine = create_engine("sqlite+pysqlite:///:memory:", poolclass=StaticPool,
                           connect_args={"check_same_thread": False})
    install_query_counter(engine)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(Author(name=f"Author {i}", books=[Book(title=f"Book {i}.{j}") for j in range(3)])
                        for i in range(40))
        session.commit()

    @app.before_request
    def start_counting():
        g.queries = {"count": 0, "seconds": 0.0}

    @app.after_request
    def report_queries(response):
        tally = g.get("queries")
        if tally is None:
            return response
        response.headers["X-Query-Count"] = str(tally["count"])
        response.headers.add("Server-Timing", f"db;dur={tally['seconds'] * 1000:.1f}")
        if tally["count"] > QUERY_WARNING:
            log.warning("%s %s ran %d queries (%.1f ms)", request.method, request.path, tally["count"],
                        tally["seconds"] * 1000)
        return response

    def listing(authors):
        return jsonify([{"name": a.name, "books": [b.title for b in a.books]} for a in authors])

    @app.get("/authors")
    def authors_lazy():
        with Session(engine) as session:  # 1 query for the authors, then 1 per author's books
            return listing(session.scalars(select(Author)).all())

    @app.get("/authors/eager")
    def authors_eager():
        with Session(engine) as session:  # 2 queries whatever the number of authors
            return listing(session.scalars(select(Author).options(selectinload(Author.books))).all())

    return app


if __name__ == "__main__":
    create_app().run()
