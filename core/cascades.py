"""Cascading lookups: a lookup field whose choices depend on another field of the same record.

A section declares ``cascades = {"district_id": {"parent": "region_id", "by": "region_id"}}``:
the district chosen must be one whose own ``region_id`` equals the record's
``region_id``. Forms offer only the districts of the chosen region and fill
the region in when a district is chosen (:func:`fill_parents`); the records
service refuses a district of another region on every door (:func:`check`,
called from the core's ``flowcase_record_validate``).

Only the section's own lookup columns can cascade (not extension or custom fields).
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import FlowcaseError
from core.sections import Section


@dataclass(frozen=True)
class Cascade:
    """One link: ``child``'s target record must have ``by`` equal to the record's ``parent``."""

    child: str
    parent: str
    by: str
    #: The table ``child`` points to (where ``by`` lives).
    target: sa.Table

    def by_column(self) -> sa.Column:
        return self.target.c[self.by]


def cascades(section: Section) -> list[Cascade]:
    """The section's cascades, checked against its columns; a mistake names the section and field."""
    result = []
    for child, spec in (getattr(section, "cascades", None) or {}).items():
        parent, by = spec.get("parent"), spec.get("by", spec.get("parent"))
        column = section.table.c.get(child)
        if column is None or not column.foreign_keys or parent not in section.table.c:
            raise FlowcaseError(
                f"section '{section.name}': cascade '{child}' needs a lookup field and a parent field of the section"
            )
        target = next(iter(column.foreign_keys)).column.table
        if by not in target.c:
            raise FlowcaseError(f"section '{section.name}': cascade '{child}': table {target.name} has no column '{by}'")
        result.append(Cascade(child=child, parent=parent, by=by, target=target))
    return result


def parent_value(session, cascade: Cascade, child_id):
    """The ``by`` value of the child's target record (what the parent field must hold), or None."""
    if child_id in (None, ""):
        return None
    return session.execute(
        sa.select(cascade.by_column()).where(cascade.target.c.id == int(child_id))
    ).scalar_one_or_none()


def fill_parents(session, section: Section, values: dict) -> dict:
    """``values`` with empty parent fields filled from their chosen children, up the whole chain.

    Choosing a city fills its district, which fills its region; a parent the
    user did choose is left alone (the records service judges the combination).
    """
    links = cascades(section)
    values = dict(values)
    for _round in range(len(links)):  # each round climbs one level of the chain
        changed = False
        for link in links:
            if values.get(link.child) not in (None, "") and values.get(link.parent) in (None, ""):
                found = parent_value(session, link, values[link.child])
                if found is not None:
                    values[link.parent] = found
                    changed = True
        if not changed:
            break
    return values


def check(event) -> dict | None:
    """Validation errors for children that do not belong to their chosen parent (``{child: [message]}``).

    Checked when the record is created or when the child or its parent changes,
    so an unrelated edit of an old record is never blocked by it.
    """
    section, record = event.section, event.record
    errors: dict[str, list] = {}
    for link in cascades(section):
        if event.operation == "update" and link.child not in event.changes and link.parent not in event.changes:
            continue
        child_id, parent_id = getattr(record, link.child), getattr(record, link.parent)
        if child_id is None or parent_id is None:
            continue
        actual = parent_value(event.records.session, link, child_id)
        if actual is not None and str(actual) == str(parent_id):
            continue
        errors[link.child] = [_l(
            "“%(child)s” is not in the chosen %(parent_field)s “%(parent)s”.",
            child=_name(event.records, section, link.child, child_id),
            parent_field=str(_label(section, link.parent)).lower(),
            parent=_name(event.records, section, link.parent, parent_id),
        )]
    return errors or None


def _label(section: Section, path: str):
    info = section.field(path)
    return info.label if info is not None else path


def _name(records, section: Section, path: str, record_id) -> str:
    """A lookup value's display name for a message (``#id`` when it has none)."""
    column = section.table.c[path]
    table = next(iter(column.foreign_keys)).column.table
    target = records.state.sections.for_table(table.name)
    if target is not None:
        found = records.session.get(target.model, int(record_id))
        if found is not None:
            return target.display_name(found)
    return f"#{record_id}"
