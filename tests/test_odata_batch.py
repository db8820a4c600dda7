"""OData JSON ``$batch``: requests run in order through the same doors, atomicity groups are all or nothing.

Plain HTTP through the test client (the JSON batch body is small enough to
write by hand; the python-odata client speaks only the multipart format).
"""
import json

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.models import ChangeLog
from tests.api_support import user_with_key

pytestmark = pytest.mark.addons("crm", "fx_base", "fx_own_only")


@pytest.fixture
def batch(app, client):
    with app.app_context():
        _, token = user_with_key("root", superuser=True)

    def send(requests, token_=None, raw=None):
        return client.post("/odata/$batch", data=raw if raw is not None else json.dumps({"requests": requests}),
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {token_ or token}"})

    return send


def _names(app, table="crm_contact") -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.text(f"SELECT name FROM {table} ORDER BY id")))


def test_requests_run_in_order_and_reference_what_earlier_ones_created(app, batch):
    response = batch([
        {"id": "a", "method": "POST", "url": "Account", "body": {"name": "Альтис-Лифт"}},
        {"id": "c", "method": "POST", "url": "Contact", "dependsOn": ["a"],
         "body": {"first_name": "Андрей", "last_name": "Кузнецов", "account@odata.bind": "$a"}},
        {"id": "p", "method": "PATCH", "url": "$c", "dependsOn": ["c"], "body": {"job_title": "Главный инженер"},
         "headers": {"Prefer": "return=representation"}},
        {"id": "g", "method": "GET", "url": "Contact?$filter=last_name eq 'Кузнецов'&$select=name,job_title"},
    ])
    assert response.status_code == 200, response.get_data(as_text=True)
    answers = {entry["id"]: entry for entry in response.json["responses"]}
    assert [entry["id"] for entry in response.json["responses"]] == ["a", "c", "p", "g"]
    assert answers["a"]["status"] == 201 and answers["c"]["status"] == 201
    account_id = answers["a"]["body"]["id"]
    assert answers["c"]["body"]["account_id"] == account_id  # "$a" stood for the new account
    assert answers["c"]["headers"]["Location"].endswith(f"/odata/Contact({answers['c']['body']['id']})")
    assert answers["p"]["status"] == 200 and answers["p"]["body"]["job_title"] == "Главный инженер"
    assert answers["p"]["headers"]["ETag"] == 'W/"2"'
    assert [row["name"] for row in answers["g"]["body"]["value"]] == ["Кузнецов Андрей"]  # Russian order: last name first
    # Writes went through the records service: hooks ran and the change log has them.
    with app.app_context():
        operations = db.session.scalars(sa.select(ChangeLog.operation).where(ChangeLog.section == "contact")).all()
    assert operations == ["create", "update"]


def test_an_atomicity_group_is_all_or_nothing(app, batch):
    response = batch([
        {"id": "1", "method": "POST", "url": "Contact", "atomicityGroup": "g", "body": {"last_name": "Первый"}},
        {"id": "2", "method": "POST", "url": "Contact", "atomicityGroup": "g", "body": {"last_name": "Второй"}},
        {"id": "3", "method": "POST", "url": "Contact", "atomicityGroup": "g", "body": {"email": "no-at-sign"}},
        {"id": "4", "method": "POST", "url": "Contact", "dependsOn": ["g"], "body": {"last_name": "После"}},
        {"id": "5", "method": "POST", "url": "Contact", "body": {"last_name": "Сам по себе"}},
    ])
    assert response.status_code == 200
    statuses = {entry["id"]: entry["status"] for entry in response.json["responses"]}
    assert statuses == {"1": 424, "2": 424, "3": 422, "4": 424, "5": 201}
    failing = response.json["responses"][2]
    assert failing["body"]["error"]["details"]  # the field-level reason of the request that failed
    # Nothing of the group was kept, the independent request was.
    assert _names(app) == ["Сам по себе"]

    fine = batch([
        {"id": "1", "method": "POST", "url": "Contact", "atomicityGroup": "g", "body": {"last_name": "Первый"}},
        {"id": "2", "method": "POST", "url": "Contact", "atomicityGroup": "g", "body": {"last_name": "Второй"}},
    ])
    assert [entry["status"] for entry in fine.json["responses"]] == [201, 201]
    assert _names(app) == ["Сам по себе", "Первый", "Второй"]


def test_each_request_keeps_the_rights_of_the_key(app, batch):
    with app.app_context():
        _, root_token = user_with_key("boss", superuser=True)
        _, lena = user_with_key("limited_lena")
    made = batch([{"id": "t", "method": "POST", "url": "FxThing", "body": {"name": "Root's", "owner_id": None}}],
                 token_=root_token)
    assert made.json["responses"][0]["status"] == 201, made.json
    thing_id = made.json["responses"][0]["body"]["id"]
    response = batch([{"id": "1", "method": "GET", "url": f"FxThing({thing_id})"},
                      {"id": "2", "method": "DELETE", "url": f"FxThing({thing_id})"}], token_=lena)
    assert [entry["status"] for entry in response.json["responses"]] == [404, 404]
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM fx_base_thing WHERE id = :id"), {"id": thing_id}) == 1


@pytest.mark.parametrize("raw, why", [
    ("{not json", "not valid JSON"),
    ('{"requests": {}}', "“requests” list"),
    ('{"requests": [{"id": "1", "method": "GET", "url": "Contact"}, {"id": "1", "method": "GET", "url": "Contact"}]}',
     "own “id”"),
    ('{"requests": [{"id": "1", "method": "TRACE", "url": "Contact"}]}', "method must be one of"),
    ('{"requests": [{"id": "1", "method": "GET", "url": "http://evil.example/x"}]}', "relative to the service root"),
    ('{"requests": [{"id": "1", "method": "GET", "url": "Contact", "dependsOn": ["2"]}, '
     '{"id": "2", "method": "GET", "url": "Contact"}]}', "earlier requests"),
])
def test_a_malformed_batch_is_a_400_and_nothing_runs(app, batch, raw, why):
    response = batch(None, raw=raw)
    assert response.status_code == 400 and why in response.json["error"]["message"]
    assert _names(app) == []


def test_a_batch_needs_a_key(client):
    response = client.post("/odata/$batch", data=json.dumps({"requests": []}), content_type="application/json")
    assert response.status_code == 401
