"""TECHNAB (CASES.md case 1) end to end through the pages and the REST API.

A lead of Kola NPP becomes an opportunity; the tender for it collects price
offers and an earlier contract of the Rosatom group; the result form enters
the win, which closes the sale, creates the implementation with its project,
forms the contract pool with planned payments, and sets the tasks. A loss
closes the sale as lost with its reason.
"""
from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.api.keys import create_key
from tests.api_support import Api

from .common import customer_group, past_contract

pytestmark = pytest.mark.addons("tenders")


def _id(response) -> int:
    return int(re.search(r"/(\d+)$", response.headers["Location"]).group(1))


def _tasks(records, section: str, record_id: int) -> list:
    Activity = records.section("activity").model
    return list(records.session.scalars(sa.select(Activity).where(
        Activity.section == section, Activity.record_id == record_id).order_by(Activity.id)))


def _case_of(records, section: str, record_id: int) -> str:
    from core.process.models import ProcessCase, ProcessRecord

    return records.session.scalar(sa.select(ProcessCase.code).join(ProcessRecord, ProcessRecord.case_id == ProcessCase.id)
                                  .where(ProcessRecord.section == section, ProcessRecord.record_id == record_id))


@pytest.fixture
def story(app_ctx, records, users, client, login):
    """Alice (a salesperson) signed in on the client and holding an API key; the Rosatom group; an earlier contract."""
    group = customer_group(records)
    # Alice's own earlier contract: salespeople read only their own contracts (the contracts add-on's rights).
    past_contract(records, group["sister"], 1_100_000, date(2025, 6, 1), owner=users["alice"])
    records.session.commit()
    _, token = create_key(users["alice"], "alice's key")
    login("alice")
    return {"group": group, "api": Api(client, token), "client": client, "alice": users["alice"]}


def _opportunity_from_lead(story) -> int:
    api, client, plant = story["api"], story["client"], story["group"]["plant"]
    lead = api.post("/lead", {"name": "Насосы для Кольской АЭС", "account_id": plant.id,
                              "need": "Поставка насосных агрегатов по тендеру", "owner_id": story["alice"].id})
    assert lead.status_code == 201, lead.get_json()
    response = client.post(f"/sales/lead/{lead.get_json()['id']}/convert")
    assert response.status_code == 302 and "/opportunity/" in response.headers["Location"]
    return _id(response)


def _tender_with_monitoring(story, opportunity_id: int) -> tuple[int, list[int]]:
    api, client, group = story["api"], story["client"], story["group"]
    # The opportunity's card offers to register its tender, with the sale's customer filled in.
    card = client.get(f"/opportunity/{opportunity_id}").get_data(as_text=True)
    button = re.search(r'href="([^"]*)"[^>]*>Register a tender<|data-tenders-action="new-tender"\s+href="([^"]*)"', card)
    assert button is not None
    form = client.get(button.group(1) or button.group(2).replace("&amp;", "&")).get_data(as_text=True)
    assert f'value="{group["plant"].id}"' in form
    response = client.post("/tender/new", data={
        "name": "Поставка насосных агрегатов ЦНС 180-85", "account_id": group["plant"].id,
        "opportunity_id": opportunity_id, "purchase_number": "32615000042", "platform": "Фабрикант",
        "nmc_method": "median", "currency": "RUB", "result": "pending", "our_bid": "1150000",
        "advance_percent": "30", "execution_days": "60"})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    tender_id = _id(response)
    # The opportunity was switched to the tender-sale case at once: no stale offer to switch is shown.
    assert "data-process-switch" not in client.get(f"/tender/{tender_id}").get_data(as_text=True)
    patched = api.patch(f"/tender/{tender_id}", {"submission_deadline": "2026-04-01T10:00:00+03:00"})
    assert patched.status_code == 200, patched.get_json()
    offer_ids = []
    for supplier, price, advance, days in zip(group["suppliers"], (1_000_000, 1_200_000, 1_300_000),
                                              (50, 30, 0), (45, 30, 20)):
        offer = api.post("/tender_offer", {"tender_id": tender_id, "account_id": supplier.id, "price": price,
                                           "offer_date": "2026-03-02", "advance_percent": advance,
                                           "delivery_days": days})
        assert offer.status_code == 201, offer.get_json()
        offer_ids.append(offer.get_json()["id"])
    assert client.post(f"/tenders/tender/{tender_id}/collect-past-prices").status_code == 302
    return tender_id, offer_ids


def test_case_1_lead_to_won_tender_to_implementation_contracts_and_budget(app_ctx, records, story, xid):
    api, client, alice = story["api"], story["client"], story["alice"]
    opportunity_id = _opportunity_from_lead(story)
    tender_id, offer_ids = _tender_with_monitoring(story, opportunity_id)

    # The opportunity now follows the tender sale, whose first stage asks to register the tender.
    assert _case_of(records, "opportunity", opportunity_id) == "technab_tender_sale"
    assert [t.subject for t in _tasks(records, "opportunity", opportunity_id) if t.status == "open"] == [
        "Зарегистрировать тендер: номер закупки, площадка, срок подачи"]
    # The tender's own stage set put its first task in Alice's schedule; each offer got its request task.
    tender_tasks = _tasks(records, "tender", tender_id)
    assert [(t.subject, t.owner_id) for t in tender_tasks] == [
        ("Изучить закупочную документацию и требования заказчика", alice.id)]
    assert len(_tasks(records, "tender_offer", offer_ids[0])) == 1

    # The card: NMC (median of the three offers) beside every bid, the earlier contract included in the list.
    tender = api.get(f"/tender/{tender_id}").get_json()
    assert Decimal(str(tender["nmc"])) == Decimal("1200000.00")
    html = client.get(f"/tender/{tender_id}").get_data(as_text=True)
    assert "1\u00a0200\u00a0000.00" in re.search(r"data-tenders-nmc>([^<]*)<", html).group(1)
    assert len(re.findall(r"data-price>", html)) == 4  # three offers and one earlier contract

    # Enter the win on the result form, choosing the cheapest supplier (the form's ticks are the choice:
    # an offer marked chosen earlier but unticked is not taken).
    assert api.patch(f"/tender_offer/{offer_ids[1]}", {"chosen": True}).status_code == 200
    assert client.get(f"/tenders/tender/{tender_id}/result").status_code == 200
    response = client.post(f"/tenders/tender/{tender_id}/result", data={
        "result": "won", "result_date": "2026-04-10", "suppliers": [str(offer_ids[0])]})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert "/tender_implementation/" in response.headers["Location"]
    implementation_id = _id(response)
    records.session.expire_all()

    tender = api.get(f"/tender/{tender_id}").get_json()
    assert (tender["result"], tender["result_date"], tender["stage_id"]) == ("won", "2026-04-10", xid("stage_tender_won"))
    opportunity = api.get(f"/opportunity/{opportunity_id}").get_json()
    assert opportunity["stage_id"] == xid("sales.stage_opportunity_won")
    assert Decimal(str(opportunity["amount"])) == Decimal("1150000")
    assert [api.get(f"/tender_offer/{i}").get_json()["chosen"] for i in offer_ids] == [True, False, False]
    # The offers not taken are rejected; their open request tasks are cancelled.
    assert [api.get(f"/tender_offer/{i}").get_json()["stage_id"] for i in offer_ids] == [
        xid("stage_offer_chosen"), xid("stage_offer_rejected"), xid("stage_offer_rejected")]
    assert {t.status for t in _tasks(records, "tender_offer", offer_ids[1])} == {"cancelled"}

    implementation = api.get(f"/tender_implementation/{implementation_id}").get_json()
    assert (implementation["tender_id"], implementation["opportunity_id"], implementation["account_id"]) == (
        tender_id, opportunity_id, story["group"]["plant"].id)
    assert implementation["stage_id"] == xid("stage_implementation_contracting")
    assert [Decimal(str(implementation[k])) for k in ("income", "expense", "margin")] == [
        Decimal("1150000"), Decimal("1000000"), Decimal("150000")]

    # The project from the delivery template, linked to the implementation, its tasks in Alice's schedule.
    project = api.get(f"/project/{implementation['project_id']}").get_json()
    assert (project["section"], project["record_id"]) == ("tender_implementation", implementation_id)
    assert project["account_id"] == story["group"]["plant"].id
    execution = _tasks(records, "project", project["id"])
    assert [t.subject for t in execution] == [
        "Разместить заказы у поставщиков", "Контролировать изготовление и отгрузку",
        "Доставить оборудование на станцию", "Приёмка и закрывающие документы"]
    assert {t.owner_id for t in execution} == {alice.id}
    contracting = _tasks(records, "tender_implementation", implementation_id)
    assert [t.subject for t in contracting] == [
        "Подписать доходный договор с заказчиком", "Подписать расходные договоры с выбранными поставщиками",
        "Выставить счёт на аванс заказчика"]

    # The contract pool: the income contract with the customer, the expense contract with the supplier.
    pool = api.get("/contract", query_string={
        "filter": json.dumps({"field": "tenders.tender_id", "op": "eq", "value": tender_id}), "sort": "id"})
    assert pool.status_code == 200, pool.get_json()
    contracts = pool.get_json()["items"]
    assert [(c["direction"], c["account_id"], Decimal(str(c["amount"]))) for c in contracts] == [
        ("income", story["group"]["plant"].id, Decimal("1150000")),
        ("expense", story["group"]["suppliers"][0].id, Decimal("1000000"))]
    income, expense = contracts
    assert income["opportunity_id"] == opportunity_id and expense["parent_contract_id"] == income["id"]
    assert income["tenders.implementation_id"] == expense["tenders.implementation_id"] == implementation_id
    assert income["number"] and expense["number"]

    def plan(contract_id):
        rows = api.get("/contract_payment", query_string={"contract_id": contract_id, "sort": "planned_date"})
        return [(p["kind"], p["planned_date"], Decimal(str(p["amount"]))) for p in rows.get_json()["items"]]

    assert plan(income["id"]) == [("advance", "2026-04-10", Decimal("345000")),
                                  ("final", "2026-06-09", Decimal("805000"))]
    assert plan(expense["id"]) == [("advance", "2026-04-10", Decimal("500000")),
                                   ("final", "2026-05-25", Decimal("500000"))]

    # Budget numbers: the customer pays the advance; the contract shows it paid and the rest expected.
    from flowcase_addons.contracts.balance import contract_totals

    advance_id = api.get("/contract_payment", query_string={"contract_id": income["id"], "kind": "advance"}
                         ).get_json()["items"][0]["id"]
    paid = api.post("/contract_paid", {"contract_id": income["id"], "date": "2026-04-15", "amount": 345000,
                                       "planned_payment_id": advance_id})
    assert paid.status_code == 201, paid.get_json()
    records.session.expire_all()
    totals = contract_totals(records, income["id"], on=date(2026, 4, 20))
    assert (totals["planned"], totals["paid"], totals["balance"], totals["overdue"]) == (
        Decimal("1150000"), Decimal("345000"), Decimal("805000"), Decimal("0"))
    assert contract_totals(records, expense["id"], on=date(2026, 4, 20))["planned"] == Decimal("1000000")

    # Every card links to the others, both ways.
    for section, record_id in (("tender", tender_id), ("opportunity", opportunity_id),
                               ("tender_implementation", implementation_id), ("project", project["id"]),
                               ("contract", income["id"]), ("contract", expense["id"])):
        page = client.get(f"/{section}/{record_id}").get_data(as_text=True)
        panel = page[page.index("data-tenders-links"):]
        for target, target_id in (("tender", tender_id), ("opportunity", opportunity_id),
                                  ("tender_implementation", implementation_id), ("project", project["id"]),
                                  ("contract", income["id"]), ("contract", expense["id"])):
            if (target, target_id) != (section, record_id):
                assert f'href="/{target}/{target_id}"' in panel, (section, target)
    # A misspelt parameter is refused, not ignored.
    typo = api.post(f"/tender/{tender_id}/actions/tenders.enter_result", {"params": {"result": "won", "supplier": [1]}})
    assert typo.status_code == 422 and [e["field"] for e in typo.get_json()["errors"]] == ["supplier"]
    # The second result is refused: a tender is decided once.
    again = api.post(f"/tender/{tender_id}/actions/tenders.enter_result", {"params": {"result": "lost"}})
    assert again.status_code == 422


def test_a_lost_tender_closes_the_opportunity_as_lost_with_its_reason(app_ctx, records, story, xid):
    api, client = story["api"], story["client"]
    opportunity_id = _opportunity_from_lead(story)
    tender_id, _offers = _tender_with_monitoring(story, opportunity_id)
    competitor = story["group"]["suppliers"][2].id

    # Without a reason the form says so and nothing changes.
    response = client.post(f"/tenders/tender/{tender_id}/result", data={"result": "lost", "winner_id": competitor})
    assert response.status_code == 422
    assert "Choose why the tender was lost." in response.get_data(as_text=True)
    assert api.get(f"/tender/{tender_id}").get_json()["result"] == "pending"

    reason = xid("sales.reason_lost_price")
    response = api.post(f"/tender/{tender_id}/actions/tenders.enter_result", {
        "params": {"result": "lost", "reason_id": reason, "winner_id": competitor, "result_date": "2026-04-10"}})
    assert response.status_code == 200, response.get_json()
    tender = api.get(f"/tender/{tender_id}").get_json()
    assert (tender["result"], tender["lost_reason_id"], tender["winner_id"], tender["stage_id"]) == (
        "lost", reason, competitor, xid("stage_tender_lost"))
    opportunity = api.get(f"/opportunity/{opportunity_id}").get_json()
    assert (opportunity["stage_id"], opportunity["lost_reason_id"]) == (xid("sales.stage_opportunity_lost"), reason)
    Implementation = records.section("tender_implementation").model
    assert records.session.scalar(sa.select(sa.func.count()).select_from(Implementation)) == 0
    pool = api.get("/contract", query_string={
        "filter": json.dumps({"field": "tenders.tender_id", "op": "eq", "value": tender_id})})
    assert pool.get_json()["items"] == []
    # The tender's open tasks are cancelled with the stage it left.
    assert {t.status for t in _tasks(records, "tender", tender_id)} == {"cancelled"}


def test_a_win_without_our_bid_is_refused_and_writes_nothing(app_ctx, records, story, xid):
    api = story["api"]
    opportunity_id = _opportunity_from_lead(story)
    tender_id, _offers = _tender_with_monitoring(story, opportunity_id)
    assert api.patch(f"/tender/{tender_id}", {"our_bid": None}).status_code == 200
    response = api.post(f"/tender/{tender_id}/actions/tenders.enter_result", {"params": {"result": "won"}})
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["our_bid"]
    assert api.get(f"/tender/{tender_id}").get_json()["result"] == "pending"
    assert api.get(f"/opportunity/{opportunity_id}").get_json()["stage_id"] != xid("sales.stage_opportunity_won")
    Implementation = records.section("tender_implementation").model
    assert records.session.scalar(sa.select(sa.func.count()).select_from(Implementation)) == 0


def test_a_sale_that_followed_no_case_starts_the_tender_sale_case(app_ctx, records, xid):
    """Where an admin switched the other sale cases off, the tender still gives its sale the tender case."""
    from core.process.models import ProcessCase

    for case in records.session.scalars(sa.select(ProcessCase).where(ProcessCase.section == "opportunity")):
        if case.code != "technab_tender_sale":
            records.update("process_case", case, {"active": False})
    group = customer_group(records)
    opportunity = records.create("opportunity", {"name": "Арматура", "account_id": group["plant"].id})
    assert _case_of(records, "opportunity", opportunity.id) is None
    tender = records.create("tender", {"name": "Арматура", "account_id": group["plant"].id,
                                       "opportunity_id": opportunity.id, "our_bid": Decimal("10")})
    assert _case_of(records, "opportunity", opportunity.id) == "technab_tender_sale"
    reason = xid("sales.reason_lost_competitor")
    records.session.commit()
    from flowcase_addons.tenders.result import enter_result

    enter_result(records, records.section("tender"), tender, result="lost", reason_id=reason)
    assert records.get("opportunity", opportunity.id).stage_id == xid("sales.stage_opportunity_lost")
