"""Sales on the account's and contact's cards: leads and opportunities in the timeline, and in the owner hand-over."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.testing import counting_statements as counting

pytestmark = pytest.mark.addons("sales")


def login(client, name: str) -> None:
    client.post("/logout")
    response = client.post("/login", data={"login": name, "password": name})
    assert response.status_code == 302


@pytest.fixture
def altis(records, users, xid):
    """ALTIS-LIFT (alice's) with a contact, a call, leads and opportunities open and closed, of alice and bob."""
    alice, bob = users["alice"], users["bob"]
    with records.transaction():
        account = records.create("account", {"name": "Альтис-Лифт", "owner_id": alice.id})
        contact = records.create("contact", {"first_name": "Андрей", "last_name": "Кузнецов",
                                             "account_id": account.id, "owner_id": alice.id})
        records.create("activity", {"subject": "Первый звонок", "account_id": account.id, "owner_id": alice.id})
        ids = {"account": account.id, "contact": contact.id}
        for key, values in {
            "lead_open": {"company_name": "Альтис-Лифт", "person_name": "Кузнецов", "contact_id": contact.id},
            "lead_nurturing": {"name": "Лифт для склада", "stage_id": xid("stage_lead_nurturing")},
            "lead_bob": {"name": "Заявка Боба", "owner_id": bob.id},
            "lead_disqualified": {"name": "Спам", "stage_id": xid("stage_lead_disqualified"),
                                  "qualification_status": "disqualified",
                                  "disqualify_reason_id": xid("reason_disqualify_spam")},
        }.items():
            ids[key] = records.create("lead", {"owner_id": alice.id, "account_id": account.id, **values}).id
        for key, values in {
            "deal_open": {"name": "Два пассажирских лифта", "contact_id": contact.id},
            "deal_won": {"name": "Сервис 2025", "stage_id": xid("stage_opportunity_won")},
            "deal_bob": {"name": "Сделка Боба", "owner_id": bob.id},
        }.items():
            ids[key] = records.create("opportunity", {"owner_id": alice.id, "account_id": account.id,
                                                      "amount": 1000, "currency": "RUB", **values}).id
        other = records.create("account", {"name": "ATRAPAK"})
        records.create("opportunity", {"name": "Чужая сделка", "account_id": other.id})
    return ids


def timeline(page: str) -> list[tuple[str, str]]:
    return re.findall(r'data-fc-timeline-item data-kind="(\w+)">.*?<a href="/\w+/\d+">([^<]+)</a>', page, re.S)


def test_account_and_contact_cards_show_their_leads_and_opportunities(client, altis):
    login(client, "manager")
    page = client.get(f"/account/{altis['account']}").get_data(as_text=True)
    entries = timeline(page)
    assert {title for kind, title in entries if kind == "lead"} == {
        "Альтис-Лифт / Кузнецов", "Лифт для склада", "Заявка Боба", "Спам"}
    assert {title for kind, title in entries if kind == "opportunity"} == {
        "Два пассажирских лифта", "Сервис 2025", "Сделка Боба"}
    assert ("call", "Первый звонок") in entries or ("task", "Первый звонок") in entries
    assert f'href="/opportunity/{altis["deal_open"]}"' in page

    contact = timeline(client.get(f"/contact/{altis['contact']}").get_data(as_text=True))
    # (Seeded processes may add tasks of their own; only the sales entries are looked at.)
    assert [entry for entry in contact if entry[0] in ("lead", "opportunity")] == [
        ("opportunity", "Два пассажирских лифта"), ("lead", "Альтис-Лифт / Кузнецов")]


def test_the_timeline_reads_through_the_viewers_rights(client, altis):
    # bob (sales_user) reads every lead but only his own team's opportunities.
    login(client, "bob")
    entries = timeline(client.get(f"/account/{altis['account']}").get_data(as_text=True))
    assert {title for kind, title in entries if kind == "opportunity"} == {"Сделка Боба"}
    assert "Заявка Боба" in {title for kind, title in entries if kind == "lead"}


def test_sales_entries_cost_one_query_whatever_their_number(app, records, altis):
    from flowcase_addons.sales.timeline import sales_items
    from core.timeline import collect_timeline

    section = records.section("account")
    account = records.get("account", altis["account"])
    with app.test_request_context():
        assert account.name
        with counting() as few:
            collect_timeline(records, section, account)
        with records.transaction():
            for i in range(30):
                records.create("lead", {"name": f"Заявка {i}", "account_id": account.id})
                records.create("opportunity", {"name": f"Сделка {i}", "account_id": account.id})
        assert account.name
        with counting() as many:
            items = collect_timeline(records, section, account)
        # Each kind keeps its own limit and order inside the one statement: the newest five of each, newest first.
        five = sales_items(section, account, records, 5)
    assert len(many) == len(few) == 2  # crm's activities; sales' leads and opportunities in one UNION ALL
    assert len(items) == 50
    for kind, prefix in (("lead", "Заявка"), ("opportunity", "Сделка")):
        assert [item.title for item in five if item.kind == kind] == [f"{prefix} {i}" for i in range(29, 24, -1)]


def owners() -> dict[str, str]:
    rows = db.session.execute(sa.text(
        "SELECT t.name, u.login FROM sales_lead t JOIN core_user u ON u.id = t.owner_id "
        "UNION ALL SELECT t.name, u.login FROM sales_opportunity t JOIN core_user u ON u.id = t.owner_id"))
    return dict(rows.all())


def test_owner_change_hands_over_open_leads_and_opportunities(client, altis, users):
    login(client, "admin")
    edit = client.get(f"/account/{altis['account']}/edit").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', edit) or re.search(r'value="(\d+)"[^>]*name="version"', edit)
    response = client.post(f"/account/{altis['account']}/edit", data={
        "name": "Альтис-Лифт", "owner_id": users["manager"].id, "version": version.group(1)}, follow_redirects=True)
    assert "data-fc-handover-offer" in response.get_data(as_text=True)

    offer = client.get(f"/crm/account/{altis['account']}/handover").get_data(as_text=True)
    counts = dict(re.findall(r'<tr data-section="(\w+)">.*?data-count>(\d+)<', offer, re.S))
    # Beside crm's activities and contacts: sales' two open leads and one open opportunity of alice.
    assert counts["lead"] == "2" and counts["opportunity"] == "1" and counts["contact"] == "1"

    done = client.post(f"/crm/account/{altis['account']}/handover", data={"old_owner_id": users["alice"].id},
                       follow_redirects=True)
    assert "records handed over" in done.get_data(as_text=True)
    db.session.expire_all()
    assert owners() == {
        "Альтис-Лифт / Кузнецов": "manager", "Лифт для склада": "manager", "Два пассажирских лифта": "manager",
        # Closed deals stay with who closed them; others' records stay with them.
        "Спам": "alice", "Сервис 2025": "alice", "Заявка Боба": "bob", "Сделка Боба": "bob",
    }
    logged = db.session.execute(sa.text(
        "SELECT section, count(*) FROM core_change_log WHERE field = 'owner_id' AND operation = 'update' "
        "AND section IN ('lead', 'opportunity') GROUP BY section")).all()
    assert dict(logged) == {"lead": 2, "opportunity": 1}


def test_sales_entries_carry_their_stage_owner_and_amount(app, records, users, altis):
    """The stage and owner names joined to the union's rows land on the right entries."""
    from flowcase_addons.sales.models import Lead, Opportunity, SalesStage
    from flowcase_addons.sales.timeline import sales_items

    section = records.section("account")
    account = records.get("account", altis["account"])
    stage_of = {}
    for model in (Lead, Opportunity):
        for name, stage in db.session.execute(sa.select(model.name, SalesStage.name).outerjoin(
                SalesStage, SalesStage.id == model.stage_id).where(model.account_id == account.id)):
            stage_of[name] = stage
    with app.test_request_context():
        items = {item.title: item for item in sales_items(section, account, records, 50)}
    assert len(items) == 7
    assert items["Лифт для склада"].status == stage_of["Лифт для склада"]
    assert items["Сервис 2025"].status == stage_of["Сервис 2025"] and items["Сервис 2025"].extra["open"] is False
    assert items["Спам"].extra["open"] is False and items["Два пассажирских лифта"].extra["open"] is True
    assert items["Заявка Боба"].owner == (users["bob"].name or users["bob"].login)
    assert items["Сделка Боба"].owner == (users["bob"].name or users["bob"].login)
    assert items["Лифт для склада"].owner == (users["alice"].name or users["alice"].login)
    assert items["Заявка Боба"].kind == "lead" and items["Сделка Боба"].kind == "opportunity"
    assert "amount" in items["Сделка Боба"].extra and "amount" not in items["Заявка Боба"].extra
