"""An account card's detail grids (contacts, activities, child accounts) come from one statement."""
from __future__ import annotations

import re

import pytest

from .common import counting, login

pytestmark = pytest.mark.addons("crm")


def _grid(page: str, section: str) -> str:
    return page.split(f'data-detail="{section}"', 1)[1].split("</table>", 1)[0]


def test_every_grid_in_one_statement_each_with_its_rows(app, client, records, users):
    account = records.create("account", {"name": "Альтис-Лифт", "owner_id": users["alice"].id})
    other = records.create("account", {"name": "ATRAPAK"})
    contacts = [records.create("contact", {"last_name": f"Контакт {i}", "account_id": account.id}) for i in range(2)]
    records.create("contact", {"last_name": "Чужой", "account_id": other.id})
    activities = [records.create("activity", {"subject": f"Задача {i:02d}", "account_id": account.id}) for i in range(25)]
    child = records.create("account", {"name": "Филиал", "parent_id": account.id})
    records.session.commit()
    login(client, "admin")
    client.get(f"/account/{account.id}")
    with counting() as statements:
        page = client.get(f"/account/{account.id}").get_data(as_text=True)
    grids = [s for s in statements if "fc_grid" in s]
    # the grids, the names of every lookup shown, the change log, the planned-activity state, the timeline
    # (the account itself and the user are in this test session's identity map)
    assert len(statements) <= 5, statements
    assert len(grids) == 1, statements
    assert not [s for s in statements if s.lstrip().startswith("SELECT crm_contact.id AS id")], statements
    contact_ids = re.findall(r'<tr data-id="(\d+)">', _grid(page, "contact"))
    assert contact_ids == [str(c.id) for c in reversed(contacts)]  # newest first, the other account's not there
    activity_ids = re.findall(r'<tr data-id="(\d+)">', _grid(page, "activity"))
    assert activity_ids == [str(a.id) for a in reversed(activities)][:20]  # 20 shown, the rest one click away
    assert re.findall(r'<tr data-id="(\d+)">', _grid(page, "account")) == [str(child.id)]
    assert "Задача 24" in _grid(page, "activity") and "Филиал" in _grid(page, "account")
    details = page.split('data-detail="activity"', 1)[1].split("</div>\n  </div>", 1)[0]
    assert "Show all" in details


def test_an_account_without_children_shows_empty_grids(app, client, records, users):
    account = records.create("account", {"name": "Пусто"})
    records.session.commit()
    login(client, "admin")
    page = client.get(f"/account/{account.id}").get_data(as_text=True)
    for section in ("contact", "activity", "account"):
        assert '<tr data-id="' not in _grid(page, section)
    assert page.count("data-fc-none-yet") == 3
