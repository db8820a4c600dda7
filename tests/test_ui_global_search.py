"""The global search box: matches across sections, a few per section, rights applied, no COUNT."""
import re

import pytest

from core.extensions import db
from core.security.models import Role, SectionRight
from core.testing import counting_statements as counting
from core.ui import search
from core.users import create_user

pytestmark = pytest.mark.addons("crm")


def login(client, name):
    client.post("/logout")
    assert client.post("/login", data={"login": name, "password": "pw"}).status_code == 302


@pytest.fixture
def world(app):
    """Accounts named Acme (eight, mostly alice's), one contact named Acme, and a salesman who reads his own only."""
    with app.app_context():
        admin = create_user("admin", "pw", superuser=True)
        alice = create_user("alice", "pw")
        bob = create_user("bob", "pw")
        role = Role(code="own_accounts", name="Own accounts")
        db.session.add(role)
        db.session.flush()
        db.session.add(SectionRight(role_id=role.id, section="account", read="own", create="own", update="own",
                                    delete="none"))
        bob.roles.append(role)
        db.session.commit()
        records = app.extensions["flowcase"].records(admin)
        ids = {"admin": admin.id, "alice": alice.id, "bob": bob.id}
        with records.transaction():
            for i in range(7):
                ids[f"acme{i}"] = records.create("account", {"name": f"Acme {i}", "owner_id": alice.id}).id
            ids["acme_bob"] = records.create("account", {"name": "acme of bob", "owner_id": bob.id}).id
            ids["big_acme"] = records.create("account", {"name": "Big ACME Ltd", "owner_id": alice.id}).id
            ids["other"] = records.create("account", {"name": "Globex", "owner_id": bob.id}).id
            ids["contact"] = records.create("contact", {"last_name": "Acmeson", "owner_id": bob.id}).id
    return ids


def hits(response) -> dict[str, list[int]]:
    text = response.get_data(as_text=True)
    found = {}
    for section, body in re.findall(r'data-fc-search-section="(\w+)">(.*?)</section>', text, re.S):
        found[section] = [int(i) for i in re.findall(r'<li data-id="(\d+)"', body)]
    return found


def test_results_are_grouped_by_section_capped_with_a_more_link(client, world):
    login(client, "admin")
    assert "data-fc-global-search" in client.get("/account/").get_data(as_text=True)  # the box in the navigation
    response = client.get("/search?q=acme")
    assert response.status_code == 200
    found = hits(response)
    assert set(found) == {"account", "contact"}
    assert len(found["account"]) == search.PER_SECTION
    # prefix matches ("Acme 0", ... as typed or capitalised) come before the ones that only contain the text
    assert world["big_acme"] not in found["account"]
    assert found["contact"] == [world["contact"]]
    text = response.get_data(as_text=True)
    assert 'href="/account/?q=acme"' in text  # "more": the section's list with the same search
    assert text.count("data-fc-search-more") == 1  # the contact section has no more


def test_contains_matches_fill_up_when_prefixes_are_few(client, world):
    login(client, "admin")
    found = hits(client.get("/search?q=ACME Ltd"))
    assert found == {"account": [world["big_acme"]]}
    assert hits(client.get("/search?q=" + str(world["other"])))["account"] == [world["other"]]  # an id


def test_the_rights_limit_what_the_search_shows(client, world):
    login(client, "bob")
    found = hits(client.get("/search?q=acme"))
    assert found["account"] == [world["acme_bob"]]  # his own account only, not alice's seven
    assert "contact" not in found  # crm's seeded rights give contacts to its roles only; bob holds neither
    assert hits(client.get("/search?q=glob")) == {"account": [world["other"]]}


def test_short_or_empty_text_searches_nothing(client, world):
    login(client, "admin")
    response = client.get("/search?q=a")
    assert response.status_code == 200 and "data-fc-search-short" in response.get_data(as_text=True)
    assert hits(response) == {}
    assert "data-fc-search-empty" in client.get("/search?q=zzzz").get_data(as_text=True)
    assert client.get("/search").status_code == 200


def test_no_count_and_a_bounded_number_of_statements(app, client, world):
    login(client, "admin")
    client.get("/search?q=acme")
    with counting(app) as few:
        client.get("/search?q=acme")
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        with records.transaction():
            for i in range(30):
                records.create("account", {"name": f"Acme extra {i}"})
    with counting(app) as many:
        client.get("/search?q=acme")
    assert len(many) == len(few)
    # No statement counts a searched section.
    searched = [s.lower() for s in many]
    assert not any("count(" in s for s in searched)


def test_text_inside_words_is_looked_for_among_the_newest_records_only(client, world, monkeypatch):
    login(client, "admin")
    monkeypatch.setattr(search, "SCAN_LIMIT", 1)  # only "Globex", the newest account, is read by the ILIKE
    assert hits(client.get("/search?q=ACME Ltd")) == {}
    assert world["acme0"] in hits(client.get("/search?q=Acme 0"))["account"]  # a prefix reaches every record
    monkeypatch.setattr(search, "SCAN_LIMIT", 2)
    assert hits(client.get("/search?q=ACME Ltd")) == {"account": [world["big_acme"]]}
