"""The "My activities" page: overdue, today and upcoming buckets of the signed-in user; mark done."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db

from .common import login, today

pytestmark = pytest.mark.addons("crm")


@pytest.fixture
def agenda(records, users):
    alice, bob = users["alice"], users["bob"]
    account = records.create("account", {"name": "ЛифтСервис", "owner_id": alice.id})
    made = {}
    for subject, due, owner, status in (
        ("Перезвонить главному инженеру", today() - timedelta(days=3), alice, "open"),
        ("Отправить договор", today(), alice, "open"),
        ("Встреча по монтажу", today() + timedelta(days=2), alice, "open"),
        ("Без срока", None, alice, "open"),
        ("Уже сделано", today(), alice, "done"),
        ("Задача Боба", today(), bob, "open"),
    ):
        made[subject] = records.create("activity", {"subject": subject, "due_date": due, "owner_id": owner.id,
                                                    "status": status, "account_id": account.id})
    return made


def bucket(page: str, name: str) -> list[str]:
    block = re.search(rf'data-fc-bucket="{name}">(.*?)</section>', page, re.S).group(1)
    return re.findall(r'<a href="/activity/\d+">([^<]+)</a>', block)


def test_buckets_show_only_my_open_activities(client, agenda):
    login(client, "alice")
    response = client.get("/crm/my-activities")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert bucket(page, "overdue") == ["Перезвонить главному инженеру"]
    assert bucket(page, "today") == ["Отправить договор"]
    assert bucket(page, "upcoming") == ["Встреча по монтажу", "Без срока"]
    assert "Задача Боба" not in page and "Уже сделано" not in page
    # The navigation links the page.
    assert 'href="/crm/my-activities"' in page


def test_mark_done_with_actual_start_and_end(client, agenda):
    login(client, "alice")
    task = agenda["Отправить договор"]
    response = client.post(f"/crm/my-activities/{task.id}/done", data={
        "version": task.version, "actual_start_at": "2026-03-02T10:00", "actual_end_at": "2026-03-02T10:45",
    }, follow_redirects=True)
    assert response.status_code == 200
    db.session.expire_all()
    task = db.session.get(type(task), task.id)
    assert task.status == "done"
    assert (task.actual_start_at.hour, task.actual_start_at.minute) == (10, 0)
    assert (task.actual_end_at.hour, task.actual_end_at.minute) == (10, 45)
    assert "Отправить договор" not in bucket(response.get_data(as_text=True), "today")
    # The change log says who closed it.
    logged = db.session.execute(sa.text(
        "SELECT count(*) FROM core_change_log WHERE section = 'activity' AND record_id = :id AND field = 'status'"
    ), {"id": task.id}).scalar()
    assert logged == 1


def test_an_end_before_the_start_is_refused_with_a_clear_message(client, agenda):
    login(client, "alice")
    task = agenda["Перезвонить главному инженеру"]
    response = client.post(f"/crm/my-activities/{task.id}/done", data={
        "version": task.version, "actual_start_at": "2026-03-02T10:00", "actual_end_at": "2026-03-02T09:00",
    })
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The actual end must not be before the actual start." in page
    assert 'value="2026-03-02T09:00"' in page  # what the user typed is kept
    db.session.expire_all()
    task = db.session.get(type(task), task.id)
    assert task.status == "open" and task.actual_end_at is None  # nothing half-written

    garbage = client.post(f"/crm/my-activities/{task.id}/done", data={"version": task.version, "actual_end_at": "soon"})
    assert garbage.status_code == 422 and "Actual end" in garbage.get_data(as_text=True)


def test_someone_elses_hidden_or_missing_activity_is_not_found(client, agenda):
    login(client, "alice")
    assert client.post("/crm/my-activities/999999/done", data={}).status_code == 404
