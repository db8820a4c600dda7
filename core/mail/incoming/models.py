"""Tables of incoming email: the mailboxes polled over IMAP, the messages taken from them, their attachments."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, RecordMixin


class MailboxSecurity:
    """Values of :attr:`Mailbox.security`: how the IMAP connection is protected."""

    TLS = "tls"
    STARTTLS = "starttls"
    #: No encryption: allowed only for a server on the loopback interface.
    PLAIN = "plain"
    ALL = (TLS, STARTTLS, PLAIN)


class Mailbox(RecordMixin, Base):
    """An IMAP mailbox the ``core.fetch_mail`` job polls; its messages become records of ``section``.

    The password is stored as given (the IMAP server needs it in clear), so
    only superusers see this table.
    """

    __tablename__ = "core_mailbox"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    host: Mapped[str] = mapped_column(String(250), nullable=False)
    port: Mapped[int] = mapped_column(Integer, nullable=False, default=993)
    # A choice (a select in the forms) stored as plain text, no CHECK constraint: the validation hook says what is wrong.
    security: Mapped[str] = mapped_column(Enum(*MailboxSecurity.ALL, native_enum=False, length=10,
                                               create_constraint=False), nullable=False, default=MailboxSecurity.TLS)
    login: Mapped[str] = mapped_column(String(250), nullable=False)
    password: Mapped[str] = mapped_column(String(500), nullable=False)
    folder: Mapped[str] = mapped_column(String(250), nullable=False, default="INBOX")
    #: Section new records are created in for messages that do not answer a known thread (``lead``).
    section: Mapped[str | None] = mapped_column(String(100))
    #: ``path = value`` lines applied to every record created from this mailbox (``source = email``).
    defaults: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    #: When the last poll finished, and what went wrong in it (empty when nothing did).
    last_fetch_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)


class IncomingEmail(RecordMixin, Base):
    """One message taken from a mailbox, once: its Message-ID is unique, so a re-fetch never duplicates it."""

    __tablename__ = "core_incoming_email"
    __table_args__ = (Index("ix_core_incoming_email_section_record", "section", "record_id"),)

    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("core_mailbox.id", ondelete="SET NULL"))
    #: The Message-ID header with its angle brackets (a digest of the message when it has none).
    message_id: Mapped[str] = mapped_column(String(500), nullable=False, unique=True)
    from_address: Mapped[str | None] = mapped_column(String(254))
    from_name: Mapped[str | None] = mapped_column(String(250))
    to: Mapped[str | None] = mapped_column(Text)
    cc: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    #: The Date header (when the sender sent it).
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    body: Mapped[str | None] = mapped_column(Text)
    in_reply_to: Mapped[str | None] = mapped_column(String(500))
    references: Mapped[str | None] = mapped_column(Text)
    #: The record the message belongs to (a new one, or the one its thread is about).
    section: Mapped[str | None] = mapped_column(String(100))
    record_id: Mapped[int | None] = mapped_column(Integer)
    #: The sender's contact and the activity logging the message (crm's tables: no foreign key from core).
    contact_id: Mapped[int | None] = mapped_column(Integer)
    activity_id: Mapped[int | None] = mapped_column(Integer)


class IncomingAttachment(Base):
    """A file attached to an incoming message; ``content`` is empty when it was over the size limit."""

    __tablename__ = "core_incoming_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email_id: Mapped[int] = mapped_column(ForeignKey("core_incoming_email.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    filename: Mapped[str] = mapped_column(String(250), nullable=False)
    content_type: Mapped[str] = mapped_column(String(150), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
