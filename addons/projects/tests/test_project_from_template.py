"""A project made from a template: tasks for the right people, one after another in working days,
the action on every door (stage steps, the API, the card's button), rolled up when its tasks are done."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from core.api.keys import create_key
from core.errors import ValidationError
from tests.api_support import Api

pytestmark = pytest.mark.addons("projects")

MONDAY = date(2026, 3, 2)


def _tasks(records, project):
    Activity = records.section("activity").model
    return list(records.session.scalars(sa.select(Activity).where(
        Activity.section == "project", Activity.record_id == project.id).order_by(Activity.start_at)))


def _rows(records, project, projects):
    Task = projects.models.ProjectTask
    return list(records.session.scalars(sa.select(Task).where(Task.project_id == project.id).order_by(Task.sequence)))


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


def test_tasks_go_to_the_right_people_one_after_another_in_working_days(records, projects, template, account, users):
    alice, bob = users["alice"], users["bob"]
    project = projects.services.create_project_from_template(
        records, "delivery", "account", account.id, {"planned_start": MONDAY})
    records.session.commit()

    assert (project.section, project.record_id, project.account_id) == ("account", account.id, account.id)
    assert project.owner_id == alice.id  # the account's owner leads the project
    assert project.template_id == template.id and project.state == "planned"
    # Survey Mon-Tue, install Wed-Fri, hand over the next Monday: six working days.
    assert (project.planned_start, project.planned_end, project.planned_duration_days) == (
        MONDAY, date(2026, 3, 9), 6)
    tasks = _tasks(records, project)
    assert [(t.subject, t.owner_id, t.start_at.date(), t.end_at.date(), t.due_date, t.status) for t in tasks] == [
        ("Survey the site", alice.id, MONDAY, date(2026, 3, 3), date(2026, 3, 3), "open"),
        ("Install", bob.id, date(2026, 3, 4), date(2026, 3, 6), date(2026, 3, 6), "open"),
        ("Hand over", alice.id, date(2026, 3, 9), date(2026, 3, 9), date(2026, 3, 9), "open"),
    ]
    assert {t.account_id for t in tasks} == {account.id}  # the client has planned activities now
    rows = _rows(records, project, projects)
    assert [(r.sequence, r.name, r.activity_id, r.planned_duration_days, r.planned_start, r.planned_end, r.slip_days)
            for r in rows] == [
        (10, "Survey the site", tasks[0].id, 2, MONDAY, date(2026, 3, 3), None),
        (20, "Install", tasks[1].id, 3, date(2026, 3, 4), date(2026, 3, 6), None),
        (30, "Hand over", tasks[2].id, 1, date(2026, 3, 9), date(2026, 3, 9), None),
    ]

    # Asked again for the same record (a stage entered twice), the project is not made twice.
    again = projects.services.create_project_from_template(records, "delivery", "account", account.id)
    assert again.id == project.id and len(_tasks(records, project)) == 3


def test_a_plan_starting_on_a_weekend_starts_on_monday(records, projects, template, account):
    project = projects.services.create_project_from_template(
        records, "delivery", "account", account.id, {"planned_start": "2026-03-07"})
    assert (project.planned_start, project.planned_end) == (date(2026, 3, 9), date(2026, 3, 16))


def test_a_missing_template_or_a_bad_date_writes_nothing(records, projects, template, account):
    Project = projects.models.Project
    with pytest.raises(ValidationError, match="no active project template"):
        projects.services.create_project_from_template(records, "nope", "account", account.id)
    with pytest.raises(ValidationError) as error:
        projects.services.create_project_from_template(records, "delivery", "account", account.id,
                                                       {"planned_start": "tomorrow"})
    assert "planned_start" in error.value.errors
    records.update("project_template", template, {"active": False})
    with pytest.raises(ValidationError, match="no active project template"):
        projects.services.create_project_from_template(records, "delivery", "account", account.id)
    assert records.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0


def test_template_tasks_are_checked(records, template):
    with pytest.raises(ValidationError) as error:
        records.create("project_template_task", {"template_id": template.id, "name": "Nothing", "duration_days": 0,
                                                 "assignee": "welders"})
    assert set(error.value.errors) == {"duration_days", "assignee"}
    with pytest.raises(ValidationError) as error:
        records.create("project_template_task", {"template_id": template.id, "name": "X", "duration_days": 1,
                                                 "assignee": "user:nobody"})
    assert "assignee" in error.value.errors
    assert records.create("project_template_task", {"template_id": template.id, "name": "Check", "duration_days": 1,
                                                    "assignee": "role:installer"}).id


def test_finishing_every_task_rolls_up_the_actual_duration(app_ctx, records, projects, template, account, users):
    state = app_ctx.extensions["flowcase"]
    project = projects.services.create_project_from_template(
        records, "delivery", "account", account.id, {"planned_start": MONDAY})
    records.session.commit()
    survey, install, handover = _tasks(records, project)
    as_alice, as_bob = state.records(users["alice"]), state.records(users["bob"])

    # Survey took a day longer: Mon-Wed.
    as_alice.update("activity", survey, {"status": "done", "actual_start_at": _at(MONDAY),
                                         "actual_end_at": _at(date(2026, 3, 4))})
    records.session.commit()
    assert (project.state, project.actual_start, project.actual_end, project.actual_duration_days) == (
        "in_progress", MONDAY, None, None)
    # Installation Thu to the next Tuesday (planned end Friday): 4 days late, the worst slip.
    as_bob.update("activity", install, {"status": "done", "actual_start_at": _at(date(2026, 3, 5)),
                                        "actual_end_at": _at(date(2026, 3, 10))})
    as_alice.update("activity", handover, {"status": "done", "actual_start_at": _at(date(2026, 3, 11)),
                                           "actual_end_at": _at(date(2026, 3, 11))})
    records.session.commit()

    rows = _rows(records, project, projects)
    assert [(r.status, r.actual_start, r.actual_end, r.actual_duration_days, r.slip_days) for r in rows] == [
        ("done", MONDAY, date(2026, 3, 4), 3, 1),
        ("done", date(2026, 3, 5), date(2026, 3, 10), 4, 4),
        ("done", date(2026, 3, 11), date(2026, 3, 11), 1, 2),
    ]
    assert (project.state, project.actual_start, project.actual_end, project.actual_duration_days) == (
        "done", MONDAY, date(2026, 3, 11), 8)
    assert project.planned_duration_days == 6
    assert [r.name for r in projects.services.slipped(rows)] == ["Install", "Hand over", "Survey the site"]

    # Reopening a task reopens the project; cancelling it leaves the rest to decide.
    as_alice.update("activity", handover, {"status": "open"})
    assert (project.state, project.actual_end, project.actual_duration_days) == ("in_progress", None, None)
    as_alice.update("activity", handover, {"status": "cancelled"})
    assert (project.state, project.actual_end, project.actual_duration_days) == ("done", date(2026, 3, 10), 7)


def test_an_activity_added_to_a_project_becomes_a_task_and_deleting_goes_with_it(records, projects, template,
                                                                                  account, users):
    project = projects.services.create_project_from_template(
        records, "delivery", "account", account.id, {"planned_start": MONDAY})
    extra = records.create("activity", {"subject": "Train the staff", "section": "project", "record_id": project.id,
                                        "owner_id": users["alice"].id, "start_at": _at(date(2026, 3, 10), 9),
                                        "end_at": _at(date(2026, 3, 11), 18)})
    rows = _rows(records, project, projects)
    assert [(r.name, r.sequence, r.planned_duration_days) for r in rows][-1] == ("Train the staff", 40, 2)
    # The project's plan spans its tasks: it now ends with the training, a working day later.
    assert (project.planned_end, project.planned_duration_days) == (date(2026, 3, 11), 8)
    records.delete("activity", extra)
    assert len(_rows(records, project, projects)) == 3
    records.delete("project", project)
    records.session.commit()
    assert _tasks(records, project) == []


def test_the_action_runs_through_the_api_with_readable_errors(app_ctx, client, records, template, account, users):
    state = app_ctx.extensions["flowcase"]
    assert "projects.create_from_template" in state.actions
    _key, token = create_key(users["alice"], "alice key")
    api = Api(client, token)
    response = api.post(f"/account/{account.id}/actions/projects.create_from_template", {"params": {"template": "x"}})
    assert response.status_code == 422, response.get_json()
    assert "no active project template" in response.get_data(as_text=True)
    response = api.post(f"/account/{account.id}/actions/projects.create_from_template",
                        {"params": {"template": "delivery"}})
    assert response.status_code == 200, response.get_json()
    found = api.get(f"/project?record_id={account.id}").get_json()
    assert [(p["section"], p["account_id"], p["state"]) for p in found["items"]] == [("account", account.id, "planned")]
    project_id = found["items"][0]["id"]
    rows = api.get(f"/project_task?project_id={project_id}&sort=sequence").get_json()["items"]
    assert [row["name"] for row in rows] == ["Survey the site", "Install", "Hand over"]
    # Plan rows are kept by the add-on: nobody writes them through the API.
    assert api.patch(f"/project_task/{rows[0]['id']}", {"slip_days": 0}).status_code == 403



def test_a_new_account_manager_takes_over_its_projects(records, projects, template, account, users):
    from core.handover import handover_groups

    project = projects.services.create_project_from_template(records, "delivery", "account", account.id)
    groups = {group.section: group for group in handover_groups(
        records, records.section("account"), account, users["alice"].id, users["bob"].id)}
    assert [p.id for p in records.session.scalars(groups["project"].query)] == [project.id]
    # Alice's open tasks of the project go along as the account's open activities; Bob's installation stays his.
    handed = {a.subject for a in records.session.scalars(groups["activity"].query)}
    assert handed == {"Survey the site", "Hand over"}
