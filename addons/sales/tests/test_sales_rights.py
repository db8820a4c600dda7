"""Seeded sales rights (data/sales_security_data.yaml) through the pages and the API.

alice and bob hold sales_user and report to manager (sales_manager). A
salesperson reads every lead but changes only their own; reads only the
team's opportunities (bob's team is bob); creates leads and opportunities for
anyone but change only their own; delete nothing; reads the catalogue; changes
product lines only of their own deals. The manager may do everything.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

pytestmark = pytest.mark.addons("sales")


def login(client, name: str) -> None:
    client.post("/logout")
    response = client.post("/login", data={"login": name, "password": name})
    assert response.status_code == 302


@pytest.fixture
def deals(records, users):
    """A lead and an opportunity (with a product line) of alice and of bob."""
    ids = {}
    with records.transaction():
        product = records.create("product", {"name": "Лифт пассажирский", "price": Decimal("1500000")})
        ids["product"] = product.id
        for login_name in ("alice", "bob"):
            owner = users[login_name].id
            ids[f"lead_{login_name}"] = records.create(
                "lead", {"company_name": f"Компания {login_name}", "owner_id": owner}).id
            opportunity = records.create("opportunity", {"name": f"Сделка {login_name}", "owner_id": owner})
            ids[f"opportunity_{login_name}"] = opportunity.id
            ids[f"line_{login_name}"] = records.create(
                "opportunity_product", {"opportunity_id": opportunity.id, "product_id": product.id}).id
    return ids


def listed(client, section: str) -> set[str]:
    html = client.get(f"/{section}/").get_data(as_text=True)
    return set(re.findall(rf'<a href="/{section}/\d+">([^<]*)</a>', html))


def test_salesperson_reads_all_leads_but_only_the_teams_opportunities(client, deals):
    login(client, "bob")
    assert {"Компания alice", "Компания bob"} <= listed(client, "lead")
    assert client.get(f"/lead/{deals['lead_alice']}").status_code == 200
    assert listed(client, "opportunity") == {"Сделка bob"}
    # A hidden record is not found, on the card, the API and its product lines alike.
    assert client.get(f"/opportunity/{deals['opportunity_alice']}").status_code == 404
    assert client.get(f"/opportunity_product/{deals['line_alice']}").status_code == 404
    assert client.get(f"/opportunity_product/{deals['line_bob']}").status_code == 200

    login(client, "manager")
    assert {"Сделка alice", "Сделка bob"} <= listed(client, "opportunity")
    assert client.get(f"/opportunity_product/{deals['line_alice']}").status_code == 200


def test_salesperson_changes_own_deals_only_and_deletes_nothing(client, records, deals, users):
    login(client, "bob")
    assert client.get(f"/lead/{deals['lead_bob']}/edit").status_code == 200
    assert client.get(f"/lead/{deals['lead_alice']}/edit").status_code == 403
    refused = client.post(f"/lead/{deals['lead_alice']}/edit", data={"company_name": "Чужой"})
    assert refused.status_code == 403
    records.session.expire_all()
    assert records.get("lead", deals["lead_alice"]).company_name == "Компания alice"

    client.post(f"/lead/{deals['lead_bob']}/delete")
    records.session.expire_all()
    assert records.get("lead", deals["lead_bob"]) is not None

    # A new lead is bob's; one made out for alice is refused and not written.
    created = client.post("/lead/new", data={"company_name": "Новый клиент", "source": "call",
                                                    "qualification_status": "", "stage_id": ""})
    assert created.status_code == 303, re.findall(r"invalid-feedback[^>]*>([^<]*)", created.get_data(as_text=True))
    new_id = int(created.headers["Location"].rsplit("/", 1)[1])
    assert records.get("lead", new_id).owner_id == users["bob"].id
    # One taken for a colleague is created as hers, and then bob may no longer change it.
    for_alice = client.post("/lead/new", data={"company_name": "Для Алисы", "source": "call",
                                               "qualification_status": "", "stage_id": "",
                                               "owner_id": users["alice"].id})
    assert for_alice.status_code == 303
    alice_lead = int(for_alice.headers["Location"].rsplit("/", 1)[1])
    assert records.get("lead", alice_lead).owner_id == users["alice"].id
    assert client.get(f"/lead/{alice_lead}/edit").status_code == 403

    # Product lines follow their opportunity: bob edits his own line.
    assert client.get(f"/opportunity_product/{deals['line_bob']}/edit").status_code == 200
    # The catalogue is read-only for salespeople.
    assert client.get(f"/product/{deals['product']}").status_code == 200
    assert client.get("/product/new").status_code == 403

    login(client, "manager")
    saved = client.post(f"/lead/{deals['lead_alice']}/edit", data={"company_name": "Компания Алисы", "source": "call",
                                                                   "qualification_status": "new", "stage_id": ""})
    assert saved.status_code == 303, saved.get_data(as_text=True)[:500]
    records.session.expire_all()
    assert records.get("lead", deals["lead_alice"]).company_name == "Компания Алисы"


def test_the_api_enforces_the_same_rights(app, client, records, deals, users):
    from core.api.keys import create_key

    with records.transaction():
        _, token = create_key(users["bob"], "test")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    assert client.get(f"/api/v1/opportunity/{deals['opportunity_alice']}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/opportunity/{deals['opportunity_bob']}", headers=headers).status_code == 200
    leads = client.get("/api/v1/lead?limit=100", headers=headers).get_json()
    assert {deals["lead_alice"], deals["lead_bob"]} <= {row["id"] for row in leads["items"]}
    patch = client.patch(f"/api/v1/lead/{deals['lead_alice']}", data=json.dumps({"need": "x"}), headers=headers)
    assert patch.status_code == 403
    line = client.patch(f"/api/v1/opportunity_product/{deals['line_alice']}", data=json.dumps({"quantity": 5}),
                        headers=headers)
    assert line.status_code == 404
    own = client.patch(f"/api/v1/opportunity_product/{deals['line_bob']}", data=json.dumps({"quantity": 2}),
                       headers=headers)
    assert own.status_code == 200, own.get_data(as_text=True)
    assert client.delete(f"/api/v1/lead/{deals['lead_bob']}", headers=headers).status_code == 403
