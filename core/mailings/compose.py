""""Send email" from a card: the record's people to choose from, templates that fit, and queueing the email.

The email is queued with :func:`core.mail.queue_email` (sent after commit);
when it goes to a ``contact`` the email carries that contact, so the activity
logged once it is sent lands in the contact's communication history as well as
on the record.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import ValidationError
from core.mailings.addresses import Recipient, address_columns, card_recipients

#: The section name whose records are people with a communication history.
CONTACT_SECTION = "contact"


def reaches_addresses(section) -> bool:
    """Whether records of ``section`` can reach an address at all (own fields, lookups, details); no query."""
    from core.state import get_state

    sections = get_state().sections
    if address_columns(section):
        return True
    for info in section.own_fields():
        target = sections.for_table(info.lookup) if info.lookup else None
        if target is not None and target.name != section.name and address_columns(target):
            return True
    return any(d.get("section") in sections and address_columns(sections.get(d["section"])) for d in section.details)


def recipients(records, section, record) -> list[Recipient]:
    """The people ``record`` reaches, as the user may read them."""
    return card_recipients(records, section, record)


def templates_for(records, section) -> list:
    """Active email templates written for this section or for any."""
    from core.mail.models import EmailTemplate

    return list(records.session.scalars(sa.select(EmailTemplate).where(
        EmailTemplate.active.is_(True),
        sa.or_(EmailTemplate.section.is_(None), EmailTemplate.section == "", EmailTemplate.section == section.name),
    ).order_by(EmailTemplate.name)))


def send(records, section, record, options: list[Recipient], form: dict):
    """Queue the email the form describes; a :class:`ValidationError` names each field that is wrong."""
    from core.mail import queue_email
    from core.mail.models import EmailTemplate
    from core.mail.render import render_template_email, template_context

    errors: dict = {}
    chosen = next((o for o in options if o.key == form.get("to")), None)
    if chosen is None:
        errors["to"] = [_l("Choose one of the record's addresses.") if options
                        else _l("This record has no email address and no contact with one.")]
    subject, body = (form.get("subject") or "").strip(), form.get("body") or ""
    code = (form.get("template") or "").strip()
    template = None
    if code:
        template = next((t for t in templates_for(records, section) if t.code == code), None)
        if template is None:
            errors["template"] = [_l("There is no active email template “%(code)s”", code=code)]
    else:
        if not subject:
            errors["subject"] = [_l("Write a subject, or choose a template.")]
        if not body.strip():
            errors["body"] = [_l("Write the message, or choose a template.")]
    if errors:
        raise ValidationError(errors)
    if template is not None:
        context = template_context(records, section.name, record, {"to_name": chosen.name, "recipient_name": chosen.name})
        rendered_subject, rendered_body = render_template_email(template, context)
        # What the user typed wins over the template's text: a template is a starting point.
        subject, body = subject or rendered_subject, body if body.strip() else rendered_body
    contact_id = chosen.record_id if chosen.section == CONTACT_SECTION else None
    if contact_id is None and section.name == CONTACT_SECTION:
        contact_id = record.id
    with records.transaction():
        return queue_email(records, chosen.email, subject, body, record=record,
                           template_code=template.code if isinstance(template, EmailTemplate) else None,
                           contact_id=contact_id)
