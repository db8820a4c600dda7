"""Saved filters per user on the list page: filter + sort + columns under a name, private or shared, in the sidebar."""
import re

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.groups.models import RecordGroup
from core.users import create_user

pytestmark = pytest.mark.addons("fx_base")


def login(client, name):
    client.post("/logout")
    assert client.post("/login", data={"login": name, "password": "pw"}).status_code == 302


@pytest.fixture
def things(app, client):
    with app.app_context():
        alice, _bob = create_user("alice", "pw"), create_user("bob", "pw")
        records = app.extensions["flowcase"].records(alice)
        with records.transaction():
            for i in range(30):
                records.create("fx_thing", {"name": f"Item {i:03d}", "amount": i % 7, "owner_id": alice.id})
    login(client, "alice")
    return client


def save(client, name, query, columns="name,amount", shared=False):
    data = {"name": name, "kind": "dynamic", "query": query, "columns": columns}
    if shared:
        data["shared"] = "on"
    response = client.post("/fx_thing/groups", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    found = re.search(r"group=(\d+)", response.headers["Location"])
    return int(found.group(1)) if found else None


def sidebar(client) -> str:
    text = client.get("/fx_thing/").get_data(as_text=True)
    return text.split("data-fc-list-sidebar", 1)[1].split("</aside>", 1)[0]


def test_a_saved_filter_brings_back_its_filter_sort_and_columns(things):
    group_id = save(things, "Items 01x by amount", "q=Item 01&sort=-amount")
    assert f'data-fc-group="{group_id}"' in sidebar(things)
    text = things.get(f"/fx_thing/?group={group_id}").get_data(as_text=True)
    assert re.findall(r'<th data-col="([\w.]+)"', text) == ["name", "amount"]
    amounts = [int(a) for a in re.findall(r"<td>(\d+)</td>", text)]  # the amount cells (names are links)
    assert len(re.findall(r'<tr data-id="', text)) == 10  # Item 010 .. Item 019
    assert amounts == sorted(amounts, reverse=True) and amounts
    # the user's own choice on the page wins over the saved one
    text = things.get(f"/fx_thing/?group={group_id}&sort=name&cols=name").get_data(as_text=True)
    assert re.findall(r'<th data-col="([\w.]+)"', text) == ["name"]


def test_private_filters_stay_private_and_shared_ones_are_read_only_for_others(app, things):
    private = save(things, "Mine only", "q=Item 00")
    shared = save(things, "For the team", "q=Item 02", shared=True)
    login(things, "bob")
    bar = sidebar(things)
    assert f'data-fc-group="{shared}"' in bar and f'data-fc-group="{private}"' not in bar
    assert f'data-fc-delete-group="{shared}"' not in bar  # only the owner deletes
    assert things.post(f"/fx_thing/groups/{shared}/delete").status_code in (303, 403)
    assert things.post(f"/fx_thing/groups/{private}/delete").status_code == 404  # hidden: not found
    with app.app_context():
        assert set(db.session.scalars(sa.select(RecordGroup.id))) >= {private, shared}


def test_the_owner_deletes_a_saved_filter(app, things):
    group_id = save(things, "Short-lived", "q=Item 1")
    assert f'data-fc-delete-group="{group_id}"' in sidebar(things)
    response = things.post(f"/fx_thing/groups/{group_id}/delete")
    assert response.status_code == 303
    assert f'data-fc-group="{group_id}"' not in sidebar(things)
    with app.app_context():
        assert db.session.get(RecordGroup, group_id) is None


def test_a_bad_saved_view_is_refused_with_a_message(app, things):
    assert save(things, "Bad sort", "sort=nonexistent") is None
    assert save(things, "Bad columns", "q=x", columns="name,nonexistent") is None
    with app.app_context():
        assert db.session.scalars(sa.select(RecordGroup)).all() == []
    assert "The group was not saved" in things.get("/fx_thing/").get_data(as_text=True)


def test_a_filter_saved_through_another_worker_shows_on_the_next_page(app, things, database, tmp_path):
    # The sidebar's groups are never kept between requests: a second app on the same database (another
    # worker) saves one, and this app's very next list shows it; deleted there, it is gone here at once.
    from core import create_app, testing

    assert "Cheap ones" not in things.get("/fx_thing/").get_data(as_text=True)
    other = create_app(testing.test_config(database, tmp_path, (testing.FIXTURE_ADDONS,), FLOWCASE_USE_BUNDLED_ADDONS=True))
    try:
        elsewhere = other.test_client()
        login(elsewhere, "alice")
        group_id = save(elsewhere, "Cheap ones", "f.amount=1")
        assert f'data-fc-group="{group_id}"' in things.get("/fx_thing/").get_data(as_text=True)
        assert elsewhere.post(f"/fx_thing/groups/{group_id}/delete").status_code in (302, 303)
        assert f'data-fc-group="{group_id}"' not in things.get("/fx_thing/").get_data(as_text=True)
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
