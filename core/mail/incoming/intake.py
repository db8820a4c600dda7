"""Taking one message in: de-duplicate, thread or create a record, store it, log it as an activity.

Everything for one message happens in one transaction through the records
service, as the system (a sender is not a user):

1. a Message-ID already taken in is a duplicate: nothing is written;
2. the sender is matched to a contact by address (``flowcase_contact_match``);
3. a reply to a known message (In-Reply-To / References) joins that message's
   record (:mod:`.threads`); otherwise ``flowcase_email_received`` is asked to
   create a record (the sales add-on makes a lead), falling back to a record
   of the mailbox's section with its default values; an automatic message
   (``Auto-Submitted``: out-of-office, bounces) creates nothing;
4. the message, its attachments and an ``email`` activity (on the record and
   in the contact's history, when crm is installed) are written.

The caller marks the message on the IMAP server only after this committed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.db import utcnow
from core.errors import ConflictError, ValidationError
from core.mail.incoming.models import IncomingAttachment, IncomingEmail
from core.mail.incoming.parse import IncomingMessage, parse_message
from core.mail.incoming.sections import INCOMING_SECTION
from core.mail.incoming.threads import find_thread

log = logging.getLogger(__name__)

#: Code of crm's activity type incoming messages are logged as.
EMAIL_ACTIVITY_TYPE = "email"


@dataclass
class Outcome:
    """What became of one message: ``created``, ``threaded``, ``stored`` (no record) or ``duplicate``."""

    status: str
    message_id: str
    email_id: int | None = None
    section: str | None = None
    record_id: int | None = None


def ask_hook(records, mailbox, message: IncomingMessage):
    """The record the first willing ``flowcase_email_received`` implementation created, or None.

    The most dependent add-on is asked first (a vertical overrides sales), and
    the others are not asked once one returned a record.
    """
    state = records.state
    impls = state.pm.hook.flowcase_email_received.get_hookimpls()
    for impl in sorted(impls, key=lambda item: state.rank.get(item.plugin_name, -1), reverse=True):
        record = impl.function(**{name: value for name, value in
                                  {"message": message, "mailbox": mailbox, "records": records}.items()
                                  if name in impl.argnames})
        if record is not None:
            return record
    return None


def default_record(records, mailbox, message: IncomingMessage):
    """A record of the mailbox's section: its title is the subject, the contact linked, the defaults applied."""
    from core.dedup.check import confirm_duplicates
    from core.webforms.spec import parse_defaults

    sections = records.state.sections
    if not mailbox.section or mailbox.section not in sections:
        return None
    section = sections.get(mailbox.section)
    values = {}
    if section.field(section.title_field) is not None:
        values[section.title_field] = message.subject or str(_l("(no subject)"))
    if message.contact is not None and section.field("contact_id") is not None:
        values["contact_id"] = message.contact.id
    values.update(parse_defaults(mailbox.defaults))
    with confirm_duplicates(records):  # a message cannot answer "is this a duplicate?": it is confirmed
        return records.create(section, values)


def _owner_of(records, section_name: str | None, record_id: int | None):
    if not section_name or record_id is None or section_name not in records.state.sections:
        return None
    section = records.state.sections.get(section_name)
    if not section.owner_field:
        return None
    record = records.session.get(section.model, record_id)
    return getattr(record, section.owner_field, None) if record is not None else None


def _description(message: IncomingMessage) -> str:
    lines = [str(_l("From: %(sender)s", sender=message.from_address or "")),
             str(_l("To: %(to)s", to=message.to))]
    if message.attachments:
        lines.append(str(_l("Attachments: %(names)s", names=", ".join(a.filename for a in message.attachments))))
    return "\n".join(lines) + "\n\n" + message.text


def log_activity(records, message: IncomingMessage, section: str | None, record_id: int | None):
    """A done ``email`` activity for ``message`` on the record and the sender's contact; None without crm."""
    sections = records.state.sections
    if "activity" not in sections:
        return None
    type_model = sections.get("activity_type").model if "activity_type" in sections else None
    type_id = (records.session.scalar(sa.select(type_model.id).where(type_model.code == EMAIL_ACTIVITY_TYPE))
               if type_model is not None else None)
    values = {
        "subject": (message.subject or str(_l("(no subject)")))[:250],
        "description": _description(message),
        "activity_type_id": type_id,
        "status": "done",
        "actual_end_at": message.sent_at or utcnow(),
        "owner_id": _owner_of(records, section, record_id),
    }
    if section and record_id is not None:
        values.update(section=section, record_id=record_id)
    if message.contact is not None:
        values["contact_id"] = message.contact.id
    return records.create("activity", values)


def _store(records, mailbox, message: IncomingMessage, link, contact_id, activity_id) -> IncomingEmail:
    config = records.state.app.config
    email = records.create(INCOMING_SECTION, {
        "mailbox_id": mailbox.id, "message_id": message.message_id, "from_address": message.from_address,
        "from_name": message.from_name, "to": message.to, "cc": message.cc, "subject": message.subject,
        "sent_at": message.sent_at, "received_at": utcnow(), "body": message.text,
        "in_reply_to": " ".join(message.in_reply_to)[:500] or None, "references": " ".join(message.references) or None,
        "section": link[0] if link else None, "record_id": link[1] if link else None,
        "contact_id": contact_id, "activity_id": activity_id,
    })
    limit = int(config["FLOWCASE_MAIL_IN_MAX_ATTACHMENT"])
    for item in message.attachments:
        # Over the limit: the name and size are kept so the user knows to ask for it another way.
        records.session.add(IncomingAttachment(email_id=email.id, filename=item.filename,
                                               content_type=item.content_type, size=item.size,
                                               content=item.content if item.size <= limit else None))
    records.session.flush()
    return email


def _already_in(session, message_id: str) -> bool:
    return session.scalar(sa.select(IncomingEmail.id).where(IncomingEmail.message_id == message_id)) is not None


def take_in(state, mailbox, raw: bytes) -> Outcome:
    """Process one raw message from ``mailbox`` in its own transaction; see the module docstring.

    :raises Exception: whatever made the message impossible to take in (the
        transaction is rolled back; the caller logs it and goes on).
    """
    from core.telephony.numbers import match_contact

    message = parse_message(raw)
    records = state.records(sudo=True)
    session = records.session
    if _already_in(session, message.message_id):
        return Outcome("duplicate", message.message_id)
    try:
        with records.transaction():
            message.contact = match_contact(records, email=message.from_address) if message.from_address else None
            link = find_thread(records, message)
            status = "threaded"
            if link is None and message.auto_submitted:
                # An out-of-office reply or a bounce starts nothing: it is filed (in the sender's history if known).
                status = "stored"
            elif link is None:
                record = ask_hook(records, mailbox, message) or default_record(records, mailbox, message)
                section = records.state.sections.for_model(type(record)) if record is not None else None
                link = (section.name, record.id) if section is not None else None
                status = "created" if link else "stored"
            contact_id = message.contact.id if message.contact is not None else None
            activity = log_activity(records, message, *(link or (None, None)))
            email = _store(records, mailbox, message, link, contact_id, activity.id if activity else None)
    except (ValidationError, ConflictError):
        # Two pollers racing on one message: the loser meets the unique Message-ID (or SQLite's write lock).
        session.rollback()
        if _already_in(session, message.message_id):
            return Outcome("duplicate", message.message_id)
        raise
    return Outcome(status, message.message_id, email.id, *(link or (None, None)))
