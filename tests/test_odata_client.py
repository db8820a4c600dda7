"""An off-the-shelf OData v4 client from PyPI (python-odata) against /odata on a real server on 127.0.0.1.

The client reads ``$metadata`` to build its entity classes, then filters,
expands, creates and updates through its own query and save machinery, so
the service must be standard enough for a tool we did not write.
"""
import threading

import pytest
import requests
from werkzeug.serving import make_server

from tests.api_support import user_with_key

odata = pytest.importorskip("odata")
from odata import ODataService  # noqa: E402

pytestmark = pytest.mark.addons("crm", "fx_own_only")


@pytest.fixture
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/odata/"
    httpd.shutdown()
    thread.join(5)


def client_for(url: str, token: str) -> ODataService:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return ODataService(url, session=session, reflect_entities=True, quiet_progress=True)


def test_client_reads_metadata_filters_expands_creates_and_updates(app, server):
    with app.app_context():
        _, token = user_with_key("root", superuser=True)
    service = client_for(server, token)
    Account, Contact = service.entities["Account"], service.entities["Contact"]

    acme = Account()
    acme.name = "Acme"
    acme.city = "Kazan"
    service.save(acme)
    assert acme.id and acme.version == 1

    anna = Contact()
    anna.first_name, anna.last_name, anna.email = "Anna", "Orlova", "anna@example.com"
    anna.account = acme
    service.save(anna)
    assert anna.id and anna.name == "Anna Orlova"  # crm's before-create hook ran on the client's insert
    other = Contact()
    other.first_name, other.last_name = "Oleg", "Sidorov"
    service.save(other)

    query = service.query(Contact)
    found = query.filter(Contact.last_name == "Orlova").all()
    assert [c.id for c in found] == [anna.id]
    assert [c.name for c in query.filter(Contact.name.startswith("Oleg")).all()] == ["Oleg Sidorov"]
    expanded = query.filter(Contact.id == anna.id).expand(Contact.account).first()
    assert expanded.account.name == "Acme"
    assert query.filter(Contact.account_id == acme.id).count() == 1

    anna.job_title = "CFO"
    service.save(anna)
    fresh = service.query(Contact).get(anna.id)
    assert fresh.job_title == "CFO" and fresh.version == 2
    service.delete(other)
    assert service.query(Contact).count() == 1
