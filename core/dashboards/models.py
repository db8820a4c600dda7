"""Dashboards and their widgets (core tables, created by ``core_0009_dashboards``).

Both are records (``RecordMixin``) of core sections, so add-ons seed them with
data files (external ids, removed on uninstall) and /admin edits them through
the records service. Choice columns are plain strings checked by
:mod:`core.dashboards.validation` (no CHECK constraint), like the CRM's.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, RecordMixin

KINDS = ("number", "chart", "list")
MEASURES = ("count", "sum", "avg")
CHART_TYPES = ("bar", "line", "pie", "funnel")
BUCKETS = ("day", "week", "month", "quarter", "year")


def _choice(*values: str, length: int = 20) -> Enum:
    # native_enum=False, no constraint: a VARCHAR the records service checks (choices in generated forms).
    return Enum(*values, native_enum=False, length=length, create_constraint=False)


class Dashboard(RecordMixin, Base):
    """A page of widgets, shown to the users of some roles, to one user, or (neither set) to everyone."""

    __tablename__ = "core_dashboard"

    code: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: Comma-separated role codes (``sales_user,sales_manager``); empty with no user: everyone.
    roles: Mapped[str | None] = mapped_column(String(500))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    def __str__(self) -> str:
        return self.name or self.code


class DashboardWidget(RecordMixin, Base):
    """One number, chart or list over a section: a filter, a measure, a grouping, a period field."""

    __tablename__ = "core_dashboard_widget"
    __table_args__ = (Index("ix_core_dashboard_widget_dashboard_id", "dashboard_id", "sequence"),)

    dashboard_id: Mapped[int] = mapped_column(ForeignKey("core_dashboard.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(_choice(*KINDS), nullable=False, default="number")
    #: The section counted (``opportunity``).
    section: Mapped[str] = mapped_column(String(100), nullable=False)
    #: A filter tree in the shared language, as JSON text (``{"named": "overdue"}``).
    filter: Mapped[str | None] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(_choice(*MEASURES), nullable=False, default="count")
    #: The numeric field summed or averaged (``amount``); unused by ``count``.
    measure_field: Mapped[str | None] = mapped_column(String(200))
    chart_type: Mapped[str | None] = mapped_column(_choice(*CHART_TYPES))
    #: The field the chart's categories come from (``owner_id``), or with ``date_bucket`` a date field.
    group_by: Mapped[str | None] = mapped_column(String(200))
    #: Turns ``group_by`` (a date field) into buckets of this size.
    date_bucket: Mapped[str | None] = mapped_column(_choice(*BUCKETS))
    #: A second grouping: one series per value (stages of each owner's bar).
    series_by: Mapped[str | None] = mapped_column(String(200))
    #: The date field the dashboard's period selector applies to; empty: the widget ignores the period.
    period_field: Mapped[str | None] = mapped_column(String(200))
    #: Bootstrap columns out of 12.
    size: Mapped[int] = mapped_column(Integer, nullable=False, default=4)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    #: Rows a list widget shows.
    limit: Mapped[int] = mapped_column(Integer, nullable=False, default=10)

    def __str__(self) -> str:
        return self.title
