"""Project templates, projects and their plan-vs-fact rows.

A project's tasks are crm activities (``section = "project"``, ``record_id`` =
the project), so they sit in the responsible users' schedules like any other
task. Each task also has a :class:`ProjectTask` row: the plan (order, planned
duration and dates, taken from the template when the project was made) beside
the fact (actual dates and the slip), kept in step with the activity by the
add-on's hooks. Being a plain detail section, it shows as a grid on the
project card, in lists with filters, in the API and on the printed report.

Every table is prefixed ``projects_`` and built by
``migrations/projects_0001_initial.py``; ``tests/test_projects_lifecycle.py``
compares the two.
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, RecordMixin


class ProjectState:
    """Values of :attr:`Project.state`."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ALL = (PLANNED, IN_PROGRESS, DONE)


STATE_LABELS = {
    ProjectState.PLANNED: _l("Planned"),
    ProjectState.IN_PROGRESS: _l("In progress"),
    ProjectState.DONE: _l("Done"),
}

#: The assignee rule of a template task that gives it to the project's owner.
OWNER_RULE = "owner"


def _user_fk() -> ForeignKey:
    return ForeignKey("core_user.id", ondelete="SET NULL")


class ProjectTemplate(RecordMixin, Base):
    """A kind of project: its ordered tasks, found by ``code`` from stage actions."""

    __tablename__ = "projects_template"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    code: Mapped[str] = mapped_column(String(50), nullable=False, unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class ProjectTemplateTask(RecordMixin, Base):
    """One planned task of a template: its place, duration in working days and who does it."""

    __tablename__ = "projects_template_task"
    __table_args__ = (Index("ix_projects_template_task_template_id", "template_id", "sequence"),)

    template_id: Mapped[int] = mapped_column(ForeignKey("projects_template.id", ondelete="CASCADE"), nullable=False)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    name: Mapped[str] = mapped_column(String(250), nullable=False)
    duration_days: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    #: ``owner`` (the project's owner), a role code, or a process assignee rule (``role:x``, ``user:login``).
    assignee: Mapped[str] = mapped_column(String(100), nullable=False, default=OWNER_RULE)
    description: Mapped[str | None] = mapped_column(Text)


class Project(RecordMixin, Base):
    """A project: planned dates from its template, actual dates and duration from its finished tasks."""

    __tablename__ = "projects_project"
    __table_args__ = (
        Index("ix_projects_project_owner_id", "owner_id"),
        Index("ix_projects_project_account_id", "account_id"),
        Index("ix_projects_project_section_record", "section", "record_id"),
    )

    name: Mapped[str] = mapped_column(String(250), nullable=False)
    code: Mapped[str | None] = mapped_column(String(50), unique=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("projects_template.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("crm_account.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(_user_fk())
    #: The record the project was created from (an opportunity, a tender, ...), a generic link like activities'.
    section: Mapped[str | None] = mapped_column(String(100))
    record_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(
        Enum(*ProjectState.ALL, native_enum=False, length=20), nullable=False, default=ProjectState.PLANNED)
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    #: Working days of the plan (the tasks' durations one after another).
    planned_duration_days: Mapped[int | None] = mapped_column(Integer)
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_end: Mapped[date | None] = mapped_column(Date)
    #: Working days from the first actual start to the last actual end, once every task is done.
    actual_duration_days: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)


class ProjectTask(RecordMixin, Base):
    """Plan vs fact of one project task (the activity holds the work itself)."""

    __tablename__ = "projects_task"
    __table_args__ = (
        Index("ix_projects_task_project_id", "project_id", "sequence"),
        Index("ix_projects_task_activity_id", "activity_id"),
    )

    project_id: Mapped[int] = mapped_column(ForeignKey("projects_project.id", ondelete="CASCADE"), nullable=False)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    name: Mapped[str] = mapped_column(String(250), nullable=False)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("crm_activity.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(_user_fk())
    status: Mapped[str | None] = mapped_column(String(20))
    planned_duration_days: Mapped[int | None] = mapped_column(Integer)
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_end: Mapped[date | None] = mapped_column(Date)
    actual_duration_days: Mapped[int | None] = mapped_column(Integer)
    #: Days the task finished after its planned end (negative: early); empty until it is done.
    slip_days: Mapped[int | None] = mapped_column(Integer)
