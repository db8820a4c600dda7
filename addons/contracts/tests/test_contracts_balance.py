"""A contract whose planned payments are partly paid: the card shows paid, remaining balance, overdue and what is expected when."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from .conftest import login

pytestmark = pytest.mark.addons("contracts")

TODAY = date.today()


@pytest.fixture
def deal(app_ctx, records, users):
    """ТЕХНАБ-like contract of 1 000 000: advance paid, progress partly paid and overdue, final due next month."""
    with records.transaction():
        account = records.create("account", {"name": "ООО «ТЕХНАБ»"})
        contract = records.create("contract", {"name": "Поставка лифтов", "account_id": account.id,
                                               "direction": "income", "amount": "1000000",
                                               "owner_id": users["alice"].id})
        advance = records.create("contract_payment", {"contract_id": contract.id, "kind": "advance",
                                                      "planned_date": TODAY - timedelta(days=40), "amount": "300000"})
        progress = records.create("contract_payment", {"contract_id": contract.id, "kind": "progress",
                                                       "planned_date": TODAY - timedelta(days=5), "amount": "400000"})
        final = records.create("contract_payment", {"contract_id": contract.id, "kind": "final",
                                                    "planned_date": TODAY + timedelta(days=35), "amount": "300000"})
        records.create("contract_paid", {"contract_id": contract.id, "date": TODAY - timedelta(days=38),
                                         "amount": "300000", "planned_payment_id": advance.id})
        records.create("contract_paid", {"contract_id": contract.id, "date": TODAY - timedelta(days=2),
                                         "amount": "150000", "planned_payment_id": progress.id})
    return {"contract": contract, "advance": advance, "progress": progress, "final": final}


def test_recording_payments_updates_the_planned_payments(records, deal):
    advance, progress, final = (records.get("contract_payment", deal[k].id) for k in ("advance", "progress", "final"))
    assert (advance.state, advance.paid_amount, advance.remaining) == ("paid", Decimal("300000.00"), Decimal("0.00"))
    assert advance.paid_date == TODAY - timedelta(days=38)
    assert (progress.state, progress.paid_amount, progress.remaining) == ("overdue", Decimal("150000"), Decimal("250000"))
    assert progress.paid_date is None
    assert final.state == "planned"
    assert {advance.direction, progress.direction} == {"income"}


def test_card_shows_paid_balance_overdue_and_expected_periods(app, client, records, deal, contracts):
    contract = deal["contract"]
    assert contracts.balance.contract_totals(records, contract.id) == {
        "paid": Decimal("450000.00"), "balance": Decimal("550000.00"), "overdue": Decimal("250000.00"),
        "planned": Decimal("1000000.00")}
    login(client, "alice")
    page = client.get(f"/contract/{contract.id}").get_data(as_text=True)
    panel = page.split("data-contract-balance", 1)[1]
    totals = dict(re.findall(r'data-total="(\w+)">([^<]+)<', panel))
    assert totals == {"amount": "1,000,000.00 RUB", "paid": "450,000.00 RUB", "balance": "550,000.00 RUB",
                      "overdue": "250,000.00 RUB"}
    periods = re.findall(r'data-period="([^"]+)">\s*<td>.*?</td>\s*<td class="text-end">([^<]+)</td>', panel, re.S)
    final_month = (TODAY + timedelta(days=35)).strftime("%Y-%m")
    assert periods == [("overdue", "250,000.00 RUB"), (final_month, "300,000.00 RUB")]


def test_a_payment_is_recorded_from_the_planned_payment_card(client, records, deal):
    login(client, "alice")
    progress = deal["progress"]
    page = client.get(f"/contract_payment/{progress.id}").get_data(as_text=True)
    link = re.search(r'data-action="record-payment" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    form = client.get(link).get_data(as_text=True)
    assert 'value="250000.00"' in form  # the rest still expected is offered
    # What the browser sends back: the offered values, the empty "—" of the choices it did not touch.
    response = client.post(link, data={"contract_id": deal["contract"].id, "planned_payment_id": progress.id,
                                       "amount": "250000.00", "date": TODAY.isoformat(), "invoice_id": "",
                                       "direction": "", "description": ""})
    assert response.status_code == 303
    records.session.expire_all()
    assert records.get("contract_payment", progress.id).state == "paid"
    assert "data-planned-payment-actions" not in client.get(f"/contract_payment/{progress.id}").get_data(as_text=True)


def test_a_payment_taken_back_reopens_the_planned_payment(records, deal, contracts):
    paid = records.session.scalars(records.select("contract_paid").where(
        contracts.models.ContractPayment.planned_payment_id == deal["advance"].id)).one()
    records.delete("contract_paid", paid)
    advance = records.get("contract_payment", deal["advance"].id)
    assert (advance.state, advance.paid_amount, advance.paid_date) == ("overdue", Decimal("0"), None)
    assert contracts.balance.contract_totals(records, deal["contract"].id)["overdue"] == Decimal("550000.00")


def test_planned_payments_are_named_after_the_contract_and_follow_its_changes(records, deal):
    contract, final = deal["contract"], deal["final"]
    assert final.name == f"{contract.number} · {final.planned_date:%d.%m.%Y}"
    records.update("contract", contract, {"number": "ТН-77", "direction": "expense"})
    final = records.get("contract_payment", final.id)
    assert (final.name, final.direction) == (f"ТН-77 · {final.planned_date:%d.%m.%Y}", "expense")
    Paid = records.section("contract_paid").model
    assert set(records.session.scalars(records.select("contract_paid").with_only_columns(Paid.direction))) == {
        "expense"}


def test_an_invoice_marks_a_future_planned_payment_invoiced(records, deal):
    records.create("contract_invoice", {"contract_id": deal["contract"].id, "number": "СЧ-1", "amount": "300000",
                                        "planned_payment_id": deal["final"].id})
    assert records.get("contract_payment", deal["final"].id).state == "invoiced"


def test_the_nightly_job_marks_past_planned_payments_overdue(records, deal, contracts):
    final = records.get("contract_payment", deal["final"].id)
    later = TODAY + timedelta(days=40)
    with records.transaction():
        assert contracts.balance.mark_overdue(records, later) == 1
    assert final.state == "overdue"
    with records.transaction():
        assert contracts.balance.mark_overdue(records, later) == 0


def test_the_periodic_job_is_scheduled_after_midnight(app, records, deal):
    from datetime import datetime

    from core.jobs import run_periodic_now

    # Written as "planned" by hand (an import of old data): the job corrects it.
    stale = records.create("contract_payment", {"contract_id": deal["contract"].id, "amount": "10",
                                                "planned_date": TODAY - timedelta(days=1), "state": "planned"})
    records.session.commit()
    assert "flowcase.periodic.contracts.mark_overdue" in run_periodic_now(app, datetime(2026, 1, 5, 0, 10))
    records.session.expire_all()
    assert records.get("contract_payment", stale.id).state == "overdue"


def test_empty_choices_and_amounts_mean_the_defaults(records, deal):
    bare = records.create("contract", {"name": "Рамочный", "account_id": deal["contract"].account_id,
                                       "amount": None, "currency": None, "direction": None, "date": None})
    assert (bare.amount, bare.currency, bare.direction, bare.state, bare.date) == (0, "RUB", "income", "draft", TODAY)
    plan = records.create("contract_payment", {"contract_id": bare.id, "kind": None, "amount": "5",
                                               "planned_date": TODAY})
    assert (plan.kind, plan.paid_amount, plan.remaining) == ("advance", 0, Decimal("5"))


def test_bad_input_is_refused_with_reasons(records, deal, users):
    from core.errors import ValidationError

    contract = deal["contract"]
    with pytest.raises(ValidationError) as error:
        records.create("contract_payment", {"contract_id": contract.id, "planned_date": TODAY, "amount": "-5"})
    assert "amount" in error.value.errors
    other = records.create("contract", {"name": "Другой", "account_id": contract.account_id, "amount": "10"})
    with pytest.raises(ValidationError) as error:
        records.create("contract_paid", {"contract_id": other.id, "amount": "5",
                                         "planned_payment_id": deal["final"].id})
    assert "planned_payment_id" in error.value.errors
    with pytest.raises(ValidationError) as error:
        records.update("contract", contract, {"currency": "rub", "parent_contract_id": contract.id})
    assert {"currency", "parent_contract_id"} <= set(error.value.errors)
    with pytest.raises(ValidationError, match="cancel"):
        records.delete("contract", contract)
    assert records.get("contract", contract.id).amount == Decimal("1000000")


def test_the_contract_shows_on_its_opportunity_and_on_the_account_timeline(app, client, records, deal, users):
    contract = deal["contract"]
    with records.transaction():
        opportunity = records.create("opportunity", {"name": "Лифты", "account_id": contract.account_id,
                                                     "owner_id": users["alice"].id})
        records.update("contract", contract, {"opportunity_id": opportunity.id})
    login(client, "alice")
    page = client.get(f"/opportunity/{opportunity.id}").get_data(as_text=True)
    panel = page.split("data-opportunity-contracts", 1)[1]
    assert f'data-contract="{contract.id}"' in panel and contract.number in panel
    account_page = client.get(f"/account/{contract.account_id}").get_data(as_text=True)
    assert f"{contract.number} · Поставка лифтов" in account_page
    login(client, "bob")  # bob may not read alice's contract: neither place mentions it
    response = client.get(f"/account/{contract.account_id}")
    assert response.status_code == 200 and "ООО «ТЕХНАБ»" in response.get_data(as_text=True)
    assert contract.number not in response.get_data(as_text=True)


def test_the_balance_panel_costs_the_same_statements_for_three_or_thirty_planned_payments(app, client, records, deal):
    import sqlalchemy as sa

    from core.extensions import db

    def statements_of_card() -> list:
        seen = []

        def count(conn, cursor, statement, *args):
            if "contracts_planned_payment" in statement or "contracts_payment" in statement:
                seen.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/contract/{deal['contract'].id}").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return seen

    login(client, "alice")
    few = statements_of_card()
    with records.transaction():
        for day in range(27):
            records.create("contract_payment", {"contract_id": deal["contract"].id, "amount": "10",
                                                "planned_date": TODAY + timedelta(days=60 + day * 10)})
    many = statements_of_card()
    assert len(many) == len(few) <= 6

