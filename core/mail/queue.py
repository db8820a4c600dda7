"""Queueing outgoing email: the public API other parts of the platform call.

The email row is written through the records service (as a system write,
whoever the acting user is: the queue is not theirs to edit), and sending is
handed to the ``core.send_email`` job with ``records.after_commit``: SMTP is
only spoken once the change that asked for the email has committed, so a
rolled-back change sends nothing.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from core.errors import ValidationError
from core.mail.models import EmailStatus, EmailTemplate
from core.mail.render import render_template_email, template_context

EMAIL_SECTION = "email"
TEMPLATE_SECTION = "email_template"


def _recipients(to) -> str:
    if isinstance(to, (list, tuple, set)):
        to = ", ".join(str(item).strip() for item in to if item and str(item).strip())
    to = (to or "").strip()
    if not to or "@" not in to:
        raise ValidationError({"to": [_l("An email needs a recipient address (got “%(to)s”)", to=to)]})
    return to


def _record_ref(records, record) -> tuple[str | None, int | None]:
    if record is None:
        return None, None
    section = records.state.sections.for_model(type(record))
    return (section.name if section else None), record.id


def queue_email(records, to, subject: str, body: str, record=None, template_code: str | None = None,
                contact_id: int | None = None):
    """Queue an email to ``to`` (an address, comma-separated addresses or a list) and return its row.

    Written in the caller's transaction; sent by a job after it commits.

    :param records: the caller's :class:`core.records.Records`.
    :param record: the record the email is about (linked on the email, and on
        the activity the CRM logs once it is sent).
    :param contact_id: the ``contact`` it is written to, when known: the
        activity goes to that contact's communication history too.
    :raises ValidationError: when there is no recipient address.
    """
    from core.mail.sender import new_message_id

    section, record_id = _record_ref(records, record)
    sudo = records.sudo()
    with sudo.transaction():
        email = sudo.create(EMAIL_SECTION, {
            "to": _recipients(to), "subject": (subject or "")[:500], "body": body or "",
            "status": EmailStatus.QUEUED, "attempts": 0, "section": section, "record_id": record_id,
            "template_code": template_code, "contact_id": contact_id,
            # Fixed now, not when sending: a retried send keeps it, and replies thread to it.
            "message_id": new_message_id(current_app),
        })
        sudo.after_commit("core.send_email", email_id=email.id)
    return email


def find_template(records, code: str) -> EmailTemplate:
    """The active template with this code, or a ValidationError naming the code."""
    template = records.session.scalars(
        sa.select(EmailTemplate).where(EmailTemplate.code == code, EmailTemplate.active.is_(True))).first()
    if template is None:
        raise ValidationError({"template": [_l("There is no active email template “%(code)s”", code=code)]})
    return template


def queue_template_email(records, template_code: str, to, record=None, context: dict | None = None,
                         language: str | None = None):
    """Render the template ``template_code`` for ``record`` (and ``context``) and queue it; returns the email row.

    The template sees ``record``, ``values`` and ``display`` (the record's
    field values raw and as pages show them), ``title`` and whatever
    ``context`` adds. ``language`` (``en``/``ru``) defaults to the UI's.
    """
    template = find_template(records, template_code)
    section, _record_id = _record_ref(records, record)
    subject, body = render_template_email(template, template_context(records, section, record, context), language)
    return queue_email(records, to, subject, body, record=record, template_code=template_code)
