"""Tables of automations: the rules admins (and add-ons' data files) define, and the timed-run log."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, RecordMixin, utcnow


class Trigger:
    """Values of :attr:`Automation.trigger`."""

    ON_CREATE = "on_create"
    ON_UPDATE = "on_update"
    ON_STAGE_ENTER = "on_stage_enter"
    TIMED = "timed"
    ALL = (ON_CREATE, ON_UPDATE, ON_STAGE_ENTER, TIMED)


class TimedKind:
    """Values of :attr:`Automation.timed_kind`."""

    #: ``timed_field`` has held ``timed_value`` for ``days`` days (by the change log; else since creation).
    IN_STATE = "in_state"
    #: The date/date-time ``timed_field`` is older than ``days`` days (``updated_at``, a last-activity date).
    FIELD_AGE = "field_age"
    ALL = (IN_STATE, FIELD_AGE)


class Automation(RecordMixin, Base):
    """Trigger + condition + actions on one section (Odoo's automated actions).

    ``watched_fields``, ``condition`` and ``actions`` hold JSON text so the
    generated admin forms edit them as text; :func:`core.automation.rules.parse`
    reads them, and validation refuses what does not parse.
    """

    __tablename__ = "core_automation"
    __table_args__ = (Index("ix_core_automation_section_trigger", "section", "trigger"),)

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: The section whose records trigger it.
    section: Mapped[str] = mapped_column(String(100), nullable=False)
    trigger: Mapped[str] = mapped_column(String(20), nullable=False)
    #: on_update: JSON list of field paths; a change of any of them fires (empty: any change).
    watched_fields: Mapped[str | None] = mapped_column(Text)
    #: on_stage_enter: the stage value (as text) whose entry fires.
    stage: Mapped[str | None] = mapped_column(String(100))
    #: A filter tree (JSON, the shared filter language) the record must match.
    condition: Mapped[str | None] = mapped_column(Text)
    #: timed: ``in_state`` or ``field_age``.
    timed_kind: Mapped[str | None] = mapped_column(String(20))
    timed_field: Mapped[str | None] = mapped_column(String(200))
    #: in_state: the value (as text) the field must have held.
    timed_value: Mapped[str | None] = mapped_column(String(200))
    days: Mapped[int | None] = mapped_column(Integer)
    #: JSON list of actions: ``[{"type": "set_fields", "values": {...}}, ...]``.
    actions: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    #: Order among the automations of one trigger.
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    #: An add-on's name, or ``admin``.
    owner: Mapped[str] = mapped_column(String(100), nullable=False, default="admin")

    def json(self, attribute: str, default=None):
        """The parsed JSON of ``attribute`` (``default`` when empty); raises ValueError on bad JSON."""
        text = getattr(self, attribute)
        if text is None or (isinstance(text, str) and not text.strip()):
            return default
        return json.loads(text) if isinstance(text, str) else text


class AutomationRun(Base):
    """One timed automation fired for one record in one period; the unique key makes reruns no-ops.

    ``period_key`` names the occurrence (when the record entered the state,
    the field's value): the same record entering the state again later is a
    new period and fires again.
    """

    __tablename__ = "core_automation_run"
    __table_args__ = (UniqueConstraint("automation_id", "record_id", "period_key",
                                       name="uq_core_automation_run_automation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    automation_id: Mapped[int] = mapped_column(ForeignKey("core_automation.id", ondelete="CASCADE"), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    period_key: Mapped[str] = mapped_column(String(100), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
