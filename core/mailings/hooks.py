"""Mailings, campaigns and card email, registered through the core's own hooks (``core.builtin_hooks``)."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.plugins import hookimpl

_OWNED = ("mailing", "campaign")
#: Only the mailing service (as the system) writes these.
_SYSTEM_WRITTEN = ("mailing_recipient",)
#: Mailing fields the service moves; people use the card's buttons instead.
_SERVICE_FIELDS = ("state", "started_at", "finished_at", "next_batch_at")


@hookimpl(specname="flowcase_register_sections")
def register_mailing_sections(app):
    from core.mailings.sections import mailing_sections

    return mailing_sections()


@hookimpl(specname="flowcase_register_jobs")
def register_mailing_jobs(app):
    from core.mailings.service import SEND_JOB, send_batch_job

    return {SEND_JOB: send_batch_job}


@hookimpl(specname="flowcase_register_periodic_jobs")
def register_mailing_tick(app):
    from core.jobs import PeriodicJob
    from core.mailings.service import tick_job

    return [PeriodicJob(name="core.mailings_tick", func=tick_job, minute="*")]


@hookimpl(specname="flowcase_register_blueprints")
def register_mailing_blueprints(app):
    """The card's email and mailing buttons (CSRF), and the public unsubscribe page (signed links instead)."""
    from core.extensions import csrf
    from core.mailings.unsubscribe import bp as unsubscribe_bp
    from core.mailings.views import bp

    csrf.exempt(unsubscribe_bp)
    return [bp, unsubscribe_bp]


@hookimpl(specname="flowcase_record_access")
def recipients_are_written_by_the_system(user, section, operation, record):
    # Superusers and sudo (the mailing service) never reach this hook.
    return False if section.name in _SYSTEM_WRITTEN and operation != "read" else None


@hookimpl(specname="flowcase_record_filter")
def recipients_of_readable_mailings(user, section, operation):
    """A recipient row is seen by whoever may read its mailing."""
    if section.name not in _SYSTEM_WRITTEN:
        return None
    if user is None or operation != "read":
        return sa.false()
    from core.mailings.models import Mailing, MailingRecipient
    from core.records import records_for

    readable = records_for(user).select("mailing").with_only_columns(Mailing.id)
    return MailingRecipient.mailing_id.in_(readable)


@hookimpl(specname="flowcase_record_before_create")
def mailing_defaults(event):
    name = event.section.name
    record = event.record
    if name in _OWNED and record.owner_id is None and event.user is not None:
        record.owner_id = event.user.id
    if name == "email_unsubscribe":
        from core.mailings.addresses import normalize

        record.email = normalize(record.email) or record.email


@hookimpl(specname="flowcase_record_validate")
def validate_mailing(event):
    """Mailing states move by the card's buttons; a started mailing keeps its template and audience."""
    name = event.section.name
    if name == "email_unsubscribe":
        from core.mailings.addresses import normalize

        if "email" in event.values and not normalize(event.record.email):
            return {"email": [_l("An email address must contain @, like name@example.com.")]}
        return None
    if name != "mailing":
        return None
    from core.mailings.models import MailingState

    errors = {}
    record = event.record
    if not (record.name or "").strip():
        errors["name"] = [_l("is required")]
    if not event.records.unrestricted:
        touched = [f for f in _SERVICE_FIELDS if f in event.changes]
        if event.operation == "create":
            touched = [f for f in touched if event.changes[f][1] not in (None, MailingState.DRAFT)]
        for path in touched:
            errors[path] = [_l("changes by the mailing's Send and Schedule buttons, not by hand")]
        old_state = event.changes.get("state", (record.state, None))[0] if event.operation == "update" else None
        if old_state in (MailingState.SENDING, MailingState.DONE):
            for path in ("template_id", "group_id", "language"):
                if path in event.changes:
                    errors[path] = [_l("cannot change once the mailing was started")]
    if record.language not in (None, "", "en", "ru"):
        errors["language"] = [_l("must be en or ru")]
    return errors or None


@hookimpl(specname="flowcase_template_slot")
def mailing_card_slots(slot, context):
    """``card_actions``: "Send email" on cards that reach an address, Send/Schedule on a mailing;
    ``card_top``: a mailing's delivery counts, a campaign's results."""
    if slot not in ("card_actions", "card_top"):
        return None
    section, record = context.get("section"), context.get("record")
    if section is None or record is None:
        return None
    from core.mailings import views

    if slot == "card_actions":
        return views.card_actions(section, record)
    return views.card_top(section, record)
