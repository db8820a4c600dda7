"""Many rows into one table in the current transaction: PostgreSQL's COPY, SQLite's executemany of tuples.

A records batch writes a chunk's change-log rows, duplicate keys and import
rows a thousand at a time. psycopg sends an ``executemany`` as one INSERT per
row (pipelined), which cost more than everything else the chunk writes on
PostgreSQL; ``COPY ... FROM STDIN`` sends the same rows as one stream. The
values go through the same bind processing (JSON ``None`` is stored as JSON
``null``, as an INSERT stores it) and the columns' Python defaults are filled
in per row as an INSERT fills them, so the rows stored are the same. On
SQLite the same rows go to the driver as tuples; other databases get one
Core INSERT.
"""
from __future__ import annotations

import json
from datetime import datetime
from operator import itemgetter

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from core.request_session import mark_written


_INSERTS: dict = {}


def insert_statement(table: sa.Table) -> sa.Insert:
    """``INSERT INTO table``, built once per table: SQLAlchemy then reuses its compiled form without
    hashing a new statement on every write."""
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = sa.insert(table)
    return statement


def insert_rows(session, table: sa.Table, rows: list[dict]) -> None:
    """INSERT ``rows`` (dicts with the same keys) into ``table`` through ``session``'s transaction."""
    if not rows:
        return
    keys = list(rows[0].keys())
    if any(row.keys() != rows[0].keys() for row in rows):
        session.execute(insert_statement(table), rows)
        return
    insert_values(session, table, keys, value_tuples(rows, keys))


def value_tuples(mappings, names: list[str]) -> list[tuple]:
    """Each mapping's values of ``names``, in that order, as a tuple (one name included)."""
    getter = itemgetter(*names)
    return [getter(m) for m in mappings] if len(names) > 1 else [(getter(m),) for m in mappings]


def insert_values(session, table: sa.Table, keys: list[str], rows: list[tuple]) -> None:
    """INSERT ``rows`` (tuples of the values of ``keys``, in that order) into ``table``, as :func:`insert_rows`.

    For a caller that has its values in order already (a records batch): no dict per row to build and take apart.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect
    # Whatever the number of rows (a COPY of one row costs what its INSERT costs), so a chunk's statements
    # are the same whatever its size.
    plan = _copy_plan(table, keys) if dialect.name in ("postgresql", "sqlite") else None
    if plan is None:
        session.execute(insert_statement(table), [dict(zip(keys, row)) for row in rows])
        return
    columns = plan[0] + [column for column, _make in plan[1]]
    names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
    target = dialect.identifier_preparer.format_table(table)
    if dialect.name == "sqlite":
        # The rows as tuples to the driver's executemany: SQLAlchemy's compiled INSERT built a parameter
        # dict per row (its construct_params), which cost more than SQLite's work on the row.
        marks = ", ".join("?" * len(columns))
        session.connection().exec_driver_sql(f"INSERT INTO {target} ({names}) VALUES ({marks})",
                                             _values(plan, rows, dialect))
        return
    connection = session.connection()
    mark_written(connection)  # the COPY goes around SQLAlchemy's statement events
    cursor = connection.connection.driver_connection.cursor()
    try:
        with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for values in _values(plan, rows, dialect):
                copy.write_row(values)
    finally:
        cursor.close()


def _values(plan, rows: list[tuple], dialect) -> list[tuple]:
    """Each row's values in the plan's column order, defaults filled in, through the columns' bind processing."""
    given, defaults = plan
    columns = given + [column for column, _make in defaults]
    # Only the columns whose type processes values (dates on SQLite, JSON) are visited per row.
    processors = [(index, process) for index, column in enumerate(columns)
                  if (process := _bind_processor(column, dialect)) is not None]
    makers = [make for _column, make in defaults]
    if not makers and not processors:
        return rows if isinstance(rows[0], tuple) else [tuple(row) for row in rows]
    result = []
    for row in rows:
        values = list(row)
        if makers:
            values += [make() for make in makers]
        for index, process in processors:
            values[index] = process(values[index])
        result.append(tuple(values))
    return result


def _copy_plan(table: sa.Table, keys: list[str]):
    """``(columns given, [(column, its Python default)])``, or None when COPY cannot do what an INSERT does."""
    if any(key not in table.c for key in keys):
        return None
    given = [table.c[key] for key in keys]
    defaults = []
    for column in table.columns:
        default = column.default
        if column.key in keys or default is None:
            continue  # given, or NULL / the server's default (a serial id) as with an INSERT
        if default.is_callable:
            defaults.append((column, lambda default=default: default.arg(None)))
        elif default.is_scalar:
            defaults.append((column, lambda default=default: default.arg))
        else:
            return None  # a SQL expression or a sequence: left to an INSERT
    return given, defaults


def _bind_processor(column: sa.Column, dialect):
    """The column's bind processing; for an empty JSON object, JSON null and SQLite's DATETIME text, the same text faster.

    SQLAlchemy formats each timestamp from a dict of its seven parts (about 3 us); a batch writes
    three or four per row. ``isoformat`` gives the same ``YYYY-MM-DD HH:MM:SS.ffffff`` (the time zone
    cut off, as SQLAlchemy drops it), and a chunk's rows often share one timestamp object (the
    change log's), formatted once.
    """
    process = column.type._cached_bind_processor(dialect)
    if process is not None and type(column.type) is sa.JSON:
        if dialect.name == "postgresql":
            return _json_text(column.type, dialect, process)
        # Serialised once: every imported record's empty ``custom``, and the change log's empty old value.
        empty, null = process({}), process(None)

        def as_json(value):
            if value is None:
                return null
            return empty if type(value) is dict and not value else process(value)

        return as_json
    if (process is None or dialect.name != "sqlite" or isinstance(column.type, sa.types.TypeDecorator)
            or type(column.type.dialect_impl(dialect)) is not sqlite.DATETIME
            or column.type.dialect_impl(dialect)._storage_format != sqlite.DATETIME._storage_format):
        return process
    last = [None, None]

    def as_text(value):
        if value is last[0] and value is not None:
            return last[1]
        if type(value) is datetime:
            text = value.isoformat(" ", "microseconds")[:26]
        else:
            text = process(value)
        last[0], last[1] = value, text
        return text

    return as_text


def _json_text(json_type: sa.JSON, dialect, process):
    """PostgreSQL's JSON values as the text COPY reads: psycopg's ``Json`` wrapper, which SQLAlchemy's
    processing gives, costs three times the serialising itself when COPY dumps it (5.4 against 1.4 us
    per row of three values). The same serializer (the engine's, or json.dumps as psycopg's default), so
    the same text; an empty object, every imported record's ``custom``, serialised once."""
    serialize = getattr(dialect, "_json_serializer", None) or json.dumps
    empty, null = serialize({}), None if json_type.none_as_null else serialize(None)

    def as_text(value):
        kind = type(value)
        if kind is dict:
            return serialize(value) if value else empty
        if kind is list or kind is str:
            return serialize(value)
        if value is None:
            return null
        return process(value)  # JSON.NULL, sql null() and the like: as SQLAlchemy has them

    return as_text
