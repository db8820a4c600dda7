"""Contracts follow their stage set through the core process engine: a task per stage, the stage sets the state."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.addons("contracts")


def _tasks(records, contract_id) -> list[str]:
    Activity = records.section("activity").model
    return list(records.session.scalars(sa.select(Activity.subject).where(
        Activity.section == "contract", Activity.record_id == contract_id).order_by(Activity.id)))


def test_a_new_contract_starts_in_draft_with_its_task_and_moves_on(app_ctx, records, users, xid):
    alice = app_ctx.extensions["flowcase"].records(users["alice"])
    account = records.create("account", {"name": "ТЕХНАБ"})
    contract = alice.create("contract", {"name": "Поставка", "account_id": account.id, "amount": "10"})
    assert (contract.stage_id, contract.state, contract.owner_id) == (
        xid("stage_contract_draft"), "draft", users["alice"].id)
    assert _tasks(records, contract.id) == ["Prepare the contract draft and the payment schedule"]

    alice.set_stage("contract", contract, xid("stage_contract_execution"))
    assert contract.state == "active"
    assert _tasks(records, contract.id)[-1] == "Control the planned payments and the delivery under the contract"
    alice.set_stage("contract", contract, xid("stage_contract_closed"))
    assert contract.state == "closed"


def test_a_closed_contract_only_reopens_to_execution(app_ctx, records, xid):
    from core.errors import ValidationError

    account = records.create("account", {"name": "ТЕХНАБ"})
    contract = records.create("contract", {"name": "Поставка", "account_id": account.id, "amount": "10",
                                           "stage_id": xid("stage_contract_closed")})
    assert contract.state == "closed"
    with pytest.raises(ValidationError):
        records.set_stage("contract", contract, xid("stage_contract_draft"))
    records.session.rollback()
    contract = records.get("contract", contract.id)
    assert contract.stage_id == xid("stage_contract_closed")
