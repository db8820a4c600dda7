"""A list page's lookup names: read with the rows on PostgreSQL, through the targets' rights, same HTML."""
import re

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.security.models import RecordRule, Role
from core.testing import counting_statements as counting
from core.ui import page_names
from core.users import create_user

pytestmark = pytest.mark.addons("crm")


@pytest.fixture
def world(app, client):
    """Activities on a readable and a hidden account; ``clerk`` (a sales manager, no superuser) signed in."""
    with app.app_context():
        clerk = create_user("clerk", "pw", name="Clara Clerk")
        clerk.roles.append(db.session.scalars(sa.select(Role).where(Role.code == "sales_manager")).one())
        db.session.add(RecordRule(name="No hidden accounts", section="account", role_id=None,
                                  domain={"not": {"field": "name", "op": "startswith", "value": "Hidden"}}))
        db.session.commit()
        records = app.extensions["flowcase"].records(sudo=True)
        ids = {"shown": records.create("account", {"name": "Shown & Co", "owner_id": clerk.id}).id,
               "hidden": records.create("account", {"name": "Hidden Ltd", "owner_id": clerk.id}).id}
        ids["contact"] = records.create("contact", {"last_name": "Petrova", "account_id": ids["shown"]}).id
        for i in range(6):
            records.create("activity", {"subject": f"Call {i}", "owner_id": clerk.id, "contact_id": ids["contact"],
                                        "account_id": ids["shown" if i % 2 else "hidden"]})
    assert client.post("/login", data={"login": "clerk", "password": "pw"}).status_code == 302
    return ids


URL = "/activity/?cols=subject,account_id,contact_id,owner_id&sort=subject"


def test_names_follow_the_targets_rights_and_the_page_is_the_same_either_way(app, client, world, monkeypatch):
    client.get(URL)  # the process's caches (rights, count) filled: both requests below count the same things
    with counting(app) as folded:
        text = client.get(URL).get_data(as_text=True)
    assert len(re.findall(r'<tr data-id="\d+"', text)) == 6
    assert text.count(f'<a href="/account/{world["shown"]}">Shown &amp; Co</a>') == 3
    assert text.count(f'<a href="/account/{world["hidden"]}">#{world["hidden"]}</a>') == 3
    assert "Hidden Ltd" not in text
    assert text.count(f'<a href="/contact/{world["contact"]}">Petrova</a>') == 6
    assert text.count("<td>Clara Clerk</td>") == 6
    # The other way (a statement of names after the rows), as SQLite and deep pages go: the very same page.
    monkeypatch.setattr(page_names, "_folds", lambda records: False)
    with counting(app) as separate:
        again = client.get(URL).get_data(as_text=True)
    strip = re.compile(r'name="csrf_token" value="[^"]*"')
    assert strip.sub("", again) == strip.sub("", text)
    name_statements = [s for s in separate if "fc_target" in s]
    assert len(name_statements) == 1, separate
    # The owners' names come from the bulk "change owner" choices (every user), read once for both.
    assert "core_user.id IN" not in name_statements[0]
    assert not [s for s in folded if "fc_name_owner_id" in s], folded
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect == "postgresql":
        assert not [s for s in folded if "fc_target" in s], folded
        assert len(folded) == len(separate) - 1, folded
    else:  # SQLite would look names up for every matching row before sorting: never folded there
        assert len(folded) == len(separate), folded


def test_a_deep_page_names_its_lookups_in_a_statement_of_its_own(app, client, world, monkeypatch):
    monkeypatch.setattr(page_names, "_folds", lambda records: True)
    monkeypatch.setattr(page_names, "MAX_FOLDED_OFFSET", -1)
    with counting(app) as statements:
        text = client.get(URL).get_data(as_text=True)
    assert text.count("Shown &amp; Co</a>") == 3
    assert [s for s in statements if "fc_target" in s], statements


def test_owner_names_are_looked_up_when_the_page_offers_no_owner_choices(app, client, world, monkeypatch):
    from core.ui import list_view

    monkeypatch.setattr(list_view, "_owner_choices", lambda records, section: None)
    text = client.get(URL).get_data(as_text=True)
    assert text.count("<td>Clara Clerk</td>") == 6
