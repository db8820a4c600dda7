"""Contracts on an account's timeline (``flowcase_timeline_items``) and on their opportunity's card.

One query each, through the viewer's rights, with the stage's and the owner's
names joined in: a contract the viewer may not read is not mentioned.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from core.models import User
from core.timeline import TimelineItem

from .models import STATE_LABELS, Contract, ContractState, ContractStage


def linked_contracts(records, field: str, record_id: int, limit: int) -> list:
    """Rows (id, number, name, date, amount, currency, direction, state, stage_name, owner_name) linked by ``field``."""
    query = (
        records.select("contract")
        .with_only_columns(Contract.id, Contract.number, Contract.name, Contract.date, Contract.amount,
                           Contract.currency, Contract.direction, Contract.state,
                           ContractStage.name.label("stage_name"),
                           sa.func.coalesce(User.name, User.login).label("owner_name"))
        .outerjoin(ContractStage, ContractStage.id == Contract.stage_id)
        .outerjoin(User, User.id == Contract.owner_id)
        .where(getattr(Contract, field) == record_id)
        .order_by(Contract.date.desc(), Contract.id.desc())
        .limit(limit)
    )
    return list(records.session.execute(query))


def contract_items(section, record, records, limit: int) -> list[TimelineItem] | None:
    """The contracts of an account as timeline entries, dated by the contract's date."""
    if section.name != "account":
        return None
    return [
        TimelineItem(
            date=row.date, kind="contract", kind_label=_l("Contract"),
            title=f"{row.number} · {row.name}" if row.number else row.name,
            url=url_for("sections.card", section_name="contract", record_id=row.id),
            owner=row.owner_name, status=row.stage_name or str(STATE_LABELS.get(row.state, row.state)),
            extra={"open": row.state in (ContractState.DRAFT, ContractState.ACTIVE), "amount": row.amount,
                   "currency": row.currency},
        )
        for row in linked_contracts(records, "account_id", record.id, limit)
    ]
