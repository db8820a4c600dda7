"""Leads and opportunities on the communication timeline of an account or a contact (``flowcase_timeline_items``).

Two queries per card whatever the number of deals (one for leads, one for
opportunities), each read through the viewer's rights, with the stage's name
and the owner's name joined in, newest first, at most ``limit`` each. A lead
is dated when it came in, an opportunity when it was opened.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.models import User
from core.timeline import TimelineItem
from core.ui.display import card_url_prefix

from .models import QUALIFICATION_LABELS, Lead, Opportunity, SalesStage

#: Which column links a lead or an opportunity to a card of each section.
_LINKS = {"account": "account_id", "contact": "contact_id"}


def _rows(records, section_name: str, model, link: str, record_id: int, limit: int, extra_columns=()):
    query = (
        records.select(section_name)
        .with_only_columns(model.id, model.name, model.created_at, SalesStage.name.label("stage_name"),
                           SalesStage.is_won, SalesStage.is_lost, User.name.label("owner_name"),
                           User.login.label("owner_login"), *extra_columns)
        .outerjoin(SalesStage, SalesStage.id == model.stage_id)
        .outerjoin(User, User.id == model.owner_id)
        .where(getattr(model, link) == record_id)
        .order_by(model.created_at.desc(), model.id.desc())
        .limit(limit)
    )
    return records.session.execute(query)


def sales_items(section, record, records, limit: int) -> list[TimelineItem] | None:
    """The leads and opportunities of ``record`` (an account or a contact) as timeline entries."""
    link = _LINKS.get(section.name)
    sections = records.state.sections
    if link is None or "lead" not in sections or "opportunity" not in sections:
        return None
    items = []
    # Labels translated and card URLs built once per card, not once per entry.
    lead_url, lead_label = card_url_prefix("lead"), str(_l("Lead"))
    for row in _rows(records, "lead", Lead, link, record.id, limit, (Lead.qualification_status,)):
        status = row.stage_name or QUALIFICATION_LABELS.get(row.qualification_status, row.qualification_status)
        items.append(TimelineItem(
            date=row.created_at, kind="lead", kind_label=lead_label, title=row.name, url=f"{lead_url}{row.id}",
            owner=row.owner_name or row.owner_login, status=str(status) if status else None,
            extra={"open": not (row.is_won or row.is_lost)},
        ))
    deal_url, deal_label = card_url_prefix("opportunity"), str(_l("Opportunity"))
    for row in _rows(records, "opportunity", Opportunity, link, record.id, limit,
                     (Opportunity.amount, Opportunity.currency)):
        items.append(TimelineItem(
            date=row.created_at, kind="opportunity", kind_label=deal_label, title=row.name,
            url=f"{deal_url}{row.id}",
            owner=row.owner_name or row.owner_login, status=row.stage_name,
            extra={"open": not (row.is_won or row.is_lost), "amount": row.amount, "currency": row.currency},
        ))
    return items
