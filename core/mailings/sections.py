"""The sections of mailings: ``campaign``, ``mailing``, ``mailing_recipient`` (read-only) and ``email_unsubscribe``."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.mailings.models import (
    Campaign, CampaignStatus, EmailUnsubscribe, Mailing, MailingRecipient, MailingState, RecipientStatus, SkipReason,
)
from core.sections import Section

#: The sections menu translates area names; this puts the area's name in the catalog.
AREA_LABEL = _l("Marketing")
STATE_LABELS = {MailingState.DRAFT: _l("Draft"), MailingState.SCHEDULED: _l("Scheduled"),
                MailingState.SENDING: _l("Sending"), MailingState.DONE: _l("Done")}
RECIPIENT_STATUS_LABELS = {RecipientStatus.QUEUED: _l("Queued"), RecipientStatus.SENDING: _l("Sending"),
                           RecipientStatus.SENT: _l("Sent"), RecipientStatus.FAILED: _l("Failed"),
                           RecipientStatus.SKIPPED: _l("Skipped")}
SKIP_LABELS = {SkipReason.NO_EMAIL: _l("No email address"), SkipReason.UNSUBSCRIBED: _l("Unsubscribed"),
               SkipReason.DUPLICATE: _l("Address already in this mailing")}
CAMPAIGN_STATUS_LABELS = {CampaignStatus.PLANNED: _l("Planned"), CampaignStatus.ACTIVE: _l("Active"),
                          CampaignStatus.COMPLETED: _l("Completed")}


def mailing_sections() -> list[Section]:
    """The four sections, in the "marketing" area."""
    return [
        Section(
            name="campaign", model=Campaign, title=_l("Campaign"), title_plural=_l("Campaigns"), area="marketing",
            list_columns=["name", "status", "start_date", "end_date", "owner_id"], search_fields=["name"],
            filter_fields=["status", "owner_id", "start_date"], owner_field="owner_id",
            labels={"name": _l("Name"), "status": _l("Status"), "start_date": _l("Start date"),
                    "end_date": _l("End date"), "owner_id": _l("Owner"), "description": _l("Description")},
            choices={"status": CAMPAIGN_STATUS_LABELS},
            details=[{"section": "mailing", "field": "campaign_id", "title": _l("Mailings")}],
        ),
        Section(
            name="mailing", model=Mailing, title=_l("Mailing"), title_plural=_l("Mailings"), area="marketing",
            list_columns=["name", "state", "campaign_id", "group_id", "scheduled_at", "started_at", "owner_id"],
            search_fields=["name"], filter_fields=["state", "campaign_id", "owner_id"], owner_field="owner_id",
            labels={"name": _l("Name"), "template_id": _l("Email template"), "group_id": _l("Audience (group)"),
                    "campaign_id": _l("Campaign"), "state": _l("State"), "scheduled_at": _l("Send at"),
                    "language": _l("Language"), "owner_id": _l("Owner"), "started_at": _l("Started at"),
                    "finished_at": _l("Finished at"), "next_batch_at": _l("Next batch at")},
            choices={"state": STATE_LABELS, "language": {"en": _l("English"), "ru": _l("Russian")}},
            layout=[{"tab": _l("Mailing"), "groups": [
                {"title": _l("What and to whom"), "fields": ["name", "template_id", "group_id", "language", "campaign_id"]},
                {"title": _l("When"), "fields": ["state", "scheduled_at", "started_at", "finished_at", "owner_id"]},
            ]}],
            details=[{"section": "mailing_recipient", "field": "mailing_id", "title": _l("Recipients")}],
        ),
        Section(
            name="mailing_recipient", model=MailingRecipient, title=_l("Mailing recipient"),
            title_plural=_l("Mailing recipients"), area="marketing", title_field="email", api=False,
            list_columns=["mailing_id", "name", "email", "status", "skip_reason", "error", "sent_at"],
            search_fields=["name", "email"], filter_fields=["mailing_id", "status", "skip_reason", "section"],
            labels={"mailing_id": _l("Mailing"), "section": _l("Section"), "record_id": _l("Record"),
                    "name": _l("Name"), "email": _l("Email"), "status": _l("Status"), "skip_reason": _l("Skipped because"),
                    "error": _l("Error"), "message_id": _l("Message-ID"), "sent_at": _l("Sent at")},
            choices={"status": RECIPIENT_STATUS_LABELS, "skip_reason": SKIP_LABELS},
        ),
        Section(
            name="email_unsubscribe", model=EmailUnsubscribe, title=_l("Unsubscribed address"),
            title_plural=_l("Unsubscribed addresses"), area="marketing", title_field="email", api=False,
            list_columns=["email", "mailing_id"], search_fields=["email"], filter_fields=["mailing_id"],
            labels={"email": _l("Email"), "mailing_id": _l("Mailing")},
        ),
    ]
