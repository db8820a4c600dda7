"""Plan vs fact on the pages: the project card's panel, its own page, the portfolio, the button on other
cards, the status report PDF, and the same rights on every one of these doors."""
from __future__ import annotations

import io
import re
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from core.users import create_user

pytestmark = pytest.mark.addons("projects")

MONDAY = date(2026, 3, 2)


def _login(client, name, password=None):
    response = client.post("/login", data={"login": name, "password": password or name})
    assert response.status_code == 302


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)


@pytest.fixture
def finished(records, projects, template, account):
    """A delivery project whose installation finished four days late."""
    project = projects.services.create_project_from_template(
        records, "delivery", "account", account.id, {"planned_start": MONDAY})
    Activity = records.section("activity").model
    survey, install, handover = records.session.scalars(sa.select(Activity).where(
        Activity.section == "project", Activity.record_id == project.id).order_by(Activity.start_at))
    for task, start, end in ((survey, MONDAY, date(2026, 3, 3)), (install, date(2026, 3, 4), date(2026, 3, 10)),
                             (handover, date(2026, 3, 11), date(2026, 3, 11))):
        records.update("activity", task, {"status": "done", "actual_start_at": _at(start), "actual_end_at": _at(end)})
    records.session.commit()
    return project, install


def test_the_card_panel_points_at_the_task_that_slipped(client, finished):
    project, install = finished
    _login(client, "manager")
    html = client.get(f"/project/{project.id}").get_data(as_text=True)
    assert "data-projects-plan-vs-fact" in html
    assert 'data-project-state="done"' in html
    assert 'data-planned-days="6"' in html and 'data-actual-days="8"' in html and 'data-deviation="2"' in html
    # The survey finished on time; the installation 4 days late, and the hand-over 2 days late after it.
    slipped = re.findall(r'<tr data-task="(\d+)" class="table-danger" data-slipped>', html)
    assert slipped == [str(install.id), str(install.id + 1)]
    assert f'data-slipped-task="{install.id}"' in html and f'href="/activity/{install.id}"' in html
    assert re.search(r'data-slip="4">\+4<', html)
    # The drill-down opens the activity itself.
    assert client.get(f"/activity/{install.id}").status_code == 200


def test_the_project_page_and_the_portfolio(client, finished):
    project, install = finished
    _login(client, "alice")
    page = client.get(f"/projects/{project.id}/plan-vs-fact").get_data(as_text=True)
    assert "data-plan-table" in page and f'data-slipped-task="{install.id}"' in page
    portfolio = client.get("/projects/plan-vs-fact").get_data(as_text=True)
    assert f'data-project="{project.id}"' in portfolio
    assert 'data-deviation="2"' in portfolio and f'data-slipped-task="{install.id}"' in portfolio


def test_someone_without_rights_gets_a_404_on_every_door(app_ctx, client, finished):
    project, _install = finished
    create_user("eve", "eve-pw")
    _login(client, "eve", "eve-pw")
    for url in (f"/project/{project.id}", f"/projects/{project.id}/plan-vs-fact",
                f"/project/{project.id}/print/project_status_report"):
        assert client.get(url).status_code == 404, url
    assert f'data-project="{project.id}"' not in client.get("/projects/plan-vs-fact").get_data(as_text=True)


def test_the_status_report_prints_in_russian(client, finished):
    project, _install = finished
    _login(client, "manager")
    response = client.get(f"/project/{project.id}/print/project_status_report")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Отчёт о ходе проекта" in text and "Stroy-Invest" in text
    assert "Задачи: выполнено 3 из 3" in text and "Install — 4 дн." in text


def test_the_button_on_a_card_creates_the_project_or_says_what_is_wrong(client, records, template, account):
    _login(client, "alice")
    card = client.get(f"/account/{account.id}").get_data(as_text=True)
    assert "data-projects-create" in card and 'value="delivery"' in card
    response = client.post(f"/projects/create/account/{account.id}", data={"template": "missing"})
    assert response.status_code == 302 and response.location.endswith(f"/account/{account.id}")
    Project = records.section("project").model
    assert records.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0
    assert "no active project template" in client.get(f"/account/{account.id}").get_data(as_text=True)
    response = client.post(f"/projects/create/account/{account.id}",
                           data={"template": "delivery", "planned_start": "2026-03-02"})
    assert response.status_code == 302
    project = records.session.scalar(sa.select(Project))
    assert response.location.endswith(f"/project/{project.id}")
    assert (project.planned_start, project.planned_end) == (MONDAY, date(2026, 3, 9))
    assert client.post("/projects/create/account/999999", data={"template": "delivery"}).status_code == 404


def test_the_account_timeline_shows_its_projects(client, finished, account):
    project, _install = finished
    _login(client, "alice")
    html = client.get(f"/account/{account.id}").get_data(as_text=True)
    assert f'href="/project/{project.id}"' in html


def test_the_portfolio_reads_the_same_number_of_statements_for_one_project_or_five(client, records, projects,
                                                                                    template, account):
    from flowcase_addons.crm.tests.common import counting

    projects.services.create_project_from_template(records, "delivery", "account", account.id)
    records.session.commit()
    _login(client, "manager")
    client.get("/projects/plan-vs-fact")
    with counting() as one:
        assert client.get("/projects/plan-vs-fact").status_code == 200
    for n in range(4):
        other = records.create("account", {"name": f"Client {n}"})
        projects.services.create_project_from_template(records, "delivery", "account", other.id)
    records.session.commit()
    client.get("/projects/plan-vs-fact")
    with counting() as five:
        html = client.get("/projects/plan-vs-fact").get_data(as_text=True)
    assert html.count("data-project=") == 5
    assert len(five) == len(one)


def test_generic_pages_of_the_sections_and_russian(client, records, finished, template, users):
    project, _install = finished
    users["manager"].language = "ru"  # the profile's language wins over the browser's
    records.session.commit()
    _login(client, "manager")
    assert client.get("/project/new").status_code == 200
    assert client.get("/project/").status_code == 200
    tpl = client.get(f"/project_template/{template.id}").get_data(as_text=True)
    assert "Survey the site" in tpl and "Hand over" in tpl  # the template's tasks as a detail grid
    assert client.get(f"/project_task/?f.project_id={project.id}").status_code == 200
    html = client.get(f"/project/{project.id}").get_data(as_text=True)
    assert "План и факт" in html and "Отставание, дней" in html and "Больше всего отстала задача:" in html
