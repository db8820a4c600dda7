"""External ids (``addon.key``) of records that data files seed.

``loaded_values`` keeps the values last loaded from the file: when a record's
current value of one of them differs, an admin edited it and an upgrade leaves
the record alone.
"""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class ExternalId(Base):
    __tablename__ = "core_external_id"
    __table_args__ = (UniqueConstraint("addon", "key", name="uq_core_external_id_addon_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    addon: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    key: Mapped[str] = mapped_column(String(200), nullable=False)
    section: Mapped[str] = mapped_column(String(100), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    noupdate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    loaded_values: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)

    @property
    def full_key(self) -> str:
        return f"{self.addon}.{self.key}"
