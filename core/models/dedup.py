"""Duplicate rules per section, and the normalised keys that make checking them one indexed lookup."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import JSON, Boolean, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, machine_text


class DedupRule(Base):
    """Records of ``section`` are duplicates when ALL ``fields`` match after normalisation.

    Rules of one section are ORed: matching any active rule makes a candidate.
    ``fields`` is ``[{"path": "email", "normalize": "email"}, ...]``; paths may
    be extension fields (``fx_ext.colour``) and custom fields (``custom.x``).
    """

    __tablename__ = "core_dedup_rule"
    __table_args__ = (Index("ix_core_dedup_rule_section", "section"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section: Mapped[str] = mapped_column(String(100), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    fields: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: ``warn`` (the user may save anyway) or ``block``.
    action: Mapped[str] = mapped_column(String(10), nullable=False, default="warn")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def __str__(self) -> str:
        return self.name


class DedupKey(Base):
    """The normalised key of one record under one rule, kept by the record-event hooks."""

    __tablename__ = "core_dedup_key"
    __table_args__ = (
        Index("ix_core_dedup_key_lookup", "section", "rule_id", "key"),
        Index("ix_core_dedup_key_record", "record_id", "section"),  # not led by section: see core_0019
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section: Mapped[str] = mapped_column(machine_text(100), nullable=False)
    #: No foreign key: PostgreSQL checked it with a query per key written (an import writes two per row);
    #: a rule's keys go with it through ``core.dedup.keys``' ``after_delete`` listener.
    rule_id: Mapped[int] = mapped_column(Integer, nullable=False)
    key: Mapped[str] = mapped_column(machine_text(500), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)


@event.listens_for(DedupRule, "after_delete")
def _drop_the_rules_keys(mapper, connection, target) -> None:
    """A deleted rule's keys go with it (what the foreign key's cascade did before core_0015)."""
    table = DedupKey.__table__
    connection.execute(sa.delete(table).where(table.c.rule_id == target.id))
