"""What follows an account to its new owner from sales: its open leads and opportunities (``flowcase_owner_handover``).

Like crm's activities and contacts, only what the previous owner still holds
moves; closed deals (a won or lost stage, a converted or disqualified lead)
stay with whoever closed them, since they are history, not work.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.handover import HandoverGroup

from .models import Lead, Opportunity, Qualification, SalesStage


def _open_stage(model):
    """The record has no stage, or one that is neither won nor lost."""
    closed = sa.select(SalesStage.id).where(sa.or_(SalesStage.is_won.is_(True), SalesStage.is_lost.is_(True)))
    return sa.or_(model.stage_id.is_(None), model.stage_id.not_in(closed))


def account_groups(section, record, old_owner_id, new_owner_id, records) -> list[HandoverGroup] | None:
    """The account's open leads and opportunities owned by ``old_owner_id``, as rights-limited queries."""
    if section.name != "account" or old_owner_id is None:
        return None
    sections = records.state.sections
    if "lead" not in sections or "opportunity" not in sections:
        return None
    leads = records.select("lead", "update").where(
        Lead.account_id == record.id, Lead.owner_id == old_owner_id, _open_stage(Lead),
        Lead.qualification_status.not_in((Qualification.CONVERTED, Qualification.DISQUALIFIED)),
    ).order_by(Lead.id)
    opportunities = records.select("opportunity", "update").where(
        Opportunity.account_id == record.id, Opportunity.owner_id == old_owner_id, _open_stage(Opportunity),
    ).order_by(Opportunity.id)
    return [
        HandoverGroup("lead", _l("Open leads"), leads),
        HandoverGroup("opportunity", _l("Open opportunities"), opportunities),
    ]
