"""The rows of every detail grid of a card, read in one statement.

Each grid reads its child section through the viewer's rights, newest first,
at most ``limit + 1`` rows (one more tells "show all"), only the columns it
shows (:func:`core.ui.list_query.light_select`). With several grids the reads
are the sides of one UNION ALL: each side fills its own columns and leaves
typed NULLs in the others', so the values come back converted as from the
side's own table, and a card costs one round trip for all its grids instead
of one per grid.
"""
from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa

from core.records import Records
from core.sections import Section
from core.ui.list_query import light_keys, light_select
from core.ui.statements import plain_rows, shared_statement


def detail_rows(records: Records, parent_id: int, grids: list[tuple[Section, str, list]], limit: int) -> list[list]:
    """For each ``(child section, link field, columns)`` its newest ``limit`` rows under ``parent_id``.

    A row answers ``row.id``, ``getattr(row, path)`` for the child's own columns shown and
    ``row.custom`` when a custom field is shown, as :func:`core.ui.display.grid_values` reads them.
    Statements: one, whatever the number of grids (none without grids).
    """
    if not grids:
        return []
    keys = [light_keys(child, columns) for child, _fk, columns in grids]
    shape = tuple((child.name, fk, tuple(k)) for (child, fk, _columns), k in zip(grids, keys))

    def side(child: Section, fk: str, columns):
        return (light_select(records.select(child), child, columns)
                .where(child.table.c[fk] == sa.bindparam("fc_parent_id"))
                .order_by(child.table.c.id.desc()).limit(limit))

    if len(grids) == 1:
        child, fk, columns = grids[0]
        stmt = shared_statement(records, [child], ("detail", shape, limit), lambda: side(child, fk, columns))
        return [plain_rows(records, stmt, {"fc_parent_id": parent_id})]

    def build():
        slots = [(index, key, child.table.c[key].type)
                 for index, ((child, _fk, _columns), grid_keys) in enumerate(zip(grids, keys)) for key in grid_keys]
        sides = []
        for index, (child, fk, columns) in enumerate(grids):
            own = side(child, fk, columns).subquery()
            sides.append(sa.select(
                sa.literal_column(str(index), sa.Integer).label("fc_grid"), own.c.id.label("fc_id"),
                *((own.c[key] if grid == index else sa.cast(sa.null(), type_)).label(f"fc_{grid}_{key}")
                  for grid, key, type_ in slots)))
        # Each side keeps its own order and limit; the outer order puts the grids back one after the other.
        return sa.union_all(*sides).order_by(sa.literal_column("fc_grid"), sa.literal_column("fc_id").desc())

    stmt = shared_statement(records, [grid[0] for grid in grids], ("details", shape, limit), build)
    starts, position = [], 2
    for grid_keys in keys:
        starts.append(position)
        position += len(grid_keys)
    found: list[list] = [[] for _ in grids]
    for row in plain_rows(records, stmt, {"fc_parent_id": parent_id}):
        index = row[0]
        start = starts[index]
        found[index].append(SimpleNamespace(**dict(zip(keys[index], row[start:start + len(keys[index])]))))
    return found
