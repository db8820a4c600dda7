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


def _created(response, records):
    assert response.status_code == 303, response.get_data(as_text=True)[-3000:]
    return records.get("activity", int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]))


def test_a_form_posted_without_its_optional_choices_saves_with_their_defaults(client, records, users):
    """A client that leaves fields out (a script, a trimmed-down form) gets the defaults, not "Not a valid choice"."""
    login(client, "alice")
    task = _created(client.post("/activity/new", data={"subject": "Call back"}), records)
    assert (task.subject, task.status, task.priority) == ("Call back", "open", "normal")
    task = _created(client.post("/activity/new", data={"subject": "Quote", "status": "", "priority": "high"}), records)
    assert (task.status, task.priority) == ("open", "high")


def test_the_new_form_starts_with_the_defaults_and_refuses_an_unknown_choice_in_words(client, users):
    login(client, "alice")
    form = client.get("/activity/new").get_data(as_text=True)
    assert '<option selected value="open">Open</option>' in form or '<option value="open" selected>Open</option>' in form
    refused = client.post("/activity/new", data={"subject": "x", "status": "lost"})
    assert refused.status_code == 422
    assert "is not one of the choices" in refused.get_data(as_text=True)
