"""Handing records over to a new owner: when an account changes hands, its open work follows.

Add-ons answer ``flowcase_owner_handover`` with :class:`HandoverGroup`
objects (the crm add-on: the account's open activities and its contacts; sales:
open opportunities). :func:`handover_groups` collects them for a page to show
with counts; :func:`apply_handover` moves them through the records service, in
one transaction, so each change is checked and logged like any other update.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa


@dataclass
class HandoverGroup:
    """Records of one section that would move to the new owner."""

    #: Name of their section; its ``owner_field`` is what changes.
    section: str
    #: What they are, for the page ("Open activities").
    label: Any
    #: ``SELECT model`` of the records to move, built from ``records.select(section, "update")``.
    query: sa.Select


def handover_groups(records, section, record, old_owner_id: int, new_owner_id: int) -> list[HandoverGroup]:
    """Every installed add-on's groups of records that follow ``record`` to its new owner, in dependency order."""
    results = records.state.call_ordered(
        "flowcase_owner_handover", section=section, record=record,
        old_owner_id=old_owner_id, new_owner_id=new_owner_id, records=records,
    )
    return [group for result in results for group in result]


def count_group(records, group: HandoverGroup) -> int:
    """How many records ``group`` would move (one COUNT query)."""
    query = group.query.order_by(None).subquery()
    return records.session.scalar(sa.select(sa.func.count()).select_from(query)) or 0


def apply_handover(records, groups: list[HandoverGroup], new_owner_id: int) -> dict[str, int]:
    """Give every record of ``groups`` to ``new_owner_id`` in one transaction; ``{section: moved}``.

    Each record is updated through the records service (rights, validation,
    change log); one refusal rolls the whole hand-over back.
    """
    moved: dict[str, int] = {}
    with records.transaction():
        for group in groups:
            section = records.section(group.section)
            found = list(records.session.scalars(group.query))
            for item in found:
                records.update(section, item, {section.owner_field: new_owner_id})
            moved[group.section] = moved.get(group.section, 0) + len(found)
    return moved
