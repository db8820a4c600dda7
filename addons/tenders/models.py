"""Tender records: stages, tenders, price monitoring offers, implementations, and the links they add.

Every table is prefixed ``tenders_`` and created by ``migrations/tenders_0001_initial.py``;
``tests/test_tenders_lifecycle.py`` compares these models with what the migration
builds. Fields added to other add-ons' records (a contract's tender, an
opportunity sold through a tender) live in 1:1 extension tables this add-on
owns, so uninstalling it leaves contracts and sales untouched.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, DateTime, Enum, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, RecordMixin

#: Money: as in sales and contracts.
MONEY = Numeric(16, 2)
PERCENT = Numeric(5, 2)


class NmcMethod:
    """Values of :attr:`Tender.nmc_method`: how the initial maximum price is made from the offers."""

    MINIMUM = "minimum"
    AVERAGE = "average"
    MEDIAN = "median"
    ALL = (MINIMUM, AVERAGE, MEDIAN)


class TenderResult:
    """Values of :attr:`Tender.result`."""

    PENDING = "pending"
    WON = "won"
    LOST = "lost"
    ALL = (PENDING, WON, LOST)


class OfferKind:
    """Values of :attr:`TenderOffer.kind`: a participant's or supplier's offer, or an earlier contract's price."""

    OFFER = "offer"
    PAST_CONTRACT = "past_contract"
    ALL = (OFFER, PAST_CONTRACT)


NMC_METHOD_LABELS = {
    NmcMethod.MINIMUM: _l("Minimum of the offers"),
    NmcMethod.AVERAGE: _l("Average of the offers"),
    NmcMethod.MEDIAN: _l("Median of the offers"),
}
RESULT_LABELS = {
    TenderResult.PENDING: _l("Not announced"),
    TenderResult.WON: _l("Won"),
    TenderResult.LOST: _l("Lost"),
}
OFFER_KIND_LABELS = {
    OfferKind.OFFER: _l("Offer"),
    OfferKind.PAST_CONTRACT: _l("Earlier contract"),
}


def _user_fk() -> ForeignKey:
    return ForeignKey("core_user.id", ondelete="SET NULL")


def _choice(*values: str) -> Enum:
    # Plain strings without a CHECK constraint, as in crm and sales: the records service checks them.
    return Enum(*values, native_enum=False, length=30, create_constraint=False)


class TenderStage(RecordMixin, Base):
    """A stage of a stage set of this add-on (``tender``, ``price_offer``, ``implementation``)."""

    __tablename__ = "tenders_stage"
    __table_args__ = (Index("ix_tenders_stage_stage_set", "stage_set", "sequence"),)

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    code: Mapped[str | None] = mapped_column(String(50), unique=True)
    stage_set: Mapped[str] = mapped_column(String(50), nullable=False)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    colour: Mapped[str | None] = mapped_column(String(20))
    is_won: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_lost: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Tender(RecordMixin, Base):
    """A purchase a customer announced and we take part in: deadline, prices, our bid and the result."""

    __tablename__ = "tenders_tender"
    __table_args__ = (
        Index("ix_tenders_tender_account_id", "account_id"),
        Index("ix_tenders_tender_opportunity_id", "opportunity_id"),
        Index("ix_tenders_tender_owner_id", "owner_id"),
        Index("ix_tenders_tender_stage_id", "stage_id"),
    )

    name: Mapped[str] = mapped_column(String(250), nullable=False)
    #: The customer.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("crm_account.id", ondelete="SET NULL"))
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("sales_opportunity.id", ondelete="SET NULL"))
    purchase_number: Mapped[str | None] = mapped_column(String(100))
    #: The electronic trading platform (zakupki.gov.ru, Fabrikant, ...).
    platform: Mapped[str | None] = mapped_column(String(200))
    submission_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Initial maximum price, computed from the price monitoring by ``nmc_method``.
    nmc: Mapped[Decimal | None] = mapped_column(MONEY)
    nmc_method: Mapped[str] = mapped_column(_choice(*NmcMethod.ALL), nullable=False, default=NmcMethod.MEDIAN)
    #: Whether prices of earlier contracts with customers of the same group count as well as the offers.
    nmc_with_past: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    our_bid: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="RUB")
    #: The customer's advance, percent of the contract: the income contract's first planned payment.
    advance_percent: Mapped[Decimal | None] = mapped_column(PERCENT)
    #: Days from signing to the final payment of the income contract.
    execution_days: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(_choice(*TenderResult.ALL), nullable=False, default=TenderResult.PENDING)
    result_date: Mapped[date | None] = mapped_column(Date)
    lost_reason_id: Mapped[int | None] = mapped_column(ForeignKey("sales_reason.id"))
    #: Who won when we lost.
    winner_id: Mapped[int | None] = mapped_column(ForeignKey("crm_account.id", ondelete="SET NULL"))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("tenders_stage.id"))
    owner_id: Mapped[int | None] = mapped_column(_user_fk())
    description: Mapped[str | None] = mapped_column(Text)


class TenderOffer(RecordMixin, Base):
    """Price monitoring: a participant's or supplier's offer, or the price of an earlier contract."""

    __tablename__ = "tenders_offer"
    __table_args__ = (
        Index("ix_tenders_offer_tender_id", "tender_id"),
        Index("ix_tenders_offer_account_id", "account_id"),
        Index("ix_tenders_offer_contract_id", "contract_id"),
    )

    #: Made from the participant and the price when left empty.
    name: Mapped[str] = mapped_column(String(250), nullable=False, default="")
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders_tender.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(_choice(*OfferKind.ALL), nullable=False, default=OfferKind.OFFER)
    #: The participant or supplier (for an earlier contract: that contract's customer).
    account_id: Mapped[int | None] = mapped_column(ForeignKey("crm_account.id", ondelete="SET NULL"))
    price: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    offer_date: Mapped[date | None] = mapped_column(Date)
    #: The earlier contract the price comes from.
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts_contract.id", ondelete="SET NULL"))
    #: A supplier chosen for an expense contract when the tender is won.
    chosen: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: The supplier's advance, percent of the price.
    advance_percent: Mapped[Decimal | None] = mapped_column(PERCENT)
    #: Days from order to delivery (and the final payment).
    delivery_days: Mapped[int | None] = mapped_column(Integer)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("tenders_stage.id"))
    owner_id: Mapped[int | None] = mapped_column(_user_fk())
    note: Mapped[str | None] = mapped_column(Text)


class TenderImplementation(RecordMixin, Base):
    """The delivery of a won tender: its project, its contracts and the money they plan."""

    __tablename__ = "tenders_implementation"
    __table_args__ = (
        Index("ix_tenders_implementation_tender_id", "tender_id"),
        Index("ix_tenders_implementation_project_id", "project_id"),
        Index("ix_tenders_implementation_owner_id", "owner_id"),
    )

    name: Mapped[str] = mapped_column(String(250), nullable=False)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders_tender.id", ondelete="CASCADE"), nullable=False)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("crm_account.id", ondelete="SET NULL"))
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("sales_opportunity.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects_project.id", ondelete="SET NULL"))
    #: The income contract's amount, the expense contracts' sum, and the difference.
    income: Mapped[Decimal | None] = mapped_column(MONEY)
    expense: Mapped[Decimal | None] = mapped_column(MONEY)
    margin: Mapped[Decimal | None] = mapped_column(MONEY)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("tenders_stage.id"))
    owner_id: Mapped[int | None] = mapped_column(_user_fk())


# -- fields added to other add-ons' records --------------------------------------------

class TenderContract(Base):
    """A contract's tender and implementation (``tenders.tender_id``): a 1:1 extension of ``contracts_contract``."""

    __tablename__ = "tenders_contract"
    __table_args__ = (
        Index("ix_tenders_contract_tender_id", "tender_id"),
        Index("ix_tenders_contract_implementation_id", "implementation_id"),
    )

    id: Mapped[int] = mapped_column(ForeignKey("contracts_contract.id", ondelete="CASCADE"), primary_key=True)
    tender_id: Mapped[int | None] = mapped_column(ForeignKey("tenders_tender.id", ondelete="SET NULL"))
    implementation_id: Mapped[int | None] = mapped_column(
        ForeignKey("tenders_implementation.id", ondelete="SET NULL"))


class TenderOpportunity(Base):
    """Whether an opportunity is sold through a tender (``tenders.tender_sale``): it then follows the tender case."""

    __tablename__ = "tenders_opportunity"

    id: Mapped[int] = mapped_column(ForeignKey("sales_opportunity.id", ondelete="CASCADE"), primary_key=True)
    tender_sale: Mapped[bool | None] = mapped_column(Boolean)
