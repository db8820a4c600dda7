"""Timed automations: a periodic job finds the records whose condition has held long enough and acts once.

Two kinds of timed condition (``Automation.timed_kind``):

- ``in_state``: ``timed_field`` has held ``timed_value`` for ``days`` days. When
  it got that value is read from the change log (the latest change of the
  field), or the record's creation when the log has none.
- ``field_age``: the date or date-time ``timed_field`` is ``days`` days old or
  more (``updated_at``, a "last contact" date); with the condition (a filter
  tree, named filters included: ``{"named": "without_planned_activity"}``)
  this says "no activity for N days".

Idempotent and safe with several workers: each firing first inserts an
:class:`AutomationRun` row keyed by (automation, record, period) under a
unique constraint, in the same transaction as the actions. A second run, or a
second worker racing the first, hits the key and does nothing more. The
period is the occurrence (the change-log entry that set the state, the
field's value), so a record entering the state again later fires again.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from core.automation.engine import run_rule, to_rule
from core.automation.models import Automation, AutomationRun, TimedKind, Trigger
from core.db import utcnow
from core.errors import FlowcaseError
from core.filters import compile_filter
from core.models import ChangeLog

log = logging.getLogger(__name__)


def run_timed_automations(app, now: datetime | None = None) -> int:
    """Fire every due timed automation once per record and period; returns how many fired now."""
    state = app.extensions["flowcase"]
    records = state.records(sudo=True)
    now = now or utcnow()
    automations = records.session.scalars(
        sa.select(Automation).where(Automation.active.is_(True), Automation.trigger == Trigger.TIMED)
        .order_by(Automation.sequence, Automation.id)).all()
    fired = 0
    for automation in automations:
        if automation.section not in state.sections:
            continue
        try:
            candidates = due_records(records, state.sections.get(automation.section), automation, now)
        except (FlowcaseError, ValueError) as exc:
            log.warning("timed automation %s skipped: %s", automation.id, exc)
            continue
        for record_id, period_key in candidates:
            fired += _fire(records, state.sections.get(automation.section), automation.id, record_id, period_key)
    return fired


def due_records(records, section, automation: Automation, now: datetime) -> list[tuple[int, str]]:
    """``[(record id, period key)]`` of records whose timed condition holds at ``now``, not yet fired."""
    model = section.model
    cutoff = now - timedelta(days=int(automation.days or 0))
    condition = automation.json("condition", None)
    where = [compile_filter(section, condition, None, today=now.date(), now=now)] if condition else []
    if automation.timed_kind == TimedKind.IN_STATE:
        field = automation.timed_field
        where.append(compile_filter(section, {"field": field, "op": "eq", "value": automation.timed_value}, None))
        def latest(column):
            # The field's latest change of this record: one index range (section, record_id, id) read backwards.
            return (sa.select(column).where(ChangeLog.section == section.name, ChangeLog.record_id == model.id,
                                            ChangeLog.field == field)
                    .order_by(ChangeLog.id.desc()).limit(1).correlate(model).scalar_subquery())

        last, entered = latest(ChangeLog.id), latest(ChangeLog.at)
        query = sa.select(model.id, last).where(*where, sa.func.coalesce(entered, model.created_at) <= cutoff)
        rows = [(rid, f"log:{log_id}" if log_id else "created") for rid, log_id in records.session.execute(query)]
    elif automation.timed_kind == TimedKind.FIELD_AGE:
        field = automation.timed_field
        where.append(compile_filter(section, {"field": field, "op": "le", "value": f"$today-{int(automation.days or 0)}"},
                                    None, today=now.date(), now=now))
        column = section.table.c[field]
        rows = [(rid, f"at:{value}") for rid, value in records.session.execute(sa.select(model.id, column).where(*where))]
    else:
        raise ValueError(f"unknown timed kind {automation.timed_kind!r}")
    done = set(records.session.execute(
        sa.select(AutomationRun.record_id, AutomationRun.period_key).where(AutomationRun.automation_id == automation.id)))
    return [(rid, key[:100]) for rid, key in rows if (rid, key[:100]) not in done]


def _fire(records, section, automation_id: int, record_id: int, period_key: str) -> int:
    """Claim (automation, record, period) and run the actions in one transaction; 0 when already claimed."""
    session = records.session
    try:
        with records.transaction():
            session.add(AutomationRun(automation_id=automation_id, record_id=record_id, period_key=period_key))
            session.flush()  # the unique key: a second worker stops here
            record = session.get(section.model, record_id)
            if record is None:  # deleted meanwhile: the claim stays, there is nothing to do
                return 0
            run_rule(records, section, record, to_rule(session.get(Automation, automation_id)))
        return 1
    except IntegrityError:
        return 0
    except FlowcaseError as exc:
        # Rolled back with the run row: the next run tries again and the reason is in the log.
        log.warning("timed automation %s on %s #%s failed: %s", automation_id, section.name, record_id, exc)
        return 0
