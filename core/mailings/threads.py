"""Which record a reply to a mailing belongs to: the recipient its ``Message-ID`` was sent to."""
from __future__ import annotations

import sqlalchemy as sa

from core.mailings.models import MailingRecipient


def mailing_links(session, message_ids) -> dict[str, tuple[str, int]]:
    """``{message_id: (section, record_id)}`` of the mailing messages among ``message_ids`` (one query)."""
    ids = [i for i in message_ids if i]
    if not ids:
        return {}
    rows = session.execute(sa.select(MailingRecipient.message_id, MailingRecipient.section, MailingRecipient.record_id)
                           .where(MailingRecipient.message_id.in_(ids)))
    return {message_id: (section, record_id) for message_id, section, record_id in rows}
