"""Bulk "change owner" on a list: each record checked on its own, refusals reported, the hand-over offered."""
import re

import pytest
import sqlalchemy as sa

from core.demo_users import ensure_demo_users
from core.extensions import db
from core.models import ChangeLog
from core.ui import bulk

pytestmark = pytest.mark.addons("crm")


def login(client, name):
    client.post("/logout")
    assert client.post("/login", data={"login": name, "password": name}).status_code == 302


@pytest.fixture
def world(app):
    """Demo users (alice and bob hold sales_user: they change their own accounts only) and their accounts."""
    with app.app_context():
        users = ensure_demo_users()
        ids = {login: user.id for login, user in users.items()}
        records = app.extensions["flowcase"].records(sudo=True)
        with records.transaction():
            for owner in ("alice", "bob"):
                for n in range(3):
                    ids[f"{owner}{n}"] = records.create("account", {"name": f"Firm {owner} {n}", "owner_id": ids[owner]}).id
            ids["call"] = records.create("activity", {"subject": "Call Firm alice 0", "owner_id": ids["alice"],
                                                      "account_id": ids["alice0"]}).id
    return ids


def owners(app, ids):
    with app.app_context():
        account = app.extensions["flowcase"].sections.get("account").model
        return dict(db.session.execute(sa.select(account.id, account.owner_id).where(account.id.in_(ids))).all())


def messages(client) -> str:
    return client.get("/account/").get_data(as_text=True)


def test_the_list_offers_change_owner_to_users_who_may_update(client, world):
    login(client, "alice")
    page = client.get("/account/").get_data(as_text=True)
    assert "data-fc-bulk-owner" in page and f'<option value="{world["bob"]}">' in page


def test_checked_records_change_hands_and_a_refused_one_is_reported(app, client, world):
    login(client, "alice")
    chosen = [world["alice0"], world["alice1"], world["bob0"]]
    response = client.post("/account/bulk/owner", data={"ids": [str(i) for i in chosen], "owner_id": world["manager"]})
    assert response.status_code == 303
    assert owners(app, chosen) == {world["alice0"]: world["manager"], world["alice1"]: world["manager"],
                                   world["bob0"]: world["bob"]}
    page = messages(client)
    assert "2 records given to" in page
    assert re.search(rf"1 record was not changed: #{world['bob0']}: You may not update", page)
    with app.app_context():  # each change logged like any other update
        logged = set(db.session.scalars(sa.select(ChangeLog.record_id).where(
            ChangeLog.section == "account", ChangeLog.field == "owner_id")))
    assert logged == {world["alice0"], world["alice1"]}


def test_the_hand_over_moves_related_open_work_too(app, client, world):
    login(client, "alice")
    client.post("/account/bulk/owner", data={"ids": [str(world["alice0"])], "owner_id": world["bob"], "handover": "on"})
    with app.app_context():
        activity = app.extensions["flowcase"].sections.get("activity").model
        assert db.session.get(activity, world["call"]).owner_id == world["bob"]
    assert "1 related record handed over too." in messages(client)


def test_all_matching_the_filter_asks_for_confirmation_first(app, client, world):
    login(client, "manager")
    form = {"owner_id": world["bob"], "all_matching": "on", "query": "q=Firm alice"}
    page = client.post("/account/bulk/owner", data=form)
    assert page.status_code == 200 and "data-fc-bulk-confirm" in page.get_data(as_text=True)
    assert "3 Accounts records matching the filter" in page.get_data(as_text=True)
    alice_ids = [world[f"alice{n}"] for n in range(3)]
    assert set(owners(app, alice_ids).values()) == {world["alice"]}  # nothing changed yet
    assert client.post("/account/bulk/owner", data={**form, "confirmed": "1"}).status_code == 303
    assert set(owners(app, alice_ids).values()) == {world["bob"]}
    assert set(owners(app, [world[f"bob{n}"] for n in range(3)]).values()) == {world["bob"]}


def test_all_matching_is_capped(app, client, world, monkeypatch):
    monkeypatch.setattr(bulk, "BULK_CAP", 2)
    login(client, "manager")
    response = client.post("/account/bulk/owner", data={"owner_id": world["bob"], "all_matching": "on",
                                                         "query": "q=Firm alice"})
    assert response.status_code == 303
    assert "More than 2 records match" in messages(client)
    assert set(owners(app, [world[f"alice{n}"] for n in range(3)]).values()) == {world["alice"]}


def test_bad_input_is_a_message_not_a_500(client, world):
    login(client, "manager")
    for data in ({"ids": [str(world["alice0"])]}, {"ids": [str(world["alice0"])], "owner_id": "999999"}):
        assert client.post("/account/bulk/owner", data=data).status_code == 303
        assert "Choose the new owner first." in messages(client)
    assert client.post("/account/bulk/owner", data={"owner_id": world["bob"]}).status_code == 303
    assert "Select the records first." in messages(client)
    assert client.post("/account/bulk/owner", data={"owner_id": world["bob"], "all_matching": "on",
                                                    "query": "filter={bad"}).status_code == 303
    assert "Nothing was changed" in messages(client)
