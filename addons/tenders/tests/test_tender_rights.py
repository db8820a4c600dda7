"""Seeded rights: salespeople read every tender but enter results and collect prices only on their own."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.api.keys import create_key
from tests.api_support import Api

from .common import customer_group, offers

pytestmark = pytest.mark.addons("tenders")


def test_bob_reads_alices_tender_but_may_not_decide_it(app_ctx, records, users, client, login):
    group = customer_group(records)
    tender = records.create("tender", {"name": "Арматура", "account_id": group["plant"].id,
                                       "our_bid": Decimal("100"), "owner_id": users["alice"].id})
    offers(records, tender, group["suppliers"], (100, 120, 130))
    records.session.commit()
    _, token = create_key(users["bob"], "bob's key")
    api = Api(client, token)
    login("bob")

    assert client.get(f"/tender/{tender.id}").status_code == 200
    assert client.get(f"/tenders/tender/{tender.id}/result").status_code == 403
    assert client.post(f"/tenders/tender/{tender.id}/result", data={"result": "won"}).status_code == 403
    assert client.post(f"/tenders/tender/{tender.id}/collect-past-prices").status_code == 403
    response = api.post(f"/tender/{tender.id}/actions/tenders.enter_result", {"params": {"result": "won"}})
    assert response.status_code == 403
    assert api.patch(f"/tender/{tender.id}", {"our_bid": 1}).status_code == 403
    assert api.delete(f"/tender/{tender.id}").status_code == 403
    records.session.expire_all()
    assert records.get("tender", tender.id).result == "pending"

    # His own tender he may create and change; the stage lookup he only reads.
    own = api.post("/tender", {"name": "Своя закупка", "account_id": group["sister"].id})
    assert own.status_code == 201, own.get_json()
    assert own.get_json()["owner_id"] == users["bob"].id
    assert api.patch(f"/tender/{own.get_json()['id']}", {"our_bid": 5}).status_code == 200
    assert api.post("/tender_stage", {"name": "X", "stage_set": "tender"}).status_code == 403


def test_a_result_is_entered_only_by_the_action(app_ctx, records, users):
    """Setting ``result`` by hand on any door would skip closing the sale and forming the contracts."""
    from core.errors import ValidationError

    group = customer_group(records)
    tender = records.create("tender", {"name": "Арматура", "account_id": group["plant"].id})
    with pytest.raises(ValidationError, match="Enter the result"):
        records.update("tender", tender, {"result": "won"})
    with pytest.raises(ValidationError, match="Enter the result"):
        records.create("tender", {"name": "Сразу выигран", "result": "won"})
    records.session.rollback()
    assert records.get("tender", tender.id).result == "pending"
