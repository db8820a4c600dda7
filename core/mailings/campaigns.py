"""A campaign's results: what its mailings delivered, who unsubscribed through them, and the leads it brought.

Leads are found without knowing any add-on: every section with a lookup field
to ``core_campaign`` (sales leads through the marketing add-on's extension,
``marketing.campaign_id``) is counted through the viewer's rights.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import url_for

from core.mailings.models import Campaign, EmailUnsubscribe, Mailing, MailingRecipient, RecipientStatus


@dataclass
class CampaignResults:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    queued: int = 0
    unsubscribed: int = 0
    #: ``[(section, field path, count, list url)]`` of records linked to the campaign (leads).
    linked: list = field(default_factory=list)

    @property
    def leads(self) -> int:
        return sum(count for _, _, count, _ in self.linked)


def campaign_fields(records) -> list[tuple]:
    """``(section, field info)`` of every lookup to campaigns (the mailing's own excepted)."""
    table = Campaign.__table__.name
    return [(section, info) for section in records.state.sections.all() if section.name != "mailing"
            for info in section.fields() if info.lookup == table]


def campaign_results(records, campaign) -> CampaignResults:
    """Counts for the campaign card, each through ``records``' rights where records are involved."""
    from core.filters import compile_filter

    results = CampaignResults()
    mailing_ids = records.select("mailing").with_only_columns(Mailing.id).where(Mailing.campaign_id == campaign.id)
    for status, count in records.session.execute(sa.select(MailingRecipient.status, sa.func.count()).where(
            MailingRecipient.mailing_id.in_(mailing_ids)).group_by(MailingRecipient.status)):
        if status == RecipientStatus.SENT:
            results.sent = count
        elif status == RecipientStatus.FAILED:
            results.failed = count
        elif status == RecipientStatus.SKIPPED:
            results.skipped = count
        else:
            results.queued += count
    results.unsubscribed = records.session.scalar(sa.select(sa.func.count()).select_from(EmailUnsubscribe).where(
        EmailUnsubscribe.mailing_id.in_(mailing_ids))) or 0
    for section, info in campaign_fields(records):
        tree = {"field": info.path, "op": "eq", "value": campaign.id}
        query = records.select(section).where(compile_filter(section, tree, records.user, records=records))
        count = records.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
        link = url_for("sections.list_view", section_name=section.name, filter=json.dumps(tree))
        results.linked.append((section, info.path, count, link))
    return results
