"""Page statements built once per process when the viewer's rights add no condition to them.

Building a SELECT (columns, joins, conditions, order) and working out its
cache key cost a page more than running it: a card reads a dozen. What varies
from page to page is bound as parameters (the record's id, the ids whose names
are shown), so the statement itself only depends on its shape and on the
rights clauses, which :meth:`core.records.Records.filters` gives per request
(a user whose rights limit a section still gets a statement built for them,
every time: their clause carries their own values). SQLAlchemy remembers a
statement object's cache key, so a reused statement also skips that work.
"""
from __future__ import annotations

import weakref
from typing import Callable, Hashable, Iterable

from core.records import Records
from core.sections import Section

#: Per section registry (one per app): ``{key: statement}``.
_BUILT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: Past this many shapes per app the memo starts again (keys are made of code-chosen shapes, never values).
MAX_STATEMENTS = 2_000


def shared_statement(records: Records, sections: Iterable[Section | str], key: Hashable, build: Callable):
    """``build()``'s statement, built once per process and app when none of ``sections`` is limited for the viewer.

    :param sections: every section ``build`` reads through ``records.select`` (their read rights).
    :param key: what else the statement's shape depends on (never a value the user chose: those are
        parameters); the section names are part of the key.
    :param build: makes the statement; it must bind varying values as parameters.
    """
    sections = [records.section(s) for s in sections]
    if any(records.filters(s) for s in sections):
        return build()
    registry = records.state.sections
    built = _BUILT.get(registry)
    if built is None:
        built = _BUILT[registry] = {}
    full_key = (tuple(s.name for s in sections), key)
    statement = built.get(full_key)
    if statement is None:
        if len(built) >= MAX_STATEMENTS:
            built.clear()
        statement = built[full_key] = build()
    return statement
