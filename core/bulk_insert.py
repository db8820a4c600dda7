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

import sqlalchemy as sa


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
    dialect = session.get_bind().dialect
    # Whatever the number of rows (a COPY of one row costs what its INSERT costs), so a chunk's statements
    # are the same whatever its size.
    plan = _copy_plan(table, rows) if dialect.name in ("postgresql", "sqlite") else None
    if plan is None:
        session.execute(insert_statement(table), rows)
        return
    columns = plan[0] + [column for column, _make in plan[1]]
    names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
    target = dialect.identifier_preparer.format_table(table)
    if dialect.name == "sqlite":
        # The rows as tuples to the driver's executemany: SQLAlchemy's compiled INSERT built a parameter
        # dict per row (its construct_params), which cost more than SQLite's work on the row.
        marks = ", ".join("?" * len(columns))
        session.connection().exec_driver_sql(f"INSERT INTO {target} ({names}) VALUES ({marks})",
                                             list(_values(plan, rows, dialect)))
        return
    cursor = session.connection().connection.driver_connection.cursor()
    try:
        with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for values in _values(plan, rows, dialect):
                copy.write_row(values)
    finally:
        cursor.close()


def _values(plan, rows: list[dict], dialect):
    """Each row's values in the plan's column order, defaults filled in, through the columns' bind processing."""
    given, defaults = plan
    columns = given + [column for column, _make in defaults]
    # Only the columns whose type processes values (dates on SQLite, JSON) are visited per row.
    processors = [(index, process) for index, column in enumerate(columns)
                  if (process := column.type._cached_bind_processor(dialect)) is not None]
    keys = [column.key for column in given]
    makers = [make for _column, make in defaults]
    for row in rows:
        values = [row[key] for key in keys]
        if makers:
            values += [make() for make in makers]
        for index, process in processors:
            values[index] = process(values[index])
        yield tuple(values)


def _copy_plan(table: sa.Table, rows: list[dict]):
    """``(columns given, [(column, its Python default)])``, or None when COPY cannot do what an INSERT does."""
    keys = rows[0].keys()
    if any(row.keys() != keys for row in rows) or any(key not in table.c for key in keys):
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
