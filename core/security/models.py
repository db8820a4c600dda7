"""Roles, the users holding them, and the rights attached to roles.

Role, SectionRight, RecordRule and ColumnRight are records (``RecordMixin``)
and core sections (see :mod:`core.security.sections`), so add-ons seed them
through data files with external ids, and an uninstall removes what an add-on
brought. The user-role link is a plain association table.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, RecordMixin, utcnow

#: Scopes of a section right, narrowest first.
SCOPES = ("none", "own", "team", "all")
#: Operations a section right grants and a record rule restricts.
OPERATIONS = ("read", "create", "update", "delete")
#: Access levels of a column right (a missing row means full access).
COLUMN_ACCESS = ("hidden", "readonly")

user_role = Table(
    "core_user_role",
    Base.metadata,
    Column("user_id", ForeignKey("core_user.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("core_role.id", ondelete="CASCADE"), primary_key=True),
)


class Role(RecordMixin, Base):
    """A named set of rights users hold (``sales_user``, ``sales_manager``)."""

    __tablename__ = "core_role"

    code: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)

    def __str__(self) -> str:
        return self.name or self.code


class SectionRight(RecordMixin, Base):
    """What one role may do on one section: a scope per operation."""

    __tablename__ = "core_section_right"
    __table_args__ = (Index("ix_core_section_right_section", "section"),)

    role_id: Mapped[int] = mapped_column(ForeignKey("core_role.id", ondelete="CASCADE"), nullable=False)
    role: Mapped[Role] = relationship()
    #: The section's name (``account``); sections are metadata, not rows, hence no foreign key.
    section: Mapped[str] = mapped_column(String(100), nullable=False)
    read: Mapped[str] = mapped_column(String(10), nullable=False, default="none")
    create: Mapped[str] = mapped_column(String(10), nullable=False, default="none")
    update: Mapped[str] = mapped_column(String(10), nullable=False, default="none")
    delete: Mapped[str] = mapped_column(String(10), nullable=False, default="none")


class RecordRule(RecordMixin, Base):
    """A filter (shared filter language) limiting the records of a section, for one role or everyone."""

    __tablename__ = "core_record_rule"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    section: Mapped[str] = mapped_column(String(100), nullable=False)
    #: None: a global rule, ANDed for every user; else ORed with the user's other roles' rules.
    role_id: Mapped[int | None] = mapped_column(ForeignKey("core_role.id", ondelete="CASCADE"))
    role: Mapped[Role | None] = relationship()
    #: The filter tree, e.g. ``{"field": "owner_id", "op": "in", "value": "$my_team"}``.
    domain: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    apply_read: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    apply_create: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    apply_update: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    apply_delete: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class ColumnRight(RecordMixin, Base):
    """One field of a section hidden from, or read-only for, one role."""

    __tablename__ = "core_column_right"

    role_id: Mapped[int] = mapped_column(ForeignKey("core_role.id", ondelete="CASCADE"), nullable=False)
    role: Mapped[Role] = relationship()
    section: Mapped[str] = mapped_column(String(100), nullable=False)
    #: A field path of the section (``phone``, ``fx_ext.colour``).
    field: Mapped[str] = mapped_column(String(200), nullable=False)
    access: Mapped[str] = mapped_column(String(10), nullable=False, default="readonly")


class LoginAttempt(Base):
    """A failed login, kept for the throttling window (shared by every process through the database)."""

    __tablename__ = "core_login_attempt"
    __table_args__ = (
        Index("ix_core_login_attempt_login", "login", "at"),
        Index("ix_core_login_attempt_ip", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(80), nullable=False)
    ip: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
