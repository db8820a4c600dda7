"""Activity status and priority show translated labels (Section.choices) on lists, cards and forms."""
from __future__ import annotations

import pytest

from core.extensions import db

from .common import login

pytestmark = pytest.mark.addons("crm")


@pytest.fixture
def russian_alice(users):
    users["alice"].language = "ru"
    db.session.commit()
    return users["alice"]


def test_status_and_priority_in_russian(client, records, russian_alice):
    task = records.create("activity", {"subject": "Подготовить КП", "priority": "high", "owner_id": russian_alice.id})
    login(client, "alice")
    card = client.get(f"/activity/{task.id}").get_data(as_text=True)
    assert '<dd class="col-sm-8" data-field="status">Открыта</dd>' in card
    assert '<dd class="col-sm-8" data-field="priority">Высокий</dd>' in card
    listing = client.get("/activity/?cols=subject,status,priority").get_data(as_text=True)
    assert "Открыта" in listing and "Высокий" in listing and ">open<" not in listing
    form = client.get(f"/activity/{task.id}/edit").get_data(as_text=True)
    assert '<option selected value="high">Высокий</option>' in form or '<option value="high" selected>Высокий</option>' in form
    assert ">Завершена</option>" in form


def test_stored_values_stay_codes(records):
    task = records.create("activity", {"subject": "x", "status": "done"})
    assert task.status == "done"
