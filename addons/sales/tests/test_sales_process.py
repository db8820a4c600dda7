"""The seeded sales processes: ATRAPAK's corporate sale (CASES.md case 2) and LvBS's lead cases (case 5).

Bob (a salesperson whose manager is "manager") works through the pages; the
checks read what the records service stored.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.addons("sales")


def _activities(records, section: str, record_id: int, status: str | None = "open") -> list:
    model = records.section("activity").model
    query = sa.select(model).where(model.section == section, model.record_id == record_id)
    if status:
        query = query.where(model.status == status)
    return list(records.session.scalars(query.order_by(model.id)))


def _done(client, activity) -> None:
    """Bob marks a task done on the activity's edit page."""
    response = client.post(f"/activity/{activity.id}/edit", data={
        "subject": activity.subject, "status": "done", "priority": activity.priority,
        "owner_id": activity.owner_id, "version": activity.version})
    assert response.status_code in (302, 303), response.get_data(as_text=True)


def _new_opportunity(client, **values) -> int:
    response = client.post("/opportunity/new", data={"stage_id": "", **values})
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    return int(re.search(r"/opportunity/(\d+)$", response.headers["Location"]).group(1))


def _pending_visa(records, opportunity_id):
    from core.process.models import ProcessStepRun

    return records.session.scalar(sa.select(ProcessStepRun).where(
        ProcessStepRun.section == "opportunity", ProcessStepRun.record_id == opportunity_id,
        ProcessStepRun.kind == "approval", ProcessStepRun.state == "pending"))


def _to_visa(client, bob, records, users):
    """An ATRAPAK opportunity whose analysis is done, so the visa waits for Bob's manager."""
    opportunity_id = _new_opportunity(client, name="Аптечная сеть «Ригла»: поставка")
    tasks = _activities(records, "opportunity", opportunity_id)
    assert [t.subject for t in tasks] == [
        "Analyse the pharmacy chain: category, purchasing principle, volumes", "Identify the chain's decision makers"]
    assert {t.owner_id for t in tasks} == {users["bob"].id} and all(t.due_date for t in tasks)
    assert _pending_visa(records, opportunity_id) is None  # the visa waits for the analysis
    _done(client, tasks[0])
    records.session.expire_all()
    visa = _pending_visa(records, opportunity_id)
    assert visa is not None and visa.approver_id == users["manager"].id
    return opportunity_id, visa


def _sign_in(client, login):
    client.post("/logout")
    assert client.post("/login", data={"login": login, "password": login}).status_code == 302


def test_atrapak_visa_approved_moves_to_presentation_with_its_tasks(client, bob, records, users, xid):
    opportunity_id, visa = _to_visa(client, bob, records, users)
    card = client.get(f"/opportunity/{opportunity_id}").get_data(as_text=True)
    assert "data-process-bar" in card and "Manager&#39;s visa" in card

    # The manager sees it in "My approvals"; Bob does not.
    assert f'data-process-approval="{visa.id}"' not in client.get("/process/approvals").get_data(as_text=True)
    _sign_in(client, "manager")
    page = client.get("/process/approvals").get_data(as_text=True)
    assert f'data-process-approval="{visa.id}"' in page and "Ригла" in page
    response = client.post(f"/process/approvals/{visa.id}", data={"decision": "approve", "comment": ""})
    assert response.status_code == 302

    records.session.expire_all()
    opportunity = records.get("opportunity", opportunity_id)
    assert opportunity.stage_id == xid("stage_opportunity_presentation")
    open_tasks = _activities(records, "opportunity", opportunity_id)
    # The optional task left behind is cancelled; Presentation starts with the meeting (the catalogue waits for it).
    assert [t.subject for t in open_tasks] == ["Hold the presentation meeting with the chain"]
    assert [t.subject for t in _activities(records, "opportunity", opportunity_id, "cancelled")] == [
        "Identify the chain's decision makers"]
    assert f'data-process-approval="{visa.id}"' not in client.get("/process/approvals").get_data(as_text=True)

    # Finishing the meeting starts the catalogue task (a step started after another).
    _sign_in(client, "bob")
    _done(client, open_tasks[0])
    records.session.expire_all()
    assert [t.subject for t in _activities(records, "opportunity", opportunity_id)] == [
        "Prepare the service catalogue for the client"]


def test_atrapak_visa_rejected_stops_the_sale(client, bob, records, users, xid):
    opportunity_id, visa = _to_visa(client, bob, records, users)
    _sign_in(client, "manager")
    # A rejection needs a comment: refused without one, nothing changes.
    client.post(f"/process/approvals/{visa.id}", data={"decision": "reject", "comment": "  "})
    assert "a rejection needs a comment" in client.get("/process/approvals").get_data(as_text=True)
    records.session.expire_all()
    assert records.get("opportunity", opportunity_id).stage_id == xid("stage_opportunity_qualification")

    client.post(f"/process/approvals/{visa.id}", data={"decision": "reject", "comment": "Сеть не подходит"})
    records.session.expire_all()
    opportunity = records.get("opportunity", opportunity_id)
    assert opportunity.stage_id == xid("stage_opportunity_lost")
    assert opportunity.lost_reason_id == xid("reason_lost_requirements")
    assert _activities(records, "opportunity", opportunity_id) == []
    visa = records.session.get(type(visa), visa.id)
    assert (visa.state, visa.comment, visa.decided_by_id) == ("rejected", "Сеть не подходит", users["manager"].id)


def test_leaving_qualification_needs_the_required_steps(client, bob, records, xid):
    opportunity_id = _new_opportunity(client, name="Сеть «Здоровье»")
    response = client.post(f"/process/move/opportunity/{opportunity_id}",
                           data={"stage": xid("stage_opportunity_presentation")}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Finish the required steps of “Qualification” first: Analyse the pharmacy chain, Manager&#39;s visa." in text
    records.session.expire_all()
    assert records.get("opportunity", opportunity_id).stage_id == xid("stage_opportunity_qualification")
    # A move the case does not allow at all (Qualification → Won) is refused on the records service's door too.
    from core.errors import ValidationError

    with pytest.raises(ValidationError, match="cannot move from “Qualification” to “Won”"):
        bob.set_stage("opportunity", opportunity_id, xid("stage_opportunity_won"))


def _lead(client, need: str, account_id=None) -> int:
    data = {"name": "", "company_name": "ТОВ «Навчання»", "person_name": "Олена Коваль", "need": need,
            "source": "web_form", "qualification_status": "", "stage_id": ""}
    if account_id:
        data["account_id"] = account_id
    response = client.post("/lead/new", data=data)
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    return int(re.search(r"/lead/(\d+)$", response.headers["Location"]).group(1))


def _case_of(records, section, record_id) -> str:
    from core.process.models import ProcessCase, ProcessRecord

    return records.session.scalar(sa.select(ProcessCase.code).join(ProcessRecord, ProcessRecord.case_id == ProcessCase.id)
                                  .where(ProcessRecord.section == section, ProcessRecord.record_id == record_id))


def test_lvbs_leads_follow_the_case_of_their_need_and_the_long_one_makes_an_opportunity(client, bob, records, xid):
    account = bob.create("account", {"name": "ТОВ «Навчання»"})
    records.session.commit()
    short_id = _lead(client, "Short programme: project management, 3 days")
    long_id = _lead(client, "Long programme: Executive MBA", account_id=account.id)
    assert _case_of(records, "lead", short_id) == "lvbs_short_programme"
    assert _case_of(records, "lead", long_id) == "lvbs_long_programme"
    assert "Call the applicant about the short programme" in [t.subject for t in _activities(records, "lead", short_id)]

    # The short programme has no "Transfer to sale": the lead case ends at enrolment.
    response = client.post(f"/process/move/lead/{short_id}", data={"stage": xid("stage_lead_transferred")},
                           follow_redirects=True)
    assert "is not a stage of the process “Short programme”" in response.get_data(as_text=True)

    # Long programme: the call done → auto-advance to Qualification; the interview done → Awaiting sale,
    # where the action creates the opportunity, which follows its own case.
    _done(client, _activities(records, "lead", long_id)[0])
    records.session.expire_all()
    assert records.get("lead", long_id).stage_id == xid("stage_lead_qualification")
    interview = _activities(records, "lead", long_id)
    assert [t.subject for t in interview] == ["Hold the admission interview"]
    _done(client, interview[0])
    response = client.post(f"/process/move/lead/{long_id}", data={"stage": xid("stage_lead_awaiting_sale")})
    assert response.status_code == 302
    records.session.expire_all()
    lead = records.get("lead", long_id)
    assert lead.stage_id == xid("stage_lead_transferred") and lead.qualification_status == "converted"
    opportunity = records.session.scalars(sa.select(records.section("opportunity").model)
                                          .where(records.section("opportunity").model.lead_id == long_id)).one()
    assert _case_of(records, "opportunity", opportunity.id) == "lvbs_programme_sale"
    assert [t.subject for t in _activities(records, "opportunity", opportunity.id)] == [
        "Agree the programme, the price and the payment plan"]
