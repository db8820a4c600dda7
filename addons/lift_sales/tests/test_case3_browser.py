"""Case 3 (ALTIS-LIFT) happy path in real Chromium: a lead after a call, qualified and transferred to sale, the
sale walked through the lift stages by its stage bar, the confirmed advance making the installation project,
its tasks closed from "My activities", and plan vs fact pointing at the task that slipped.

Screenshots of each step go to ``test-artifacts/`` like the platform's browser tests (tests/browser/).
"""
from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone

import pytest

from core.pytest_browser import log_in

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect


@pytest.fixture(scope="module")
def lift_server(tmp_path_factory):
    """``(base_url, app)``: an app with lift_sales (and sales, projects, crm) on 127.0.0.1, CSRF on."""
    from werkzeug.serving import make_server

    from core.demo_users import ensure_demo_users
    from core.extensions import db
    from core.testing import FIXTURE_ADDONS, TestDatabase, build_app, test_config

    tmp_path = tmp_path_factory.mktemp("lift-server")
    database = TestDatabase(tmp_path)
    config = test_config(database, tmp_path, (FIXTURE_ADDONS,), FLOWCASE_USE_BUNDLED_ADDONS=True,
                         WTF_CSRF_ENABLED=True)
    app = build_app(config, ("lift_sales",))
    with app.app_context():
        ensure_demo_users()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="lift-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    database.drop()


def _done(page, base_url, subject, start=None, end=None):
    """Close the open activity ``subject`` from "My activities", optionally with its actual start and end."""
    page.goto(f"{base_url}/crm/my-activities")
    row = page.locator("tr[data-id]", has_text=subject)
    if start:
        row.locator("input[name=actual_start_at]").fill(start)
        row.locator("input[name=actual_end_at]").fill(end)
    row.get_by_role("button", name="Done").click()
    expect(page.locator("tr[data-id]", has_text=subject)).to_have_count(0)


def _move(page, stage_name):
    page.get_by_role("button", name=f"Move to {stage_name}").click()
    expect(page.locator("[data-process-current]")).to_have_text(stage_name)


def test_case3_from_a_call_to_plan_vs_fact(lift_server, page, shot):
    base_url, _app = lift_server
    log_in(page, base_url, "bob")

    # A lead after a phone call with a new developer.
    page.goto(f"{base_url}/lead/new")
    page.select_option("select[name=source]", "call")
    page.fill("input[name=company_name]", "ООО «Новострой»")
    page.fill("input[name=person_name]", "Павел Григорьев")
    page.fill("input[name=phone]", "+7 812 600-44-55")
    page.fill("textarea[name=need]", "Поставка и монтаж 6 пассажирских лифтов для ЖК «Западный»")
    shot(page, "lead-form")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/lead/\d+$"))

    # Qualify: the account and the contact in one click.
    page.locator("[data-sales-action=qualify]").click()
    expect(page).to_have_url(re.compile(r"/lead/\d+$"))
    expect(page.locator("[data-field=account_id] a")).to_have_text("ООО «Новострой»")
    shot(page, "lead-qualified")

    # Transfer to sale: the sale follows the lift process.
    page.locator("[data-sales-action=convert]").click()
    expect(page).to_have_url(re.compile(r"/opportunity/\d+$"))
    opportunity_url = page.url
    expect(page.locator("[data-process-bar]")).to_have_attribute("data-case", "lift_sale")
    expect(page.locator("[data-process-current]")).to_have_text("Формирование и презентация КП")
    shot(page, "opportunity-proposal")

    _done(page, base_url, "Подготовить коммерческое предложение")
    _done(page, base_url, "Презентовать коммерческое предложение")
    page.goto(opportunity_url)
    _move(page, "Подписание договора")
    page.get_by_role("link", name="Edit").click()
    page.fill("input[name=amount]", "19080000")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/opportunity/\d+$"))
    _done(page, base_url, "Согласовать договор с клиентом")
    page.goto(opportunity_url)
    _move(page, "Ожидание авансового платежа")
    _done(page, base_url, "Выставить счёт на авансовый платёж")
    page.goto(opportunity_url)
    _move(page, "Авансовый платёж подтверждён")
    shot(page, "advance-confirmed")

    # The project was made from the template, its six tasks in Bob's schedule.
    page.goto(f"{base_url}/project/")
    page.get_by_role("link", name=re.compile("Поставка и монтаж лифтового оборудования")).first.click()
    expect(page).to_have_url(re.compile(r"/project/\d+$"))
    panel = page.locator("[data-projects-plan-vs-fact]")
    expect(panel.locator("[data-plan-table] tbody tr")).to_have_count(6)
    expect(panel.locator("[data-planned-days]")).to_have_attribute("data-planned-days", "30")
    shot(page, "project-planned")
    project_url = page.url

    # The survey is closed ten days later than planned; the rest as they are done now.
    today = datetime.now(timezone.utc).date()
    late = (today + timedelta(days=10)).isoformat()
    _done(page, base_url, "Обследование объекта", f"{today.isoformat()}T09:00", f"{late}T17:00")
    for subject in ("Заказ оборудования", "Поставка оборудования", "Монтаж лифтового", "Пусконаладочные",
                    "Техническое освидетельствование"):
        _done(page, base_url, subject)

    page.goto(project_url)
    expect(panel.locator("[data-project-state]")).to_have_attribute("data-project-state", "done")
    expect(panel.locator("tr[data-slipped]")).to_have_count(1)
    expect(panel.locator("tr[data-slipped]")).to_contain_text("Обследование объекта и замеры шахты")
    expect(panel.locator("[data-actual-days]")).not_to_have_attribute("data-actual-days", "")
    shot(page, "plan-vs-fact")
    # Drill down: the task that slipped opens as an activity card.
    panel.locator("[data-worst-slip] a").click()
    expect(page).to_have_url(re.compile(r"/activity/\d+$"))
    expect(page.locator("h1")).to_contain_text("Обследование объекта и замеры шахты")
    shot(page, "slipped-task")
