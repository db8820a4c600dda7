"""Per-process caches of admin configuration, checked by one shared "config generation" row.

Rights, record rules, column rights, role memberships, custom field
definitions, duplicate rules, automations and process cases are small tables
read by nearly every write (print forms by every list and card). Reading
them per request (one to four queries each) cost more than the write itself,
so each is loaded once per process and database and reused while the
*generation* is unchanged: the row ``core_config_generation``, whose counter a
trigger on each of those tables moves in the same transaction as any change
(migration ``core_0017``). Any change made anywhere (pages, Flask-Admin, API,
CLI, another worker, plain SQL) moves the generation, so the next transaction
of every process reloads. Where a trigger is missing (a table rebuilt without
it) nothing is shared: each transaction reads the configuration itself.

The generation is read at most once per transaction and kept in
``session.info``; it is dropped on commit, rollback, and any flush that
touches a watched table, so a transaction that changes the configuration sees
its own change at once. What such a transaction loads is not shared with other
transactions: it may still roll back.

A second counter on the same row, the *directory* generation, stands for the
users and saved groups (migration ``core_0018``): list pages show them on every
view (the bulk owner choices, the saved filters) and keep them per process with
:func:`directory_cached`. It is separate so that saving a filter or a login
stamp does not make every worker reload its rights.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

_GENERATION = "flowcase_config_generation"
_DIRECTORY_GENERATION = "flowcase_directory_generation"
_DIRTY = "flowcase_config_dirty"
#: (database URL, cache name) -> (generation, value), shared by every transaction of this process.
_SHARED: dict[tuple, tuple[tuple, Any]] = {}
#: The generation's column and statement, by their SQL.
_COLUMNS: dict = {}
#: Database URLs where every watched table was seen to exist (older databases may lack some).
_COMPLETE: set = set()
#: ``session.info`` keys of per-session copies (see :func:`per_session`), dropped with the generation on a change.
_SESSION_KEYS: set = set()


def _versioned_models() -> tuple:
    from core.automation.models import Automation
    from core.models import CustomField
    from core.printing.models import PrintForm
    from core.process.models import ProcessCase, ProcessStage, ProcessStep
    from core.security.models import ColumnRight, RecordRule, SectionRight

    return (SectionRight, RecordRule, ColumnRight, CustomField, Automation, ProcessCase, ProcessStage, ProcessStep,
            PrintForm)


def watched_tables() -> frozenset:
    """Names of the tables whose rows the generation stands for."""
    global _WATCHED
    if _WATCHED is None:
        from core.models.dedup import DedupRule
        from core.security.models import user_role

        _WATCHED = frozenset([*(m.__tablename__ for m in _versioned_models()), DedupRule.__tablename__, user_role.name])
    return _WATCHED


_WATCHED: frozenset | None = None


def directory_tables() -> frozenset:
    """Names of the tables whose rows the directory generation stands for (migration ``core_0018``)."""
    return _DIRECTORY_TABLES


_DIRECTORY_TABLES = frozenset(("core_user", "core_record_group"))


def _present(session: Session, url) -> frozenset | None:
    """The watched tables this database has; None when it has all of them (the usual case, checked once)."""
    if url in _COMPLETE:
        return None
    with session.no_autoflush:
        names = set(sa.inspect(session.connection()).get_table_names())
    present = frozenset(watched_tables() & names)
    if present == watched_tables():
        _COMPLETE.add(url)
        return None
    return present


def table_present(session: Session, name: str) -> bool:
    """Whether the database has the watched table ``name`` (checked once per process for a complete database)."""
    url = session.get_bind().url
    present = _present(session, url)
    return present is None or name in present


@dataclass(frozen=True)
class _Counter:
    """One counter of the generation row and the triggers that move it."""

    column: str
    #: The trigger's name on PostgreSQL (one per table, statement-level).
    pg_trigger: str
    #: The triggers' name prefix on SQLite (``<prefix><table>_<insert|update|delete>``).
    sqlite_prefix: str
    tables: Callable[[], frozenset]

    @property
    def sql(self) -> str:
        """The counter's text: the row's token (drawn when the database was made) and the counter."""
        return f"(SELECT token || ':' || CAST({self.column} AS VARCHAR(20)) FROM core_config_generation WHERE id = 1)"


#: The configuration's counter (migration ``core_0017``) and the directory's (``core_0018``).
_CONFIG = _Counter("counter", "core_config_generation_bump", "core_config_generation_", watched_tables)
_DIRECTORY = _Counter("directory", "core_directory_generation_bump", "core_directory_generation_", directory_tables)
#: What stands for a generation where its triggers are not all there: NULL, which shares nothing.
_NO_COUNTER_SQL = "NULL"
#: ``(database URL, counter column)`` where the generation row and every trigger of that counter were seen.
_TRIGGERED: set = set()
#: Database URLs already warned about missing triggers.
_WARNED: set = set()


def _triggers_ready(session: Session, url, counter: _Counter = _CONFIG) -> bool:
    """Whether the generation row exists and every table of ``counter`` has its trigger (checked until it holds).

    A table rebuilt without its triggers (SQLite's way of altering a table) would otherwise leave
    the counter still while its rows change, and every process would keep stale rows.
    """
    if (url, counter.column) in _TRIGGERED:
        return True
    bind = session.get_bind()
    with session.no_autoflush:
        if not sa.inspect(session.connection()).has_table("core_config_generation"):
            return False
        if bind.dialect.name == "postgresql":
            # Only this schema's tables: tests give each worker a schema of its own with the same names.
            found = set(session.scalars(sa.text(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = :name AND c.relnamespace = current_schema()::regnamespace"), {"name": counter.pg_trigger}))
            ready = counter.tables() <= found
        elif bind.dialect.name == "sqlite":
            names = set(session.scalars(sa.text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND substr(name, 1, :length) = :prefix"),
                {"length": len(counter.sqlite_prefix), "prefix": counter.sqlite_prefix}))
            ready = all(f"{counter.sqlite_prefix}{table}_{operation}" in names
                        for table in counter.tables() for operation in ("insert", "update", "delete"))
        else:
            ready = False
    if ready:
        _TRIGGERED.add((url, counter.column))
    elif (url, counter.column) not in _WARNED:
        _WARNED.add((url, counter.column))
        logger.warning("%s generation: triggers missing on %s; its rows are read per transaction",
                       "configuration" if counter is _CONFIG else "directory",
                       bind.url.render_as_string(hide_password=True))
    return ready


def _compiled(session: Session) -> tuple[list, sa.TextClause]:
    """The generations' columns (configuration, directory) and their own statement: each counter's text, or
    NULL (share nothing) where its triggers are not all there. Built once: building a statement per request
    costs as much as running it."""
    url = session.get_bind().url
    sql = tuple(counter.sql if _triggers_ready(session, url, counter) else _NO_COUNTER_SQL
                for counter in (_CONFIG, _DIRECTORY))
    found = _COLUMNS.get(sql)
    if found is None:
        found = _COLUMNS[sql] = ([sa.literal_column(part) for part in sql], sa.text("SELECT " + ", ".join(sql)))
    return found


def columns(session: Session) -> list:
    """The generations as two text columns, for a statement that carries them (:func:`prime` takes them back)."""
    return _compiled(session)[0]


def generation(session: Session) -> tuple:
    """The configuration's current generation as this transaction sees it (one statement per transaction)."""
    found = session.info.get(_GENERATION)
    if found is not None:
        return found
    with session.no_autoflush:
        values = session.execute(_compiled(session)[1]).one()
    return prime(session, values)


def prime(session: Session, values) -> tuple:
    """Take the generations from ``values``: the :func:`columns` another statement carried
    (the API key lookup folds them in, saving a round trip per request). Returns the configuration's."""
    url = session.get_bind().url
    # No counter to trust: a generation no other transaction has.
    session.info[_DIRECTORY_GENERATION] = (url, values[1] if values[1] is not None else object())
    found = session.info[_GENERATION] = (url, values[0] if values[0] is not None else object())
    return found


def directory_generation(session: Session) -> tuple:
    """The directory's current generation (users, saved groups) as this transaction sees it."""
    found = session.info.get(_DIRECTORY_GENERATION)
    if found is None:
        generation(session)
        found = session.info[_DIRECTORY_GENERATION]
    return found


def cached(session: Session, name: str, load: Callable[[Session], Any]) -> Any:
    """``load(session)``'s result, shared by this process's transactions while the generation is unchanged.

    ``load`` must return data that outlives the session (plain values, not ORM
    objects) and that nobody mutates, except by adding derived entries that
    depend only on the configuration.
    """
    current = generation(session)
    key = (current[0], name)
    entry = _SHARED.get(key)
    if entry is not None and entry[0] == current:
        return entry[1]
    value = load(session)
    if not session.info.get(_DIRTY):
        _SHARED[key] = (current, value)
    return value


def directory_cached(session: Session, key: tuple, load: Callable[[], Any]) -> Any:
    """``load()``'s result, shared by this process's transactions while both generations stand still.

    For rows read from the directory tables only (:func:`directory_tables`) through a viewer's
    rights, which come from the configuration: ``key`` must name everything else the rows depend
    on (the statement's shape, its rights condition with its values, its parameters). At most
    :data:`DIRECTORY_KEPT` results are kept; past that the store starts again.
    """
    current = (generation(session), directory_generation(session))
    full_key = (current[0][0], *key)
    entry = _DIRECTORY_SHARED.get(full_key)
    if entry is not None and entry[0] == current:
        return entry[1]
    value = load()
    if not session.info.get(_DIRTY):
        if len(_DIRECTORY_SHARED) >= DIRECTORY_KEPT:
            _DIRECTORY_SHARED.clear()
        _DIRECTORY_SHARED[full_key] = (current, value)
    return value


#: Directory results kept per process (a few per viewer and section: owner choices, saved filters).
DIRECTORY_KEPT = 4_096
#: (database URL, *key) -> ((configuration generation, directory generation), rows).
_DIRECTORY_SHARED: dict[tuple, tuple[tuple, Any]] = {}


def per_session(key: str) -> str:
    """Register a ``session.info`` key holding a copy of cached configuration: a flush that changes
    the configuration drops it, so the session's next use reads the change."""
    _SESSION_KEYS.add(key)
    return key


def forget(session: Session) -> None:
    """Drop this session's generations, so the next use reads them again (after a change of configuration)."""
    session.info.pop(_GENERATION, None)
    session.info.pop(_DIRECTORY_GENERATION, None)


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context):
    tables = watched_tables()
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        # A user's roles are written through the User (``user.roles``), which is a directory table too.
        if table in tables or table in _DIRECTORY_TABLES:
            session.info[_DIRTY] = True
            forget(session)
            for key in _SESSION_KEYS:
                session.info.pop(key, None)
            return


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    session.info.pop(_DIRTY, None)
    forget(session)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    session.info.pop(_DIRTY, None)
    forget(session)
