"""Page statements built once per process when the viewer's rights add no condition to them.

Building a SELECT (columns, joins, conditions, order) and working out its
cache key cost a page more than running it: a card reads a dozen. What varies
from page to page is bound as parameters (the record's id, the ids whose names
are shown), so the statement itself only depends on its shape and on the
rights clauses, which :meth:`core.records.Records.filters` gives per request:
they are part of the memo's key with their bound values (a salesperson's
"own records" condition carries the user's id), so a statement is only ever
reused for the very same condition. SQLAlchemy remembers a statement object's
cache key, so a reused statement also skips that work.
"""
from __future__ import annotations

import weakref
from typing import Callable, Hashable, Iterable

import sqlalchemy as sa

from core.records import Records
from core.sections import Section

#: Per section registry (one per app): ``{key: statement}``.
_BUILT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: Past this many shapes per app the memo starts again (keys are made of code-chosen shapes, never values).
MAX_STATEMENTS = 2_000


def shared_statement(records: Records, sections: Iterable[Section | str], key: Hashable, build: Callable):
    """``build()``'s statement, built once per process and app for each rights condition of ``sections``.

    A viewer whose rights add no condition shares the statement with every such viewer; a
    condition (own records, a record rule with ``$me``) is part of the key with its values, so
    only viewers with that very condition share it; one that cannot be keyed is built every time.

    :param sections: every section ``build`` reads through ``records.select`` (their read rights).
    :param key: what else the statement's shape depends on (never a value the user chose: those are
        parameters); the section names are part of the key.
    :param build: makes the statement; it must bind varying values as parameters.
    """
    return _shared(records, sections, key, build)[0]


def shared_rows(records: Records, sections: Iterable[Section | str], key: Hashable, build: Callable,
                params: dict | None = None) -> list:
    """The rows of :func:`shared_statement`'s statement with ``params``, as plain (ORM-free) rows.

    When the statement reads nothing but the directory (users and saved groups,
    :func:`core.config_cache.directory_tables`) its rows are kept per process
    while the configuration and the directory stand still: the same viewer's
    rights condition, the same parameters, the same rows. Anything else runs
    every time.
    """
    statement, full_key = _shared(records, sections, key, build)

    def run() -> list:
        return plain_rows(records, statement, params)

    if full_key is None or not _reads_directory_only(statement):
        return run()
    from core import config_cache

    return config_cache.directory_cached(records.session, ("rows", full_key, tuple(sorted((params or {}).items()))), run)


def plain_rows(records: Records, statement, params: dict | None = None) -> list:
    """The rows of a statement of columns (not of entities), read on the session's connection.

    ``session.execute`` would set up the ORM's execution context (loader options, identity
    map bookkeeping) for entities; for plain columns that cost about as much as the statement.
    Pending changes are flushed first, as ``session.execute`` would.
    """
    session = records.session
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params or {}).all()


def _shared(records: Records, sections: Iterable[Section | str], key: Hashable, build: Callable) -> tuple:
    """``(statement, its key in the memo)``; the key is None when the rights cannot be keyed (built every time)."""
    sections = [records.section(s) for s in sections]
    rights = _rights_key([clause for section in sections for clause in records.filters(section)])
    if rights is None:
        return build(), None
    registry = records.state.sections
    built = _BUILT.get(registry)
    if built is None:
        built = _BUILT[registry] = {}
    full_key = (tuple(s.name for s in sections), key, rights)
    statement = built.get(full_key)
    if statement is None:
        if len(built) >= MAX_STATEMENTS:
            built.clear()
        statement = built[full_key] = build()
    return statement, full_key


def _reads_directory_only(statement) -> bool:
    """Whether every table ``statement`` reads (rights subqueries included) is a directory table; once per statement.

    Raw SQL text in it could read anything, so it never counts as reading only the directory.
    """
    found = _DIRECTORY_ONLY.get(statement)
    if found is None:
        from sqlalchemy.sql import visitors

        from core.config_cache import directory_tables

        tables, opaque = set(), False
        for element in visitors.iterate(statement):
            if isinstance(element, sa.TableClause):
                tables.add(element.name)
            elif isinstance(element, sa.TextClause) or (isinstance(element, sa.ColumnClause) and element.is_literal):
                opaque = True
        found = _DIRECTORY_ONLY[statement] = bool(tables) and not opaque and tables <= directory_tables()
    return found


#: ``{statement: reads only directory tables}``, for as long as the statement is kept (:data:`_BUILT`).
_DIRECTORY_ONLY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _rights_key(clauses: list):
    """What identifies the rights ``clauses``: their SQL shape and bound values; None when they cannot be keyed.

    Two conditions with the same shape and values are the same condition, whoever they were built for.
    """
    if not clauses:
        return ()
    parts = []
    for clause in clauses:
        try:
            cache_key = clause._generate_cache_key()  # SQLAlchemy's own statement cache key: shape, not values
        except AttributeError:
            return None
        if cache_key is None:  # an element that does not take part in caching
            return None
        values = []
        for bind in cache_key.bindparams:
            value = bind.effective_value
            if isinstance(value, list):
                value = tuple(value)
            try:
                hash(value)
            except TypeError:
                return None
            values.append(value)
        parts.append((cache_key.key, tuple(values)))
    return tuple(parts)
