"""The REST API against a real HTTP server on 127.0.0.1: CRUD, rights, idempotent upsert under concurrent retries."""
import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from core.extensions import db
from tests.api_support import user_with_key

pytestmark = pytest.mark.addons("crm", "fx_base", "fx_own_only")


@pytest.fixture
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/api/v1"
    httpd.shutdown()
    thread.join(5)


def call(base, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_crud_and_rights_over_real_http(app, server):
    with app.app_context():
        _, root = user_with_key("root", superuser=True)
        lena_id, lena = user_with_key("limited_lena")
    status, contact = call(server, root, "POST", "/contact", {"first_name": "Ivan", "last_name": "Petrov"})
    assert status == 201 and contact["name"] == "Ivan Petrov"
    assert call(server, root, "PATCH", f"/contact/{contact['id']}", {"job_title": "CTO"})[1]["job_title"] == "CTO"
    assert call(server, root, "GET", f"/contact?name=Ivan%20Petrov")[1]["count"] == 1
    status, thing = call(server, root, "POST", "/fx_thing", {"name": "Root's", "owner_id": None})
    assert status == 201
    assert call(server, lena, "GET", f"/fx_thing/{thing['id']}")[0] == 404
    assert call(server, "fc_bad", "GET", "/contact")[0] == 401
    assert call(server, root, "DELETE", f"/contact/{contact['id']}") == (204, None)


def test_concurrent_retries_of_one_upsert_make_one_record(app, server):
    with app.app_context():
        _, root = user_with_key("root", superuser=True)
    body = {"name": "Order 42 customer", "city": "Perm"}

    def put(_):
        return call(server, root, "PUT", "/account/by-external-id/website/order-42", body)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(put, range(16)))
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 1 and set(statuses) <= {200, 201}, results
    assert len({payload["id"] for _, payload in results}) == 1
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM crm_account WHERE name = 'Order 42 customer'")) == 1
        assert db.session.scalar(sa.text("SELECT count(*) FROM core_external_ref")) == 1
