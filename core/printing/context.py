"""What a print template sees: the record, its related records and its details, as the user may read them.

Everything is read through the records service, so column rights apply
(a hidden field is absent, not blank) and related or detail records the
user may not read are left out. A template gets plain dicts and lists, never
ORM objects, so the sandbox has no session or mapper to reach through.

Shape (``values`` are a section's field paths, as on every door)::

    record        {field: value, ..., "display_name": "...", "names": {lookup field: display name}}
    related       {lookup field: {field: value, ..., "display_name": ..., "names": {...}}}
    details       {child section: [row, ...]}   rows shaped like ``record``
    today         today's date (UTC)
"""
from __future__ import annotations

from datetime import datetime, timezone

from core.errors import RecordNotFound
from core.records import Records
from core.sections import Section
from core.ui.display import lookup_names, lookup_target

#: Detail rows a document lists per child section.
DETAIL_LIMIT = 500


def _lookup_fields(records: Records, section: Section):
    hidden = records.field_access(section).hidden
    return [info for info in section.fields()
            if info.type == "lookup" and (info.column is not None or info.custom) and info.path not in hidden]


def _rows(records: Records, section: Section, found: list) -> list[dict]:
    """Values of ``found`` as the user may read them, each with its lookups' display names."""
    rows = [records.read(section, record) for record in found]
    fields = _lookup_fields(records, section)
    names = lookup_names(records, fields, rows)
    for record, row in zip(found, rows):
        row["display_name"] = section.display_name(record)
        row["names"] = {}
        for info in fields:
            value = row.get(info.path)
            if value is not None:
                table, _section = lookup_target(info)
                row["names"][info.path] = names.get(table.name, {}).get(value, f"#{value}")
    return rows


def _related(records: Records, section: Section, record, values: dict) -> dict:
    """The records the lookups point to, read with the user's rights (unreadable ones left out)."""
    related = {}
    for info in _lookup_fields(records, section):
        value = values.get(info.path)
        if value is None:
            continue
        _table, target = lookup_target(info)
        if target is None:  # users and other tables without a section: the display name only
            related[info.path] = {"id": value, "display_name": values["names"].get(info.path, f"#{value}")}
            continue
        try:
            other = records.get(target, value)
        except RecordNotFound:
            continue
        related[info.path] = _rows(records, target, [other])[0]
    return related


def _details(records: Records, section: Section, record) -> dict:
    sections = records.state.sections
    result = {}
    for detail in section.details:
        if detail["section"] not in sections:
            continue
        child = sections.get(detail["section"])
        column = child.table.c[detail["field"]]
        found = list(records.session.scalars(
            records.select(child).where(column == record.id).order_by(child.table.c.id).limit(DETAIL_LIMIT)))
        result[child.name] = _rows(records, child, found)
    return result


def print_context(records: Records, section: Section, record) -> dict:
    """The template's variables for ``record`` (already fetched with :meth:`Records.get`)."""
    values = _rows(records, section, [record])[0]
    return {
        "record": values,
        "related": _related(records, section, record, values),
        "details": _details(records, section, record),
        "today": datetime.now(timezone.utc).date(),
    }
