"""Leads and opportunities on the communication timeline of an account or a contact (``flowcase_timeline_items``).

One query per card whatever the number of deals: the leads and the
opportunities, each read through the viewer's rights with the stage's name
and the owner's name joined in, newest first and at most ``limit`` each, side
by side in one UNION ALL. A lead is dated when it came in, an opportunity
when it was opened.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.models import User
from core.timeline import TimelineItem
from core.ui.display import card_url_prefix

from .models import QUALIFICATION_LABELS, Lead, Opportunity, SalesStage

#: Which column links a lead or an opportunity to a card of each section.
_LINKS = {"account": "account_id", "contact": "contact_id"}
#: ``fc_kind`` of each branch of the union; leads first, as the two queries used to come.
_LEAD, _DEAL = 0, 1


def _branch(records, section_name: str, model, kind: int, link: str, record_id: int, limit: int, extra: dict):
    """One side of the union: ``section_name``'s newest ``limit`` rows, the other side's columns as typed NULLs."""
    own = {"qualification_status": sa.cast(sa.null(), Lead.qualification_status.type),
           "amount": sa.cast(sa.null(), Opportunity.amount.type),
           "currency": sa.cast(sa.null(), Opportunity.currency.type), **extra}
    return (
        records.select(section_name)
        .with_only_columns(sa.literal_column(str(kind), sa.Integer).label("fc_kind"), model.id.label("id"), model.name.label("name"),
                           model.created_at.label("created_at"), SalesStage.name.label("stage_name"),
                           SalesStage.is_won.label("is_won"), SalesStage.is_lost.label("is_lost"),
                           User.name.label("owner_name"), User.login.label("owner_login"),
                           *(column.label(name) for name, column in own.items()))
        .outerjoin(SalesStage, SalesStage.id == model.stage_id)
        .outerjoin(User, User.id == model.owner_id)
        .where(getattr(model, link) == record_id)
        .order_by(model.created_at.desc(), model.id.desc())
        .limit(limit)
        .subquery()
    )


def _rows(records, link: str, record_id: int, limit: int):
    leads = _branch(records, "lead", Lead, _LEAD, link, record_id, limit,
                    {"qualification_status": Lead.qualification_status})
    deals = _branch(records, "opportunity", Opportunity, _DEAL, link, record_id, limit,
                    {"amount": Opportunity.amount, "currency": Opportunity.currency})
    union = sa.union_all(sa.select(leads), sa.select(deals)).subquery()
    # Each side keeps its own order and limit; the outer order only puts them back one after the other.
    query = sa.select(union).order_by(union.c.fc_kind, union.c.created_at.desc(), union.c.id.desc())
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
    deal_url, deal_label = card_url_prefix("opportunity"), str(_l("Opportunity"))
    for row in _rows(records, link, record.id, limit):
        if row.fc_kind == _LEAD:
            status = row.stage_name or QUALIFICATION_LABELS.get(row.qualification_status, row.qualification_status)
            items.append(TimelineItem(
                date=row.created_at, kind="lead", kind_label=lead_label, title=row.name, url=f"{lead_url}{row.id}",
                owner=row.owner_name or row.owner_login, status=str(status) if status else None,
                extra={"open": not (row.is_won or row.is_lost)},
            ))
        else:
            items.append(TimelineItem(
                date=row.created_at, kind="opportunity", kind_label=deal_label, title=row.name,
                url=f"{deal_url}{row.id}",
                owner=row.owner_name or row.owner_login, status=row.stage_name,
                extra={"open": not (row.is_won or row.is_lost), "amount": row.amount, "currency": row.currency},
            ))
    return items
