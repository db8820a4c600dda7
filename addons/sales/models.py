"""Sales records: leads, opportunities, products, their product lines, and the lookups they use.

Every table is prefixed ``sales_`` and created by ``migrations/sales_0001_initial.py``;
``tests/test_sales_lifecycle.py`` compares these models with what the migration
builds, so the two cannot drift apart.

An opportunity points at the lead it came from (``lead_id``); the lead shows
its opportunities as a detail grid rather than keeping a second foreign key
back, which would make the two tables a cycle that neither the ORM's flush
order nor an uninstall's ``DROP TABLE`` can sort.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, Enum, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, RecordMixin


class LeadSource:
    """Values of :attr:`Lead.source`: where the lead came from."""

    MANUAL = "manual"
    WEB_FORM = "web_form"
    EMAIL = "email"
    CALL = "call"
    IMPORT = "import"
    EXISTING_CONTACT = "existing_contact"
    ALL = (MANUAL, WEB_FORM, EMAIL, CALL, IMPORT, EXISTING_CONTACT)


class Qualification:
    """Values of :attr:`Lead.qualification_status`; set by the sales actions."""

    NEW = "new"
    QUALIFIED = "qualified"
    CONVERTED = "converted"
    NURTURING = "nurturing"
    DISQUALIFIED = "disqualified"
    ALL = (NEW, QUALIFIED, CONVERTED, NURTURING, DISQUALIFIED)


class ReasonKind:
    """Values of :attr:`SalesReason.kind`: which decision a reason explains."""

    DISQUALIFY = "disqualify"
    LOST = "lost"
    ALL = (DISQUALIFY, LOST)


SOURCE_LABELS = {
    LeadSource.MANUAL: _l("Manual"),
    LeadSource.WEB_FORM: _l("Web form"),
    LeadSource.EMAIL: _l("Email"),
    LeadSource.CALL: _l("Call"),
    LeadSource.IMPORT: _l("Import"),
    LeadSource.EXISTING_CONTACT: _l("Existing contact"),
}
QUALIFICATION_LABELS = {
    Qualification.NEW: _l("Not qualified"),
    Qualification.QUALIFIED: _l("Qualified"),
    Qualification.CONVERTED: _l("Transferred to sale"),
    Qualification.NURTURING: _l("Nurturing"),
    Qualification.DISQUALIFIED: _l("Disqualified"),
}

#: Money: 14 digits before the point is more than any deal, 2 after it.
MONEY = Numeric(16, 2)
#: Quantities may be fractional (metres, hours).
QUANTITY = Numeric(14, 3)
PERCENT = Numeric(5, 2)


def _user_fk() -> ForeignKey:
    return ForeignKey("core_user.id", ondelete="SET NULL")


def _choice(*values: str) -> Enum:
    # Plain strings, no CHECK constraint (as in crm): the records service checks them.
    return Enum(*values, native_enum=False, length=30, create_constraint=False)


# -- lookups ----------------------------------------------------------------------

class _Lookup(RecordMixin):
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    code: Mapped[str | None] = mapped_column(String(50), unique=True)


class SalesStage(_Lookup, Base):
    """A stage of a stage set (``stage_set``: ``lead_management``, ``corporate_sale``, ...)."""

    __tablename__ = "sales_stage"
    __table_args__ = (Index("ix_sales_stage_stage_set", "stage_set", "sequence"),)

    stage_set: Mapped[str] = mapped_column(String(50), nullable=False)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    colour: Mapped[str | None] = mapped_column(String(20))
    is_won: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_lost: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: Probability (percent) an opportunity gets on entering the stage.
    probability: Mapped[int | None] = mapped_column(Integer)


class SalesReason(_Lookup, Base):
    """Why a lead was disqualified or an opportunity lost."""

    __tablename__ = "sales_reason"

    kind: Mapped[str] = mapped_column(_choice(*ReasonKind.ALL), nullable=False, default=ReasonKind.LOST)


class ProductCategory(_Lookup, Base):
    """A node of the product category tree."""

    __tablename__ = "sales_product_category"
    __table_args__ = (Index("ix_sales_product_category_parent_id", "parent_id"),)

    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sales_product_category.id", ondelete="SET NULL"))


class ProductUnit(_Lookup, Base):
    """A unit of measure (piece, hour, metre, ...)."""

    __tablename__ = "sales_product_unit"


# -- fields added to crm's accounts ---------------------------------------------------

class SalesAccount(Base):
    """The sales add-on's fields of an account (``sales.tax_id``): a 1:1 extension of ``crm_account``."""

    __tablename__ = "sales_account"
    __table_args__ = (Index("ix_sales_account_tax_id", "tax_id"),)

    id: Mapped[int] = mapped_column(ForeignKey("crm_account.id", ondelete="CASCADE"), primary_key=True)
    #: Taxpayer number (INN in Russia): the surest key to find a company again.
    tax_id: Mapped[str | None] = mapped_column(String(30))


# -- products ---------------------------------------------------------------------

class Product(RecordMixin, Base):
    """A product or service of the catalogue."""

    __tablename__ = "sales_product"
    __table_args__ = (
        Index("ix_sales_product_name", "name"),
        Index("ix_sales_product_category_id", "category_id"),
    )

    name: Mapped[str] = mapped_column(String(250), nullable=False)
    sku: Mapped[str | None] = mapped_column(String(64), unique=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("sales_product_category.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("sales_product_unit.id"))
    price: Mapped[Decimal | None] = mapped_column(MONEY)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    description: Mapped[str | None] = mapped_column(Text)


# -- leads and opportunities --------------------------------------------------------

class Lead(RecordMixin, Base):
    """An interest to be qualified: who asked, what they need, and where it stands."""

    __tablename__ = "sales_lead"
    __table_args__ = (
        Index("ix_sales_lead_owner_id", "owner_id"),
        Index("ix_sales_lead_stage_id", "stage_id"),
        Index("ix_sales_lead_account_id", "account_id"),
        Index("ix_sales_lead_contact_id", "contact_id"),
    )

    #: Display name; made from the company and the person when left empty.
    name: Mapped[str] = mapped_column(String(250), nullable=False, default="")
    source: Mapped[str] = mapped_column(_choice(*LeadSource.ALL), nullable=False, default=LeadSource.MANUAL)
    need: Mapped[str | None] = mapped_column(Text)
    # Registration data, as the client gave it; qualification turns it into an account and a contact.
    company_name: Mapped[str | None] = mapped_column(String(250))
    person_name: Mapped[str | None] = mapped_column(String(250))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    tax_id: Mapped[str | None] = mapped_column(String(30))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("crm_account.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("crm_contact.id", ondelete="SET NULL"))
    qualification_status: Mapped[str] = mapped_column(
        _choice(*Qualification.ALL), nullable=False, default=Qualification.NEW)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("sales_stage.id"))
    owner_id: Mapped[int | None] = mapped_column(_user_fk())
    disqualify_reason_id: Mapped[int | None] = mapped_column(ForeignKey("sales_reason.id"))
    #: Nurturing: when to get back to the client.
    nurture_until: Mapped[date | None] = mapped_column(Date)
    nurture_note: Mapped[str | None] = mapped_column(Text)


class Opportunity(RecordMixin, Base):
    """A sale in progress with an account: amount, stage, probability, products."""

    __tablename__ = "sales_opportunity"
    __table_args__ = (
        Index("ix_sales_opportunity_owner_id", "owner_id"),
        Index("ix_sales_opportunity_stage_id", "stage_id"),
        Index("ix_sales_opportunity_account_id", "account_id"),
        Index("ix_sales_opportunity_contact_id", "contact_id"),
        Index("ix_sales_opportunity_lead_id", "lead_id"),
    )

    name: Mapped[str] = mapped_column(String(250), nullable=False)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("crm_account.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("crm_contact.id", ondelete="SET NULL"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("sales_lead.id", ondelete="SET NULL"))
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    #: ISO 4217 code.
    currency: Mapped[str | None] = mapped_column(String(3))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("sales_stage.id"))
    probability: Mapped[int | None] = mapped_column(Integer)
    expected_close_date: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(_user_fk())
    lost_reason_id: Mapped[int | None] = mapped_column(ForeignKey("sales_reason.id"))


class _ProductLine(RecordMixin):
    """A product with quantity, unit price and discount; ``line_total`` is computed by the hooks."""

    product_id: Mapped[int] = mapped_column(ForeignKey("sales_product.id"), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY, nullable=False, default=Decimal(1))
    #: Taken from the product's price when left empty.
    unit_price: Mapped[Decimal | None] = mapped_column(MONEY)
    #: Percent off.
    discount: Mapped[Decimal] = mapped_column(PERCENT, nullable=False, default=Decimal(0))
    line_total: Mapped[Decimal | None] = mapped_column(MONEY)


class LeadProduct(_ProductLine, Base):
    """A product the lead is interested in."""

    __tablename__ = "sales_lead_product"
    __table_args__ = (Index("ix_sales_lead_product_lead_id", "lead_id"),)

    lead_id: Mapped[int] = mapped_column(ForeignKey("sales_lead.id", ondelete="CASCADE"), nullable=False)


class OpportunityProduct(_ProductLine, Base):
    """A product line of an opportunity."""

    __tablename__ = "sales_opportunity_product"
    __table_args__ = (Index("ix_sales_opportunity_product_opportunity_id", "opportunity_id"),)

    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("sales_opportunity.id", ondelete="CASCADE"), nullable=False)
