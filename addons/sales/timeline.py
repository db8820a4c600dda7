"""Leads and opportunities on the communication timeline of an account or a contact (``flowcase_timeline_items``).

One query per card whatever the number of deals: the leads and the
opportunities, each read through the viewer's rights, newest first and at
most ``limit`` each, side by side in one UNION ALL; the stage's and the
owner's names are joined once to the union's rows, not in each side (on
PostgreSQL each side hashed the whole user table). A lead is dated when it
came in, an opportunity when it was opened.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.models import User
from core.timeline import TimelineItem
from core.ui.display import card_url_prefix
from core.ui.labels import Labels
from core.ui.statements import plain_rows, shared_statement

from .models import QUALIFICATION_LABELS, Lead, Opportunity, SalesStage

#: Which column links a lead or an opportunity to a card of each section.
_LINKS = {"account": "account_id", "contact": "contact_id"}
#: ``fc_kind`` of each branch of the union; leads first, as the two queries used to come.
_LEAD, _DEAL = 0, 1


def _branch(records, section_name: str, kind: int, link: str, limit):
    """One side of the union: ``section_name``'s newest ``limit`` rows through the viewer's rights."""
    columns, where, order = _shape(kind, link)
    return (records.select(section_name).with_only_columns(*columns)
            .where(where).order_by(*order).limit(limit).subquery())


#: Per (kind, link): the side's columns, link condition and order, built once per process;
#: only the rights differ from card to card (the record's id is a parameter of the statement).
_SHAPES: dict = {}


def _shape(kind: int, link: str) -> tuple:
    found = _SHAPES.get((kind, link))
    if found is None:
        model = Lead if kind == _LEAD else Opportunity
        # The other side's columns as typed NULLs, so the two sides line up.
        own = {"qualification_status": sa.cast(sa.null(), Lead.qualification_status.type),
               "amount": sa.cast(sa.null(), Opportunity.amount.type),
               "currency": sa.cast(sa.null(), Opportunity.currency.type)}
        if kind == _LEAD:
            own["qualification_status"] = Lead.qualification_status
        else:
            own.update(amount=Opportunity.amount, currency=Opportunity.currency)
        columns = (sa.literal_column(str(kind), sa.Integer).label("fc_kind"), model.id.label("id"),
                   model.name.label("name"), model.created_at.label("created_at"),
                   model.stage_id.label("stage_id"), model.owner_id.label("owner_id"),
                   *(column.label(name) for name, column in own.items()))
        found = _SHAPES[(kind, link)] = (
            columns, getattr(model, link) == sa.bindparam("fc_record_id"), (model.created_at.desc(), model.id.desc()))
    return found


def _rows(records, link: str, record_id: int, limit: int):
    def build():
        limit_param = sa.bindparam("fc_limit")
        leads = _branch(records, "lead", _LEAD, link, limit_param)
        deals = _branch(records, "opportunity", _DEAL, link, limit_param)
        # Each side keeps its own order and limit; the outer order only puts them back one after the other.
        # The sides are read by name with typed columns made once: deriving a subquery's column collection
        # (``.c``) for every card cost more than running the statement.
        sides = sa.union_all(sa.select(*_SIDE).select_from(leads),
                             sa.select(*_SIDE).select_from(deals)).subquery("fc_sales")
        row = sides.c
        # The names are joined from the tables themselves (plain rows, read on the connection below).
        stage, user = SalesStage.__table__.c, User.__table__.c
        return (sa.select(row.fc_kind, row.id, row.name, row.created_at, stage.name.label("stage_name"),
                          stage.is_won.label("is_won"), stage.is_lost.label("is_lost"),
                          user.name.label("owner_name"), user.login.label("owner_login"),
                          row.qualification_status, row.amount, row.currency)
                .select_from(sides.outerjoin(SalesStage.__table__, stage.id == row.stage_id)
                             .outerjoin(User.__table__, user.id == row.owner_id))
                .order_by(row.fc_kind, row.created_at.desc(), row.id.desc()))

    # Built once per process for a viewer whose rights limit neither leads nor opportunities; else per card.
    query = shared_statement(records, ["lead", "opportunity"], ("sales.timeline", link), build)
    # Plain rows: the sides are ORM selects (the rights), and through the session the rows would go
    # through the ORM's loading for plain columns, dearer than the statement.
    return plain_rows(records, query, {"fc_record_id": record_id, "fc_limit": limit})


#: The columns of each side of the union by name, typed so values come back converted (a date-time, a Decimal).
_SIDE = [sa.literal_column(name, type_) for name, type_ in (
    ("fc_kind", sa.Integer()), ("id", sa.Integer()), ("name", Lead.name.type), ("created_at", Lead.created_at.type),
    ("stage_id", sa.Integer()), ("owner_id", sa.Integer()),
    ("qualification_status", Lead.qualification_status.type), ("amount", Opportunity.amount.type),
    ("currency", Opportunity.currency.type))]


def sales_items(section, record, records, limit: int) -> list[TimelineItem] | None:
    """The leads and opportunities of ``record`` (an account or a contact) as timeline entries."""
    link = _LINKS.get(section.name)
    sections = records.state.sections
    if link is None or "lead" not in sections or "opportunity" not in sections:
        return None
    items = []
    # Labels translated and card URLs built once per card, not once per entry.
    text = Labels()
    lead_url, lead_label = card_url_prefix("lead"), text(_l("Lead"))
    deal_url, deal_label = card_url_prefix("opportunity"), text(_l("Opportunity"))
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
