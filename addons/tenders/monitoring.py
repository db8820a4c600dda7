"""Price monitoring: earlier contracts with customers of the same group as the tender's customer.

A customer's group is its holding: the top of its ``parent_id`` chain (for
TECHNAB, the Rosatom contour). The action ``tenders.collect_past_prices`` adds
each earlier income contract with any account of that group to the tender's
price monitoring as an "earlier contract" price, once.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import ValidationError

from .models import OfferKind, TenderContract, TenderOffer

#: Deeper holding trees than this are cut short (and a parent loop cannot spin forever).
MAX_DEPTH = 20


def group_root(session, account_model, account_id):
    """The top account of ``account_id``'s parent chain (itself when it has no parent)."""
    seen = set()
    current = account_id
    while current is not None and current not in seen and len(seen) < MAX_DEPTH:
        seen.add(current)
        parent = session.scalar(sa.select(account_model.parent_id).where(account_model.id == current))
        if parent is None:
            return current
        current = parent
    return current


def group_accounts(session, account_model, account_id) -> set[int]:
    """Every account of the customer's group: the root and all accounts below it."""
    root = group_root(session, account_model, account_id)
    members, frontier = {root}, {root}
    for _ in range(MAX_DEPTH):
        children = set(session.scalars(sa.select(account_model.id).where(account_model.parent_id.in_(frontier))))
        frontier = children - members
        if not frontier:
            break
        members |= frontier
    return members


def past_contracts(records, tender) -> list:
    """Income contracts with the customer's group the user may read, other than this tender's own, oldest first."""
    if tender.account_id is None:
        return []
    contract = records.section("contract")
    Contract = contract.model
    accounts = group_accounts(records.session, records.section("account").model, tender.account_id)
    own = sa.select(TenderContract.id).where(TenderContract.tender_id == tender.id)
    stmt = (records.select(contract)
            .where(Contract.account_id.in_(accounts), Contract.direction == "income", Contract.amount.is_not(None),
                   Contract.state != "cancelled", Contract.id.not_in(own))
            .order_by(Contract.date, Contract.id))
    return list(records.session.scalars(stmt))


def collect_past_prices(records, section, tender, **params) -> int:
    """Action ``tenders.collect_past_prices``: add earlier contracts' prices to the monitoring; returns how many."""
    if tender.account_id is None:
        raise ValidationError({"account_id": [_l("Choose the customer first: its group's contracts are looked up.")]})
    known = set(records.session.scalars(sa.select(TenderOffer.contract_id).where(
        TenderOffer.tender_id == tender.id, TenderOffer.contract_id.is_not(None))))
    added = 0
    with records.transaction():
        for contract in past_contracts(records, tender):
            if contract.id in known:
                continue
            records.create("tender_offer", {
                "tender_id": tender.id, "kind": OfferKind.PAST_CONTRACT, "account_id": contract.account_id,
                "price": contract.amount, "offer_date": contract.date, "contract_id": contract.id,
                "name": str(_l("Contract %(number)s", number=contract.number or contract.id))[:250],
            })
            added += 1
    return added
