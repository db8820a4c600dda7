"""OData writes through the records service: create, update, delete, ETags and If-Match, column rights, bad bodies."""
import pytest
import sqlalchemy as sa

from core.extensions import db
from core.models import ChangeLog, User
from core.security.models import ColumnRight, Role
from tests.api_support import user_with_key
from tests.odata_support import OData

pytestmark = pytest.mark.addons("crm", "fx_ext")


@pytest.fixture
def root(app, client):
    with app.app_context():
        _, token = user_with_key("root", superuser=True)
    return OData(client, token)


def test_create_update_delete_with_etags(app, root):
    account = root.post("/Account", {"name": "Acme", "@odata.type": "Flowcase.Account"}).json
    created = root.post("/Contact", {"first_name": "Anna", "last_name": "Orlova", "id": None, "version": None,
                                     "account@odata.bind": f"Account({account['id']})"})
    assert created.status_code == 201, created.json
    contact = created.json
    assert contact["name"] == "Anna Orlova" and contact["account_id"] == account["id"]  # crm's hook ran
    assert created.headers["Location"].endswith(f"/odata/Contact({contact['id']})")
    assert created.headers["ETag"] == 'W/"1"' and contact["@odata.etag"] == 'W/"1"'

    stale = root.patch(f"/Contact({contact['id']})", {"job_title": "CEO"}, headers={"If-Match": 'W/"7"'})
    assert stale.status_code == 412 and stale.json["error"]["code"] == "412"
    updated = root.patch(f"/Contact({contact['id']})", {"job_title": "CFO"}, headers={"If-Match": 'W/"1"'})
    assert updated.status_code == 204 and updated.headers["ETag"] == 'W/"2"'
    shown = root.patch(f"/Contact({contact['id']})", {"email": "anna@example.com"},
                       headers={"If-Match": "*", "Prefer": "return=representation"})
    assert shown.status_code == 200 and shown.json["job_title"] == "CFO" and shown.json["version"] == 3
    fetched = root.get(f"/Contact({contact['id']})")
    assert fetched.headers["ETag"] == 'W/"3"' and fetched.json["email"] == "anna@example.com"

    with app.app_context():
        logged = db.session.execute(sa.select(ChangeLog.operation, ChangeLog.field, ChangeLog.new_value).where(
            ChangeLog.section == "contact", ChangeLog.record_id == contact["id"])).all()
        assert [op for op, *_ in logged].count("create") == 1
        assert [new for _, field, new in logged if field == "job_title"] == ["CFO"]  # the stale CEO was never written
    assert root.delete(f"/Contact({contact['id']})", headers={"If-Match": 'W/"1"'}).status_code == 412
    assert root.delete(f"/Contact({contact['id']})", headers={"If-Match": 'W/"3"'}).status_code == 204
    assert root.get(f"/Contact({contact['id']})").status_code == 404


@pytest.mark.parametrize("body, status, target", [
    ({"nope": 1}, 400, "nope"),
    ({"first_name": ["x"]}, 400, "first_name"),
    ({"account": {"name": "Deep"}}, 400, "account"),
    ({"account@odata.bind": "Contact(1)"}, 400, "account@odata.bind"),
    ({"account_id": 999999}, 422, "account_id"),
])
def test_bad_bodies_are_clear_errors_and_write_nothing(app, root, body, status, target):
    response = root.post("/Contact", {"first_name": "Bad", **body})
    assert response.status_code == status, response.json
    assert target in [d["target"] for d in response.json["error"]["details"]]
    assert root.get("/Contact/$count").data == b"0"


def test_malformed_json_and_bad_if_match(root):
    assert root.client.post("/odata/Contact", data="{nope", content_type="application/json",
                            headers=root.headers).status_code == 400
    assert root.client.post("/odata/Contact", data="[1]", content_type="application/json",
                            headers=root.headers).status_code == 400
    thing = root.post("/FxThing", {"name": "Lamp"}).json
    assert root.patch(f"/FxThing({thing['id']})", {"name": "x"}, headers={"If-Match": "yesterday"}).status_code == 400


def test_column_rights_apply_to_odata_reads_and_writes(app, client, root):
    with app.app_context():
        role = Role(code="clerk", name="Clerk")
        db.session.add(role)
        db.session.flush()
        db.session.add_all([ColumnRight(role_id=role.id, section="fx_thing", field="amount", access="hidden"),
                            ColumnRight(role_id=role.id, section="fx_thing", field="fx_ext.colour", access="readonly")])
        user_id, token = user_with_key("clerk")
        db.session.get(User, user_id).roles = [role]
        db.session.commit()
    clerk = OData(client, token)
    thing = root.post("/FxThing", {"name": "Safe", "amount": 42, "fx_ext_colour": "red"}).json
    assert thing["amount"] == 42 and thing["fx_ext_colour"] == "red"

    seen = clerk.get(f"/FxThing({thing['id']})").json
    assert "amount" not in seen and seen["fx_ext_colour"] == "red"
    assert all("amount" not in item for item in clerk.get("/FxThing").json["value"])
    for query in ("$filter=amount gt 1", "$orderby=amount", "$select=amount"):
        assert clerk.get("/FxThing?" + query).status_code == 400, query
    for body, field in (({"amount": 42}, "amount"), ({"fx_ext_colour": "blue"}, "fx_ext_colour")):
        refused = clerk.patch(f"/FxThing({thing['id']})", body)
        assert refused.status_code == 422 and [d["target"] for d in refused.json["error"]["details"]] == [field]
    assert clerk.post("/FxThing", {"name": "New", "amount": 1}).status_code == 422
    assert clerk.patch(f"/FxThing({thing['id']})", {"name": "Safe 2"}).status_code == 204
    after = root.get(f"/FxThing({thing['id']})").json
    assert (after["name"], after["amount"], after["fx_ext_colour"]) == ("Safe 2", 42, "red")
