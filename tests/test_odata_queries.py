"""OData reads on crm's contacts and activities: every query option, paging, rights, and bad queries."""
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.models import User
from core.security.models import Role
from tests.api_support import user_with_key
from tests.odata_support import OData

pytestmark = pytest.mark.addons("crm", "fx_base", "fx_own_only")


@pytest.fixture
def crm(app, client):
    """Two accounts, four contacts, six activities; a superuser's key."""
    with app.app_context():
        _, token = user_with_key("root", superuser=True)
        records = app.extensions["flowcase"].records(sudo=True)
        acme = records.create("account", {"name": "Acme", "city": "Kazan"})
        globex = records.create("account", {"name": "Globex", "city": "Omsk"})
        contacts = {}
        for first, last, account in (("Anna", "Orlova", acme), ("Boris", "Ivanov", acme),
                                     ("Vera", "Petrova", globex), ("Gleb", "Smirnov", None)):
            contacts[first] = records.create("contact", {"first_name": first, "last_name": last,
                                                         "account_id": account.id if account else None}).id
        for n in range(6):
            records.create("activity", {"subject": f"Call {n}", "status": "open" if n % 2 else "done",
                                        "due_date": f"2024-03-0{n + 1}", "contact_id": contacts["Anna"] if n < 4 else None,
                                        "account_id": acme.id})
        ids = {"acme": acme.id, "globex": globex.id, **contacts}
    return OData(client, token), ids


def q(text: str) -> str:
    return quote(text, safe="=&$,()/'")


def names(response):
    assert response.status_code == 200, response.json
    return [item["name"] for item in response.json["value"]]


def test_filter_select_orderby_top_skip_and_count(crm):
    api, ids = crm
    assert names(api.get("/Contact?" + q("$filter=startswith(last_name,'P') or last_name eq 'Ivanov'&$orderby=name"))) \
        == ["Boris Ivanov", "Vera Petrova"]
    assert names(api.get("/Contact?" + q("$filter=contains(name,'o') and account_id ne null&$orderby=name desc"))) \
        == ["Vera Petrova", "Boris Ivanov", "Anna Orlova"]
    assert names(api.get("/Contact?" + q("$filter=account/city eq 'Omsk'"))) == ["Vera Petrova"]
    assert names(api.get("/Contact?" + q("$filter=account_id in (%d,999999)&$orderby=name&$top=1&$skip=1" % ids["acme"]))) \
        == ["Boris Ivanov"]

    selected = api.get("/Contact?" + q("$select=name,email&$orderby=name&$top=2"))
    assert selected.json["@odata.context"].endswith("$metadata#Contact(name,email)")
    assert [set(item) for item in selected.json["value"]] == [{"@odata.etag", "id", "name", "email"}] * 2

    counted = api.get("/Activity?" + q("$filter=status eq 'open'&$count=true&$top=1"))
    assert counted.json["@odata.count"] == 3 and len(counted.json["value"]) == 1
    dated = api.get("/Activity?" + q("$filter=due_date ge 2024-03-04&$orderby=due_date&$select=subject"))
    assert [a["subject"] for a in dated.json["value"]] == ["Call 3", "Call 4", "Call 5"]
    plain = api.get("/Activity/$count?" + q("$filter=status eq 'done'"))
    assert plain.status_code == 200 and plain.mimetype == "text/plain" and plain.data == b"3"


def test_expand_lookups_and_details_one_level(crm):
    api, ids = crm
    anna = api.get(f"/Contact({ids['Anna']})?" + q("$expand=account($select=name,city),activity_collection($select=subject;$orderby=subject desc;$top=2)"))
    assert anna.status_code == 200, anna.json
    assert anna.json["@odata.context"].endswith("$metadata#Contact/$entity")
    assert anna.json["account"] == {"@odata.etag": 'W/"1"', "id": ids["acme"], "name": "Acme", "city": "Kazan"}
    assert [a["subject"] for a in anna.json["activity_collection"]] == ["Call 3", "Call 2"]
    listed = api.get("/Contact?" + q("$expand=account&$orderby=name"))
    by_name = {c["name"]: c for c in listed.json["value"]}
    assert by_name["Gleb Smirnov"]["account"] is None and by_name["Vera Petrova"]["account"]["name"] == "Globex"
    account = api.get(f"/Account({ids['acme']})?" + q("$expand=contact_collection($filter=first_name eq 'Boris')"))
    assert [c["name"] for c in account.json["contact_collection"]] == ["Boris Ivanov"]


def test_server_driven_paging_with_next_link(app, crm):
    api, _ = crm
    first = api.get("/Activity?" + q("$orderby=subject&$select=subject"), headers={"Prefer": "odata.maxpagesize=4"})
    assert [a["subject"] for a in first.json["value"]] == ["Call 0", "Call 1", "Call 2", "Call 3"]
    link = first.json["@odata.nextLink"]
    assert link.startswith("http://localhost/odata/Activity?")
    second = api.client.get(link.removeprefix("http://localhost"), headers={**api.headers, "Prefer": "odata.maxpagesize=4"})
    assert [a["subject"] for a in second.json["value"]] == ["Call 4", "Call 5"]
    assert "@odata.nextLink" not in second.json
    topped = api.get("/Activity?" + q("$orderby=subject&$top=5"), headers={"Prefer": "odata.maxpagesize=3"})
    assert len(topped.json["value"]) == 3 and "%24top=2" in topped.json["@odata.nextLink"]
    assert "@odata.nextLink" not in api.get("/Activity?$top=3").json  # the client's own page: no link


def test_page_size_is_capped_by_the_server(crm, monkeypatch):
    from core.odata import routes

    api, _ = crm
    monkeypatch.setattr(routes, "PAGE_SIZE", 2)
    monkeypatch.setattr(routes, "MAX_PAGE_SIZE", 5)
    default = api.get("/Activity?$count=true")
    assert len(default.json["value"]) == 2 and default.json["@odata.count"] == 6 and default.json["@odata.nextLink"]
    asked = api.get("/Activity", headers={"Prefer": "odata.maxpagesize=100000"})
    assert len(asked.json["value"]) == 5 and "%24skip=5" in asked.json["@odata.nextLink"]
    assert len(api.get("/Activity?$top=100").json["value"]) == 2  # $top does not lift the cap either


@pytest.mark.parametrize("query", [
    "$filter=name eq", "$filter=name eq 'x' and", "$filter=nope eq 1", "$filter=account/nope eq 1",
    "$filter=custom eq 1", "$filter=frobnicate(name)", "$orderby=nope", "$orderby=name sideways",
    "$select=nope", "$expand=nope", "$expand=account($levels=2)", "$top=-1", "$skip=x", "$count=maybe",
])
def test_bad_query_options_are_400_odata_errors(crm, query):
    api, _ = crm
    response = api.get("/Contact?" + q(query))
    assert response.status_code == 400, (query, response.json)
    assert response.json["error"]["code"] == "400" and response.json["error"]["message"]


def test_unknown_sets_and_keys_are_404_and_wrong_methods_405(crm):
    api, ids = crm
    assert api.get("/Nothing").status_code == 404
    assert api.get("/Contact(999999)").status_code == 404
    missing = api.get("/Contact/extra/path")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "404"
    wrong = api.call("PUT", "/$metadata")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"] and "PUT" not in wrong.headers["Allow"]


def test_a_users_key_sees_only_their_records_and_expands_only_what_they_may_read(app, client, crm):
    root, _ = crm
    with app.app_context():
        lena_id, lena_token = user_with_key("limited_lena")
        oleg_id, _ = user_with_key("limited_oleg")
        salesperson = db.session.scalars(sa.select(Role).where(Role.code == "sales_user")).one()
        for user_id in (lena_id, oleg_id):  # crm's role reads everything; fx_own_only's rule narrows to own
            db.session.get(User, user_id).roles = [salesperson]
        db.session.commit()
        records = app.extensions["flowcase"].records(sudo=True)
        mine = records.create("contact", {"first_name": "Mine", "last_name": "L", "owner_id": lena_id}).id
        theirs = records.create("contact", {"first_name": "Theirs", "last_name": "O", "owner_id": oleg_id}).id
        records.create("activity", {"subject": "Lena's call", "owner_id": lena_id, "contact_id": theirs})
        records.create("activity", {"subject": "Oleg's call", "owner_id": oleg_id, "contact_id": mine})
    lena = OData(client, lena_token)
    assert names(lena.get("/Contact")) == ["Mine L"]
    assert lena.get("/Contact/$count").data == b"1"
    assert lena.get("/Contact?$count=true").json["@odata.count"] == 1
    assert lena.get(f"/Contact({theirs})").status_code == 404
    assert names(lena.get("/Contact?" + q("$filter=name eq 'Theirs O'"))) == []
    calls = lena.get("/Activity?" + q("$expand=contact($select=name)&$select=subject")).json["value"]
    assert [(a["subject"], a["contact"]) for a in calls] == [("Lena's call", None)]  # the hidden contact stays hidden
    assert lena.get(f"/Contact({mine})?$expand=activity_collection").json["activity_collection"] == []
    # Filtering through a lookup cannot probe a record the user may not read.
    assert lena.get("/Activity?" + q("$filter=contact/name eq 'Theirs O'")).json["value"] == []
    assert root.get("/Activity?" + q("$filter=contact/name eq 'Theirs O'")).json["value"][0]["subject"] == "Lena's call"
