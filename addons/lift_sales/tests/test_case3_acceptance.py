"""CASES.md case 3 (ALTIS-LIFT), end to end through the pages and the API: a lead after a call is qualified and
transferred to sale, the sale walks the lift stages with their tasks, the confirmed advance creates the
installation project with its tasks for the right people, the tasks are closed with actual dates, and plan vs
fact shows the numbers and the task that slipped."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
import time_machine

pytestmark = pytest.mark.addons("lift_sales")

MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


def _login(client, name):
    assert client.post("/login", data={"login": name, "password": name}).status_code == 302


def _open_tasks(records, section, record_id):
    Activity = records.section("activity").model
    return list(records.session.scalars(sa.select(Activity).where(
        Activity.section == section, Activity.record_id == record_id, Activity.status == "open").order_by(Activity.id)))


def _flash(client, url):
    return client.get(url).get_data(as_text=True)


def _at(day: date, hour: int) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc).isoformat()


def test_from_a_call_to_the_project_and_its_plan_vs_fact(client, records, users, xid, api_as):
    bob, manager = users["bob"], users["manager"]
    with time_machine.travel(MONDAY, tick=False):
        _login(client, "bob")
        # 1. A lead after a phone call with a developer nobody knows yet.
        response = client.post("/lead/new", data={
            "source": "call", "company_name": "ООО «Новострой»", "person_name": "Павел Григорьев",
            "phone": "+7 812 600-44-55", "need": "Поставка и монтаж 6 пассажирских лифтов для ЖК «Западный»",
            "qualification_status": ""})  # the empty choice a browser sends: "the default"
        assert response.status_code in (302, 303), response.get_data(as_text=True)
        lead_id = int(re.search(r"/lead/(\d+)$", response.location).group(1))
        Lead = records.section("lead").model
        lead = records.session.get(Lead, lead_id)
        assert (lead.owner_id, lead.source, lead.account_id) == (bob.id, "call", None)

        # 2. Qualify: one click makes the account and the contact, linked to each other.
        assert client.post(f"/sales/lead/{lead_id}/qualify").status_code == 302
        records.session.expire_all()
        lead = records.session.get(Lead, lead_id)
        account = records.get("account", lead.account_id)
        contact = records.get("contact", lead.contact_id)
        assert account.name == "ООО «Новострой»" and contact.account_id == account.id

        # 3. Transfer to sale: the opportunity follows the lift sale, at the proposal stage, with its task.
        response = client.post(f"/sales/lead/{lead_id}/convert")
        opp_id = int(re.search(r"/opportunity/(\d+)$", response.location).group(1))
        Opportunity = records.section("opportunity").model
        opp = records.session.get(Opportunity, opp_id)
        assert (opp.stage_id, opp.account_id, opp.contact_id, opp.lead_id, opp.owner_id) == (
            xid("stage_lift_proposal"), account.id, contact.id, lead_id, bob.id)
        card = client.get(f"/opportunity/{opp_id}").get_data(as_text=True)
        assert 'data-case="lift_sale"' in card and "Формирование и презентация КП" in card
        tasks = _open_tasks(records, "opportunity", opp_id)
        assert [(t.subject, t.owner_id, t.due_date) for t in tasks] == [
            ("Подготовить коммерческое предложение по техническому заданию", bob.id, date(2026, 3, 4))]

        # 4. The stage cannot be left with its work undone; the tasks are closed through the API.
        client.post(f"/process/move/opportunity/{opp_id}", data={"stage": xid("stage_lift_contract")})
        assert "Finish the required steps" in _flash(client, f"/opportunity/{opp_id}")
        api = api_as("bob")
        assert api.patch(f"/activity/{tasks[0].id}", {"status": "done"}).status_code == 200
        present = _open_tasks(records, "opportunity", opp_id)
        assert [t.subject for t in present] == ["Презентовать коммерческое предложение клиенту и защитить его"]
        assert api.patch(f"/activity/{present[0].id}", {"status": "done"}).status_code == 200

        # 5. Contract signing (page), which needs the amount before it is left; then the advance (API).
        client.post(f"/process/move/opportunity/{opp_id}", data={"stage": xid("stage_lift_contract")})
        records.session.expire_all()
        assert records.session.get(Opportunity, opp_id).stage_id == xid("stage_lift_contract")
        sign = _open_tasks(records, "opportunity", opp_id)
        assert [t.subject for t in sign] == ["Согласовать договор с клиентом и подписать его"]
        api.patch(f"/activity/{sign[0].id}", {"status": "done"})
        response = api.post(f"/opportunity/{opp_id}/stage", {"stage": xid("stage_lift_advance")})
        assert response.status_code == 422 and "Amount" in response.get_data(as_text=True)
        assert api.patch(f"/opportunity/{opp_id}", {"amount": "19080000"}).status_code == 200
        assert api.post(f"/opportunity/{opp_id}/stage", {"stage": xid("stage_lift_advance")}).status_code == 200
        invoice = _open_tasks(records, "opportunity", opp_id)
        assert [t.subject for t in invoice] == ["Выставить счёт на авансовый платёж и проконтролировать оплату"]
        api.patch(f"/activity/{invoice[0].id}", {"status": "done"})
        Project = records.section("project").model
        assert records.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0

        # 6. Advance payment confirmed (page): the project is made from the template lift_installation.
        client.post(f"/process/move/opportunity/{opp_id}", data={"stage": xid("stage_lift_advance_confirmed")})
        records.session.expire_all()
        opp = records.session.get(Opportunity, opp_id)
        assert (opp.stage_id, opp.probability) == (xid("stage_lift_advance_confirmed"), 100)
        project = records.session.scalar(sa.select(Project))
        assert (project.section, project.record_id, project.account_id, project.owner_id, project.template_id) == (
            "opportunity", opp_id, account.id, bob.id, xid("template_lift_installation"))
        assert (project.state, project.planned_start, project.planned_end, project.planned_duration_days) == (
            "planned", date(2026, 3, 2), date(2026, 4, 10), 30)
        tasks = _open_tasks(records, "project", project.id)
        assert [(t.subject, t.owner_id, t.start_at.date(), t.end_at.date()) for t in tasks] == [
            ("Обследование объекта и замеры шахты", bob.id, date(2026, 3, 2), date(2026, 3, 3)),
            ("Заказ оборудования у производителя", bob.id, date(2026, 3, 4), date(2026, 3, 6)),
            ("Поставка оборудования на объект", bob.id, date(2026, 3, 9), date(2026, 3, 20)),
            ("Монтаж лифтового оборудования", manager.id, date(2026, 3, 23), date(2026, 4, 3)),
            ("Пусконаладочные работы", manager.id, date(2026, 4, 6), date(2026, 4, 8)),
            ("Техническое освидетельствование и сдача лифта", bob.id, date(2026, 4, 9), date(2026, 4, 10)),
        ]
        assert {t.account_id for t in tasks} == {account.id}
        # Both ways: the sale's card and the client's card lead to the project, the project back to the sale.
        assert f'data-project-link="{project.id}"' in client.get(f"/opportunity/{opp_id}").get_data(as_text=True)
        assert f'href="/project/{project.id}"' in client.get(f"/account/{account.id}").get_data(as_text=True)
        assert f'href="/opportunity/{opp_id}" data-project-source' in client.get(
            f"/project/{project.id}").get_data(as_text=True)
        listed = api.get(f"/project?section=opportunity&record_id={opp_id}").get_json()["items"]
        assert [p["id"] for p in listed] == [project.id]

    # 7. The responsible people close their tasks with actual dates: the mounting ends five days late.
    actual = [(date(2026, 3, 2), date(2026, 3, 3)), (date(2026, 3, 4), date(2026, 3, 6)),
              (date(2026, 3, 9), date(2026, 3, 20)), (date(2026, 3, 23), date(2026, 4, 8)),
              (date(2026, 4, 9), date(2026, 4, 13)), (date(2026, 4, 14), date(2026, 4, 15))]
    apis = {bob.id: api, manager.id: api_as("manager")}
    with time_machine.travel(datetime(2026, 4, 15, 18, tzinfo=timezone.utc), tick=False):
        for task, (start, end) in zip(tasks, actual):
            response = apis[task.owner_id].patch(f"/activity/{task.id}", {
                "status": "done", "actual_start_at": _at(start, 9), "actual_end_at": _at(end, 17)})
            assert response.status_code == 200, response.get_json()
            if task is not tasks[-1]:
                assert api.get(f"/project/{project.id}").get_json()["state"] == "in_progress"

    # 8. Rolled up: 33 working days against 30 planned; plan vs fact points at the mounting.
    body = api.get(f"/project/{project.id}").get_json()
    assert (body["state"], body["actual_start"], body["actual_end"], body["actual_duration_days"],
            body["planned_duration_days"]) == ("done", "2026-03-02", "2026-04-15", 33, 30)
    rows = api.get(f"/project_task?project_id={project.id}&sort=sequence").get_json()["items"]
    assert [(r["name"][:10], r["slip_days"], r["actual_duration_days"], r["planned_duration_days"]) for r in rows] == [
        ("Обследован", 0, 2, 2), ("Заказ обор", 0, 3, 3), ("Поставка о", 0, 10, 10),
        ("Монтаж лиф", 5, 13, 10), ("Пусконалад", 5, 3, 3), ("Техническо", 5, 2, 2)]
    _login(client, "manager")
    html = client.get(f"/project/{project.id}").get_data(as_text=True)
    assert 'data-planned-days="30"' in html and 'data-actual-days="33"' in html and 'data-deviation="3"' in html
    assert f'data-slipped-task="{tasks[3].id}"' in html  # drill-down: the task that slipped most
    assert re.findall(r'<tr data-task="(\d+)" class="table-danger" data-slipped>', html) == [
        str(t.id) for t in tasks[3:]]
    mounting = client.get(f"/activity/{tasks[3].id}").get_data(as_text=True)
    assert "Монтаж лифтового оборудования" in mounting
    portfolio = client.get("/projects/plan-vs-fact").get_data(as_text=True)
    assert f'data-project="{project.id}"' in portfolio and 'data-deviation="3"' in portfolio
