"""Merging two records of a section: keep one, fill its gaps from the other, move every reference, retire the other.

References are found in the SQLAlchemy metadata, not hard-coded per add-on:

- every foreign key of any table that points at the section's table (an
  account's contacts, an activity's ``contact_id``, another add-on's links);
- generic links: tables with a ``section`` and a ``record_id`` column (an
  activity "regarding" a record), other than the core's own bookkeeping;
- extension rows of the section are merged as fields (they are the record's own).

Rows of sections move through the records service (rights of the acting user
are checked on the two merged records; references move as sudo, because a
reference the user cannot see must not be lost). Rows of plain tables
(many-to-many links) move with one UPDATE. All of it is one transaction.
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.db import Base
from core.dedup.check import confirm_duplicates
from core.dedup.keys import drop_keys
from core.errors import ValidationError
from core.models import ChangeLog

#: Tables whose (section, record_id) columns are history or bookkeeping, never re-pointed.
_BOOKKEEPING = {"core_change_log", "core_external_id", "core_dedup_key", "core_import_row", "core_external_ref"}
#: Columns that mark a record as archived instead of deleting it: (name, archived value).
ARCHIVE_COLUMNS = (("active", False), ("is_active", False), ("archived", True), ("is_archived", True))


def _empty(value) -> bool:
    return value is None or value == "" or value == {} or value == []


def _existing_tables(session) -> list[sa.Table]:
    """Tables of the metadata that exist in this database.

    The metadata holds the models of every add-on imported in the process, and
    an add-on that is not installed in this app has no tables here.
    """
    present = set(sa.inspect(session.connection()).get_table_names())
    return [table for table in Base.metadata.tables.values() if table.name in present]


def _referencing_columns(section, tables) -> list[tuple[sa.Table, sa.Column]]:
    """Every (table, column) whose foreign key points at the section's table (extension tables excluded)."""
    target = section.table
    extension_tables = {extension.model.__table__.name for extension in section.extensions}
    found = []
    for table in tables:
        if table.name in extension_tables:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is target:
                found.append((table, fk.parent))
    return found


def _generic_link_tables(tables) -> list[sa.Table]:
    return [t for t in tables
            if "section" in t.c and "record_id" in t.c and t.name not in _BOOKKEEPING]


def merge_records(records, section_name, keep_id: int, other_id: int) -> object:
    """Merge record ``other_id`` into ``keep_id`` of the section; returns the kept record."""
    section = records.section(section_name)
    if int(keep_id) == int(other_id):
        raise ValidationError(_l("Choose two different records to merge."))
    keep = records.get(section, keep_id)
    other = records.get(section, other_id)
    if not records.can(section, "update", keep) or not records.can(section, "delete", other):
        raise ValidationError(_l("You may not merge these records."))
    sudo = records.sudo()
    sections = records.state.sections
    with records.transaction(), confirm_duplicates(records):
        kept_values, other_values = records.read(section, keep), records.read(section, other)
        archive = next(((name, value) for name, value in ARCHIVE_COLUMNS if name in section.table.c), None)
        skip = {"id", "version"}
        if archive:
            skip.add(archive[0])
        fill = {path: value for path, value in other_values.items()
                if path not in skip and _empty(kept_values.get(path)) and not _empty(value)
                and (info := section.field(path)) is not None and info.column is not None
                and not _self_reference(info, section, keep.id, other.id, value)}
        # The other record's keys go first: otherwise the kept record "duplicates" it.
        drop_keys(records.session, section.name, other.id)
        if fill:
            records.update(section, keep, fill)
        moves: dict[tuple[str, int], dict] = defaultdict(dict)
        tables = _existing_tables(records.session)
        for table, column in _referencing_columns(section, tables):
            referring = sections.for_table(table.name)
            if referring is not None and column.key in referring.table.c:
                for row_id in records.session.scalars(sa.select(table.c.id).where(column == other.id)):
                    if referring is section and row_id == keep.id:
                        moves[(referring.name, row_id)][column.key] = None  # never its own parent
                    else:
                        moves[(referring.name, row_id)][column.key] = keep.id
            else:
                _move_plain(records.session, table, column, other.id, keep.id)
        for table in _generic_link_tables(tables):
            referring = sections.for_table(table.name)
            where = sa.and_(table.c.section == section.name, table.c.record_id == other.id)
            if referring is None:
                records.session.execute(sa.update(table).where(where).values(record_id=keep.id))
                continue
            for row_id in records.session.scalars(sa.select(table.c.id).where(where)):
                moves[(referring.name, row_id)].update(section=section.name, record_id=keep.id)
        for (name, row_id), values in sorted(moves.items()):
            if name == section.name and row_id == other.id:
                continue  # the other record itself is retired below
            sudo.update(name, row_id, values)
        if archive:
            records.update(section, other, {archive[0]: archive[1]})
        else:
            records.delete(section, other)
        records.session.add(ChangeLog(section=section.name, record_id=keep.id, operation="merge", field=None,
                                      old_value={"merged_id": other_id}, new_value={"filled": sorted(fill)},
                                      user_id=getattr(records.user, "id", None)))
    return keep


def _self_reference(info, section, keep_id, other_id, value) -> bool:
    """A self-lookup of the other record that points at the kept one (or itself) is not copied."""
    return info.lookup == section.table.name and value in (keep_id, other_id)


def _move_plain(session, table: sa.Table, column: sa.Column, old_id: int, new_id: int) -> None:
    """Re-point rows of a plain table; rows that would then repeat a key of the kept record are dropped."""
    primary = [c for c in table.primary_key.columns]
    if column in primary and len(primary) > 1:
        others = [c for c in primary if c is not column]
        existing = sa.select(*others).where(column == new_id)
        session.execute(sa.delete(table).where(column == old_id, sa.tuple_(*others).in_(existing)))
    session.execute(sa.update(table).where(column == old_id).values({column.key: new_id}))
