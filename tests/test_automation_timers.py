"""Timed automations on a controlled clock: ZhilfondService's "Needs clarification for 5 days → closed" (CASES.md case 10)."""
import datetime as dt
import json

import pytest
import sqlalchemy as sa
import time_machine

from core.extensions import db
from core.jobs import run_periodic_now

pytestmark = pytest.mark.addons("fx_base", "crm")

START = dt.datetime(2030, 3, 1, 9, 0, tzinfo=dt.timezone.utc)
JOB = "flowcase.periodic.core.timed_automations"


def at(days: float) -> dt.datetime:
    return START + dt.timedelta(days=days)


def run_job(app, moment: dt.datetime) -> list[str]:
    """What `flowcase worker` does when the job is due (5 past the hour), in a fresh session."""
    db.session.remove()
    with time_machine.travel(moment, tick=False):
        return run_periodic_now(app, moment.replace(tzinfo=None, minute=5))


def stage_of(records, thing_id):
    db.session.remove()
    return records.session.scalar(sa.text("SELECT stage FROM fx_base_thing WHERE id = :id"), {"id": thing_id})


def counts(records):
    """Everything a firing writes: run-log rows, change-log rows, activities."""
    return tuple(records.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))
                 for table in ("core_automation_run", "core_change_log", "crm_activity"))


@pytest.fixture
def records(app_ctx):
    records = app_ctx.extensions["flowcase"].records(sudo=True)
    records.create("automation", {
        "name": "Close unanswered clarifications", "section": "fx_thing", "trigger": "timed",
        "timed_kind": "in_state", "timed_field": "stage", "timed_value": "needs_clarification", "days": 5,
        "actions": json.dumps([
            {"type": "set_fields", "values": {"stage": "closed"}},
            {"type": "create_activity", "subject": "Closed automatically: no answer in 5 days"},
        ]),
    })
    return records


def test_a_case_left_in_needs_clarification_for_5_days_is_closed_once(app_ctx, records):
    app = app_ctx
    with time_machine.travel(at(0), tick=False):
        waiting = records.create("fx_thing", {"name": "Meter reading", "stage": "needs_clarification"}).id
        answered = records.create("fx_thing", {"name": "Invoice question", "stage": "needs_clarification"}).id
    with time_machine.travel(at(3), tick=False):
        later = records.create("fx_thing", {"name": "Recalculation"}).id
        records.set_stage("fx_thing", later, "needs_clarification")  # entered the state on day 3
        records.set_stage("fx_thing", answered, "in_progress")  # the client answered

    assert JOB in run_job(app, at(4.9))
    assert [stage_of(records, i) for i in (waiting, answered, later)] == ["needs_clarification", "in_progress",
                                                                          "needs_clarification"]
    run_job(app, at(5.1))
    assert [stage_of(records, i) for i in (waiting, answered, later)] == ["closed", "in_progress", "needs_clarification"]
    after_first = counts(records)
    assert after_first[0] == 1 and after_first[2] == 1

    run_job(app, at(5.2))  # a second run (or a second worker) changes nothing more
    assert counts(records) == after_first

    run_job(app, at(8.1))
    assert stage_of(records, later) == "closed"
    assert counts(records)[0] == 2


def test_a_record_entering_the_state_again_is_timed_again(app_ctx, records):
    app = app_ctx
    with time_machine.travel(at(0), tick=False):
        thing = records.create("fx_thing", {"name": "Reopened", "stage": "needs_clarification"}).id
    run_job(app, at(6))
    assert stage_of(records, thing) == "closed"
    with time_machine.travel(at(7), tick=False):
        records.set_stage("fx_thing", thing, "needs_clarification")
    run_job(app, at(10))
    assert stage_of(records, thing) == "needs_clarification"
    run_job(app, at(12.1))
    assert stage_of(records, thing) == "closed"


def test_no_activity_for_n_days_by_a_date_field_and_a_condition(app_ctx, records):
    app = app_ctx
    records.create("automation", {
        "name": "Stale big things", "section": "fx_thing", "trigger": "timed", "timed_kind": "field_age",
        "timed_field": "updated_at", "days": 30, "condition": json.dumps({"field": "amount", "op": "ge", "value": 100}),
        "actions": json.dumps([{"type": "create_activity", "subject": "No activity for 30 days: call {{ record.name }}"}]),
    })
    with time_machine.travel(at(0), tick=False):
        big = records.create("fx_thing", {"name": "Big", "amount": 500}).id
        records.create("fx_thing", {"name": "Small", "amount": 5})
    with time_machine.travel(at(20), tick=False):
        touched = records.create("fx_thing", {"name": "Touched", "amount": 500}).id
    run_job(app, at(31))
    run_job(app, at(32))
    subjects = records.session.execute(sa.text("SELECT subject, record_id FROM crm_activity")).all()
    assert [tuple(row) for row in subjects] == [("No activity for 30 days: call Big", big)]
    assert touched != big
