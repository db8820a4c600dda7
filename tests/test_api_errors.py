"""Bad input to the REST API: a clear 4xx problem document with field-level messages, and nothing written."""
import json

import pytest
import sqlalchemy as sa

from core.extensions import db
from tests.api_support import Api, user_with_key

pytestmark = pytest.mark.addons("crm")


@pytest.fixture
def api(app, client):
    with app.app_context():
        _, token = user_with_key("root", superuser=True)
    return Api(client, token)


def contact_count(app):
    with app.app_context():
        return db.session.scalar(sa.text("SELECT count(*) FROM crm_contact"))


def problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["title"] and body["type"]
    return body


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b'{"last_name": "A",}'])
def test_malformed_json_or_not_an_object_is_400(app, api, raw):
    problem(api.post("/contact", raw=raw), 400)
    assert contact_count(app) == 0


def test_unknown_read_only_and_wrongly_typed_fields_are_422_with_pointers(app, api):
    body = problem(api.post("/contact", {"last_name": "Ok", "shoe_size": 42, "id": 5, "account_id": "abc",
                                         "first_name": {"nested": True}, "email": ["a@b.c"]}), 422)
    by_field = {e["field"]: e for e in body["errors"]}
    assert set(by_field) == {"shoe_size", "id", "account_id", "first_name", "email"}
    assert by_field["shoe_size"]["pointer"] == "#/shoe_size" and "unknown" in by_field["shoe_size"]["detail"]
    assert "read-only" in by_field["id"]["detail"]
    assert contact_count(app) == 0


def test_service_validation_reaches_the_client_field_by_field(app, api):
    body = problem(api.post("/contact", {"email": "nobody"}), 422)
    fields = {e["field"] for e in body["errors"]}
    assert {"email", "last_name"} & fields
    assert problem(api.post("/contact", {"last_name": "X", "account_id": 999999}), 422)["errors"][0]["field"] == "account_id"
    assert problem(api.post("/activity", {"subject": "Call", "due_date": "tomorrow"}), 422)["errors"][0]["field"] == "due_date"
    assert problem(api.post("/activity", {"subject": "Call", "status": "maybe"}), 422)["errors"][0]["field"] == "status"
    assert contact_count(app) == 0


def test_too_large_body_is_413_and_nothing_is_written(app, api):
    huge = json.dumps({"last_name": "A", "job_title": "x" * (2 * 1024 * 1024)}).encode()
    problem(api.post("/contact", raw=huge), 413)
    assert contact_count(app) == 0


def test_bad_query_parameters_are_400_naming_the_parameter(api):
    assert problem(api.get("/contact?filter={oops"), 400)
    body = problem(api.get("/contact", query_string={"filter": json.dumps({"field": "nope", "op": "eq", "value": 1})}), 400)
    assert body["errors"][0]["field"] == "nope"
    assert problem(api.get("/contact?sort=password"), 400)["errors"][0]["pointer"] == "sort"
    assert problem(api.get("/contact?limit=ten"), 400)["errors"][0]["field"] == "limit"
    assert problem(api.get("/contact?page=0"), 400)
    assert problem(api.get("/contact?fields=name,secret"), 400)["errors"][0]["field"] == "fields"
    assert problem(api.get("/contact?no_such_field=1"), 400)["errors"][0]["field"] == "no_such_field"


def test_unknown_sections_paths_and_versions(api):
    problem(api.get("/no_such_section"), 404)
    problem(api.get("/contact/999"), 404)
    problem(api.get("/contact/abc/def/ghi"), 404)
    created = api.post("/contact", {"last_name": "V"}).json
    problem(api.patch(f"/contact/{created['id']}", {"version": "one"}), 422)
    problem(api.patch(f"/contact/{created['id']}", {"job_title": "x"}, headers={"If-Match": "abc"}), 400)
    problem(api.patch(f"/contact/{created['id']}", {"job_title": "x", "version": 7}), 409)
    assert api.get(f"/contact/{created['id']}").json["job_title"] is None
