"""Which add-ons are installed in this database, and at which version."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class AddonStatus(str, enum.Enum):
    """Odoo's states: a failed operation resets the row to where it started."""

    UNINSTALLED = "uninstalled"
    INSTALLED = "installed"
    TO_UPGRADE = "to upgrade"
    TO_REMOVE = "to remove"
    TO_INSTALL = "to install"


class AddonState(Base):
    __tablename__ = "core_addon"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    state: Mapped[AddonStatus] = mapped_column(
        Enum(AddonStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        nullable=False,
        default=AddonStatus.UNINSTALLED,
    )
    #: Version of the code that was last installed or upgraded into this database.
    installed_version: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
