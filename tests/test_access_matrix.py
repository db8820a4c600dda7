"""The access matrix: each role sees, on every door, exactly what its rights and record rules allow.

Scenario: crm installed (roles sales_user and sales_manager seeded by its data
file) and fx_base's things. ``manager`` holds sales_manager; ``alice`` and
``bob`` (who report to the manager) hold sales_user; ``nobody`` holds no role;
``admin`` is the superuser. On top of the seeded rights the tests add:

- things: sales_user reads its team's, creates/changes/deletes its own;
  sales_manager reads its team's and may do anything to them; a global record
  rule hides things named "Secret ..." from everyone but the superuser;
- activities: a sales_user record rule: only activities owned within $my_team.

Doors: list page rows, list count, card by URL, detail grid on a parent card,
typeahead, ``Records.get``, ``Records.select`` count, Flask-Admin, the .csv
export, the REST API (list and get with the user's key), OData (list and get),
the print form, and the global search; record rules also bind creates.
"""
from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from core.demo_users import ensure_demo_users
from core.errors import RecordNotFound
from core.extensions import db
from core.models import User
from core.security.models import RecordRule, Role, SectionRight
from core.users import create_user

pytestmark = pytest.mark.addons("crm", "fx_base")

USERS = ("admin", "manager", "alice", "bob", "nobody")


def login(client, name):
    client.post("/logout")
    response = client.post("/login", data={"login": name, "password": name})
    assert response.status_code == 302, name


@pytest.fixture
def world(app):
    """Users, rights and records; returns ``{key: id}`` of every record and user."""
    with app.app_context():
        users = ensure_demo_users()
        users["nobody"] = create_user("nobody", "nobody")
        session = db.session
        roles = {r.code: r for r in session.scalars(sa.select(Role))}
        session.add_all([
            SectionRight(role_id=roles["sales_user"].id, section="fx_thing", read="team", create="own",
                         update="own", delete="own"),
            SectionRight(role_id=roles["sales_manager"].id, section="fx_thing", read="team", create="all",
                         update="team", delete="team"),
            RecordRule(name="No secrets", section="fx_thing", role_id=None,
                       domain={"not": {"field": "name", "op": "startswith", "value": "Secret"}}),
            RecordRule(name="Own team's activities", section="activity", role_id=roles["sales_user"].id,
                       domain={"field": "owner_id", "op": "in", "value": "$my_team"}),
        ])
        session.commit()
        records = app.extensions["flowcase"].records(sudo=True)
        ids = {login: user.id for login, user in users.items()}
        for owner in ("alice", "bob", "manager", "nobody"):
            uid = ids[owner]
            account = records.create("account", {"name": f"Account of {owner}", "owner_id": uid})
            ids[f"account_{owner}"] = account.id
            ids[f"contact_{owner}"] = records.create(
                "contact", {"last_name": f"Contact of {owner}", "account_id": account.id, "owner_id": uid}).id
            ids[f"thing_{owner}"] = records.create("fx_thing", {"name": f"Thing of {owner}", "owner_id": uid}).id
        # Activities of several owners under alice's account: the detail grid must filter them.
        for owner in ("alice", "bob", "manager"):
            ids[f"activity_{owner}"] = records.create("activity", {
                "subject": f"Call by {owner}", "owner_id": ids[owner], "account_id": ids["account_alice"]}).id
        ids["thing_secret"] = records.create("fx_thing", {"name": "Secret plan", "owner_id": ids["manager"]}).id
        # Records the add-ons' data files seeded (no owner): only the superuser reaches them.
        mine = {section: set(_keys(ids, section).values()) for section in ("fx_thing", "account", "contact", "activity")}
        ids["seeded"] = {section: set(db.session.scalars(records.select(section).with_only_columns(
            records.section(section).table.c.id))) - known for section, known in mine.items()}
    return ids


def _keys(ids, section):
    prefix = {"fx_thing": "thing"}.get(section, section)
    return {key: value for key, value in ids.items() if key.startswith(prefix + "_")}


def expected(section: str, user: str, ids) -> set[int]:
    """The ids of ``section`` the user may read, derived from the rights above by hand."""
    everything = set(_keys(ids, section).values())
    if user == "admin":
        return everything | ids["seeded"].get(section, set())
    if user == "nobody":
        return set()
    if section in ("account", "contact"):
        return everything  # sales_user and sales_manager both read all
    if section == "activity":
        if user == "manager":
            return everything
        return {ids[f"activity_{user}"]}  # the team rule: alice's team is alice
    # fx_thing: team scope, and nobody but the superuser sees the secret
    team = {"manager": ("manager", "alice", "bob"), "alice": ("alice",), "bob": ("bob",)}[user]
    return {ids[f"thing_{owner}"] for owner in team}


def assert_refused(response) -> None:
    """A list door's answer to a user who may read no record of its section: 403 with the reason, no rows."""
    text = response.get_data(as_text=True)
    assert response.status_code == 403 and "You have no access to" in text, (response.status_code, text[:300])
    assert "<tr data-id=" not in text


def list_ids(client, section) -> tuple[set[int], str]:
    response = client.get(f"/{section}/")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    rows = {int(i) for i in re.findall(r'<tr data-id="(\d+)"', text)}
    found = re.search(r"data-fc-count>\s*([^<]*?)\s*</span>", text)
    if found is None:  # the empty state replaces the grid and its count
        assert "data-fc-empty" in text
        return rows, "0 records"
    return rows, found.group(1)


@pytest.mark.parametrize("section", ["fx_thing", "account", "contact", "activity"])
def test_every_read_door_shows_exactly_what_the_rights_allow(app, client, world, section):
    state = app.extensions["flowcase"]
    for user in USERS:
        allowed = expected(section, user, world)
        everything = expected(section, "admin", world)
        login(client, user)
        if user == "nobody":  # no role, no record of the section to read: the list says so instead of showing none
            assert_refused(client.get(f"/{section}/"))
        else:
            rows, count = list_ids(client, section)
            assert rows == allowed, (user, section)
            assert count.startswith(f"{len(allowed)} "), (user, section, count)
        for record_id in everything:
            status = client.get(f"/{section}/{record_id}").status_code
            assert status == (200 if record_id in allowed else 404), (user, section, record_id)
        found = {item["id"] for item in client.get(f"/{section}/lookup").get_json()}
        assert found == allowed, (user, section)
        with app.app_context():
            records = state.records(db.session.get(User, world[user]))
            assert db.session.scalar(
                sa.select(sa.func.count()).select_from(records.select(section).subquery())) == len(allowed)
            for record_id in everything:
                if record_id in allowed:
                    assert records.get(section, record_id).id == record_id
                else:
                    with pytest.raises(RecordNotFound):
                        records.get(section, record_id)


def test_detail_grids_on_a_card_show_only_readable_children(client, world):
    for user, activities in (("manager", {"alice", "bob", "manager"}), ("alice", {"alice"}), ("bob", {"bob"})):
        login(client, user)
        text = client.get(f"/account/{world['account_alice']}").get_data(as_text=True)
        grid = text.split('data-detail="activity"', 1)[1].split("</table>", 1)[0]
        shown = {int(i) for i in re.findall(r'<tr data-id="(\d+)"', grid)}
        assert shown == {world[f"activity_{owner}"] for owner in activities}, user


def test_anonymous_users_reach_nothing(app, client, world):
    assert client.get("/account/").status_code == 302  # to the login page
    assert client.get(f"/account/{world['account_alice']}").status_code == 302
    with app.app_context():
        records = app.extensions["flowcase"].records(None)
        assert db.session.scalars(records.select("account")).all() == []
        with pytest.raises(RecordNotFound):
            records.get("account", world["account_alice"])


def test_flask_admin_and_the_rights_pages_are_for_superusers_only(client, world):
    for user in ("manager", "alice", "nobody"):
        login(client, user)
        for path in ("/admin/", "/admin/user/", "/admin/role/", "/admin/section_right/", "/admin/column_right/"):
            assert client.get(path).status_code == 403, (user, path)
        for section in ("role", "section_right", "record_rule", "column_right"):
            assert client.get(f"/{section}/").get_data(as_text=True).count("<tr data-id=") == 0
        assert client.get("/role/lookup").get_json() == []
    login(client, "admin")
    assert client.get("/admin/").status_code == 200
    users_page = client.get("/admin/user/").get_data(as_text=True)
    assert "alice" in users_page and "password_hash" not in users_page and "scrypt:" not in users_page
    assert "sales_manager" in client.get("/admin/role/").get_data(as_text=True)


def test_forbidden_writes_through_the_pages_are_refused_and_write_nothing(app, client, world):
    state = app.extensions["flowcase"]

    def account_names():
        with app.app_context():
            return sorted(db.session.scalars(sa.select(state.sections.get("account").model.name)))

    before = account_names()
    login(client, "alice")
    # update: own yes, others' no (readable, so 403 rather than 404)
    assert client.post(f"/account/{world['account_bob']}/edit", data={"name": "Hijacked"}).status_code == 403
    assert client.post(f"/account/{world['account_alice']}/delete").status_code == 403
    assert client.post("/account/delete", data={"ids": [str(world["account_alice"])]}).status_code == 303
    assert account_names() == before
    response = client.post(f"/account/{world['account_alice']}/edit", data={"name": "Alice's renamed"})
    assert response.status_code == 303
    # create with an "own" right: only for herself
    assert client.post("/fx_thing/new", data={"name": "For bob", "stage": "new", "owner_id": world["bob"]}).status_code == 403
    assert client.post("/fx_thing/new", data={"name": "Mine", "stage": "new", "owner_id": world["alice"]}).status_code == 303
    # a thing she cannot read is a 404 on every write door
    assert client.post(f"/fx_thing/{world['thing_bob']}/edit", data={"name": "x"}).status_code == 404
    assert client.post(f"/fx_thing/{world['thing_bob']}/delete").status_code == 404

    login(client, "nobody")
    assert client.get("/account/new").status_code == 403
    assert client.post("/account/new", data={"name": "Nobody's"}).status_code == 403
    assert client.post(f"/account/{world['account_nobody']}/edit", data={"name": "x"}).status_code == 404
    assert client.post(f"/account/{world['account_nobody']}/delete").status_code == 404
    login(client, "manager")
    assert client.post(f"/account/{world['account_bob']}/delete").status_code == 303
    with app.app_context():
        names = account_names()
    assert "Nobody's" not in names and "Hijacked" not in names and "Account of bob" not in names
    assert "Alice's renamed" in names
    with app.app_context():
        thing_names = set(db.session.scalars(sa.select(state.sections.get("fx_thing").model.name)))
    assert "Mine" in thing_names and "For bob" not in thing_names and "x" not in thing_names


def test_create_right_is_what_the_list_page_offers(app, client, world):
    with app.app_context():
        state = app.extensions["flowcase"]
        account = state.sections.get("account")
        assert state.records(db.session.get(User, world["alice"])).can(account, "create")
        assert not state.records(db.session.get(User, world["nobody"])).can(account, "create")
        assert not state.records(db.session.get(User, world["alice"])).can(account, "delete")


def test_a_section_without_rights_is_open_to_every_active_user(app, world):
    with app.app_context():
        state = app.extensions["flowcase"]
        db.session.execute(sa.delete(SectionRight).where(SectionRight.section == "account"))
        db.session.commit()
        records = state.records(db.session.get(User, world["nobody"]))
        assert len(db.session.scalars(records.select("account")).all()) == 4
        assert records.can(state.sections.get("account"), "delete")
        user = db.session.get(User, world["nobody"])
        user.active = False
        db.session.commit()
        assert db.session.scalars(state.records(user).select("account")).all() == []


# -- the other doors: export, REST, OData, print, global search ---------------------------

ODATA_SETS = {"fx_thing": "FxThing", "account": "Account", "contact": "Contact", "activity": "Activity"}


@pytest.fixture
def keys(app, world):
    """An API key per user (the REST API and OData act as the key's user)."""
    from core.api.keys import create_key

    with app.app_context():
        return {user: create_key(db.session.get(User, world[user]), f"{user} key")[1] for user in USERS}


def csv_ids(client, section) -> set[int]:
    response = client.get(f"/{section}/export.csv?cols=id")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    return {int(row[0]) for row in rows[1:] if row and row[0].strip()}


@pytest.mark.parametrize("section", ["fx_thing", "account", "contact", "activity"])
def test_export_api_and_odata_doors_show_exactly_what_the_rights_allow(app, client, world, keys, section):
    everything = expected(section, "admin", world)
    for user in USERS:
        allowed = expected(section, user, world)
        login(client, user)
        headers = {"Authorization": f"Bearer {keys[user]}"}
        export_url = f"/{section}/export.csv?cols=id"
        listed = client.get(f"/api/v1/{section}?limit=200&fields=id", headers=headers)
        odata = client.get(f"/odata/{ODATA_SETS[section]}?$select=id&$top=200", headers=headers)
        if user == "nobody":
            for response in (client.get(export_url), listed, odata,
                             client.get(f"/odata/{ODATA_SETS[section]}/$count", headers=headers)):
                assert_refused(response)
        else:
            assert csv_ids(client, section) == allowed, (user, section, "export")
            assert listed.status_code == 200, (user, section, listed.get_data(as_text=True))
            assert {item["id"] for item in listed.get_json()["items"]} == allowed, (user, section, "rest list")
            assert odata.status_code == 200, (user, section, odata.get_data(as_text=True))
            assert {item["id"] for item in odata.get_json()["value"]} == allowed, (user, section, "odata list")
        for record_id in everything:
            want = 200 if record_id in allowed else 404
            assert client.get(f"/api/v1/{section}/{record_id}", headers=headers).status_code == want, (user, record_id)
            assert client.get(f"/odata/{ODATA_SETS[section]}({record_id})", headers=headers).status_code == want, \
                (user, record_id)


def test_print_forms_print_only_readable_records(app, client, world):
    with app.app_context():
        app.extensions["flowcase"].records(sudo=True).create("print_form", {
            "section": "fx_thing", "code": "plain", "name": "Plain", "template": "<p>{{ record.name }}</p>",
            "language": "en"})
    everything = expected("fx_thing", "admin", world)
    for user in USERS:
        allowed = expected("fx_thing", user, world)
        login(client, user)
        for record_id in everything:
            response = client.get(f"/fx_thing/{record_id}/print/plain")
            if record_id in allowed:
                assert response.status_code == 200 and response.data.startswith(b"%PDF"), (user, record_id)
            else:
                assert response.status_code == 404, (user, record_id)


def test_global_search_finds_exactly_what_the_rights_allow(client, world):
    for user in USERS:
        login(client, user)
        text = client.get("/search?q=of").get_data(as_text=True)
        for section in ("fx_thing", "account", "contact"):
            part = text.split(f'data-fc-search-section="{section}">', 1)
            found = {int(i) for i in re.findall(r'<li data-id="(\d+)"', part[1].split("</section>", 1)[0])} \
                if len(part) == 2 else set()
            allowed = {i for key, i in _keys(world, section).items() if key != "thing_secret"} & expected(section, user, world)
            # five at most per section, newest first or by name: every one shown must be allowed, and some are
            assert found <= allowed, (user, section, found - allowed)
            assert bool(found) == bool(allowed), (user, section)
        # the global record rule hides the secret thing from everyone but the superuser, here too
        secret = f'<li data-id="{world["thing_secret"]}"' in client.get("/search?q=Secret").get_data(as_text=True)
        assert secret == (user == "admin"), user


def test_record_rules_bind_creates_on_every_door(app, client, world, keys):
    """A sales_user rule "activities owned within $my_team" also applies to creates: alice cannot file one for bob."""
    with app.app_context():
        activity = app.extensions["flowcase"].sections.get("activity").model
        before = db.session.scalar(sa.select(sa.func.count()).select_from(activity))
    login(client, "alice")
    response = client.post("/activity/new", data={"subject": "For bob", "owner_id": world["bob"],
                                                  "status": "open", "priority": "normal"})
    assert response.status_code == 403
    api = client.post("/api/v1/activity", json={"subject": "For bob", "owner_id": world["bob"]},
                      headers={"Authorization": f"Bearer {keys['alice']}"})
    assert api.status_code == 403, api.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(activity)) == before
    mine = client.post("/api/v1/activity", json={"subject": "Mine", "owner_id": world["alice"]},
                       headers={"Authorization": f"Bearer {keys['alice']}"})
    assert mine.status_code == 201, mine.get_data(as_text=True)


def test_an_own_create_right_files_a_record_without_an_owner_as_its_creators(app, client, world, keys):
    """alice may create only her own things: naming no owner on the API makes the thing hers, not a 403."""
    response = client.post("/api/v1/fx_thing", json={"name": "Alice's lamp"},
                           headers={"Authorization": f"Bearer {keys['alice']}"})
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    with app.app_context():
        thing = db.session.get(app.extensions["flowcase"].sections.get("fx_thing").model, created["id"])
        assert thing.owner_id == world["alice"]
    for_bob = client.post("/api/v1/fx_thing", json={"name": "Bob's lamp", "owner_id": world["bob"]},
                          headers={"Authorization": f"Bearer {keys['alice']}"})
    assert for_bob.status_code == 403
