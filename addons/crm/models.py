"""CRM records: accounts, contacts, activities, and the lookups they use.

Every table is prefixed ``crm_`` and created by ``migrations/crm_0001_initial.py``;
``tests/test_crm_lifecycle.py`` compares these models with what the migration
builds, so the two cannot drift apart.

Activity *type* is a lookup, while *status* and *priority* are fixed choices:
admins add their own kinds of activity (a site visit, a demo) without code,
and code that needs a particular kind (telephony logs every call as type
``call``) finds it by its ``code``. Status and priority drive behaviour
(overdue = open and past due), so code must be able to rely on their values.
They are plain strings checked by the records service, with no database CHECK
constraint, so a later add-on can offer another value without rebuilding the
table on SQLite.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, DateTime, Enum, ForeignKey, Index, Integer, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, RecordMixin


class ActivityStatus:
    """Values of :attr:`Activity.status`."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class ActivityPriority:
    """Values of :attr:`Activity.priority`."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


#: Labels of the status values, for pages and exports.
STATUS_LABELS = {
    ActivityStatus.OPEN: _l("Open"),
    ActivityStatus.DONE: _l("Done"),
    ActivityStatus.CANCELLED: _l("Cancelled"),
}
#: Labels of the priority values.
PRIORITY_LABELS = {
    ActivityPriority.LOW: _l("Low"),
    ActivityPriority.NORMAL: _l("Normal"),
    ActivityPriority.HIGH: _l("High"),
}


def _user_fk() -> ForeignKey:
    # A user who is deleted (rather than deactivated) leaves records unowned, not blocked.
    return ForeignKey("core_user.id", ondelete="SET NULL")


# -- lookups -------------------------------------------------------------------

class _Lookup(RecordMixin):
    """A small list admins maintain: a name, and a code that code may rely on."""

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    code: Mapped[str | None] = mapped_column(String(50), unique=True)


class CrmIndustry(_Lookup, Base):
    __tablename__ = "crm_industry"


class CrmAccountType(_Lookup, Base):
    __tablename__ = "crm_account_type"


class CrmActivityType(_Lookup, Base):
    __tablename__ = "crm_activity_type"


class CrmActivityResult(_Lookup, Base):
    __tablename__ = "crm_activity_result"


# -- accounts and contacts -------------------------------------------------------

class Account(RecordMixin, Base):
    """A company (or a person treated as a client) the business works with."""

    __tablename__ = "crm_account"
    __table_args__ = (
        Index("ix_crm_account_name", "name"),
        Index("ix_crm_account_owner_id", "owner_id"),
        Index("ix_crm_account_parent_id", "parent_id"),
        # The "client base growth" chart: accounts created in a period, bucketed from the index alone.
        Index("ix_crm_account_created_at", "created_at"),
    )

    name: Mapped[str] = mapped_column(String(250), nullable=False)
    # Lookup keys have no ON DELETE: a lookup still in use must not vanish
    # (the data loader then keeps a seeded one instead of deleting it).
    account_type_id: Mapped[int | None] = mapped_column(ForeignKey("crm_account_type.id"))
    industry_id: Mapped[int | None] = mapped_column(ForeignKey("crm_industry.id"))
    owner_id: Mapped[int | None] = mapped_column(_user_fk())
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(254))
    web: Mapped[str | None] = mapped_column(String(250))
    # Address as plain text until the address-directory add-on brings linked lookups.
    country: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(100))
    street: Mapped[str | None] = mapped_column(String(250))
    zip: Mapped[str | None] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("crm_account.id", ondelete="SET NULL"))
    notes: Mapped[str | None] = mapped_column(Text)


class Contact(RecordMixin, Base):
    """A person; ``name`` and the ``*_normalized`` columns are kept by the add-on's hooks."""

    __tablename__ = "crm_contact"
    __table_args__ = (
        Index("ix_crm_contact_name", "name"),
        Index("ix_crm_contact_account_id", "account_id"),
        Index("ix_crm_contact_owner_id", "owner_id"),
        Index("ix_crm_contact_phone_normalized", "phone_normalized"),
        Index("ix_crm_contact_mobile_normalized", "mobile_normalized"),
        Index("ix_crm_contact_email_normalized", "email_normalized"),
    )

    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    #: Full name, composed from the parts on every write (lists sort and search on it).
    name: Mapped[str] = mapped_column(String(310), nullable=False, default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("crm_account.id", ondelete="SET NULL"))
    job_title: Mapped[str | None] = mapped_column(String(150))
    phone: Mapped[str | None] = mapped_column(String(50))
    mobile: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(254))
    # Matching keys for telephony, email and dedup: indexed, equal for equal numbers.
    phone_normalized: Mapped[str | None] = mapped_column(String(20))
    mobile_normalized: Mapped[str | None] = mapped_column(String(20))
    email_normalized: Mapped[str | None] = mapped_column(String(254))
    country: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(100))
    street: Mapped[str | None] = mapped_column(String(250))
    zip: Mapped[str | None] = mapped_column(String(20))
    owner_id: Mapped[int | None] = mapped_column(_user_fk())


# -- activities -------------------------------------------------------------------

#: Users taking part in an activity besides its owner (meeting attendees).
activity_participant = Table(
    "crm_activity_participant",
    Base.metadata,
    Column("activity_id", ForeignKey("crm_activity.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("core_user.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_crm_activity_participant_user_id", "user_id"),
)


class Activity(RecordMixin, Base):
    """A task, call, meeting or email with a responsible user, dates and a status.

    It concerns one record of any section (``section`` + ``record_id``, e.g. an
    opportunity); ``account_id`` and ``contact_id`` are filled from that link
    so the account's and contact's timelines are one indexed lookup each.
    """

    __tablename__ = "crm_activity"
    __table_args__ = (
        # "My open activities by due date": the default list of every salesperson.
        Index("ix_crm_activity_owner_status_due", "owner_id", "status", "due_date"),
        # Leads with account_id, so it serves the account timeline as well as the
        # correlated EXISTS of the planned-activity state without touching rows.
        Index("ix_crm_activity_account_status_due", "account_id", "status", "due_date"),
        Index("ix_crm_activity_contact_id", "contact_id"),
        Index("ix_crm_activity_section_record", "section", "record_id"),
        # Dashboard widgets over every owner (crm_0002). Status first: each widget counts one status
        # over a due-date range or grouped by a column, and PostgreSQL reads that range of the index
        # alone instead of a million rows (overdue per owner, done this/last period, open by priority,
        # accounts without a planned activity).
        Index("ix_crm_activity_status_due_owner", "status", "due_date", "owner_id"),
        Index("ix_crm_activity_status_priority", "status", "priority"),
        Index("ix_crm_activity_status_account_due", "status", "account_id", "due_date"),
        # "Calls and meetings per owner" in a period: one range per activity type.
        Index("ix_crm_activity_type_due_owner", "activity_type_id", "due_date", "owner_id"),
        # Open activities only, in account order (crm_0003): "accounts without a planned activity" is then
        # a merge anti-join along the accounts' primary key, with no hash of ~300,000 open activities.
        Index("ix_crm_activity_open_account_due", "account_id", "due_date",
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
    )

    activity_type_id: Mapped[int | None] = mapped_column(ForeignKey("crm_activity_type.id"))
    subject: Mapped[str] = mapped_column(String(250), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(_user_fk())
    status: Mapped[str] = mapped_column(
        Enum(ActivityStatus.OPEN, ActivityStatus.DONE, ActivityStatus.CANCELLED, native_enum=False, length=20),
        nullable=False, default=ActivityStatus.OPEN,
    )
    priority: Mapped[str] = mapped_column(
        Enum(ActivityPriority.LOW, ActivityPriority.NORMAL, ActivityPriority.HIGH, native_enum=False, length=20),
        nullable=False, default=ActivityPriority.NORMAL,
    )
    start_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The day it must be done by; filled from ``end_at``/``start_at`` when left empty.
    due_date: Mapped[date | None] = mapped_column(Date)
    result_id: Mapped[int | None] = mapped_column(ForeignKey("crm_activity_result.id"))
    actual_start_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    actual_end_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Name of the section of the record this activity concerns.
    section: Mapped[str | None] = mapped_column(String(100))
    record_id: Mapped[int | None] = mapped_column(Integer)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("crm_account.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("crm_contact.id", ondelete="SET NULL"))
