"""Inline add and edit in a card's detail grids: server-rendered rows, messages in the row, conflicts as a message."""
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from core.demo_users import ensure_demo_users
from core.extensions import db
from core.models import ChangeLog

pytestmark = pytest.mark.addons("crm")


class _Inputs(HTMLParser):
    """The name → value pairs a browser would post from a form row (inputs, checked boxes, selected options)."""

    def __init__(self):
        super().__init__()
        self.values, self._select, self._first = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and (attrs.get("type") != "checkbox" or "checked" in attrs):
            self.values[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea" and attrs.get("name"):
            self.values[attrs["name"]] = ""
        elif tag == "select":
            self._select, self._first = attrs.get("name"), True
        elif tag == "option" and self._select:
            if self._first or "selected" in attrs:
                self.values[self._select] = attrs.get("value", "")
            self._first = False

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def inputs(html: str) -> dict:
    parser = _Inputs()
    parser.feed(html)
    return parser.values


def login(client, name):
    client.post("/logout")
    assert client.post("/login", data={"login": name, "password": name}).status_code == 302


@pytest.fixture
def world(app):
    with app.app_context():
        users = ensure_demo_users()
        ids = {login: user.id for login, user in users.items()}
        records = app.extensions["flowcase"].records(sudo=True)
        ids["account"] = records.create("account", {"name": "Grid Ltd", "owner_id": ids["alice"]}).id
        ids["call"] = records.create("activity", {"subject": "First call", "owner_id": ids["alice"],
                                                  "account_id": ids["account"]}).id
        ids["managers"] = records.create("activity", {"subject": "Manager's visit", "owner_id": ids["manager"],
                                                      "account_id": ids["account"]}).id
    return ids


def activity(app, activity_id):
    with app.app_context():
        model = app.extensions["flowcase"].sections.get("activity").model
        return db.session.get(model, activity_id)


def test_the_card_offers_inline_add_and_edit(client, world):
    login(client, "alice")
    page = client.get(f"/account/{world['account']}").get_data(as_text=True)
    grid = page.split('data-detail="activity"', 1)[1].split("</table>", 1)[0]
    assert f"/activity/row/new?fk=account_id&amp;parent={world['account']}" in grid
    assert f"/activity/{world['call']}/row/edit?fk=account_id" in grid


def test_add_a_row_with_an_error_then_fixed(app, client, world):
    login(client, "alice")
    url = f"/activity/row/new?fk=account_id&parent={world['account']}"
    row = client.get(url)
    assert row.status_code == 200 and "data-fc-new-row" in row.get_data(as_text=True)
    data = inputs(row.get_data(as_text=True))
    assert "subject" in data and "account_id" not in data  # the parent is given by the grid
    refused = client.post(url, data={**data, "subject": ""})
    assert refused.status_code == 422
    assert 'data-fc-row-error="subject"' in refused.get_data(as_text=True)
    saved = client.post(url, data={**data, "subject": "Inline follow-up"})
    assert saved.status_code == 201
    new_id = int(re.search(r'<tr data-id="(\d+)"', saved.get_data(as_text=True)).group(1))
    assert "Inline follow-up" in saved.get_data(as_text=True)
    created = activity(app, new_id)
    assert created.account_id == world["account"] and created.owner_id == world["alice"]


def test_edit_a_row_in_place_and_the_change_is_logged(app, client, world):
    login(client, "alice")
    url = f"/activity/{world['call']}/row/edit?fk=account_id"
    form = client.get(url).get_data(as_text=True)
    assert f'data-id-editing="{world["call"]}"' in form
    data = inputs(form)
    response = client.post(url, data={**data, "subject": "First call, rescheduled"})
    assert response.status_code == 200
    assert re.search(rf'<tr data-id="{world["call"]}">', response.get_data(as_text=True))
    assert activity(app, world["call"]).subject == "First call, rescheduled"
    with app.app_context():
        assert db.session.scalar(sa.select(ChangeLog.new_value).where(
            ChangeLog.section == "activity", ChangeLog.record_id == world["call"], ChangeLog.field == "subject"))
    # Cancel puts the display row back.
    shown = client.get(f"/activity/{world['call']}/row?fk=account_id")
    assert shown.status_code == 200 and "First call, rescheduled" in shown.get_data(as_text=True)


def test_a_stale_row_is_a_conflict_message_not_a_500(app, client, world):
    login(client, "alice")
    url = f"/activity/{world['call']}/row/edit?fk=account_id"
    data = inputs(client.get(url).get_data(as_text=True))
    with app.app_context():  # someone else saves first
        app.extensions["flowcase"].records(sudo=True).update("activity", world["call"], {"subject": "Changed meanwhile"})
    response = client.post(url, data={**data, "subject": "Mine"})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "data-fc-conflict" in text and "changed by someone else" in text
    assert activity(app, world["call"]).subject == "Changed meanwhile"


def test_rights_apply_to_rows_as_to_pages(app, client, world):
    login(client, "alice")  # sales_user: changes her own activities only
    assert client.get(f"/activity/{world['managers']}/row/edit?fk=account_id").status_code == 403
    assert client.post(f"/activity/{world['managers']}/row/edit?fk=account_id",
                       data={"subject": "Hijacked"}).status_code == 403
    assert activity(app, world["managers"]).subject == "Manager's visit"
    assert client.get(f"/activity/{world['call']}/row/edit?fk=no_such_field").status_code == 400
    assert client.get(f"/activity/row/new?fk=account_id&parent=999999").status_code == 404
    assert client.get(f"/activity/row/new?fk=account_id&parent=x").status_code == 400


def test_the_card_and_its_grids_share_one_name_query_per_table(app, client, world):
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        records.create("contact", {"first_name": "Gina", "last_name": "Grid", "account_id": world["account"],
                                   "owner_id": world["manager"]})
        engine = db.engine
    login(client, "manager")
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        page = client.get(f"/account/{world['account']}").get_data(as_text=True)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    # The account's owner, the contact's and the activities' owners: one lookup of user names, not one per grid.
    user_names = [s for s in statements for _ in re.finditer(r"FROM core_user\s+WHERE core_user\.id IN", s)]
    assert len(user_names) == 1, user_names
    contacts = page.split('data-detail="contact"', 1)[1].split("</table>", 1)[0]
    activities = page.split('data-detail="activity"', 1)[1].split("</table>", 1)[0]
    with app.app_context():
        from core.models import User

        manager, alice = (db.session.get(User, world[name]).name for name in ("manager", "alice"))
    assert manager in contacts
    assert manager in activities and alice in activities


def test_a_list_asks_the_names_of_all_its_lookup_tables_in_one_statement(app, client, world):
    with app.app_context():
        records = app.extensions["flowcase"].records(sudo=True)
        contact = records.create("contact", {"first_name": "Lou", "last_name": "Kup", "account_id": world["account"]}).id
        records.update("activity", world["call"], {"contact_id": contact})
        engine = db.engine
    login(client, "manager")
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        page = client.get("/activity/?cols=subject,account_id,contact_id,owner_id").get_data(as_text=True)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    lookup = re.compile(r"FROM (crm_account|crm_contact|core_user)\s+WHERE \w+\.id IN")
    asking = [s for s in statements if lookup.search(s)]
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect == "postgresql":  # the names come with the page's rows (core.ui.page_names)
        assert not asking, asking
        assert [s for s in statements if "fc_name_account_id" in s and "fc_name_contact_id" in s], statements
    else:
        assert len(asking) == 1, asking
        # the users' names come from the bulk "change owner" choices the page reads anyway
        assert {m.group(1) for m in lookup.finditer(asking[0])} == {"crm_account", "crm_contact"}
    row = page.split(f'<tr data-id="{world["call"]}"', 1)[1].split("</tr>", 1)[0]
    assert "Grid Ltd" in row and "Lou Kup" in row
