"""Contract records: contracts, their planned payments, invoices and actual payments, and the lookups they use.

Every table is prefixed ``contracts_`` and created by
``migrations/contracts_0001_initial.py``; ``tests/test_contracts_lifecycle.py``
compares the two so they cannot drift apart.

Planned payments, invoices and payments copy their contract's ``direction``
(kept in step by the hooks): dashboards group and filter by a record's own
columns, so "income vs expense per month" needs the direction on the payment.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, Enum, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, RecordMixin

#: Money: as in sales, 14 digits before the point, 2 after it.
MONEY = Numeric(16, 2)


class Direction:
    """Values of ``direction``: money coming in from a customer or going out to a supplier."""

    INCOME = "income"
    EXPENSE = "expense"
    ALL = (INCOME, EXPENSE)


class ContractState:
    """Values of :attr:`Contract.state`; a stage names the state a contract entering it gets."""

    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    ALL = (DRAFT, ACTIVE, CLOSED, CANCELLED)


class PaymentKind:
    """Values of :attr:`PlannedPayment.kind`."""

    ADVANCE = "advance"
    PROGRESS = "progress"
    FINAL = "final"
    ALL = (ADVANCE, PROGRESS, FINAL)


class PaymentState:
    """Values of :attr:`PlannedPayment.state`; derived from invoices, payments and the date (see ``balance``)."""

    PLANNED = "planned"
    INVOICED = "invoiced"
    PAID = "paid"
    OVERDUE = "overdue"
    ALL = (PLANNED, INVOICED, PAID, OVERDUE)


DIRECTION_LABELS = {Direction.INCOME: _l("Income"), Direction.EXPENSE: _l("Expense")}
STATE_LABELS = {
    ContractState.DRAFT: _l("Draft"),
    ContractState.ACTIVE: _l("Active"),
    ContractState.CLOSED: _l("Closed"),
    ContractState.CANCELLED: _l("Cancelled"),
}
KIND_LABELS = {
    PaymentKind.ADVANCE: _l("Advance"),
    PaymentKind.PROGRESS: _l("Progress payment"),
    PaymentKind.FINAL: _l("Final payment"),
}
PAYMENT_STATE_LABELS = {
    PaymentState.PLANNED: _l("Planned"),
    PaymentState.INVOICED: _l("Invoiced"),
    PaymentState.PAID: _l("Paid"),
    PaymentState.OVERDUE: _l("Overdue"),
}


def _choice(*values: str) -> Enum:
    # Plain strings, no CHECK constraint (as in crm and sales): the records service checks them.
    return Enum(*values, native_enum=False, length=30, create_constraint=False)


def _user_fk() -> ForeignKey:
    return ForeignKey("core_user.id", ondelete="SET NULL")


def _contract_fk() -> ForeignKey:
    return ForeignKey("contracts_contract.id", ondelete="CASCADE")


# -- lookups ----------------------------------------------------------------------------

class ContractStage(RecordMixin, Base):
    """A stage of the contract stage set; ``state`` is what a contract entering it becomes."""

    __tablename__ = "contracts_stage"

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    code: Mapped[str | None] = mapped_column(String(50), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    colour: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(_choice(*ContractState.ALL), nullable=False, default=ContractState.DRAFT)


class ContractSequence(RecordMixin, Base):
    """How contract numbers are made: ``prefix`` (``{year}`` is the contract's year) and a zero-padded counter.

    A sequence with a ``direction`` numbers only that direction's contracts;
    one without numbers the rest. ``counter_year`` and ``next_number`` are the
    running counter (restarted each year when ``per_year``).
    """

    __tablename__ = "contracts_sequence"

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    code: Mapped[str] = mapped_column(String(50), unique=True, nullable=False)
    direction: Mapped[str | None] = mapped_column(_choice(*Direction.ALL))
    prefix: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    padding: Mapped[int] = mapped_column(Integer, nullable=False, default=4)
    per_year: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    counter_year: Mapped[int | None] = mapped_column(Integer)
    next_number: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


# -- contracts --------------------------------------------------------------------------

class Contract(RecordMixin, Base):
    """A contract with a customer (income) or a supplier (expense)."""

    __tablename__ = "contracts_contract"
    __table_args__ = (
        Index("ix_contracts_contract_account_id", "account_id"),
        Index("ix_contracts_contract_owner_id", "owner_id"),
        Index("ix_contracts_contract_stage_id", "stage_id"),
        Index("ix_contracts_contract_opportunity_id", "opportunity_id"),
        Index("ix_contracts_contract_parent_contract_id", "parent_contract_id"),
    )

    #: Given from the contract sequence when left empty.
    number: Mapped[str | None] = mapped_column(String(50), unique=True)
    date: Mapped[dt.date] = mapped_column(Date, nullable=False, default=dt.date.today)
    name: Mapped[str] = mapped_column(String(250), nullable=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("crm_account.id"), nullable=False)
    direction: Mapped[str] = mapped_column(_choice(*Direction.ALL), nullable=False, default=Direction.INCOME)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0))
    #: ISO 4217 code.
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="RUB")
    state: Mapped[str] = mapped_column(_choice(*ContractState.ALL), nullable=False, default=ContractState.DRAFT)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("contracts_stage.id"))
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("sales_opportunity.id", ondelete="SET NULL"))
    parent_contract_id: Mapped[int | None] = mapped_column(
        ForeignKey("contracts_contract.id", ondelete="SET NULL"))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(_user_fk())
    description: Mapped[str | None] = mapped_column(Text)


class PlannedPayment(RecordMixin, Base):
    """A payment the contract plans: kind, date and amount; its state follows invoices and payments."""

    __tablename__ = "contracts_planned_payment"
    __table_args__ = (
        Index("ix_contracts_planned_payment_contract_id", "contract_id"),
        Index("ix_contracts_planned_payment_planned_date", "planned_date"),
    )

    contract_id: Mapped[int] = mapped_column(_contract_fk(), nullable=False)
    #: Display name, made by the hooks: the contract's number and the planned date ("Д-2026-0001 · 18.11.2026").
    name: Mapped[str] = mapped_column(String(250), nullable=False, default="")
    kind: Mapped[str] = mapped_column(_choice(*PaymentKind.ALL), nullable=False, default=PaymentKind.ADVANCE)
    planned_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    state: Mapped[str] = mapped_column(_choice(*PaymentState.ALL), nullable=False, default=PaymentState.PLANNED)
    #: What the payments recorded against it add up to (rolled up by the hooks).
    paid_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0))
    #: ``amount - paid_amount``, never below zero: what is still expected.
    remaining: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=Decimal(0))
    paid_date: Mapped[dt.date | None] = mapped_column(Date)
    direction: Mapped[str] = mapped_column(_choice(*Direction.ALL), nullable=False, default=Direction.INCOME)
    description: Mapped[str | None] = mapped_column(String(250))


class ContractInvoice(RecordMixin, Base):
    """An invoice issued (or received) under a contract, usually for one planned payment."""

    __tablename__ = "contracts_invoice"
    __table_args__ = (
        Index("ix_contracts_invoice_contract_id", "contract_id"),
        Index("ix_contracts_invoice_planned_payment_id", "planned_payment_id"),
    )

    contract_id: Mapped[int] = mapped_column(_contract_fk(), nullable=False)
    number: Mapped[str] = mapped_column(String(50), nullable=False)
    date: Mapped[dt.date] = mapped_column(Date, nullable=False, default=dt.date.today)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    # Named by hand: the conventional name is longer than PostgreSQL's 63 characters.
    planned_payment_id: Mapped[int | None] = mapped_column(ForeignKey(
        "contracts_planned_payment.id", ondelete="SET NULL", name="fk_contracts_invoice_planned_payment_id"))
    direction: Mapped[str] = mapped_column(_choice(*Direction.ALL), nullable=False, default=Direction.INCOME)
    description: Mapped[str | None] = mapped_column(String(250))


class ContractPayment(RecordMixin, Base):
    """Money actually received or paid under a contract (section ``contract_paid``)."""

    __tablename__ = "contracts_payment"
    __table_args__ = (
        Index("ix_contracts_payment_contract_id", "contract_id"),
        Index("ix_contracts_payment_planned_payment_id", "planned_payment_id"),
        Index("ix_contracts_payment_date", "date"),
    )

    contract_id: Mapped[int] = mapped_column(_contract_fk(), nullable=False)
    date: Mapped[dt.date] = mapped_column(Date, nullable=False, default=dt.date.today)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    planned_payment_id: Mapped[int | None] = mapped_column(ForeignKey(
        "contracts_planned_payment.id", ondelete="SET NULL", name="fk_contracts_payment_planned_payment_id"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("contracts_invoice.id", ondelete="SET NULL"))
    direction: Mapped[str] = mapped_column(_choice(*Direction.ALL), nullable=False, default=Direction.INCOME)
    description: Mapped[str | None] = mapped_column(String(250))
