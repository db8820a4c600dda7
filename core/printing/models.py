"""Print forms: Jinja HTML templates per section that render a record as a PDF document."""
from __future__ import annotations

from sqlalchemy import Boolean, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, RecordMixin

#: Who owns a form that no add-on shipped.
ADMIN_OWNER = "admin"


class PrintForm(RecordMixin, Base):
    """One printable document of a section (``opportunity`` → "Commercial proposal")."""

    __tablename__ = "core_print_form"
    __table_args__ = (UniqueConstraint("section", "code", name="uq_core_print_form_section"),)

    #: The section whose records it prints (its name, e.g. ``opportunity``).
    section: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    #: Short snake_case code, unique per section; the URL names the form by it.
    code: Mapped[str] = mapped_column(String(100), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: Jinja HTML, rendered in the sandbox.
    template: Mapped[str] = mapped_column(Text, nullable=False, default="")
    #: The document's language (``ru``, ``uk``, ``en``): dates, money and amounts in words follow it.
    language: Mapped[str] = mapped_column(String(10), nullable=False, default="en")
    #: An add-on's name, or ``admin``.
    owner: Mapped[str] = mapped_column(String(100), nullable=False, default=ADMIN_OWNER)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def __str__(self) -> str:
        return self.name
