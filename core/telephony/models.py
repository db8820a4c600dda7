"""Telephony: one row per call a connector reported, tying the PBX's call id to its activity."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class TelephonyCall(Base):
    """A call as the PBX described it so far; ``(connector, call_id)`` is unique, so a call is logged once.

    The activity (crm's ``activity`` section) is what users see; this row keeps
    the PBX's own facts and makes repeated or concurrent events update the same
    activity instead of creating another.
    """

    __tablename__ = "core_telephony_call"
    __table_args__ = (UniqueConstraint("connector", "call_id", name="uq_core_telephony_call_connector"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connector: Mapped[str] = mapped_column(String(50), nullable=False)
    call_id: Mapped[str] = mapped_column(String(200), nullable=False)
    #: ``in`` or ``out``.
    direction: Mapped[str | None] = mapped_column(String(3))
    from_number: Mapped[str | None] = mapped_column(String(50))
    to_number: Mapped[str | None] = mapped_column(String(50))
    #: The internal extension that took or placed the call.
    extension: Mapped[str | None] = mapped_column(String(50))
    #: ``ringing``, ``connected``, ``finished``.
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="ringing")
    #: ``answered``, ``missed``, ``busy``, ``failed`` once known.
    result: Mapped[str | None] = mapped_column(String(20))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration: Mapped[int | None] = mapped_column(Integer)
    recording_url: Mapped[str | None] = mapped_column(Text)
    contact_id: Mapped[int | None] = mapped_column(Integer)
    activity_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
