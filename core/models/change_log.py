"""One row per changed field of a record: who, when, what, old and new value."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, machine_text, utcnow


class ChangeLog(Base):
    __tablename__ = "core_change_log"
    __table_args__ = (Index("ix_core_change_log_record", "section", "record_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section: Mapped[str] = mapped_column(machine_text(100), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: create, update, delete or stage
    operation: Mapped[str] = mapped_column(String(10), nullable=False)
    field: Mapped[str | None] = mapped_column(String(200))
    old_value: Mapped[object | None] = mapped_column(JSON)
    new_value: Mapped[object | None] = mapped_column(JSON)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
