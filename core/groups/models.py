"""Record groups: a saved filter (dynamic) or hand-picked records (static) of one section."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, RecordMixin

#: Kinds of group: membership by filter, evaluated when used, or by a member list.
GROUP_KINDS = ("dynamic", "static")


class RecordGroup(RecordMixin, Base):
    """A named group of a section's records, private to its owner unless shared."""

    __tablename__ = "core_record_group"

    section: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="dynamic")
    #: The filter tree of a dynamic group (shared filter language); unused by static groups.
    filter: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id", ondelete="SET NULL"))
    #: Other users may see and use the group (only the owner and superusers change it).
    shared: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: Saved list view: the list's sort (``-due_date``) when the group is opened; None keeps the default.
    list_sort: Mapped[str | None] = mapped_column(String(100))
    #: Saved list view: the columns (field paths) shown when the group is opened; None keeps the user's choice.
    list_columns: Mapped[list | None] = mapped_column(JSON)

    def __str__(self) -> str:
        return self.name


class RecordGroupMember(Base):
    """One record of a static group (the record's id in the group's section)."""

    __tablename__ = "core_record_group_member"

    group_id: Mapped[int] = mapped_column(ForeignKey("core_record_group.id", ondelete="CASCADE"), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
