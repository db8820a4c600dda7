"""Event automations: on create, on update of watched fields, on entering a stage; conditions; rollback on failure."""
import json

import pytest
import sqlalchemy as sa

from core.errors import ValidationError
from core.users import create_user

pytestmark = pytest.mark.addons("fx_base", "crm")


@pytest.fixture
def records(app_ctx):
    return app_ctx.extensions["flowcase"].records(sudo=True)


def automation(records, name, trigger, actions, **values):
    """An automation written through the records service, as /admin and data files do."""
    for key in ("watched_fields", "condition"):
        if key in values and not isinstance(values[key], str):
            values[key] = json.dumps(values[key])
    return records.create("automation", {"name": name, "section": "fx_thing", "trigger": trigger,
                                         "actions": json.dumps(actions), **values})


def activities(records):
    return records.session.execute(sa.text(
        "SELECT subject, owner_id, section, record_id, due_date FROM crm_activity ORDER BY id")).all()


def names_of_things(records):
    return records.session.scalars(sa.text("SELECT name FROM fx_base_thing ORDER BY id")).all()


def test_on_create_with_a_condition_creates_an_activity_and_sets_fields(records):
    owner = create_user("olga", "pw")
    automation(records, "Big things get a check", "on_create", [
        {"type": "create_activity", "subject": "Check {{ record.name }}", "due_days": 2, "assignee": {"rule": "owner"}},
        {"type": "set_fields", "values": {"stage": "review"}},
    ], condition={"field": "amount", "op": "gt", "value": 100})
    big = records.create("fx_thing", {"name": "Boiler", "amount": 500, "owner_id": owner.id})
    small = records.create("fx_thing", {"name": "Valve", "amount": 5, "owner_id": owner.id})
    assert big.stage == "review" and small.stage == "new"
    [(subject, owner_id, section, record_id, due)] = activities(records)
    assert (subject, owner_id, section, record_id) == ("Check Boiler", owner.id, "fx_thing", big.id)
    assert due is not None


def test_on_update_fires_only_for_watched_fields_and_a_matching_condition(records):
    automation(records, "Amount raised", "on_update", [{"type": "set_fields", "values": {"name": "{{ record.name }} (raised)"}}],
               watched_fields=["amount"], condition={"field": "amount", "op": "ge", "value": 10})
    thing = records.create("fx_thing", {"name": "Pump", "amount": 1})
    records.update("fx_thing", thing, {"name": "Pump"})
    records.update("fx_thing", thing, {"stage": "won"})  # not watched
    assert thing.name == "Pump"
    records.update("fx_thing", thing, {"amount": 5})  # watched, condition false
    assert thing.name == "Pump"
    records.update("fx_thing", thing, {"amount": 50})
    assert thing.name == "Pump (raised)"  # once: its own write does not trigger it again


def test_on_stage_enter_fires_for_that_stage_only(records):
    automation(records, "Won things", "on_stage_enter", [{"type": "create_activity", "subject": "Thank the client"}],
               stage="won")
    thing = records.create("fx_thing", {"name": "Lift"})
    records.set_stage("fx_thing", thing, "lost")
    assert activities(records) == []
    records.set_stage("fx_thing", thing, "won")
    assert [row.subject for row in activities(records)] == ["Thank the client"]


def test_a_failing_action_rolls_back_the_triggering_write_with_the_reason(records):
    automation(records, "Spawns a boom", "on_create", [
        {"type": "create_activity", "subject": "Made before the failure"},
        {"type": "create_record", "section": "fx_thing", "values": {"name": "boom"}},  # fx_base's hook raises
    ], condition={"field": "name", "op": "eq", "value": "Trigger"})
    before = names_of_things(records)
    with pytest.raises(ValidationError, match="Automation “Spawns a boom” failed: boom hook"):
        records.create("fx_thing", {"name": "Trigger"})
    assert names_of_things(records) == before
    assert activities(records) == []


def test_a_failing_stage_automation_keeps_the_old_stage_and_shows_why_on_the_page(app, records):
    from core.extensions import db

    automation(records, "Needs an action", "on_stage_enter", [{"type": "run_action", "action": "nobody.registers_this"}],
               stage="won")
    thing = records.create("fx_thing", {"name": "Door"})
    with pytest.raises(ValidationError, match="nobody.registers_this"):
        records.set_stage("fx_thing", thing, "won")
    db.session.expire_all()
    assert records.get("fx_thing", thing.id).stage == "new"


def test_assign_from_a_lookup_with_a_fallback_to_a_group(records):
    """ZhilfondService-style: the engineer responsible for the record's service, else the dispatchers."""
    engineer = create_user("eng", "pw")
    dispatcher = create_user("disp", "pw")
    role = records.create("role", {"code": "dispatchers", "name": "Dispatchers"})
    dispatcher.roles.append(role)
    records.session.commit()
    # The lookup table: accounts named after a service, owned by its responsible engineer.
    records.create("account", {"name": "Elevators", "owner_id": engineer.id})
    automation(records, "Responsible by service", "on_create", [{"type": "assign", "field": "owner_id", "assignee": {
        "rule": "lookup", "section": "account", "filter": {"field": "name", "op": "eq", "value": "$record.name"},
        "user_field": "owner_id", "fallback": {"rule": "role", "role": "dispatchers"}}}])
    assert records.create("fx_thing", {"name": "Elevators"}).owner_id == engineer.id
    assert records.create("fx_thing", {"name": "Heating"}).owner_id == dispatcher.id


def test_bad_definitions_are_refused_with_messages(records):
    with pytest.raises(ValidationError) as error:
        records.create("automation", {"name": "Bad", "section": "fx_thing", "trigger": "on_update",
                                      "watched_fields": '["nope"]', "condition": '{"field": "x", "op": "eq"',
                                      "actions": '[{"type": "explode"}]'})
    assert set(error.value.errors) >= {"watched_fields", "condition", "actions"}
    with pytest.raises(ValidationError) as error:
        records.create("automation", {"name": "Bad timer", "section": "fx_thing", "trigger": "timed", "actions": "[]"})
    assert set(error.value.errors) >= {"timed_kind", "timed_field", "days"}


def test_automations_are_for_superusers_only(app, records):
    from core.records import Records
    from core.errors import AccessDenied

    user = create_user("plain", "pw")
    plain = Records(records.state, records.session, user)
    with pytest.raises(AccessDenied):
        plain.create("automation", {"name": "Mine", "section": "fx_thing", "trigger": "on_create", "actions": "[]"})
    # ...yet the automations run for every user's writes.
    automation(records, "Stamp", "on_create", [{"type": "set_fields", "values": {"amount": 1}}])
    assert plain.create("fx_thing", {"name": "By a user"}).amount == 1
