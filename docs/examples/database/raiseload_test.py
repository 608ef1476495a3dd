"""Catch N+1 queries in tests: every lazy load raises, every query is counted.

The models keep SQLAlchemy's default lazy loading, as most applications do.
The test session adds raiseload("*") to every ORM query it runs, so code that
touches a relationship it did not eager-load fails the test with
InvalidRequestError instead of quietly issuing one query per row.

Run with pytest, or with ``python raiseload_test.py``; an in-memory SQLite
database, nothing to install beyond SQLAlchemy.
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import ForeignKey, create_engine, event, select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import (DeclarativeBase, Mapped, Session, mapped_column, raiseload, relationship,
                            selectinload)


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    customer: Mapped[Customer] = relationship()  # lazy="select", the default


# The code under test: the first version touches order.customer on every row.

def order_lines_naive(session: Session) -> list[str]:
    return [f"{o.id}: {o.customer.name}" for o in session.scalars(select(Order).order_by(Order.id))]


def order_lines(session: Session) -> list[str]:
    query = select(Order).options(selectinload(Order.customer)).order_by(Order.id)
    return [f"{o.id}: {o.customer.name}" for o in session.scalars(query)]


# Test helpers.

@contextmanager
def strict_session(orders: int = 50):
    """A session over fresh data that forbids lazy loads and counts statements."""
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as setup:
        customers = [Customer(name=f"customer {i}") for i in range(10)]
        setup.add_all(customers)
        setup.add_all(Order(customer=customers[i % 10]) for i in range(orders))
        setup.commit()

    statements: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    session = Session(engine)

    @event.listens_for(session, "do_orm_execute")
    def forbid_lazy_loads(state):
        # Options given by the code (selectinload above) win over the wildcard.
        if state.is_select:
            state.statement = state.statement.options(raiseload("*"))

    try:
        yield session, statements
    finally:
        session.close()
        engine.dispose()


def test_the_naive_listing_is_caught():
    with strict_session() as (session, _):
        try:
            order_lines_naive(session)
        except InvalidRequestError as exc:
            assert "lazy='raise'" in str(exc)
        else:
            raise AssertionError("a lazy load went unnoticed")


def test_the_eager_listing_runs_two_queries_for_any_number_of_rows():
    for orders in (5, 500):
        with strict_session(orders) as (session, statements):
            assert len(order_lines(session)) == orders
            assert len(statements) == 2, statements  # the orders, then their customers


def test_without_the_guard_the_naive_listing_runs_one_query_per_customer():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        customers = [Customer(name=f"c{i}") for i in range(50)]
        session.add_all(Order(customer=c) for c in customers)
        session.commit()
        session.expire_all()
        statements: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        order_lines_naive(session)
        assert len(statements) == 1 + 50  # the N+1: one per distinct customer
    engine.dispose()


if __name__ == "__main__":
    for name, check in list(globals().items()):
        if name.startswith("test_"):
            check()
            print("passed:", name)
