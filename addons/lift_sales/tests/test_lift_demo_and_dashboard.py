"""The ALTIS-LIFT demo tells the whole story, and the "no client without a planned activity" dashboard counts
exactly the accounts a hand-written SQL query finds; install → upgrade → uninstall → reinstall of lift_sales."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from core.addons.manager import AddonManager

pytestmark = pytest.mark.addons("lift_sales")

WITHOUT_PLANNED = """
    SELECT count(*) FROM crm_account a WHERE NOT EXISTS (
        SELECT 1 FROM crm_activity t WHERE t.account_id = a.id AND t.status = 'open'
        AND (t.due_date IS NULL OR t.due_date >= :today))
"""


@pytest.fixture
def demo(app_ctx, records, users):
    assert AddonManager(app_ctx.extensions["flowcase"]).load_demo() == []
    records.session.commit()


def test_the_demo_has_a_sale_at_every_lift_stage_and_projects_to_look_at(demo, records, xid, users):
    Opportunity, Project = records.section("opportunity").model, records.section("project").model
    stages = set(records.session.scalars(sa.select(Opportunity.stage_id).where(
        Opportunity.stage_id.in_([xid(k) for k in ("stage_lift_proposal", "stage_lift_contract",
                                                   "stage_lift_advance_confirmed", "stage_lift_lost")]))))
    assert len(stages) == 4
    # The won sale's project was made by the final stage's action, with the template's six tasks.
    won = records.session.get(Opportunity, xid("demo_lift_opportunity_won"))
    made = records.session.scalar(sa.select(Project).where(Project.section == "opportunity",
                                                           Project.record_id == won.id))
    assert made is not None and made.planned_duration_days == 30 and made.state == "planned"
    Task = records.section("project_task").model
    assert records.session.scalar(sa.select(sa.func.count()).where(Task.project_id == made.id)) == 6
    # Last month's project is done, its plan taken from its tasks, the mounting 4 days late.
    done = records.get("project", xid("demo_lift_project_done"))
    assert done.state == "done" and done.actual_duration_days > done.planned_duration_days
    slips = dict(records.session.execute(sa.select(Task.name, Task.slip_days).where(Task.project_id == done.id)).all())
    assert slips["Монтаж лифтового оборудования"] == 4 and slips["Обследование объекта и замеры шахты"] == 0


def test_the_dashboard_lists_the_clients_without_a_planned_activity(demo, client, records):
    today = datetime.now(timezone.utc).date()
    expected = records.session.execute(sa.text(WITHOUT_PLANNED), {"today": today}).scalar()
    assert expected >= 2
    assert client.post("/login", data={"login": "manager", "password": "manager"}).status_code == 302
    html = client.get("/dashboards/lift_activity_control").get_data(as_text=True)
    number = re.search(r'data-kind="number">\s*<h2[^>]*>Клиенты без запланированной активности</h2>\s*'
                       r'<a[^>]*fc-widget-value" href="([^"]+)">(\d+)</a>', html)
    assert number is not None and int(number.group(2)) == expected
    assert "ООО «УК Комфорт»" in html and "ООО «Высота»" in html  # the list to act on
    assert "Просроченные активности по менеджерам" in html
    assert "Монтаж лифтового оборудования" in html  # a slipped project task
    # The number opens the account list filtered the same way.
    listed = client.get(number.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "ООО «УК Комфорт»" in listed and "ООО «СтройИнвест-Юг»" not in listed  # it has a meeting planned


def test_install_upgrade_uninstall_reinstall(app_ctx, records, xid):
    state = app_ctx.extensions["flowcase"]
    manager = AddonManager(state)
    Case = records.section("process_case").model
    stage = xid("stage_lift_proposal")
    records.update("sales_stage", stage, {"colour": "#000000"})  # an admin's edit survives upgrades
    records.session.commit()
    manager.upgrade(["lift_sales"])
    assert records.get("sales_stage", stage).colour == "#000000"
    assert records.session.scalar(sa.select(Case.code).where(Case.code == "lift_sale")) == "lift_sale"

    with pytest.raises(Exception, match="lift_sales"):
        manager.uninstall("projects")
    manager.uninstall("lift_sales", drop_data=True)
    assert records.session.scalar(sa.select(Case.id).where(Case.code == "lift_sale")) is None
    Template = records.section("project_template").model
    assert records.session.scalar(sa.select(Template.id).where(Template.code == "lift_installation")) is None
    assert "project" in state.sections and "opportunity" in state.sections

    assert manager.install(["lift_sales"]) == ["lift_sales"]
    assert records.session.scalar(sa.select(Template.id).where(Template.code == "lift_installation")) is not None
