"""Import bookkeeping: saved column mappings, import runs with their progress, and imported rows.

``core_import_row`` is the idempotency key of imports: one row per (file hash,
section, row number) written, so running the same file again skips the rows it
already wrote instead of duplicating them.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, machine_text, utcnow


class ImportMapping(Base):
    """A named header → field-path mapping saved for a section, offered on the next import."""

    __tablename__ = "core_import_mapping"
    __table_args__ = (UniqueConstraint("section", "name", name="uq_core_import_mapping_section"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section: Mapped[str] = mapped_column(String(100), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    #: ``{header: field path}``; headers mapped to nothing are left out.
    mapping: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class ImportStatus:
    """Values of :attr:`ImportRun.status`."""

    DRAFT = "draft"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportRun(Base):
    """One upload of a file into a section: its settings, its progress and its per-row errors."""

    __tablename__ = "core_import_run"
    __table_args__ = (Index("ix_core_import_run_section", "section", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section: Mapped[str] = mapped_column(String(100), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    #: SHA-256 of the file's bytes: the stored file's name and the idempotency key.
    file_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    sheet: Mapped[str | None] = mapped_column(String(100))
    #: ``insert``, ``update`` or ``upsert`` (insert or update by ``key_field``).
    mode: Mapped[str] = mapped_column(String(10), nullable=False, default="insert")
    key_field: Mapped[str | None] = mapped_column(String(200))
    #: What a row that matches a duplicate rule does: ``skip``, ``update`` or ``flag``.
    on_duplicate: Mapped[str] = mapped_column(String(10), nullable=False, default="skip")
    mapping: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default=ImportStatus.DRAFT)
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    processed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    skipped: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    flagged: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    failed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: ``[{"row": n, "field": path or "", "message": text}]`` (capped).
    errors: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: A message about the whole file (it could not be read, it is too big).
    message: Mapped[str | None] = mapped_column(String(1000))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImportRow(Base):
    """A row of a file that an import wrote: the same file imported again skips it."""

    __tablename__ = "core_import_row"
    __table_args__ = (UniqueConstraint("file_hash", "section", "row_number", name="uq_core_import_row_file_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_hash: Mapped[str] = mapped_column(machine_text(64), nullable=False)
    section: Mapped[str] = mapped_column(machine_text(100), nullable=False)
    row_number: Mapped[int] = mapped_column(Integer, nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
