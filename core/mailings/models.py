"""Tables of mailings: campaigns, mailings, their frozen recipients, and unsubscribed addresses."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, RecordMixin


class MailingState:
    """Values of :attr:`Mailing.state`; only the mailing service moves them."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    ALL = (DRAFT, SCHEDULED, SENDING, DONE)


class RecipientStatus:
    """Values of :attr:`MailingRecipient.status`."""

    QUEUED = "queued"
    #: Claimed by a batch; SMTP is being spoken. Never re-queued, so nobody gets it twice.
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    ALL = (QUEUED, SENDING, SENT, FAILED, SKIPPED)


class SkipReason:
    """Values of :attr:`MailingRecipient.skip_reason`."""

    NO_EMAIL = "no_email"
    UNSUBSCRIBED = "unsubscribed"
    DUPLICATE = "duplicate"
    ALL = (NO_EMAIL, UNSUBSCRIBED, DUPLICATE)


class CampaignStatus:
    """Values of :attr:`Campaign.status`."""

    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"
    ALL = (PLANNED, ACTIVE, COMPLETED)


def _user_fk():
    return ForeignKey("core_user.id", ondelete="SET NULL")


class Campaign(RecordMixin, Base):
    """A marketing campaign: the mailings sent for it and the leads it brought."""

    __tablename__ = "core_campaign"

    name: Mapped[str] = mapped_column(String(250), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=CampaignStatus.ACTIVE)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(_user_fk())
    description: Mapped[str | None] = mapped_column(Text)

    def __str__(self) -> str:
        return self.name


class Mailing(RecordMixin, Base):
    """An email template sent to the people of a record group, in batches, once."""

    __tablename__ = "core_mailing"

    name: Mapped[str] = mapped_column(String(250), nullable=False)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("core_email_template.id", ondelete="SET NULL"))
    #: The audience: a dynamic or static group (of contacts, or of accounts whose contacts are mailed).
    group_id: Mapped[int | None] = mapped_column(ForeignKey("core_record_group.id", ondelete="SET NULL"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("core_campaign.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default=MailingState.DRAFT)
    #: When a scheduled mailing starts (the periodic ``core.mailings_tick`` starts it).
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Template language (``en``/``ru``); empty: the app's default.
    language: Mapped[str | None] = mapped_column(String(5))
    owner_id: Mapped[int | None] = mapped_column(_user_fk())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Throttling: no batch starts before this moment (shared by every worker through the database).
    next_batch_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __str__(self) -> str:
        return self.name


class MailingRecipient(RecordMixin, Base):
    """One person of a mailing's audience, frozen when the mailing started, with its delivery status."""

    __tablename__ = "core_mailing_recipient"
    __table_args__ = (
        UniqueConstraint("mailing_id", "section", "record_id"),
        Index("ix_core_mailing_recipient_status", "mailing_id", "status"),
        Index("ix_core_mailing_recipient_record", "section", "record_id"),
    )

    mailing_id: Mapped[int] = mapped_column(ForeignKey("core_mailing.id", ondelete="CASCADE"), nullable=False)
    #: The person's record (``contact``, or the group's own section).
    section: Mapped[str] = mapped_column(String(100), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str | None] = mapped_column(String(310))
    #: The address, lower-cased; empty when the record has none.
    email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=RecipientStatus.QUEUED)
    skip_reason: Mapped[str | None] = mapped_column(String(20))
    #: Why sending failed (the SMTP server's answer).
    error: Mapped[str | None] = mapped_column(Text)
    #: The ``Message-ID`` it went out with, for threading replies.
    message_id: Mapped[str | None] = mapped_column(String(250), index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EmailUnsubscribe(RecordMixin, Base):
    """An address that asked for no more mailings (by a mailing's link, its List-Unsubscribe header, or an admin)."""

    __tablename__ = "core_email_unsubscribe"

    #: Lower-cased address; one row per address.
    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    #: The mailing whose link was used, if any (its campaign counts the unsubscribe).
    mailing_id: Mapped[int | None] = mapped_column(ForeignKey("core_mailing.id", ondelete="SET NULL"), index=True)
