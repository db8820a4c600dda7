"""The /admin screens for automations, email templates and the email queue: superusers only, writes through the records service."""
import json

import pytest
import sqlalchemy as sa

from core.users import create_user

pytestmark = pytest.mark.addons("fx_base")

SCREENS = ("/admin/automations/", "/admin/automations/new/", "/admin/email_templates/", "/admin/email_templates/new/",
           "/admin/email_queue/")


def sign_in(client, login):
    assert client.post("/login", data={"login": login, "password": "pw"}).status_code == 302


def test_screens_refuse_non_superusers(app, client):
    with app.app_context():
        create_user("alice", "pw")
    sign_in(client, "alice")
    for url in SCREENS:
        assert client.get(url).status_code == 403, url


def test_a_superuser_creates_an_automation_and_a_bad_one_gets_messages_not_a_500(app, client):
    with app.app_context():
        create_user("admin", "pw", superuser=True)
    sign_in(client, "admin")
    for url in SCREENS:
        assert client.get(url).status_code == 200, url
    good = {"name": "Stamp", "section": "fx_thing", "trigger": "on_create", "actions": json.dumps(
        [{"type": "set_fields", "values": {"amount": 3}}]), "active": "y", "sequence": "10", "owner": "admin"}
    assert client.post("/admin/automations/new/", data=good).status_code == 302
    bad = {**good, "name": "Broken", "actions": "[{not json"}
    response = client.post("/admin/automations/new/", data=bad)
    assert response.status_code == 200
    assert "not valid JSON" in response.get_data(as_text=True)
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        assert records.create("fx_thing", {"name": "Made after"}).amount == 3
        names = records.session.scalars(sa.text("SELECT name FROM core_automation")).all()
        assert names == ["Stamp"]
