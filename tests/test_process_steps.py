"""Email and approval steps of the process engine, delegation, and the stage bar's bounded queries."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from core.errors import RecordNotFound, ValidationError
from tests.process_support import bob, make_case, new_lead, records, stage_id, tasks, users  # noqa: F401

pytestmark = pytest.mark.addons("sales")


def _emails(records):
    from core.mail.models import Email

    return list(records.session.scalars(sa.select(Email).order_by(Email.id)))


def test_email_step_queues_the_template_to_the_rule_and_the_visa_notifies_the_approver(client, bob, records, users):
    records.create("email_template", {"code": "proc_hello", "name": "Hello", "subject": "About {{ title }}",
                                       "body": "Lead {{ title }} needs you."})
    users["bob"].email, users["manager"].email = "bob@example.com", "manager@example.com"
    make_case(records, "mailing", [
        {"code": "lead_new", "steps": [
            {"name": "Welcome", "kind": "email", "params": {"template": "proc_hello", "to": "owner"}},
            {"name": "Visa", "kind": "approval", "params": {"approver": "owner_manager",
                                                             "notify_template": "proc_hello"}}]},
    ])
    new_lead(client, "Mailing lead")
    records.session.expire_all()
    sent = [(e.to, e.subject, e.template_code) for e in _emails(records)]
    assert sent == [("bob@example.com", "About Mailing lead", "proc_hello"),
                    ("manager@example.com", "About Mailing lead", "proc_hello")]


def test_an_email_step_with_a_missing_template_refuses_the_create_with_its_reason(client, bob, records, users):
    users["bob"].email = "bob@example.com"
    make_case(records, "nomail", [{"code": "lead_new", "steps": [
        {"name": "Welcome", "kind": "email", "params": {"template": "no_such_template"}}]}])
    with pytest.raises(ValidationError, match="no_such_template"):
        bob.create("lead", {"name": "Nomail lead"})
    bob.session.rollback()
    model = records.section("lead").model
    assert records.session.scalar(sa.select(sa.func.count()).where(model.name == "Nomail lead")) == 0


def test_a_visa_may_be_delegated_and_only_the_approver_or_delegate_decides(client, bob, records, users):
    from core.process.engine import decide, delegate
    from core.process.models import ProcessStepRun

    make_case(records, "visa", [
        {"code": "lead_new", "steps": [{"name": "Visa", "kind": "approval",
                                        "params": {"approver": "owner_manager", "delegation": True,
                                                   "on_approve": "next"}}]},
        {"code": "lead_qualification"},
    ])
    lead_id = new_lead(client, "Visa lead")
    run = records.session.scalar(sa.select(ProcessStepRun).where(ProcessStepRun.kind == "approval"))
    state = records.state
    with pytest.raises(RecordNotFound):
        decide(state.records(users["alice"]), run.id, True)
    delegate(state.records(users["manager"]), run.id, users["alice"].id)
    decide(state.records(users["alice"]), run.id, True, "ok")
    records.session.expire_all()
    assert records.get("lead", lead_id).stage_id == stage_id(records, "lead_qualification")
    with pytest.raises(ValidationError, match="already decided"):
        decide(state.records(users["manager"]), run.id, False, "too late")


@contextmanager
def _statements(engine):
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_stage_bar_statements_do_not_grow_with_steps(client, bob, records):
    from core.extensions import db

    many = [{"name": f"Step {i}", "params": {"title": f"Task {i}"}} for i in range(8)]
    make_case(records, "bar", [{"code": "lead_new", "steps": many}, {"code": "lead_qualification"},
                               {"code": "lead_disqualified", "kind": "failure"}])
    lead_id = new_lead(client, "Bar lead")
    client.get(f"/lead/{lead_id}")  # warm caches
    with _statements(db.engine) as seen:
        page = client.get(f"/lead/{lead_id}").get_data(as_text=True)
    assert page.count("data-process-step=") == 8 and 'data-process-move="' in page
    process = [s for s in seen if "core_process" in s or "sales_stage" in s]
    assert len(process) <= 7, process
    assert len(tasks(records, lead_id)) == 8


def test_deleting_a_record_forgets_its_process_and_admin_edits_cases(client, bob, records):
    from core.process.models import ProcessRecord, ProcessStepRun

    make_case(records, "gone", [{"code": "lead_new", "steps": [{"name": "Call", "params": {"title": "Call"}}]}])
    lead_id = new_lead(client, "Gone lead")
    records.delete("lead", lead_id)
    records.session.commit()
    for model in (ProcessRecord, ProcessStepRun):
        assert records.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.record_id == lead_id)) == 0

    client.post("/logout")
    assert client.post("/login", data={"login": "admin", "password": "admin"}).status_code == 302
    for view in ("process_case", "process_stage", "process_step"):
        page = client.get(f"/admin/lookups/{view}/")
        assert page.status_code == 200, view
    assert "Gone" in client.get("/admin/lookups/process_case/").get_data(as_text=True)
