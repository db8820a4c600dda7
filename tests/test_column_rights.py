"""Column rights: hidden fields vanish from every door, read-only ones show but refuse writes; the widest role wins."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from core.errors import ValidationError
from core.extensions import db
from core.models import User
from core.security.models import ColumnRight, Role
from core.users import create_user

pytestmark = pytest.mark.addons("fx_ext")


@pytest.fixture
def setup(app):
    """Roles clerk (amount hidden, colour read-only), viewer (amount read-only), nameless (name hidden)."""
    with app.app_context():
        roles = {code: Role(code=code, name=code) for code in ("clerk", "viewer", "nameless")}
        db.session.add_all(roles.values())
        db.session.flush()
        db.session.add_all([
            ColumnRight(role_id=roles["clerk"].id, section="fx_thing", field="amount", access="hidden"),
            ColumnRight(role_id=roles["clerk"].id, section="fx_thing", field="fx_ext.colour", access="readonly"),
            ColumnRight(role_id=roles["viewer"].id, section="fx_thing", field="amount", access="readonly"),
            ColumnRight(role_id=roles["nameless"].id, section="fx_thing", field="name", access="hidden"),
        ])
        users = {}
        for login, held in (("clerk", ["clerk"]), ("both", ["clerk", "viewer"]), ("nameless", ["nameless"])):
            user = create_user(login, login)
            user.roles = [roles[code] for code in held]
            users[login] = user.id
        db.session.commit()
        records = app.extensions["flowcase"].records(sudo=True)
        users["thing"] = records.create("fx_thing", {"name": "Lamp", "amount": 7, "fx_ext.colour": "red"}).id
    return users


def as_user(app, login):
    return app.extensions["flowcase"].records(db.session.scalars(sa.select(User).where(User.login == login)).one())


def test_records_service_hides_and_refuses(app, setup):
    with app.app_context():
        clerk = as_user(app, "clerk")
        values = clerk.read("fx_thing", setup["thing"])
        assert "amount" not in values and values["fx_ext.colour"] == "red" and values["name"] == "Lamp"
        with pytest.raises(ValidationError) as hidden:
            clerk.update("fx_thing", setup["thing"], {"amount": 5})
        assert "amount" in hidden.value.errors
        with pytest.raises(ValidationError) as readonly:
            clerk.update("fx_thing", setup["thing"], {"fx_ext.colour": "blue"})
        assert "fx_ext.colour" in readonly.value.errors
        with pytest.raises(ValidationError):
            clerk.create("fx_thing", {"name": "New", "fx_ext.colour": "blue"})
        clerk.update("fx_thing", setup["thing"], {"name": "Lamp 2", "fx_ext.colour": "red"})  # unchanged: fine
        both = as_user(app, "both")
        assert both.read("fx_thing", setup["thing"])["amount"] == 7  # viewer's read-only beats clerk's hidden
        with pytest.raises(ValidationError):
            both.update("fx_thing", setup["thing"], {"amount": 8})
        admin = app.extensions["flowcase"].records(sudo=True)
        assert admin.read("fx_thing", setup["thing"])["amount"] == 7


def login(client, name):
    assert client.post("/login", data={"login": name, "password": name}).status_code == 302


def test_pages_leave_hidden_fields_out_and_disable_read_only_ones(app, client, setup):
    login(client, "clerk")
    thing = setup["thing"]
    listing = client.get("/fx_thing/?cols=name,amount,fx_ext.colour").get_data(as_text=True)
    assert 'data-col="amount"' not in listing and 'data-col="fx_ext.colour"' in listing
    tree = json.dumps({"field": "amount", "op": "gt", "value": 1})
    assert client.get(f"/fx_thing/?filter={tree}").status_code == 400
    assert client.get("/fx_thing/?f.amount=7").status_code == 400
    assert client.get("/fx_thing/?sort=-amount").status_code == 400
    assert client.get("/fx_thing/?q=Lamp").status_code == 200
    card = client.get(f"/fx_thing/{thing}").get_data(as_text=True)
    assert 'data-field="amount"' not in card and 'data-field="fx_ext.colour"' in card
    form = client.get(f"/fx_thing/{thing}/edit").get_data(as_text=True)
    assert 'name="amount"' not in form
    colour = form.split('name="fx_ext__colour"', 1)[0].rsplit("<", 1)[1] + form.split('name="fx_ext__colour"', 1)[1].split(">", 1)[0]
    assert "disabled" in colour
    saved = client.post(f"/fx_thing/{thing}/edit", data={"name": "Renamed", "stage": "new"})
    assert saved.status_code == 303
    refused = client.post(f"/fx_thing/{thing}/edit", data={"name": "Again", "stage": "new", "fx_ext__colour": "blue"})
    assert refused.status_code in (303, 422)  # a disabled field's value is ignored, never written
    with app.app_context():
        values = app.extensions["flowcase"].records(sudo=True).read("fx_thing", thing)
    assert values["fx_ext.colour"] == "red" and values["amount"] == 7


def test_typeahead_neither_searches_nor_shows_a_hidden_title(client, setup):
    login(client, "nameless")
    assert client.get("/fx_thing/lookup?q=Lamp").get_json() == []
    assert client.get("/fx_thing/lookup").get_json() == [{"id": setup["thing"], "text": f"#{setup['thing']}"}] or \
        {"id": setup["thing"], "text": f"#{setup['thing']}"} in client.get("/fx_thing/lookup").get_json()
