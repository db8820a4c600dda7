"""Definitions of custom fields: typed fields an admin (or an add-on's data file) adds to a section.

Values live in each record's JSON ``custom`` column, keyed by the definition's
``name``; nothing in the schema changes when a definition is added, so a new
field shows on every page of every running process at once.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, RecordMixin

#: The types an admin may choose; the section wizard's whole vocabulary.
CUSTOM_FIELD_TYPES = ("text", "long_text", "integer", "decimal", "money", "date", "datetime", "boolean",
                      "lookup", "choice")
#: Who owns a definition that no add-on shipped.
ADMIN_OWNER = "admin"


class CustomField(RecordMixin, Base):
    __tablename__ = "core_custom_field"
    __table_args__ = (UniqueConstraint("section", "name", name="uq_core_custom_field_section"),)

    #: The section the field is added to (its name, e.g. ``account``).
    section: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    #: snake_case; the field path is ``custom.<name>`` on every door.
    name: Mapped[str] = mapped_column(String(63), nullable=False)
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    label_ru: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20), nullable=False)
    #: The section a ``lookup`` field refers to.
    target_section: Mapped[str | None] = mapped_column(String(100))
    #: The options of a ``choice`` field, one per line.
    options: Mapped[str | None] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: An add-on's name, or ``admin``: an uninstall with --drop-data removes the add-on's own.
    owner: Mapped[str] = mapped_column(String(100), nullable=False, default=ADMIN_OWNER)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=10)

    def option_list(self) -> list[str]:
        """The options of a choice field, blank lines and surrounding spaces dropped."""
        return [line.strip() for line in (self.options or "").splitlines() if line.strip()]
