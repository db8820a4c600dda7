"""Contract numbers come from the configurable sequence: "Д-<year>-0001", per year, per direction, never twice."""
from __future__ import annotations

from datetime import date

import pytest

from core.errors import ValidationError

pytestmark = pytest.mark.addons("contracts")


@pytest.fixture
def account(records):
    return records.create("account", {"name": "ООО «Альтис-Лифт»"})


def _contract(records, account, **values):
    return records.create("contract", {"name": "Договор", "account_id": account.id, "amount": "100", **values})


def test_numbers_follow_the_seeded_sequence_and_restart_each_year(records, account, xid):
    this_year = date.today().year
    first = _contract(records, account)
    second = _contract(records, account, direction="expense")
    assert (first.number, second.number) == (f"Д-{this_year}-0001", f"Д-{this_year}-0002")
    next_year = _contract(records, account, date=date(this_year + 1, 1, 10))
    assert next_year.number == f"Д-{this_year + 1}-0001"
    sequence = records.get("contract_sequence", xid("sequence_contract"))
    assert (sequence.counter_year, sequence.next_number) == (this_year + 1, 2)


def test_a_typed_number_is_kept_and_a_duplicate_refused(records, account):
    typed = _contract(records, account, number="44-ФЗ/17")
    assert typed.number == "44-ФЗ/17"
    with pytest.raises(ValidationError, match="unique"):
        _contract(records, account, number="44-ФЗ/17")
    assert _contract(records, account).number.endswith("-0001")  # the refused create took no number


def test_an_admin_configures_a_sequence_for_expense_contracts(records, account, xid):
    records.create("contract_sequence", {"name": "Закупки", "code": "purchase", "direction": "expense",
                                         "prefix": "ЗК-", "padding": 3, "per_year": False})
    assert _contract(records, account, direction="expense").number == "ЗК-001"
    assert _contract(records, account, direction="expense").number == "ЗК-002"
    assert _contract(records, account).number == f"Д-{date.today().year}-0001"


def test_without_any_sequence_the_user_is_told_to_type_a_number(records, account, xid):
    records.delete("contract_sequence", xid("sequence_contract"))
    with pytest.raises(ValidationError) as error:
        _contract(records, account)
    assert "number" in error.value.errors
    assert _contract(records, account, number="Б/Н-1").number == "Б/Н-1"
