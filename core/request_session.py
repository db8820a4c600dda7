"""How a request's database session ends: a PostgreSQL transaction that wrote nothing is committed.

Why not simply roll back, as Flask-SQLAlchemy does: psycopg forgets every
prepared statement when it sees a ROLLBACK (a rolled-back transaction may have
dropped what they refer to), so each read-only request planned each of its
statements afresh: 3% of the account card on PostgreSQL in an A/B (10.9 against
10.6 ms), more on a slower machine, where the activity timeline's statement
once took 2.1 ms to plan and 0.29 ms to run. A COMMIT of a
transaction that wrote nothing has the same effect as a rollback, and psycopg
keeps its statements; the pool's reset on return then finds the connection
idle and sends nothing.

"Wrote nothing" means no statement but a SELECT went through the connection
since its transaction began (``before_cursor_execute``), and nothing wrote
around SQLAlchemy: code that writes on the driver's own cursor (the COPY of
:mod:`core.bulk_insert`) says so with :func:`mark_written`. Asking the server
instead (``txid_current_if_assigned()``) was exact but a round trip per
request (0.2 ms of a 7.8 ms list page). A request that failed, or holds unflushed
changes, is rolled back whatever it sent.

What this leaves to the code: a SELECT of a function that writes is taken
for a read. A request that does that and returns without committing keeps
what it wrote, where a rollback would have discarded it.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager

from core.db import db

log = logging.getLogger(__name__)

#: ``Connection.info`` key: True once the current transaction sent anything but a SELECT.
_WROTE = "flowcase_transaction_wrote"

#: Prepared statements psycopg keeps per connection (its default is 100): a worker that serves
#: every section's lists, cards and API runs a few hundred distinct statements, and one evicted
#: from the cache is planned again. Each costs the server a few kilobytes per connection.
PREPARED_PER_CONNECTION = 256


def end_request_session(error: BaseException | None = None) -> None:
    """End the current request's session; commit first when it is an unwritten PostgreSQL transaction.

    Runs at app-context teardown (registered by ``init_app``) and after each
    request of the bench's client. Nothing is committed when the request
    failed, when the session still holds unflushed changes, or when the
    transaction sent anything but a SELECT.
    """
    try:
        if error is None and db.session.registry.has():
            _commit_if_unwritten(db.session())
    finally:
        db.session.remove()


def _commit_if_unwritten(session) -> None:
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    if session.get_bind().dialect.name != "postgresql":
        return
    connection = session.connection()
    if connection.info.get(_WROTE, True):  # unknown counts as written
        return
    import psycopg

    raw = connection.connection.driver_connection
    if not isinstance(raw, psycopg.Connection) or raw.info.transaction_status != psycopg.pq.TransactionStatus.INTRANS:
        return
    try:
        raw.commit()
    except psycopg.Error:
        # The session's own rollback, which follows, cleans up; the request has been answered already.
        log.warning("could not end a read-only transaction with a commit", exc_info=True)


@contextmanager
def read_connection(engine):
    """A connection of ``engine`` for reads, its transaction ended with COMMIT rather than ``engine.connect()``'s ROLLBACK.

    The ROLLBACK made psycopg deallocate every statement prepared on that
    connection, and the pool (last in, first out) hands that very connection to
    the next request: the dashboard's parallel lanes, and the bench's floors
    between two card runs, left it with nothing prepared. A COMMIT of reads
    changes nothing else; a block that fails is still rolled back.
    """
    with engine.begin() as connection:
        yield connection


def mark_written(connection) -> None:
    """Tell the request's end that ``connection``'s transaction wrote around SQLAlchemy (a driver cursor)."""
    connection.info[_WROTE] = True


def _transaction_began(connection) -> None:
    connection.info[_WROTE] = False


def _statement_sent(connection, cursor, statement, parameters, context, executemany) -> None:
    if not executemany and statement.lstrip()[:6].upper() == "SELECT":
        return
    connection.info[_WROTE] = True


def keep_more_prepared_statements(dbapi_connection, connection_record) -> None:
    """Engine ``connect`` listener: let each psycopg connection keep ``PREPARED_PER_CONNECTION`` statements."""
    if type(dbapi_connection).__module__.startswith("psycopg"):
        dbapi_connection.prepared_max = PREPARED_PER_CONNECTION


def init_app(app) -> None:
    """End every app context's session with ``end_request_session``.

    Must be registered after ``db.init_app``: Flask runs teardowns last-registered
    first, and Flask-SQLAlchemy's own teardown (a plain rollback) must find the
    session already ended.
    """
    from sqlalchemy import event

    app.teardown_appcontext(end_request_session)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "postgresql" or event.contains(engine, "begin", _transaction_began):
            return
        event.listen(engine, "connect", keep_more_prepared_statements)
        event.listen(engine, "begin", _transaction_began)
        event.listen(engine, "before_cursor_execute", _statement_sent)
