"""The REST API through the test client: CRUD on crm's contacts, lists, rights, stages, actions, hooks."""
import importlib
import json

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.models import ChangeLog
from tests.api_support import Api, user_with_key

pytestmark = pytest.mark.addons("crm", "fx_base", "fx_own_only")


@pytest.fixture
def admin_api(app, client):
    with app.app_context():
        _, token = user_with_key("root", superuser=True)
    return Api(client, token)


@pytest.fixture
def events(app):
    hooks = importlib.import_module("flowcase_addons.fx_base.hooks")
    hooks.EVENTS.clear()
    return hooks.EVENTS


def test_contact_crud_through_the_service_with_etags_and_change_log(app, admin_api):
    created = admin_api.post("/contact", {"first_name": "Anna", "last_name": "Orlova", "email": "anna@example.com",
                                          "phone": "+7 495 123-45-67"})
    assert created.status_code == 201, created.json
    contact = created.json
    assert contact["name"] == "Anna Orlova"  # crm's before-create hook ran
    assert contact["phone_normalized"] and contact["version"] == 1
    assert created.headers["Location"].endswith(f"/api/v1/contact/{contact['id']}")
    assert created.headers["ETag"] == '"1"'

    fetched = admin_api.get(f"/contact/{contact['id']}")
    assert fetched.status_code == 200 and fetched.json == contact
    only = admin_api.get(f"/contact/{contact['id']}?fields=name,email")
    assert only.json == {"id": contact["id"], "name": "Anna Orlova", "email": "anna@example.com"}

    patched = admin_api.patch(f"/contact/{contact['id']}", {"job_title": "CFO", "version": 1})
    assert patched.status_code == 200 and patched.json["job_title"] == "CFO" and patched.json["version"] == 2
    assert patched.json["email"] == "anna@example.com"  # partial: untouched fields stay
    stale = admin_api.patch(f"/contact/{contact['id']}", {"job_title": "CEO"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json"
    assert admin_api.patch(f"/contact/{contact['id']}", {"job_title": "CEO"}, headers={"If-Match": '"2"'}).status_code == 200

    with app.app_context():
        log = db.session.scalars(sa.select(ChangeLog.operation).where(
            ChangeLog.section == "contact", ChangeLog.record_id == contact["id"])).all()
        assert log.count("create") == 1 and "update" in log
    assert admin_api.delete(f"/contact/{contact['id']}", headers={"If-Match": '"1"'}).status_code == 409
    assert admin_api.delete(f"/contact/{contact['id']}").status_code == 204
    assert admin_api.get(f"/contact/{contact['id']}").status_code == 404


def test_list_filters_sorts_pages_selects_fields_and_caps_limit(app, admin_api):
    for n in range(7):
        admin_api.post("/account", {"name": f"Firm {n}", "city": "Kazan" if n % 2 else "Omsk"})
    listed = admin_api.get("/account?city=Kazan&sort=name&fields=name,city")
    assert listed.status_code == 200
    assert [item["name"] for item in listed.json["items"]] == ["Firm 1", "Firm 3", "Firm 5"]
    assert set(listed.json["items"][0]) == {"id", "name", "city"} and listed.json["count"] == 3

    tree = json.dumps({"any": [{"field": "name", "op": "eq", "value": "Firm 0"}, {"field": "name", "op": "eq", "value": "Firm 6"}]})
    found = admin_api.get("/account", query_string={"filter": tree, "sort": "-name"})
    assert [item["name"] for item in found.json["items"]] == ["Firm 6", "Firm 0"]

    first = admin_api.get("/account?limit=3&sort=name")
    assert len(first.json["items"]) == 3 and first.json["count"] == 7 and first.json["next"]
    second = admin_api.client.get(first.json["next"], headers=admin_api.headers)
    assert [i["name"] for i in second.json["items"]] == ["Firm 3", "Firm 4", "Firm 5"]
    last = admin_api.get("/account?limit=3&sort=name&page=3")
    assert [i["name"] for i in last.json["items"]] == ["Firm 6"] and last.json["next"] is None
    assert admin_api.get("/account?limit=100000").json["limit"] == 500
    assert admin_api.get("/account?count=false").json["count"] is None


def test_a_users_key_reaches_only_records_the_rules_let_them_see(app, client, admin_api):
    # fx_own_only's flowcase_record_filter: "limited*" users reach only what they own.
    with app.app_context():
        lena_id, lena_token = user_with_key("limited_lena")
        oleg_id, oleg_token = user_with_key("limited_oleg")
    lena, oleg = Api(client, lena_token), Api(client, oleg_token)
    mine = lena.post("/fx_thing", {"name": "Mine", "owner_id": lena_id})
    assert mine.status_code == 201, mine.json
    theirs = oleg.post("/fx_thing", {"name": "Theirs", "owner_id": oleg_id}).json

    listed = lena.get("/fx_thing")
    assert [c["id"] for c in listed.json["items"]] == [mine.json["id"]] and listed.json["count"] == 1
    assert lena.get("/fx_thing?name=Theirs").json["items"] == []
    for response in (lena.get(f"/fx_thing/{theirs['id']}"), lena.patch(f"/fx_thing/{theirs['id']}", {"amount": 5}),
                     lena.delete(f"/fx_thing/{theirs['id']}"), lena.post(f"/fx_thing/{theirs['id']}/stage", {"stage": "won"}),
                     lena.post(f"/fx_thing/{theirs['id']}/actions/fx_base.rename", {"params": {"name": "x"}}),
                     lena.get(f"/fx_thing/{theirs['id']}/nothing")):
        assert response.status_code == 404, response.json  # hidden looks exactly like missing
    after = oleg.get(f"/fx_thing/{theirs['id']}").json
    assert after["amount"] is None and after["stage"] == "new" and after["name"] == "Theirs"  # nothing was written
    seen = {item["id"] for item in admin_api.get("/fx_thing").json["items"]}
    assert {mine.json["id"], theirs["id"]} <= seen  # the superuser sees both


def test_stage_move_and_action_run_as_the_key_user_and_fire_hooks_once(app, admin_api, events):
    thing = admin_api.post("/fx_thing", {"name": "Lamp"}).json
    assert [kind for kind, *_ in events] == ["created"]

    moved = admin_api.post(f"/fx_thing/{thing['id']}/stage", {"stage": "won", "version": thing["version"]})
    assert moved.status_code == 200 and moved.json["stage"] == "won"
    assert [kind for kind, *_ in events] == ["created", "updated", "stage"]
    refused = admin_api.post(f"/fx_thing/{thing['id']}/stage", {"stage": "forbidden"})
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "stage"
    with pytest.raises(RuntimeError):  # a failing stage hook (tests propagate errors; servers answer 500)
        admin_api.post(f"/fx_thing/{thing['id']}/stage", {"stage": "explode"})
    assert admin_api.get(f"/fx_thing/{thing['id']}").json["stage"] == "won"  # rolled back
    assert admin_api.post(f"/fx_thing/{thing['id']}/stage", {"stage": ["won"]}).status_code == 422
    assert admin_api.post(f"/contact/{thing['id']}/stage", {"stage": "x"}).status_code in (404, 409)

    events.clear()
    ran = admin_api.post(f"/fx_thing/{thing['id']}/actions/fx_base.rename", {"params": {"name": "Desk lamp"}})
    assert ran.status_code == 200 and ran.json["record"]["name"] == "Desk lamp"
    assert [kind for kind, *_ in events] == ["updated"]
    assert admin_api.post(f"/fx_thing/{thing['id']}/actions/no.such", {}).status_code == 404
    bad = admin_api.post(f"/fx_thing/{thing['id']}/actions/fx_base.rename", {"params": {}})
    assert bad.status_code == 422 and admin_api.get(f"/fx_thing/{thing['id']}").json["name"] == "Desk lamp"


def test_each_api_write_fires_its_hooks_exactly_once(app, admin_api, events):
    thing = admin_api.post("/fx_thing", {"name": "Chair", "amount": 2}).json
    admin_api.patch(f"/fx_thing/{thing['id']}", {"amount": 3})
    admin_api.put("/fx_thing/by-external-id/shop/T-1", {"name": "Stool"})
    admin_api.put("/fx_thing/by-external-id/shop/T-1", {"name": "Stool", "amount": 1})
    admin_api.put("/fx_thing/by-external-id/shop/T-1", {"name": "Stool", "amount": 1})  # no change: no event
    admin_api.delete(f"/fx_thing/{thing['id']}")
    assert [kind for kind, *_ in events] == ["created", "updated", "created", "updated", "deleted"]


def test_index_lists_api_sections(admin_api):
    names = {s["name"] for s in admin_api.get("/").json["sections"]}
    assert {"account", "contact", "activity", "fx_thing"} <= names


@pytest.fixture
def clerk_api(app, client):
    """A key of a user whose role hides fx_thing.amount and makes fx_thing.stage read-only."""
    from core.security.models import ColumnRight, Role

    with app.app_context():
        role = Role(code="clerk", name="Clerk")
        db.session.add(role)
        db.session.flush()
        db.session.add_all([ColumnRight(role_id=role.id, section="fx_thing", field="amount", access="hidden"),
                            ColumnRight(role_id=role.id, section="fx_thing", field="stage", access="readonly")])
        user_id, token = user_with_key("clerk")
        from core.models import User

        db.session.get(User, user_id).roles = [role]
        db.session.commit()
        thing = app.extensions["flowcase"].records(sudo=True).create("fx_thing", {"name": "Safe", "amount": 42})
        thing_id = thing.id
    return Api(client, token), thing_id


def test_column_rights_hide_fields_from_output_queries_and_writes(app, clerk_api, admin_api):
    api, thing_id = clerk_api
    one = api.get(f"/fx_thing/{thing_id}")
    assert one.status_code == 200 and "amount" not in one.json and one.json["name"] == "Safe"
    listed = api.get("/fx_thing")
    assert listed.json["items"] and all("amount" not in item for item in listed.json["items"])
    for query in ("?fields=name,amount", "?amount=42", "?sort=-amount",
                  "?filter=" + json.dumps({"field": "amount", "op": "gt", "value": 1})):
        refused = api.get("/fx_thing" + query)
        assert refused.status_code == 400 and refused.mimetype == "application/problem+json", (query, refused.json)
    assert api.get(f"/fx_thing/{thing_id}?fields=amount").status_code == 400

    # Writes: a hidden field is refused whatever the value (even the stored one: no probing), a read-only one when changed.
    for body in ({"amount": 42}, {"amount": 1}, {"stage": "won"}):
        refused = api.patch(f"/fx_thing/{thing_id}", body)
        assert refused.status_code == 422, refused.json
        assert [e["field"] for e in refused.json["errors"]] == list(body)
    assert api.post("/fx_thing", {"name": "Mine", "amount": 3}).status_code == 422
    assert api.put("/fx_thing/by-external-id/shop/X-1", {"name": "Mine", "amount": 3}).status_code == 422
    assert api.patch(f"/fx_thing/{thing_id}", {"name": "Safe 2"}).status_code == 200
    after = admin_api.get(f"/fx_thing/{thing_id}").json
    assert after["amount"] == 42 and after["stage"] == "new" and after["name"] == "Safe 2"  # nothing else written


def test_wrong_method_on_an_existing_path_is_405_problem(admin_api):
    thing = admin_api.post("/fx_thing", {"name": "Lamp"}).json
    for method, path in (("PUT", "/fx_thing"), ("DELETE", "/fx_thing"), ("POST", f"/fx_thing/{thing['id']}"),
                         ("GET", f"/fx_thing/{thing['id']}/stage")):
        response = admin_api.call(method, path)
        assert response.status_code == 405 and response.mimetype == "application/problem+json", (method, path)
        assert method not in response.headers["Allow"]
    assert "PATCH" in admin_api.call("PUT", f"/fx_thing/{thing['id']}").headers["Allow"]
    assert admin_api.get("/fx_thing/1/nothing/here").status_code == 404
