"""Named filters on the CRM lists: accounts without a planned activity, overdue activities per owner (ALTIS-LIFT)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from .common import login, today

pytestmark = pytest.mark.addons("crm")


@pytest.fixture
def portfolio(records, users):
    """Twelve accounts of alice and bob: planned, overdue-only, done-only, nothing at all."""
    alice, bob = users["alice"], users["bob"]
    with records.transaction():
        for i in range(12):
            owner = alice if i % 2 else bob
            account = records.create("account", {"name": f"Клиент {i:02d}", "owner_id": owner.id})
            kind = i % 4
            if kind == 0:  # planned next week
                records.create("activity", {"subject": f"План {i}", "account_id": account.id, "owner_id": owner.id,
                                            "due_date": today() + timedelta(days=7)})
            elif kind == 1:  # only an overdue task
                records.create("activity", {"subject": f"Просрочено {i}", "account_id": account.id,
                                            "owner_id": owner.id, "due_date": today() - timedelta(days=i)})
            elif kind == 2:  # only closed work
                records.create("activity", {"subject": f"Сделано {i}", "account_id": account.id, "status": "done",
                                            "due_date": today() - timedelta(days=1)})
    return alice, bob


def shown(response, section: str) -> list[str]:
    return re.findall(rf'<tr data-id="\d+">.*?<a href="/{section}/\d+">([^<]*)</a>', response.get_data(as_text=True), re.S)


def count_text(response) -> int:
    match = re.search(r"data-fc-count>\s*(\d+) record", response.get_data(as_text=True))
    return int(match.group(1)) if match else 0


def test_accounts_without_a_planned_activity_match_a_hand_written_count(app, client, records, portfolio):
    login(client, "admin")
    response = client.get("/account/?named=without_planned_activity")
    assert response.status_code == 200
    expected = records.session.scalar(sa.text(
        "SELECT count(*) FROM crm_account a WHERE NOT EXISTS (SELECT 1 FROM crm_activity t "
        "WHERE t.account_id = a.id AND t.status = 'open' AND (t.due_date IS NULL OR t.due_date >= :today))"
    ), {"today": today()})
    assert count_text(response) == expected == 9
    assert "Клиент 00" not in shown(response, "account") and "Клиент 01" in shown(response, "account")

    overdue = client.get("/account/?named=with_overdue_activities")
    assert sorted(shown(overdue, "account")) == ["Клиент 01", "Клиент 05", "Клиент 09"]
    # Named filters combine with the rest of the list's filters: alice's accounts with nothing planned.
    alice = portfolio[0]
    mine = client.get(f"/account/?named=without_planned_activity&f.owner_id={alice.id}")
    assert sorted(shown(mine, "account")) == ["Клиент 01", "Клиент 03", "Клиент 05", "Клиент 07", "Клиент 09", "Клиент 11"]
    # The same condition inside a saved JSON filter, negated.
    planned = client.get('/account/?filter={"not": {"named": "without_planned_activity"}}')
    assert sorted(shown(planned, "account")) == ["Клиент 00", "Клиент 04", "Клиент 08"]


def test_overdue_activities_per_owner(app, client, records, portfolio):
    alice, bob = portfolio
    login(client, "admin")
    for owner in (alice, bob):
        response = client.get(f"/activity/?named=overdue&f.owner_id={owner.id}")
        expected = records.session.scalar(sa.text(
            "SELECT count(*) FROM crm_activity WHERE status = 'open' AND due_date < :today AND owner_id = :owner"
        ), {"today": today(), "owner": owner.id})
        assert count_text(response) == expected
    assert count_text(client.get(f"/activity/?named=overdue&f.owner_id={alice.id}")) == 3


def test_mine_is_the_signed_in_users(app, client, records, portfolio):
    login(client, "bob")
    response = client.get("/activity/?named=mine")
    assert response.status_code == 200
    assert shown(response, "activity") and all(not s.startswith("Сделано") for s in shown(response, "activity"))
    bob = portfolio[1]
    expected = records.session.scalar(sa.text("SELECT count(*) FROM crm_activity WHERE owner_id = :o"), {"o": bob.id})
    assert count_text(response) == expected


def test_unknown_named_filter_is_a_clear_error(client, records, portfolio):
    login(client, "admin")
    response = client.get("/account/?named=lazy_clients")
    assert response.status_code == 400
    assert "without_planned_activity" in response.get_data(as_text=True)


def test_account_card_shows_its_planned_activity_state(client, records, portfolio):
    login(client, "admin")
    ids = dict(records.session.execute(sa.text("SELECT name, id FROM crm_account")).all())
    states = {}
    for name in ("Клиент 00", "Клиент 01", "Клиент 02", "Клиент 03"):
        page = client.get(f"/account/{ids[name]}").get_data(as_text=True)
        states[name] = re.search(r'data-fc-planned-state="(\w+)"', page).group(1)
    assert states == {"Клиент 00": "planned", "Клиент 01": "overdue", "Клиент 02": "none", "Клиент 03": "none"}
