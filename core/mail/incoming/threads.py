"""Finding the record an incoming message answers, from its In-Reply-To and References.

A reply quotes the Message-IDs of earlier messages: ones taken in before
(``core_incoming_email``), ones Flowcase sent (``core_email``, whose
Message-ID is fixed when the email is queued) and mailing messages
(``core_mailing_recipient``: a reply to a mailing joins its recipient). The
nearest one that names a record still there wins.
"""
from __future__ import annotations

import sqlalchemy as sa

from core.mail.incoming.models import IncomingEmail
from core.mail.incoming.parse import IncomingMessage
from core.mail.models import Email
from core.mailings.threads import mailing_links

#: A thread deeper than this is looked up by its nearest messages only.
MAX_THREAD_IDS = 100


def find_thread(records, message: IncomingMessage) -> tuple[str, int] | None:
    """``(section, record_id)`` of the record ``message`` answers, or None when it starts a new thread.

    Three queries whatever the thread's length; ``records`` should be a system
    service (the sender is not a user).
    """
    ids = message.thread_ids()[:MAX_THREAD_IDS]
    if not ids:
        return None
    session = records.session
    links: dict[str, tuple[str, int]] = {}
    rows = session.execute(sa.select(IncomingEmail.message_id, IncomingEmail.section, IncomingEmail.record_id).where(
        IncomingEmail.message_id.in_(ids), IncomingEmail.section.is_not(None), IncomingEmail.record_id.is_not(None)))
    for message_id, section, record_id in rows:
        links[message_id] = (section, record_id)
    rows = session.execute(sa.select(Email.message_id, Email.section, Email.record_id, Email.contact_id).where(
        Email.message_id.in_(ids)))
    for message_id, section, record_id, contact_id in rows:
        # An email written to a contact only (no record) threads the reply to that contact.
        if section and record_id is not None:
            links.setdefault(message_id, (section, record_id))
        elif contact_id is not None:
            links.setdefault(message_id, ("contact", contact_id))
    for message_id, link in mailing_links(session, ids).items():
        links.setdefault(message_id, link)
    sections = records.state.sections
    for message_id in ids:
        link = links.get(message_id)
        if link is None or link[0] not in sections:
            continue
        if session.get(sections.get(link[0]).model, link[1]) is not None:
            return link
    return None
