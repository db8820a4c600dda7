"""Which record of a section an outside system's id stands for (REST upsert by external id).

``(section, source, external_id)`` is unique: a website posting order 42 twice,
or retrying after a timeout, reaches the same record. ``record_id`` is NULL
only inside the transaction that claims a new id and is creating its record;
the claim is inserted first so a concurrent retry waits on (or fails against)
the unique key before any record or hook work happens.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class ExternalRef(Base):
    __tablename__ = "core_external_ref"
    __table_args__ = (
        UniqueConstraint("section", "source", "external_id", name="uq_core_external_ref_section"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section: Mapped[str] = mapped_column(String(100), nullable=False)
    #: The outside system ("website", "1c"); lets two systems use the same ids.
    source: Mapped[str] = mapped_column(String(100), nullable=False)
    external_id: Mapped[str] = mapped_column(String(200), nullable=False)
    record_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
