"""An account card reads its planned-activity state with the timeline's activities: one statement, same page."""
import importlib
import re
from datetime import date, timedelta

import pytest

from core.testing import counting_statements as counting
from core.users import create_user

pytestmark = pytest.mark.addons("crm")


@pytest.fixture
def accounts(app, client):
    """An account with an overdue call, one with a planned meeting, one without activities; admin signed in."""
    with app.app_context():
        admin = create_user("admin", "pw", superuser=True)
        records = app.extensions["flowcase"].records(admin)
        ids = {}
        with records.transaction():
            for key in ("overdue", "planned", "quiet"):
                ids[key] = records.create("account", {"name": f"Account {key}"}).id
            records.create("activity", {"subject": "Late call", "account_id": ids["overdue"],
                                        "due_date": date.today() - timedelta(days=3)})
            records.create("activity", {"subject": "Next meeting", "account_id": ids["planned"],
                                        "due_date": date.today() + timedelta(days=3)})
    assert client.post("/login", data={"login": "admin", "password": "pw"}).status_code == 302
    return ids


def _state(page: str) -> str:
    return re.search(r'data-fc-planned-state="(\w+)"', page).group(1)


def test_the_state_comes_with_the_timeline_and_the_card_is_the_same(app, client, accounts, monkeypatch):
    card_slots = importlib.import_module("flowcase_addons.crm.card_slots")

    pages = {}
    for key in ("overdue", "planned"):
        client.get(f"/account/{accounts[key]}")
        with counting(app) as statements:
            pages[key] = client.get(f"/account/{accounts[key]}").get_data(as_text=True)
        assert _state(pages[key]) == key
        assert [s for s in statements if "fc_account_state" in s], statements
        # no statement of its own for the state, and the timeline is not read twice
        assert not [s for s in statements if s.lstrip().startswith("SELECT CASE")], statements
        assert len([s for s in statements if "crm_activity_type.code" in s]) == 1, statements
    assert "Late call" in pages["overdue"] and "Next meeting" in pages["planned"]
    # The state read alone and the timeline read by its slot, as before: the very same cards.
    monkeypatch.setattr(card_slots, "account_state_and_rows", lambda *args: None)
    strip = re.compile(r'name="csrf_token" value="[^"]*"')
    for key in ("overdue", "planned"):
        again = client.get(f"/account/{accounts[key]}").get_data(as_text=True)
        assert strip.sub("", again) == strip.sub("", pages[key])


def test_an_account_without_activities_still_shows_its_state(client, accounts):
    page = client.get(f"/account/{accounts['quiet']}").get_data(as_text=True)
    assert _state(page) == "none"
