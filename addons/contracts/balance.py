"""What a contract has been paid, what it still expects and when, and what is overdue.

Other add-ons import :func:`contract_totals` (``flowcase_addons.contracts.balance``).
Every read goes through ``records.select`` so the viewer's rights apply; the
figures are computed when read (never cached), so "overdue" is right on the
day it is shown even before the nightly job marks the planned payments.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from .models import ContractPayment, ContractInvoice, PaymentState, PlannedPayment

ZERO = Decimal("0.00")


def today() -> dt.date:
    """Today in UTC, the day every stored date is compared with."""
    return dt.datetime.now(dt.timezone.utc).date()


def overdue_condition(on: dt.date) -> sa.ColumnElement[bool]:
    """Planned payments not fully paid whose date has passed (two-valued: both columns are NOT NULL)."""
    return sa.and_(PlannedPayment.state != PaymentState.PAID, PlannedPayment.planned_date < on)


def payment_state(payment: PlannedPayment, invoiced: bool, on: dt.date) -> str:
    """The state a planned payment is in: paid once payments cover it, overdue after its date, else invoiced or planned."""
    amount = Decimal(payment.amount or 0)
    paid = Decimal(payment.paid_amount or 0)
    if amount > 0 and paid >= amount:
        return PaymentState.PAID
    if payment.planned_date is not None and payment.planned_date < on:
        return PaymentState.OVERDUE
    return PaymentState.INVOICED if invoiced else PaymentState.PLANNED


def remaining(payment: PlannedPayment) -> Decimal:
    """What is still expected of a planned payment (never below zero)."""
    return max(Decimal(payment.amount or 0) - Decimal(payment.paid_amount or 0), ZERO)


def _money(value) -> Decimal:
    return Decimal(value if value is not None else 0).quantize(Decimal("0.01"))


def contract_totals(records, contract_id: int, on: dt.date | None = None) -> dict:
    """``{"paid", "balance", "overdue", "planned"}`` of a contract as Decimals, as the user may see them.

    ``paid``: the payments recorded; ``balance``: the contract amount minus
    that; ``planned``: the planned payments' sum; ``overdue``: what is still
    unpaid of the planned payments whose date has passed. Three queries.
    """
    on = on or today()
    contract = records.get("contract", contract_id)
    paid = records.session.scalar(records.select("contract_paid").where(
        ContractPayment.contract_id == contract.id).with_only_columns(sa.func.sum(ContractPayment.amount)))
    unpaid = PlannedPayment.amount - PlannedPayment.paid_amount
    planned, overdue = records.session.execute(records.select("contract_payment").where(
        PlannedPayment.contract_id == contract.id).with_only_columns(
        sa.func.sum(PlannedPayment.amount),
        sa.func.sum(sa.case((sa.and_(overdue_condition(on), unpaid > 0), unpaid), else_=0)))).one()
    paid = _money(paid)
    return {"paid": paid, "balance": _money(contract.amount) - paid, "overdue": _money(overdue),
            "planned": _money(planned)}


@dataclass
class Expected:
    """What a contract still expects in one month (``month`` is its first day; None: overdue)."""

    month: dt.date | None
    amount: Decimal
    count: int


def expected_by_period(records, contract_id: int, on: dt.date | None = None) -> list[Expected]:
    """The unpaid rest of the planned payments, overdue first, then month by month."""
    on = on or today()
    rows = records.session.execute(records.select("contract_payment").where(
        PlannedPayment.contract_id == contract_id, PlannedPayment.state != PaymentState.PAID).with_only_columns(
        PlannedPayment.planned_date, PlannedPayment.amount, PlannedPayment.paid_amount)).all()
    buckets: dict = {}
    for planned_date, amount, paid in rows:
        rest = max(Decimal(amount or 0) - Decimal(paid or 0), ZERO)
        if rest <= 0:
            continue
        key = None if planned_date < on else planned_date.replace(day=1)
        total, count = buckets.get(key, (ZERO, 0))
        buckets[key] = (total + rest, count + 1)
    ordered = sorted(buckets, key=lambda k: (k is not None, k or dt.date.min))
    return [Expected(k, _money(buckets[k][0]), buckets[k][1]) for k in ordered]


def refresh_planned_payment(records, payment_id: int | None) -> None:
    """Roll the payments recorded against a planned payment up into it (paid sum, paid date; its state follows)."""
    if payment_id is None:
        return
    session = records.session
    payment = session.get(PlannedPayment, payment_id)
    if payment is None:
        return
    paid, last = session.execute(sa.select(sa.func.sum(ContractPayment.amount), sa.func.max(ContractPayment.date))
                                 .where(ContractPayment.planned_payment_id == payment_id)).one()
    paid = _money(paid)
    fully = paid >= Decimal(payment.amount or 0) > 0
    # Derived values: written as the system, whoever recorded the payment.
    records.sudo().update("contract_payment", payment, {"paid_amount": paid,
                                                         "paid_date": last if fully else None})


def is_invoiced(session, payment_id: int | None) -> bool:
    """Whether an invoice was issued for the planned payment."""
    if payment_id is None:
        return False
    return session.scalar(sa.select(sa.literal(1)).select_from(ContractInvoice)
                          .where(ContractInvoice.planned_payment_id == payment_id).limit(1)) is not None


def mark_overdue(records, on: dt.date | None = None) -> int:
    """Set planned payments past their date and not paid to "overdue"; returns how many changed.

    Idempotent (a second run finds nothing to do), so several workers may run it.
    """
    on = on or today()
    found = records.session.scalars(sa.select(PlannedPayment).where(
        overdue_condition(on), PlannedPayment.state != PaymentState.OVERDUE).order_by(PlannedPayment.id)).all()
    for payment in found:
        records.update("contract_payment", payment, {"state": PaymentState.OVERDUE})
    return len(found)
