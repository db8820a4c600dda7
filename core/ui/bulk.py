"""Bulk changes from a list page: give records to another owner, one checked update per record.

Each record goes through ``records.update`` in its own savepoint, so a record
the user may not change (or one a validation hook refuses) is reported with its
reason while the others are saved; nothing is skipped silently. "All matching
the filter" takes the list's own rights-limited query, capped at
:data:`BULK_CAP` records.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import AccessDenied, ConflictError, RecordNotFound, ValidationError
from core.records import Records
from core.sections import Section

#: Records one bulk action changes at most; a wider filter must be narrowed first.
BULK_CAP = 1000
_REFUSALS = (AccessDenied, ConflictError, RecordNotFound, ValidationError)


@dataclass
class BulkResult:
    """What a bulk change did: ids changed, ``(id, reason)`` refused, hand-over counts by section."""

    changed: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    handed_over: dict[str, int] = field(default_factory=dict)


def matching_ids(records: Records, stmt: sa.Select, section: Section, cap: int | None = None) -> tuple[list[int], bool]:
    """Ids of the records ``stmt`` (a list's filtered select) finds, at most ``cap`` (:data:`BULK_CAP`); and whether there were more."""
    cap = BULK_CAP if cap is None else cap
    ids = list(records.session.scalars(
        stmt.with_only_columns(section.table.c.id).order_by(section.table.c.id).limit(cap + 1)))
    return ids[:cap], len(ids) > cap


def reason_of(error: Exception) -> str:
    """A refusal as one line: a validation error's messages with their fields, else the error's text."""
    if isinstance(error, ValidationError):
        return "; ".join(f"{path}: {m}" if path else str(m) for path, ms in error.errors.items() for m in ms)
    return str(error)


def change_owner(records: Records, section: Section, ids: list[int], owner_id: int,
                 handover: bool = False) -> BulkResult:
    """Set ``section.owner_field`` of each record to ``owner_id``; with ``handover``, its open work follows.

    The hand-over is the one a single record offers (``flowcase_owner_handover``):
    the records add-ons name move to the new owner in the same savepoint, so a
    refusal there leaves that record with its old owner and is reported too.
    """
    from core.handover import apply_handover, handover_groups

    if not section.owner_field:
        raise ValidationError({"owner": [_l("%(section)s records have no owner", section=section.title)]})
    if len(ids) > BULK_CAP:
        raise ValidationError({"ids": [_l("at most %(n)s records at once", n=BULK_CAP)]})
    result = BulkResult()
    with records.transaction():
        for record_id in ids:
            try:
                with records.transaction():
                    record = records.get(section, record_id)
                    old_owner = getattr(record, section.owner_field)
                    records.update(section, record, {section.owner_field: owner_id})
                    if handover and old_owner is not None and old_owner != owner_id:
                        groups = handover_groups(records, section, record, old_owner, owner_id)
                        for name, moved in apply_handover(records, groups, owner_id).items():
                            result.handed_over[name] = result.handed_over.get(name, 0) + moved
            except _REFUSALS as error:
                result.refused.append((record_id, reason_of(error)))
            else:
                result.changed.append(record_id)
    return result

