"""Incoming email's hook implementations (registered by ``core.builtin_hooks``)."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.plugins import hookimpl

_SECTIONS = {"mailbox", "incoming_email"}


@hookimpl(specname="flowcase_register_sections")
def register_incoming_mail_sections(app):
    from core.mail.incoming.sections import incoming_sections

    return incoming_sections()


@hookimpl(specname="flowcase_register_jobs")
def register_fetch_mail_job(app):
    from core.mail.incoming.poll import fetch_mail_job

    return {"core.fetch_mail": fetch_mail_job}


@hookimpl(specname="flowcase_register_periodic_jobs")
def register_fetch_mail_schedule(app):
    from core.jobs import PeriodicJob
    from core.mail.incoming.poll import fetch_mail_job

    # Every five minutes: a lead should not wait long, and a poll with nothing new is one IMAP SEARCH.
    return [PeriodicJob(name="core.fetch_mail", func=fetch_mail_job, minute="*/5")]


@hookimpl(specname="flowcase_record_access")
def mailboxes_are_for_superusers(user, section, operation, record):
    # Superusers and the system (sudo) never reach this hook.
    return False if section.name in _SECTIONS else None


@hookimpl(specname="flowcase_record_filter")
def mailboxes_hidden_from_users(user, section, operation):
    return sa.false() if section.name in _SECTIONS else None


@hookimpl(specname="flowcase_record_validate")
def validate_mailbox(event):
    """A mailbox that cannot work is refused with the reason by its field."""
    if event.section.name != "mailbox":
        return None
    from core.mail.incoming.imap import is_loopback
    from core.mail.incoming.models import MailboxSecurity
    from core.webforms.spec import RESERVED, parse_defaults

    mailbox, sections, errors = event.record, event.records.state.sections, {}
    if mailbox.security not in MailboxSecurity.ALL:
        errors["security"] = [_l("Choose tls, starttls or plain.")]
    elif mailbox.security == MailboxSecurity.PLAIN and not is_loopback(mailbox.host):
        errors["security"] = [_l("Plain IMAP sends the password in clear: use tls or starttls for %(host)s.",
                                 host=mailbox.host)]
    if mailbox.port is not None and not 0 < int(mailbox.port) < 65536:
        errors["port"] = [_l("A port is a number from 1 to 65535.")]
    if mailbox.section and mailbox.section not in sections:
        errors["section"] = [_l("There is no section named %(name)s.", name=mailbox.section)]
    elif mailbox.section:
        section = sections.get(mailbox.section)
        for path in parse_defaults(mailbox.defaults):
            if path in RESERVED or section.field(path) is None:
                errors.setdefault("defaults", []).append(
                    _l("%(section)s has no field %(path)s a mailbox may fill.", section=section.title, path=path))
    elif (mailbox.defaults or "").strip():
        errors["defaults"] = [_l("Choose the section the values are for.")]
    return errors or None


@hookimpl(specname="flowcase_register_blueprints")
def register_incoming_mail_blueprint(app):
    from core.mail.incoming.views import bp

    return [bp]


@hookimpl(specname="flowcase_template_slot")
def email_attachments_on_activity_cards(slot, context):
    """An email activity's card lists the message's attachments, downloadable with the card's rights."""
    if slot != "card_bottom":
        return None
    from core.mail.incoming.views import attachments_panel

    return attachments_panel(context)


@hookimpl(specname="flowcase_register_admin_views")
def register_incoming_mail_admin_views(admin, app):
    from core.mail.incoming.admin import register_views

    register_views(admin, app)
