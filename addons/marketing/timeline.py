"""Mailings on a contact's communication history (``flowcase_timeline_items``): what was sent to them, and when.

One query per card, through the viewer's rights on mailing recipients (who
may read the mailing sees its rows).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from core.mailings.models import Mailing, MailingRecipient, RecipientStatus
from core.mailings.sections import RECIPIENT_STATUS_LABELS
from core.timeline import TimelineItem

#: Rows worth showing: the ones that went out or were meant to.
_SHOWN = (RecipientStatus.SENT, RecipientStatus.FAILED, RecipientStatus.SKIPPED)


def mailing_items(section, record, records, limit: int) -> list[TimelineItem] | None:
    """The mailings ``record`` (a contact) was in, newest first."""
    if section.name != "contact" or "mailing_recipient" not in records.state.sections:
        return None
    moment = sa.func.coalesce(MailingRecipient.sent_at, MailingRecipient.updated_at)
    query = (
        records.select("mailing_recipient")
        .with_only_columns(MailingRecipient.status, MailingRecipient.sent_at, MailingRecipient.updated_at,
                           Mailing.id, Mailing.name)
        .join(Mailing, Mailing.id == MailingRecipient.mailing_id)
        .where(MailingRecipient.section == section.name, MailingRecipient.record_id == record.id,
               MailingRecipient.status.in_(_SHOWN))
        .order_by(moment.desc())
        .limit(limit)
    )
    return [
        TimelineItem(date=row.sent_at or row.updated_at, kind="mailing", kind_label=_l("Mailing"), title=row.name,
                     url=url_for("sections.card", section_name="mailing", record_id=row.id),
                     status=str(RECIPIENT_STATUS_LABELS.get(row.status, row.status)))
        for row in records.session.execute(query)
    ]
