"""Entering a tender's result: the action ``tenders.enter_result`` and what a win or a loss sets going.

A win closes the opportunity as won, creates the Implementation with its
project (from the ``tender_delivery`` template of the projects add-on), forms
the pool of contracts (the income contract with the customer, an expense
contract per chosen supplier, each with its planned payments from the price
monitoring) and leaves the contracting tasks (the implementation's stage) and
the execution tasks (the project's) in the responsible users' schedules. A
loss closes the opportunity as lost with the reason.

Everything runs in one ``records.transaction()`` with the acting user's
rights: a failure anywhere writes nothing.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import ValidationError
from core.values import BadValue, coerce

from .links import ensure_tender_case
from .models import OfferKind, TenderImplementation, TenderOffer, TenderResult
from .stages import IMPLEMENTATION_CONTRACTING, OFFER_CHOSEN, OFFER_REJECTED, TENDER_LOST, TENDER_WON, stage_by_code

#: The project template a won tender's implementation is created from (seeded in data/).
PROJECT_TEMPLATE = "tender_delivery"
#: Days to the final payment when the tender or the offer names no term.
DEFAULT_TERM_DAYS = 30
_CENT = Decimal("0.01")
#: Set while :func:`enter_result` writes: only then may a tender's ``result`` change.
_ENTERING = ContextVar("tenders_entering_result", default=False)


def entering_result() -> bool:
    """Whether the current write is the result action's (the hooks refuse other changes of ``result``)."""
    return _ENTERING.get()


@contextmanager
def _entering():
    token = _ENTERING.set(True)
    try:
        yield
    finally:
        _ENTERING.reset(token)


def _money(value) -> Decimal:
    return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def _date(value, field: str) -> date:
    if value in (None, ""):
        return date.today()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: [_l("Enter a date as YYYY-MM-DD.")]}) from None


def _ids(values) -> list[int]:
    if values in (None, ""):
        return []
    if isinstance(values, (str, int)):
        values = [values]
    try:
        return [int(v) for v in values if v not in (None, "")]
    except (TypeError, ValueError):
        raise ValidationError({"suppliers": [_l("Choose suppliers from the price monitoring.")]}) from None


def enter_result(records, section, tender, result=None, reason_id=None, winner_id=None, result_date=None,
                 suppliers=None, **params):
    """Action ``tenders.enter_result``: record the tender's result and set what follows it going.

    :param result: ``won`` or ``lost``.
    :param reason_id: the lost reason (a sales reason of kind ``lost``); required for a loss.
    :param winner_id: the account that won, for a loss (optional).
    :param suppliers: ids of this tender's price offers to sign expense contracts with (on a win): exactly
        these are chosen; when not given, the offers already marked chosen are.
    :return: the implementation on a win, the tender on a loss.
    """
    if params:  # a misspelt parameter must not silently drop the suppliers or the reason
        raise ValidationError({name: [_l("unknown parameter of the result")] for name in sorted(params)})
    if tender.result != TenderResult.PENDING:
        raise ValidationError({"result": [_l("The result of this tender is already entered.")]})
    when = _date(result_date, "result_date")
    with _entering():
        if result == TenderResult.WON:
            return _won(records, section, tender, when, None if suppliers is None else _ids(suppliers))
        if result == TenderResult.LOST:
            return _lost(records, section, tender, when, reason_id, winner_id)
    raise ValidationError({"result": [_l("Choose the result: won or lost.")]})


# -- a loss -------------------------------------------------------------------------------

def _lost(records, section, tender, when, reason_id, winner_id):
    reason_section = records.section("sales_reason")
    reason = None
    if reason_id not in (None, ""):
        try:
            reason = records.session.get(reason_section.model, int(reason_id))
        except (TypeError, ValueError):
            reason = None
    if reason is None or reason.kind != "lost":
        raise ValidationError({"lost_reason_id": [_l("Choose why the tender was lost.")]})
    values = {"result": TenderResult.LOST, "result_date": when, "lost_reason_id": reason.id,
              "stage_id": stage_by_code(records.session, TENDER_LOST).id}
    if winner_id not in (None, ""):
        try:
            values["winner_id"] = coerce(section.field("winner_id"), winner_id)
        except BadValue as exc:
            raise ValidationError({"winner_id": [str(exc)]}) from None
    with records.transaction():
        records.update(section, tender, values)
        _reject_offers(records, list(records.session.scalars(sa.select(TenderOffer).where(
            TenderOffer.tender_id == tender.id, TenderOffer.kind == OfferKind.OFFER))))
        opportunity = _opportunity(records, tender)
        if opportunity is not None:
            _close_opportunity(records, opportunity, "opportunity_lost", {"lost_reason_id": reason.id})
    return tender


# -- a win ----------------------------------------------------------------------------------

def _won(records, section, tender, when, supplier_ids):
    errors = {}
    if tender.account_id is None:
        errors["account_id"] = [_l("Choose the customer before entering a win.")]
    if tender.our_bid is None:
        errors["our_bid"] = [_l("Enter our bid before entering a win: it is the income contract's amount.")]
    if errors:
        raise ValidationError(errors)
    session = records.session
    offers = list(session.scalars(sa.select(TenderOffer).where(
        TenderOffer.tender_id == tender.id, TenderOffer.kind == OfferKind.OFFER).order_by(TenderOffer.id)))
    by_id = {offer.id: offer for offer in offers}
    if supplier_ids is None:
        supplier_ids = [offer.id for offer in offers if offer.chosen]
    if any(i not in by_id for i in supplier_ids):
        raise ValidationError({"suppliers": [_l("Choose suppliers from this tender's price monitoring.")]})
    chosen_stage = stage_by_code(session, OFFER_CHOSEN).id
    with records.transaction():
        for offer in offers:
            wanted = offer.id in supplier_ids
            if offer.chosen != wanted or (wanted and offer.stage_id != chosen_stage):
                records.update("tender_offer", offer, {"chosen": wanted, **({"stage_id": chosen_stage} if wanted else {})})
        chosen = [offer for offer in offers if offer.chosen]
        _reject_offers(records, [offer for offer in offers if not offer.chosen])
        records.update(section, tender, {"result": TenderResult.WON, "result_date": when,
                                         "stage_id": stage_by_code(session, TENDER_WON).id})
        opportunity = _opportunity(records, tender)
        if opportunity is not None:
            _close_opportunity(records, opportunity, "opportunity_won", {"amount": tender.our_bid})
        implementation = records.create("tender_implementation", {
            "name": str(_l("Implementation: %(tender)s", tender=tender.name))[:250],
            "tender_id": tender.id,
            "account_id": tender.account_id,
            "opportunity_id": tender.opportunity_id,
            "owner_id": tender.owner_id,
            "stage_id": stage_by_code(session, IMPLEMENTATION_CONTRACTING).id,
        })
        project = _project(records, tender, implementation, when)
        income = _income_contract(records, tender, implementation, when)
        expenses = [_expense_contract(records, tender, implementation, offer, income, when) for offer in chosen]
        expense_total = sum((c.amount for c in expenses), Decimal(0))
        records.update("tender_implementation", implementation, {
            "project_id": project.id if project is not None else None,
            "income": income.amount,
            "expense": expense_total,
            "margin": Decimal(income.amount) - expense_total,
        })
    return implementation


def _reject_offers(records, offers) -> None:
    """Offers not taken leave the monitoring's open stages (their open tasks are cancelled with them)."""
    rejected = stage_by_code(records.session, OFFER_REJECTED).id
    for offer in offers:
        if offer.stage_id != rejected:
            records.update("tender_offer", offer, {"stage_id": rejected})


def _opportunity(records, tender):
    if tender.opportunity_id is None:
        return None
    return records.get("opportunity", tender.opportunity_id)


def _close_opportunity(records, opportunity, stage_code: str, values: dict) -> None:
    """Move the opportunity to sales' won or lost stage; a tender sale's case allows both from any stage."""
    from flowcase_addons.sales.stages import stage_by_code as sales_stage

    ensure_tender_case(records, opportunity)
    stage = sales_stage(records.session, stage_code)
    if opportunity.stage_id != stage.id:
        records.update("opportunity", opportunity, {**values, "stage_id": stage.id})


def _project(records, tender, implementation, when):
    """The delivery project from the projects add-on's template, linked to the implementation."""
    from flowcase_addons.projects.services import create_project_from_template

    values = {"name": str(_l("Delivery: %(tender)s", tender=tender.name))[:250], "owner_id": tender.owner_id,
              "planned_start": when}
    return create_project_from_template(records, PROJECT_TEMPLATE, "tender_implementation", implementation.id,
                                        values=values)


def _payments(records, contract, amount, advance_percent, when, term_days) -> None:
    """Planned payments: the advance (a share of the amount, due on signing) and the rest at the end of the term."""
    amount = Decimal(amount)
    advance = _money(amount * Decimal(advance_percent or 0) / 100) if advance_percent else Decimal(0)
    if advance > 0:
        records.create("contract_payment", {"contract_id": contract.id, "kind": "advance", "planned_date": when,
                                            "amount": advance})
    rest = amount - advance
    if rest > 0:
        records.create("contract_payment", {
            "contract_id": contract.id, "kind": "final", "amount": rest,
            "planned_date": when + timedelta(days=term_days if term_days is not None else DEFAULT_TERM_DAYS)})


def _contract(records, tender, implementation, values: dict):
    return records.create("contract", {
        "date": values.pop("date"), "currency": tender.currency or "RUB", "owner_id": tender.owner_id,
        "tenders.tender_id": tender.id, "tenders.implementation_id": implementation.id, **values})


def _income_contract(records, tender, implementation, when):
    contract = _contract(records, tender, implementation, {
        "date": when, "name": str(_l("Supply under tender %(number)s: %(tender)s",
                                     number=tender.purchase_number or tender.id, tender=tender.name))[:250],
        "account_id": tender.account_id, "direction": "income", "amount": tender.our_bid,
        "opportunity_id": tender.opportunity_id})
    _payments(records, contract, tender.our_bid, tender.advance_percent, when, tender.execution_days)
    return contract


def _expense_contract(records, tender, implementation, offer, income, when):
    contract = _contract(records, tender, implementation, {
        "date": when, "name": str(_l("Purchase for tender %(number)s: %(offer)s",
                                     number=tender.purchase_number or tender.id, offer=offer.name))[:250],
        "account_id": offer.account_id, "direction": "expense", "amount": offer.price,
        "parent_contract_id": income.id})
    _payments(records, contract, offer.price, offer.advance_percent, when, offer.delivery_days)
    return contract


def implementation_of(session, tender_id):
    """The tender's implementation, or None."""
    return session.scalar(sa.select(TenderImplementation).where(TenderImplementation.tender_id == tender_id)
                          .order_by(TenderImplementation.id))
