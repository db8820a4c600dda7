"""Tables of outgoing email: templates admins edit, and the queue of emails to send."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, RecordMixin


class EmailStatus:
    """Values of :attr:`Email.status`."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class EmailTemplate(RecordMixin, Base):
    """Subject and body as Jinja templates (rendered in a sandbox), in English and Russian."""

    __tablename__ = "core_email_template"

    #: What code and automations name the template by (``sales.lead_assigned``).
    code: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: The section whose records the template is written for (informative; empty: any).
    section: Mapped[str | None] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(500), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    #: Russian variant; empty falls back to the English one.
    subject_ru: Mapped[str | None] = mapped_column(String(500))
    body_ru: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class Email(RecordMixin, Base):
    """One outgoing email; sent by the ``core.send_email`` job once the transaction that queued it committed."""

    __tablename__ = "core_email"
    __table_args__ = (
        Index("ix_core_email_status", "status"),
        Index("ix_core_email_section_record", "section", "record_id"),
    )

    #: Recipients, comma-separated.
    to: Mapped[str] = mapped_column(String(1000), nullable=False)
    subject: Mapped[str] = mapped_column(String(500), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=EmailStatus.QUEUED)
    #: Why the last attempt failed.
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The template it was rendered from, if any.
    template_code: Mapped[str | None] = mapped_column(String(100))
    #: The record the email is about (section name + id), if any.
    section: Mapped[str | None] = mapped_column(String(100))
    record_id: Mapped[int | None] = mapped_column(Integer)
    #: The ``Message-ID`` header it goes out with (``<...@domain>``), fixed when queued so
    #: incoming replies (``In-Reply-To`` / ``References``) can be threaded back to it.
    message_id: Mapped[str | None] = mapped_column(String(250), index=True)
    #: The ``contact`` record it was written to (the contact's communication history), if any.
    contact_id: Mapped[int | None] = mapped_column(Integer)
    #: The activity logged once it was sent (set by the add-on answering ``flowcase_email_sent``).
    activity_id: Mapped[int | None] = mapped_column(Integer)
