"""Upsert by external id: a retried call never duplicates; updates are partial; rights and sources apply."""
import pytest
import sqlalchemy as sa

from core.extensions import db
from tests.api_support import Api, user_with_key

pytestmark = pytest.mark.addons("crm", "fx_base", "fx_own_only")


@pytest.fixture
def api(app, client):
    with app.app_context():
        _, token = user_with_key("root", superuser=True)
    return Api(client, token)


def count(app, sql):
    with app.app_context():
        return db.session.scalar(sa.text(sql))


def test_the_same_external_id_twice_is_one_record_updated_in_place(app, api):
    first = api.put("/account/by-external-id/website/A-1", {"name": "Equip Group", "city": "Moscow"})
    assert first.status_code == 201 and first.headers["Location"].endswith(f"/account/{first.json['id']}")
    again = api.put("/account/by-external-id/website/A-1", {"name": "Equip Group", "city": "Moscow"})
    assert again.status_code == 200 and again.json["id"] == first.json["id"] and again.json["version"] == 1
    changed = api.put("/account/by-external-id/website/A-1", {"phone": "+7 495 000-00-00"})
    assert changed.json["city"] == "Moscow" and changed.json["version"] == 2  # partial update
    other_source = api.put("/account/by-external-id/accounting/A-1", {"name": "Equip Group (1C)"})
    assert other_source.status_code == 201 and other_source.json["id"] != first.json["id"]
    assert count(app, "SELECT count(*) FROM crm_account") == 2
    found = api.get("/account/by-external-id/website/A-1")
    assert found.status_code == 200 and found.json["id"] == first.json["id"]
    assert api.get("/account/by-external-id/website/missing").status_code == 404


def test_a_failed_create_claims_nothing_and_a_deleted_record_frees_its_id(app, api):
    bad = api.put("/contact/by-external-id/website/C-1", {"email": "not-an-email"})
    assert bad.status_code == 422
    assert count(app, "SELECT count(*) FROM core_external_ref") == 0
    created = api.put("/contact/by-external-id/website/C-1", {"last_name": "Smirnov"}).json
    assert api.delete(f"/contact/{created['id']}").status_code == 204
    recreated = api.put("/contact/by-external-id/website/C-1", {"last_name": "Smirnov"})
    assert recreated.status_code == 201  # a new record (SQLite may reuse the freed id)
    assert api.get(f"/contact/{recreated.json['id']}").status_code == 200
    assert count(app, "SELECT count(*) FROM core_external_ref") == 1


def test_upsert_respects_rights_and_types(app, client, api):
    with app.app_context():
        _, lena_token = user_with_key("limited_lena")
    lena = Api(client, lena_token)
    api.put("/fx_thing/by-external-id/shop/T-9", {"name": "Root's thing"})
    hidden = lena.put("/fx_thing/by-external-id/shop/T-9", {"name": "Taken over"})
    assert hidden.status_code == 404
    assert api.put("/fx_thing/by-external-id/shop/T-10", {"name": 5}).status_code == 422
    assert api.put("/fx_thing/by-external-id/shop/" + "x" * 300, {"name": "long"}).status_code == 422
    assert count(app, "SELECT count(*) FROM fx_base_thing WHERE name = 'Taken over'") == 0
