"""The process engine's tables: cases, their stage configurations and steps, and per-record state.

Configuration (``ProcessCase``, ``ProcessStage``, ``ProcessStep``) is lookup
data admins edit in /admin and add-ons seed with data files. Per-record state
(``ProcessRecord``: which case a record follows; ``ProcessStepRun``: each
started step) is written by the engine through the records service.

Stage ids point into an add-on's stage table (``sales_stage``): the core knows
no such table, so they are plain integers, checked by the engine.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, RecordMixin

#: Auto-advance modes of a stage.
ADVANCE_MODES = ("manual", "required_done", "all_done")
#: Kinds of stage.
STAGE_KINDS = ("normal", "success", "failure")
#: Kinds of step.
STEP_KINDS = ("task", "approval", "form", "email", "action")
#: When a step starts: on entering its stage, or after another step finished.
STEP_STARTS = ("on_enter", "after_step")
#: States of a step run; the last four are finished.
RUN_STATES = ("pending", "started", "done", "skipped", "approved", "rejected")
FINISHED = frozenset({"done", "skipped", "approved", "rejected"})
#: Finished in a way that lets the stage be left.
SATISFIED = frozenset({"done", "skipped", "approved"})


def _user_fk():
    return ForeignKey("core_user.id", ondelete="SET NULL")


class ProcessCase(RecordMixin, Base):
    """A stage set of a section, chosen for a record by a filter condition (lowest priority first)."""

    __tablename__ = "core_process_case"
    __table_args__ = (Index("ix_core_process_case_section", "section", "priority"),)

    code: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: The section whose records follow it (``opportunity``).
    section: Mapped[str] = mapped_column(String(100), nullable=False)
    #: A filter tree (shared filter language); empty: every record of the section.
    condition: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    #: Informative: the stage set of the stage table this case walks (its stages are its stage configs).
    stage_set: Mapped[str | None] = mapped_column(String(50))
    priority: Mapped[int] = mapped_column(Integer, nullable=False, default=100)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def __str__(self) -> str:
        return self.name or self.code


class ProcessStage(RecordMixin, Base):
    """One stage of a case: order, looks, the moves allowed, who may enter, what must be done to leave."""

    __tablename__ = "core_process_stage"
    __table_args__ = (Index("ix_core_process_stage_case_id", "case_id", "sequence"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("core_process_case.id", ondelete="CASCADE"), nullable=False)
    #: Id of the stage row in the section's stage table.
    stage_id: Mapped[int] = mapped_column(Integer, nullable=False)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    colour: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="normal")
    #: Stages (ids or codes) a record may move to from here; empty: any stage of the case.
    allowed_next: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: Stages (ids or codes) a record may go back to from here (added to ``allowed_next``).
    allowed_previous: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: Role codes whose holders may move a record into this stage; empty: anyone who may update it.
    roles: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: Field paths that must have a value before a record leaves this stage.
    required_fields: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    auto_advance: Mapped[str] = mapped_column(String(20), nullable=False, default="manual")

    def __str__(self) -> str:
        return f"#{self.stage_id}"


class ProcessStep(RecordMixin, Base):
    """Work a stage creates: a task, an approval, a form, an email or an action (``params`` by kind)."""

    __tablename__ = "core_process_step"
    __table_args__ = (Index("ix_core_process_step_stage_config_id", "stage_config_id", "sequence"),)

    stage_config_id: Mapped[int] = mapped_column(ForeignKey("core_process_stage.id", ondelete="CASCADE"),
                                                 nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="task")
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    #: Start after this step of the same stage finished; None: on entering the stage.
    after_step_id: Mapped[int | None] = mapped_column(ForeignKey("core_process_step.id", ondelete="SET NULL"))
    params: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)

    def __str__(self) -> str:
        return self.name


class ProcessRecord(RecordMixin, Base):
    """Which case one record follows, and whether its process was stopped (a rejected visa)."""

    __tablename__ = "core_process_record"
    __table_args__ = (Index("ix_core_process_record_section", "section", "record_id", unique=True),)

    section: Mapped[str] = mapped_column(String(100), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    case_id: Mapped[int] = mapped_column(ForeignKey("core_process_case.id", ondelete="CASCADE"), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="active")


class ProcessStepRun(RecordMixin, Base):
    """A step started for one record: its state, and the activity or approval it made."""

    __tablename__ = "core_process_step_run"
    __table_args__ = (
        Index("ix_core_process_step_run_record", "section", "record_id"),
        Index("ix_core_process_step_run_activity_id", "activity_id"),
        Index("ix_core_process_step_run_approver", "approver_id", "state"),
    )

    section: Mapped[str] = mapped_column(String(100), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    step_id: Mapped[int] = mapped_column(ForeignKey("core_process_step.id", ondelete="CASCADE"), nullable=False)
    stage_id: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="started")
    #: False once the record left the stage: a later visit of the stage starts its steps afresh.
    current: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    #: The activity a task step created (crm's ``crm_activity``, an add-on table: no foreign key).
    activity_id: Mapped[int | None] = mapped_column(Integer)
    approver_id: Mapped[int | None] = mapped_column(_user_fk())
    #: Someone the approver handed the decision to.
    delegate_id: Mapped[int | None] = mapped_column(_user_fk())
    decided_by_id: Mapped[int | None] = mapped_column(_user_fk())
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)
