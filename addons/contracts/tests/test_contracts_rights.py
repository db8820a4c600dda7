"""Rights seeded by the add-on: a salesperson sees and prints only own contracts and their payments, on every door;
the sales manager sees them all."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from core.api.keys import create_key
from core.errors import RecordNotFound, ValidationError

from .conftest import login

pytestmark = pytest.mark.addons("contracts")


@pytest.fixture
def world(app_ctx, records, users):
    """One contract of alice and one of bob, each with a planned payment and a payment."""
    out = {}
    with records.transaction():
        account = records.create("account", {"name": "ТЕХНАБ"})
        for login_name in ("alice", "bob"):
            contract = records.create("contract", {"name": f"Договор {login_name}", "account_id": account.id,
                                                   "amount": "1000", "owner_id": users[login_name].id})
            plan = records.create("contract_payment", {"contract_id": contract.id, "amount": "400",
                                                       "planned_date": date.today() + timedelta(days=3)})
            paid = records.create("contract_paid", {"contract_id": contract.id, "amount": "100",
                                                    "planned_payment_id": plan.id})
            out[login_name] = {"contract": contract.id, "plan": plan.id, "paid": paid.id, "number": contract.number}
    return out


def test_records_service_limits_alice_to_her_contracts_and_their_details(app_ctx, world, users):
    alice = app_ctx.extensions["flowcase"].records(users["alice"])
    session = alice.session
    for section, key in (("contract", "contract"), ("contract_payment", "plan"), ("contract_paid", "paid")):
        ids = set(session.scalars(alice.select(section).with_only_columns(alice.section(section).model.id)))
        assert ids == {world["alice"][key]}, section
        with pytest.raises(RecordNotFound):
            alice.get(section, world["bob"][key])
    # Recording a payment on bob's contract is refused as if it did not exist; nothing is written.
    with pytest.raises(ValidationError) as error:
        alice.create("contract_paid", {"contract_id": world["bob"]["contract"], "amount": "5"})
    assert "contract_id" in error.value.errors
    manager = app_ctx.extensions["flowcase"].records(users["manager"])
    assert len(session.scalars(manager.select("contract_paid")).all()) == 2


def test_pages_api_and_print_give_alice_only_her_own(app, client, world, users):
    login(client, "alice")
    listing = client.get("/contract/").get_data(as_text=True)
    assert world["alice"]["number"] in listing and world["bob"]["number"] not in listing
    assert client.get(f"/contract/{world['bob']['contract']}").status_code == 404
    assert client.get(f"/contract_payment/{world['bob']['plan']}").status_code == 404
    assert client.get(f"/contract/{world['bob']['contract']}/print/contract").status_code == 404
    assert client.get(f"/contract/{world['alice']['contract']}/print/contract").status_code == 200
    _, token = create_key(users["alice"], "alice")
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get("/api/v1/contract_paid", headers=headers).get_json()
    assert [row["id"] for row in body["items"]] == [world["alice"]["paid"]]
    assert client.get(f"/api/v1/contract/{world['bob']['contract']}", headers=headers).status_code == 404
    response = client.post("/api/v1/contract_paid", headers=headers, data=json.dumps(
        {"contract_id": world["bob"]["contract"], "amount": "5"}), content_type="application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["contract_id"]


def test_alice_may_not_delete_a_contract_but_the_manager_may(app_ctx, world, users, records):
    from core.errors import AccessDenied

    alice = app_ctx.extensions["flowcase"].records(users["alice"])
    with pytest.raises(AccessDenied):
        alice.delete("contract_payment", world["alice"]["plan"])
    manager = app_ctx.extensions["flowcase"].records(users["manager"])
    fresh = records.create("contract", {"name": "Без платежей", "account_id": records.get(
        "contract", world["alice"]["contract"]).account_id, "amount": "1"})
    records.create("contract_payment", {"contract_id": fresh.id, "amount": "1", "planned_date": date.today()})
    manager.delete("contract", fresh.id)
    Plan = records.section("contract_payment").model
    assert records.session.scalar(sa.select(sa.func.count()).select_from(Plan).where(Plan.contract_id == fresh.id)) == 0
