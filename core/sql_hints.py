"""Planner hints that render only where the database understands them.

SQLite with planner statistics (``ANALYZE``, or ``PRAGMA optimize`` run by an
operator) cannot estimate how many rows ``column IN (SELECT ...)`` keeps, and
takes it for unselective: a dashboard's "calls and meetings per owner" over a
million activities skip-scanned the owner index and read every row of the
year (1.5 s) instead of the two activity types' ranges of the covering
(type, due date, owner) index (0.2 s). Without statistics it already guesses
such a term selective; :func:`selective` says so with statistics too.
Other databases get the bare condition.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

#: The probability SQLite is told a selective term is true for a row.
SELECTIVE_LIKELIHOOD = 0.05


class _Selective(ColumnElement):
    """A boolean condition the planner should expect to keep few rows."""

    type = sa.types.NullType()
    inherit_cache = True
    # The condition is part of the statement's cache key and of every traversal (correlation, copies).
    _traverse_internals = [("condition", InternalTraversal.dp_clauseelement)]

    def __init__(self, condition):
        self.condition = condition

    @property
    def _from_objects(self):
        return self.condition._from_objects


def selective(condition) -> ColumnElement[bool]:
    """``condition``, marked as keeping few rows (SQLite: ``likelihood(condition, 0.05)``)."""
    return _Selective(condition)


@compiles(_Selective)
def _selective_default(element, compiler, **kw):
    # Grouped, so a NOT in front applies to the whole condition whatever its operators.
    return compiler.process(sa.sql.expression.Grouping(element.condition), **kw)


@compiles(_Selective, "sqlite")
def _selective_sqlite(element, compiler, **kw):
    return f"likelihood({compiler.process(element.condition, **kw)}, {SELECTIVE_LIKELIHOOD})"
