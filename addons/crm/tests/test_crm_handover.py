"""Changing an account's owner offers to hand over its open activities and contacts; confirming moves exactly those."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.extensions import db

from .common import login, today

pytestmark = pytest.mark.addons("crm")


@pytest.fixture
def account(records, users):
    alice, bob, manager = users["alice"], users["bob"], users["manager"]
    account = records.create("account", {"name": "Альтис-Лифт", "owner_id": alice.id})
    for first, owner in (("Андрей", alice), ("Ольга", alice), ("Пётр", bob)):
        records.create("contact", {"first_name": first, "last_name": "Кузнецов", "account_id": account.id,
                                   "owner_id": owner.id})
    for subject, owner, status in (("Звонок", alice, "open"), ("Встреча", alice, "open"),
                                   ("Старый звонок", alice, "done"), ("Задача Боба", bob, "open")):
        records.create("activity", {"subject": subject, "account_id": account.id, "owner_id": owner.id,
                                    "status": status, "due_date": today() + timedelta(days=1)})
    other = records.create("account", {"name": "Другой клиент", "owner_id": alice.id})
    records.create("activity", {"subject": "Чужой звонок", "account_id": other.id, "owner_id": alice.id})
    return account


def owners(section: str) -> dict[str, str]:
    table = {"activity": ("crm_activity", "subject"), "contact": ("crm_contact", "first_name")}[section]
    rows = db.session.execute(sa.text(
        f"SELECT t.{table[1]}, u.login FROM {table[0]} t LEFT JOIN core_user u ON u.id = t.owner_id"))
    return dict(rows.all())


def test_owner_change_offers_and_performs_the_hand_over(client, account, users):
    login(client, "admin")
    card = client.get(f"/account/{account.id}").get_data(as_text=True)
    assert "data-fc-handover-offer" not in card  # no owner change yet

    edit = client.get(f"/account/{account.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', edit) or re.search(r'value="(\d+)"[^>]*name="version"', edit)
    response = client.post(f"/account/{account.id}/edit", data={
        "name": "Альтис-Лифт", "owner_id": users["manager"].id, "version": version.group(1)}, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "data-fc-handover-offer" in page and "4 open records" in page

    offer = client.get(f"/crm/account/{account.id}/handover")
    counts = dict(re.findall(r'<tr data-section="(\w+)">.*?data-count>(\d+)<', offer.get_data(as_text=True), re.S))
    assert counts == {"activity": "2", "contact": "2"}

    done = client.post(f"/crm/account/{account.id}/handover", data={"old_owner_id": users["alice"].id},
                       follow_redirects=True)
    assert "4 records handed over" in done.get_data(as_text=True)
    assert owners("activity") == {"Звонок": "manager", "Встреча": "manager", "Старый звонок": "alice",
                                  "Задача Боба": "bob", "Чужой звонок": "alice"}
    assert owners("contact") == {"Андрей": "manager", "Ольга": "manager", "Пётр": "bob"}
    # Every move is in the change log, by the user who confirmed it.
    logged = db.session.execute(sa.text(
        "SELECT l.section, count(*) FROM core_change_log l JOIN core_user u ON u.id = l.user_id "
        "WHERE l.field = 'owner_id' AND l.operation = 'update' AND u.login = 'admin' GROUP BY l.section"
    )).all()
    assert dict(logged) == {"account": 1, "activity": 2, "contact": 2}
    # Nothing left: the offer is gone.
    assert "data-fc-handover-offer" not in client.get(f"/account/{account.id}").get_data(as_text=True)


def test_hand_over_is_all_or_nothing(app, client, account, users, records, monkeypatch):
    records.update("account", account, {"owner_id": users["manager"].id})
    login(client, "admin")
    from flowcase_addons.crm.models import Contact

    real_update = records.__class__.update

    def failing_update(self, section_name, record, values, expected_version=None):
        if isinstance(record, Contact) and record.first_name == "Ольга":
            from core.errors import ValidationError

            raise ValidationError({"owner_id": ["refused for the test"]})
        return real_update(self, section_name, record, values, expected_version)

    monkeypatch.setattr(records.__class__, "update", failing_update)
    response = client.post(f"/crm/account/{account.id}/handover", data={"old_owner_id": users["alice"].id},
                           follow_redirects=True)
    assert "Nothing was handed over" in response.get_data(as_text=True)
    db.session.expire_all()
    assert owners("activity")["Звонок"] == "alice" and owners("contact")["Андрей"] == "alice"


def test_nothing_to_hand_over_without_an_owner_change(client, account):
    login(client, "admin")
    response = client.get(f"/crm/account/{account.id}/handover", follow_redirects=True)
    assert "nothing to hand over" in response.get_data(as_text=True)


def test_the_card_offer_reads_the_change_log_once(app, client, account, users, records):
    records.update("account", account.id, {"owner_id": users["manager"].id})
    db.session.commit()
    login(client, "admin")
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        page = client.get(f"/account/{account.id}").get_data(as_text=True)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    # The history tab's read of the log also tells the offer who the previous owner was.
    assert "data-fc-handover-offer" in page and "4 open records" in page
    assert len([s for s in statements if "FROM core_change_log" in s]) == 1, statements
