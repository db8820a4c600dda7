"""Per-process caches of admin configuration, checked by one shared "config generation" statement.

Rights, record rules, column rights, role memberships, custom field
definitions, duplicate rules, automations and process cases are small tables
read by nearly every write (print forms by every list and card). Reading
them per request (one to four queries each) cost more than the write itself,
so each is loaded once per process and database and reused while the
*generation* is unchanged: one statement of aggregates over all those tables
(row count, highest id, sum of versions and latest change of each versioned
table; the pairs of the role memberships; the whole text of the duplicate
rules, which have no version). Any change to any of them, made anywhere
(pages, Flask-Admin, API, CLI, another worker), moves
the generation, so the next transaction of every process reloads.

The generation is computed at most once per transaction and kept in
``session.info``; it is dropped on commit, rollback, and any flush that
touches a watched table, so a transaction that changes the configuration sees
its own change at once. What such a transaction loads is not shared with other
transactions: it may still roll back.
"""
from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

_GENERATION = "flowcase_config_generation"
_DIRTY = "flowcase_config_dirty"
#: (database URL, cache name) -> (generation, value), shared by every transaction of this process.
_SHARED: dict[tuple, tuple[tuple, Any]] = {}
#: The generation's columns and statement, by (dialect name, watched tables present or None for all).
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

    # SectionRight first: its table is the one a statement log names for this statement.
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


def _fingerprint(*aggregates) -> sa.ColumnElement:
    """The aggregates as one comma-separated text (an empty aggregate as nothing between its commas)."""
    parts = []
    for aggregate in aggregates:
        if parts:
            parts.append(sa.literal(",", sa.String))
        parts.append(sa.func.coalesce(sa.cast(aggregate, sa.String), ""))
    result = parts[0]
    for part in parts[1:]:
        result = result.op("||")(part)
    return result


def _statement(present: frozenset | None) -> sa.Select:
    """One column per watched table: its aggregates in a single scan (a subquery per aggregate made
    the database scan each small table four times, on every request)."""
    from core.models.dedup import DedupRule
    from core.security.models import user_role

    columns = []
    for model in _versioned_models():
        if present is not None and model.__tablename__ not in present:
            continue
        columns.append(sa.select(_fingerprint(sa.func.count(), sa.func.max(model.id), sa.func.sum(model.version),
                                              sa.func.max(model.updated_at))).select_from(model).scalar_subquery())
    if present is None or user_role.name in present:
        # Memberships have no version: their count and a sum over (user, role) pairs stand for them.
        pairs = sa.func.sum(sa.cast(user_role.c.user_id, sa.BigInteger) * 1_000_003 + user_role.c.role_id)
        columns.append(sa.select(_fingerprint(sa.func.count(), pairs)).select_from(user_role).scalar_subquery())
    if present is None or DedupRule.__tablename__ in present:
        # Duplicate rules have no version column: their whole (small) text is the fingerprint.
        text = (sa.cast(DedupRule.id, sa.String) + "|" + DedupRule.section + "|" + DedupRule.name + "|"
                + DedupRule.action + "|" + sa.cast(DedupRule.active, sa.String) + "|" + sa.cast(DedupRule.fields, sa.String))
        columns.append(sa.select(sa.func.aggregate_strings(text, "\n")).scalar_subquery())
    return sa.select(*columns) if columns else sa.select(sa.literal(0))


def columns(session: Session) -> list:
    """The generation's columns for this session's database, as SQL text compiled once: building and
    hashing a dozen subqueries per request cost more than running them.

    The aggregates come back joined into one text column: the generation is only ever compared
    for equality, and the driver describing and converting a dozen typed columns on every
    request cost more than the database computing them. Separators keep positions fixed, so
    no two different generations join to the same text.
    """
    bind = session.get_bind()
    present = _present(session, bind.url)
    key = (bind.dialect.name, present)
    found = _COLUMNS.get(key)
    if found is None:
        compiled = [str(column.compile(dialect=bind.dialect, compile_kwargs={"literal_binds": True}))
                    for column in _statement(present).selected_columns]
        joined = " || '|' || ".join(f"COALESCE(CAST({sql} AS TEXT), '')" for sql in compiled)
        found = _COLUMNS[key] = ([sa.literal_column(joined)], sa.text("SELECT " + joined))
    return found[0]


def _text(session: Session) -> sa.TextClause:
    columns(session)
    bind = session.get_bind()
    return _COLUMNS[(bind.dialect.name, _present(session, bind.url))][1]


def generation(session: Session) -> tuple:
    """The configuration's current generation as this transaction sees it (one statement per transaction)."""
    found = session.info.get(_GENERATION)
    if found is not None:
        return found
    with session.no_autoflush:
        values = session.execute(_text(session)).one()
    return prime(session, values)


def prime(session: Session, values) -> tuple:
    """Take the generation from ``values``: the :func:`columns` another statement carried
    (the API key lookup folds them in, saving a round trip per request)."""
    found = session.info[_GENERATION] = (session.get_bind().url, *values)
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


def per_session(key: str) -> str:
    """Register a ``session.info`` key holding a copy of cached configuration: a flush that changes
    the configuration drops it, so the session's next use reads the change."""
    _SESSION_KEYS.add(key)
    return key


def forget(session: Session) -> None:
    """Drop this session's generation, so the next use computes it again (after a change of configuration)."""
    session.info.pop(_GENERATION, None)


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context):
    tables = watched_tables()
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        # A user's roles are written through the User (``user.roles``).
        if table in tables or table == "core_user":
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
