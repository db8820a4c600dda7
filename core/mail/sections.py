"""The core sections of outgoing email: ``email_template`` and ``email`` (the queue), superusers only."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.mail.models import Email, EmailStatus, EmailTemplate
from core.mail.queue import EMAIL_SECTION, TEMPLATE_SECTION
from core.sections import Section

TEMPLATE_LABELS = {
    "code": _l("Code"), "name": _l("Name"), "section": _l("Section"), "subject": _l("Subject"),
    "body": _l("Body"), "subject_ru": _l("Subject (Russian)"), "body_ru": _l("Body (Russian)"), "active": _l("Active"),
}
EMAIL_LABELS = {
    "to": _l("To"), "subject": _l("Subject"), "body": _l("Body"), "status": _l("Status"), "error": _l("Error"),
    "attempts": _l("Attempts"), "sent_at": _l("Sent at"), "template_code": _l("Template"),
    "section": _l("Section"), "record_id": _l("Record"),
}
STATUS_LABELS = {EmailStatus.QUEUED: _l("Queued"), EmailStatus.SENT: _l("Sent"), EmailStatus.FAILED: _l("Failed")}


def mail_sections() -> list[Section]:
    """The two sections; neither is on the API (templates hold admin-written code, the queue holds addresses)."""
    return [
        Section(
            name=TEMPLATE_SECTION, model=EmailTemplate, title=_l("Email template"), title_plural=_l("Email templates"),
            area="settings", title_field="name", api=False, labels=TEMPLATE_LABELS,
            list_columns=["code", "name", "section", "subject", "active"], search_fields=["code", "name", "subject"],
            filter_fields=["section", "active"],
        ),
        Section(
            name=EMAIL_SECTION, model=Email, title=_l("Email"), title_plural=_l("Email queue"),
            area="settings", title_field="subject", api=False, labels=EMAIL_LABELS,
            choices={"status": STATUS_LABELS},
            list_columns=["to", "subject", "status", "attempts", "sent_at", "section", "record_id"],
            search_fields=["to", "subject"], filter_fields=["status", "section", "template_code"],
        ),
    ]
