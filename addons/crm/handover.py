"""What follows an account to its new owner: its open activities and its contacts (``flowcase_owner_handover``).

Only records still held by the previous owner move: a contact someone else
already looks after stays with them. The page that offers the hand-over finds
the previous owner in the change log (:func:`previous_owner_id`), so the offer
appears after an owner change made through any door.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.handover import HandoverGroup
from core.models import ChangeLog

from .models import Activity, ActivityStatus, Contact


def account_groups(section, record, old_owner_id, new_owner_id, records) -> list[HandoverGroup] | None:
    """The account's open activities and contacts owned by ``old_owner_id``, as rights-limited queries."""
    if section.name != "account" or old_owner_id is None:
        return None
    activities = records.select("activity", "update").where(
        Activity.account_id == record.id, Activity.status == ActivityStatus.OPEN, Activity.owner_id == old_owner_id,
    ).order_by(Activity.id)
    contacts = records.select("contact", "update").where(
        Contact.account_id == record.id, Contact.owner_id == old_owner_id,
    ).order_by(Contact.id)
    return [
        HandoverGroup("activity", _l("Open activities"), activities),
        HandoverGroup("contact", _l("Contacts"), contacts),
    ]


def previous_owner_id(records, section, record) -> int | None:
    """The owner before the latest owner change of ``record`` (from the change log), or None."""
    field = section.owner_field
    if not field:
        return None
    from core.ui.card_view import latest_change

    known, old = latest_change(section.name, record.id, field)  # the card's history has it: no second query
    if not known:
        old = records.session.scalar(
            sa.select(ChangeLog.old_value)
            .where(ChangeLog.section == section.name, ChangeLog.record_id == record.id,
                   ChangeLog.field == field, ChangeLog.operation == "update")
            .order_by(ChangeLog.id.desc()).limit(1)
        )
    try:
        old = int(old) if old is not None else None
    except (TypeError, ValueError):
        return None
    current = getattr(record, field)
    return old if old is not None and old != current else None
