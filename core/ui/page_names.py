"""A list page's rows and the display names of their lookups in one statement (PostgreSQL).

:func:`core.ui.display.lookup_names` asks for the names a page shows once the
rows are in: a second round trip, with an ``IN`` list whose length changes
from page to page, so PostgreSQL parses and plans a new text every time (it
cost more than the rows). Here each lookup column's name is a correlated
scalar subquery of the page's own select, read through the target section's
rights-limited select (a record the user may not read still shows as
``#id``); PostgreSQL evaluates such columns after ORDER BY and LIMIT, for the
page's rows only. Lookups this cannot fold (custom or extension fields, a
title that is a Python property, a non-text name, the list's own table), deep
pages and SQLite are named by ``lookup_names`` as before.
"""
from __future__ import annotations

import sqlalchemy as sa

from core.records import Records
from core.sections import Section
from core.ui.display import _is_text, _name_column, lookup_names, lookup_target

#: PostgreSQL looks the names up for the rows OFFSET skips too: past the first pages, 50 rows
#: would cost thousands of lookups, and the names' own statement is cheaper.
MAX_FOLDED_OFFSET = 100
#: Prefix of the name columns added to the page's rows (never a field path: paths have no "fc_").
NAME_PREFIX = "fc_name_"


def foldable_lookups(section: Section, columns) -> list:
    """The shown lookup columns whose target's name can be read next to the rows (own column, text title)."""
    found = []
    for info in columns:
        if info.type != "lookup" or info.custom or info.extension is not None or info.column is None:
            continue
        if info.path not in section.table.c:
            continue
        table, target = lookup_target(info)
        if table is section.table:  # a parent of the same section: its subquery would correlate to itself
            continue
        column = _name_column(table, target)
        if column is not None and _is_text(column):
            found.append(info)
    return found


def page_with_names(records: Records, section: Section, query: sa.Select, offset: int, columns,
                    known: dict | None = None) -> tuple[list, dict]:
    """``query``'s rows (ordered and paged) and ``{table name: {id: text}}`` for every lookup shown.

    :param query: the page's light select with its ORDER BY, LIMIT and OFFSET.
    :param offset: the OFFSET of ``query``: past :data:`MAX_FOLDED_OFFSET` the names are a statement of their own.
    :param known: ``{table name: {id: text}}`` of every row of a target the page has read already, through
        the same rights and with the same texts (the bulk owner choices: every user): lookups to those
        tables are named from it instead of asked for again.
    Statements: one, plus one for lookups that cannot be folded (see the module's docstring).
    """
    known = known or {}
    if known:
        columns = [info for info in columns if info.type != "lookup" or lookup_target(info)[0].name not in known]
    folded = foldable_lookups(section, columns) if offset <= MAX_FOLDED_OFFSET and _folds(records) else []
    if not folded:
        rows = list(records.session.execute(query))
        names = lookup_names(records, columns, [row._asdict() for row in rows])
        return rows, {**names, **known}
    rows = list(records.session.execute(query.add_columns(*_name_columns(records, section, folded))))
    result: dict[str, dict] = {}
    for info in folded:
        target_table, _target = lookup_target(info)
        named = result.setdefault(target_table.name, {})
        label = f"{NAME_PREFIX}{info.path}"
        for row in rows:
            mapping = row._mapping
            value = mapping[info.path]
            if value is None:
                continue
            text = mapping[label]
            if text is not None:  # a readable target; one the user may not read stays out (shown as #id)
                named[value] = text if text != "" else f"#{value}"
    rest = [info for info in columns if info not in folded]
    if any(info.type == "lookup" for info in rest):
        for table_name, found in lookup_names(records, rest, [row._asdict() for row in rows]).items():
            result.setdefault(table_name, {}).update(found)
    return rows, {**result, **known}


def _folds(records: Records) -> bool:
    """Whether names ride on the page's select: on PostgreSQL, which evaluates them after ORDER BY and LIMIT.

    SQLite computes every result column before it sorts, so a list sorted without an index
    would look up names for every matching row, not just the page's 50.
    """
    return records.session.get_bind().dialect.name == "postgresql"


def _name_columns(records: Records, section: Section, folded: list) -> tuple:
    """A correlated ``(SELECT name ...) AS fc_name_<path>`` per folded lookup, built once per shape and rights."""
    from core.ui.statements import shared_statement

    targets = [lookup_target(info) for info in folded]

    def build():
        built = []
        for info, (target_table, target) in zip(folded, targets):
            name = _name_column(target_table, target)
            base = records.select(target) if target is not None else sa.select(target_table)
            built.append(base.with_only_columns(name).where(target_table.c.id == section.table.c[info.path])
                         .correlate(section.table).scalar_subquery().label(f"{NAME_PREFIX}{info.path}"))
        return tuple(built)

    sections = [section, *(target for _table, target in targets if target is not None)]
    return shared_statement(records, sections, ("page names", tuple(info.path for info in folded)), build)


