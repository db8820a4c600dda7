"""The declarative base every model uses, the shared ``db`` extension, and record columns.

Constraint names follow one convention so that Alembic migrations written by
different add-ons can drop and alter them by name on SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, MetaData, String, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def machine_text(length: int) -> String:
    """A string column of machine keys (section names, file hashes, duplicate keys): compared byte by byte.

    On PostgreSQL such a column gets ``COLLATE "C"``: its indexes compare with
    memcmp instead of the locale's rules, which were half the cost of writing a
    duplicate key (an import writes two per row). Nobody sorts these for
    reading, and equality means the same bytes either way.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def utcnow() -> datetime:
    """Timezone-aware now in UTC; every stored timestamp is UTC."""
    return datetime.now(timezone.utc)


class RecordMixin:
    """Columns every business record has: id, optimistic-lock version, audit stamps, custom fields.

    ``version`` is SQLAlchemy's ``version_id_col``: an UPDATE whose row changed
    underneath it matches no row and raises, so a lost update cannot happen
    even between two processes.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    #: Values of admin-defined custom fields, keyed by field name.
    custom: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)

    @declared_attr
    def created_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("core_user.id", ondelete="SET NULL"), nullable=True)

    @declared_attr
    def updated_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("core_user.id", ondelete="SET NULL"), nullable=True)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, WAL for concurrent readers, and real transactions.

    pysqlite opens transactions lazily and never around DDL, which breaks
    savepoints and all-or-nothing add-on installs; turning its own handling off
    and emitting BEGIN ourselves (``_sqlite_begin``) is SQLAlchemy's documented fix.
    """
    if not type(dbapi_connection).__module__.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


#: Request methods that write: their transactions take SQLite's write lock when they begin.
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


#: ``Connection.info`` key: SQLite's count of changed rows when the transaction began.
_CHANGES_AT_BEGIN = "flowcase_sqlite_changes_at_begin"


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing_request() else "BEGIN")
        connection.info[_CHANGES_AT_BEGIN] = connection.connection.driver_connection.total_changes


def end_unwritten_sqlite_transaction(session) -> None:
    """Commit ``session``'s SQLite transaction when it has changed nothing, so it holds no lock.

    A job run in immediate mode (tests, the bench) runs inside its caller, in a
    session of its own. A write request's transaction holds the write lock from
    its first statement (``_sqlite_begin``), so a caller that merely read after
    its last commit (an expired attribute reloads) would make the job wait for a
    lock its own caller holds. A transaction that wrote is left alone: its job
    could not see the uncommitted rows anyway, and it was queued too early.
    """
    if session.get_bind().dialect.name != "sqlite" or not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted:
        return
    connection = session.connection()
    if connection.connection.driver_connection.total_changes == connection.info.get(_CHANGES_AT_BEGIN):
        session.commit()


def _writing_request() -> bool:
    """Whether this transaction serves a request that writes.

    A transaction that read and then writes cannot wait for the write lock: when
    another connection committed meanwhile, SQLite refuses the write at once
    (SQLITE_BUSY_SNAPSHOT), and two workers creating records side by side
    answered 409 to each other. Taken when the transaction begins, the lock is
    waited for (``busy_timeout``) and writers queue; readers are not held up (WAL).
    """
    from flask import has_request_context, request

    return has_request_context() and request.method in _WRITE_METHODS
