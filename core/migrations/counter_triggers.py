"""Triggers that move a counter of ``core_config_generation`` when a table changes (migrations core_0017, core_0018).

PostgreSQL gets one statement-level trigger per table (TRUNCATE included),
calling a function that runs ``bump``; SQLite, which has only row-level
triggers, gets one per table and operation, named ``<prefix><table>_<operation>``.
``core.config_cache`` checks by these names that every table has them.
"""
from __future__ import annotations

from alembic import op

_SQLITE_OPERATIONS = ("insert", "update", "delete")


def create_function(function: str, bump: str) -> None:
    """The PostgreSQL trigger function running ``bump`` (SQLite needs none)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {bump}; RETURN NULL; END $$")


def drop_function(function: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {function}()")


def create_triggers(table: str, *, pg_trigger: str, function: str, sqlite_prefix: str, bump: str) -> None:
    """Make any insert, update or delete on ``table`` run ``bump`` in the same transaction."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE TRIGGER {pg_trigger} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                   f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
    else:
        for operation in _SQLITE_OPERATIONS:
            op.execute(f"CREATE TRIGGER {sqlite_prefix}{table}_{operation} AFTER {operation.upper()} "
                       f"ON {table} BEGIN {bump}; END")


def drop_triggers(table: str, *, pg_trigger: str, sqlite_prefix: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {pg_trigger} ON {table}")
    else:
        for operation in _SQLITE_OPERATIONS:
            op.execute(f"DROP TRIGGER IF EXISTS {sqlite_prefix}{table}_{operation}")
