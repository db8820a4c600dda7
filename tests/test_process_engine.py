"""The process engine on its own cases (built here through the records service) over the sales sections.

Each scenario configures a small case for leads whose name says so, then
works through pages or the records service and checks what was stored.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.errors import ValidationError
from tests.process_support import bob, make_case, new_lead, records, stage_id, tasks, users  # noqa: F401

pytestmark = pytest.mark.addons("sales")


def test_an_action_that_raises_leaves_the_record_in_its_old_stage_with_no_tasks(client, bob, records):
    make_case(records, "boom", [
        {"code": "lead_new"},
        {"code": "lead_qualification", "steps": [
            {"name": "Prepare", "params": {"title": "Prepare the offer"}},
            {"name": "Check", "params": {"title": "Check the client"}},
            # Converting needs an account or a contact, which this lead has not: the action raises.
            {"name": "Convert", "kind": "action", "params": {"action": "sales.convert_to_opportunity"}}]},
    ])
    lead_id = new_lead(client, "Boom lead")
    response = client.post(f"/process/move/lead/{lead_id}", data={"stage": stage_id(records, "lead_qualification")},
                           follow_redirects=True)
    assert "Qualify the lead first" in response.get_data(as_text=True)
    records.session.expire_all()
    assert records.get("lead", lead_id).stage_id == stage_id(records, "lead_new")
    assert tasks(records, lead_id) == []
    from core.process.models import ProcessStepRun

    assert records.session.scalar(sa.select(sa.func.count()).select_from(ProcessStepRun)) == 0


def test_auto_advance_when_the_required_steps_are_done_and_not_before(client, bob, records):
    make_case(records, "auto", [
        {"code": "lead_new", "auto_advance": "required_done", "steps": [
            {"name": "Call", "params": {"title": "Call", "due_days": 1}},
            {"name": "Mail", "params": {"title": "Mail"}, "required": False},
            {"name": "Meet", "params": {"title": "Meet"}, "after": "Call"}]},
        {"code": "lead_qualification"},
    ])
    lead_id = new_lead(client, "Auto lead")
    call, mail = tasks(records, lead_id)
    bob.update("activity", call, {"status": "done"})
    records.session.expire_all()
    assert records.get("lead", lead_id).stage_id == stage_id(records, "lead_new")  # "Meet" (required) just started
    meet = tasks(records, lead_id)[-1]
    assert meet.subject == "Meet"
    bob.update("activity", meet, {"status": "done"})
    records.session.expire_all()
    assert records.get("lead", lead_id).stage_id == stage_id(records, "lead_qualification")
    assert [t.subject for t in tasks(records, lead_id, "cancelled")] == ["Mail"]  # the optional one is closed


def test_roles_allowed_into_a_stage_and_fields_required_before_leaving(client, bob, records, users):
    make_case(records, "gate", [
        {"code": "lead_new", "required_fields": ["phone"]},
        {"code": "lead_qualification", "roles": ["sales_manager"]},
        {"code": "lead_disqualified", "kind": "failure"},
    ])
    lead_id = new_lead(client, "Gate lead")
    qualification = stage_id(records, "lead_qualification")
    with pytest.raises(ValidationError, match="before leaving “New”"):
        records.set_stage("lead", lead_id, qualification)
    bob.update("lead", lead_id, {"phone": "+7 900 000-00-00"})
    with pytest.raises(ValidationError, match="Your role may not move records into “Qualification”"):
        bob.set_stage("lead", lead_id, qualification)
    manager = records.state.records(users["manager"])
    records.session.rollback()
    manager.set_stage("lead", lead_id, qualification)
    records.session.expire_all()
    assert records.get("lead", lead_id).stage_id == qualification


def test_form_step_writes_the_record_and_finishes_the_step(client, bob, records):
    make_case(records, "form", [
        {"code": "lead_new", "auto_advance": "required_done", "steps": [
            {"name": "Registration data", "kind": "form", "params": {"fields": ["email", "phone"]}}]},
        {"code": "lead_qualification"},
    ])
    lead_id = new_lead(client, "Form lead")
    card = client.get(f"/lead/{lead_id}").get_data(as_text=True)
    url = re.search(r'href="(/process/form/\d+)" data-process-form', card).group(1)
    page = client.get(url)
    assert page.status_code == 200 and 'name="email"' in page.get_data(as_text=True)
    bad = client.post(url, data={"email": "not-an-address", "phone": ""})
    assert bad.status_code == 422 and "data-process-step-form" in bad.get_data(as_text=True)
    records.session.expire_all()
    assert records.get("lead", lead_id).email is None
    assert client.post(url, data={"email": "olena@example.com", "phone": "+380 44 000 0000"}).status_code == 302
    records.session.expire_all()
    lead = records.get("lead", lead_id)
    assert lead.email == "olena@example.com" and lead.stage_id == stage_id(records, "lead_qualification")
    assert client.get(url).status_code == 404  # done: the form is gone


def test_changing_the_deciding_field_offers_to_switch_case(client, bob, records):
    lead_id = new_lead(client, "Switch lead", need="Short programme")
    response = client.post(f"/lead/{lead_id}/edit", data={
        "name": "Switch lead", "source": "manual", "need": "Long programme", "qualification_status": "new",
        "stage_id": stage_id(records, "lead_new"), "version": records.get("lead", lead_id).version},
        follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "fit the process “Long programme”" in text and "data-process-switch" in text
    assert client.post(f"/process/switch/lead/{lead_id}").status_code == 302
    records.session.expire_all()
    card = client.get(f"/lead/{lead_id}").get_data(as_text=True)
    assert 'data-case="lvbs_long_programme"' in card
    subjects = [t.subject for t in tasks(records, lead_id)]
    assert subjects == ["Call the applicant about the long programme"]
    assert [t.subject for t in tasks(records, lead_id, "cancelled")] == ["Call the applicant about the short programme"]


def test_process_tables_are_closed_to_users(client, bob, records):
    case_id = records.session.scalar(sa.text("SELECT min(id) FROM core_process_case"))
    assert case_id is not None
    assert 'data-id="' not in client.get("/process_case/").get_data(as_text=True)
    assert client.get(f"/process_case/{case_id}").status_code == 404
    with pytest.raises(Exception):
        bob.create("process_case", {"code": "x", "name": "x", "section": "lead"})
