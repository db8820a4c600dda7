"""Generated create and edit forms: validation messages by the fields (422), stale versions (409)."""
import re

import pytest
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

from core.users import create_user

pytestmark = pytest.mark.addons("fx_ext")


@pytest.fixture
def admin(app, client):
    with app.app_context():
        user = create_user("admin", "pw", superuser=True)
        user_id = user.id
    assert client.post("/login", data={"login": "admin", "password": "pw"}).status_code == 302
    return user_id


def thing(app, name):
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        found = records.session.scalars(records.select("fx_thing").where(records.section("fx_thing").model.name == name)).first()
        return found and records.read("fx_thing", found)


def test_new_form_has_every_field_and_owner_defaults_to_me(client, admin):
    text = client.get("/fx_thing/new").get_data(as_text=True)
    for name in ("name", "stage", "amount", "owner_id", "fx_ext__colour", "version"):
        assert f'name="{name}"' in text
    assert re.search(rf'<option selected value="{admin}">admin</option>', text)


def test_create_with_a_validation_error_then_fixed(app, client, admin):
    response = client.post("/fx_thing/new", data={"name": "invalid", "fx_ext__colour": "green", "amount": "7"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "must not be &#39;invalid&#39;" in text and 'is-invalid' in text
    assert 'value="green"' in text  # what the user typed is kept
    assert thing(app, "invalid") is None
    response = client.post("/fx_thing/new", data={"name": "Valid", "fx_ext__colour": "green", "amount": "7"})
    assert response.status_code == 303
    saved = thing(app, "Valid")
    assert response.headers["Location"].endswith(f"/fx_thing/{saved['id']}")
    assert saved["fx_ext.colour"] == "green" and saved["amount"] == 7


def test_required_and_type_errors(client, admin):
    missing = client.post("/fx_thing/new", data={"name": ""})
    assert missing.status_code == 422 and "is required" in missing.get_data(as_text=True)
    wrong = client.post("/fx_thing/new", data={"name": "X", "amount": "lots"})
    assert wrong.status_code == 422 and "invalid-feedback" in wrong.get_data(as_text=True)


def test_edit_saves_and_a_stale_version_is_a_409(app, client, admin):
    client.post("/fx_thing/new", data={"name": "Desk", "amount": "1"})
    desk = thing(app, "Desk")
    form = client.get(f"/fx_thing/{desk['id']}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    ok = client.post(f"/fx_thing/{desk['id']}/edit", data={"name": "Desk", "amount": "2", "stage": "new", "version": version})
    assert ok.status_code == 303
    assert thing(app, "Desk")["amount"] == 2
    # Someone else saved in between: the old version must not overwrite their change.
    stale = client.post(f"/fx_thing/{desk['id']}/edit", data={"name": "Desk", "amount": "3", "stage": "new", "version": version})
    assert stale.status_code == 409
    assert "changed by someone else" in stale.get_data(as_text=True)
    assert thing(app, "Desk")["amount"] == 2


def test_edit_validation_error_is_422(app, client, admin):
    client.post("/fx_thing/new", data={"name": "Chair"})
    chair = thing(app, "Chair")
    response = client.post(f"/fx_thing/{chair['id']}/edit", data={"name": "invalid", "stage": "new", "version": chair["version"]})
    assert response.status_code == 422
    assert thing(app, "Chair")["name"] == "Chair"


def test_a_section_may_bring_its_own_form(app, client, admin):
    class ThingForm(FlaskForm):
        name = StringField("Title of the thing")
        fx_ext__colour = StringField("Paint")
        version = HiddenField()

    app.extensions["flowcase"].sections.get("fx_thing").form_class = ThingForm
    text = client.get("/fx_thing/new").get_data(as_text=True)
    assert "Title of the thing" in text and "Paint" in text and 'name="amount"' not in text
    assert client.post("/fx_thing/new", data={"name": "Own", "fx_ext__colour": "blue"}).status_code == 303
    assert thing(app, "Own")["fx_ext.colour"] == "blue"
