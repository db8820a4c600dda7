"""CASES.md case 3 (ALTIS-LIFT): a lead after a call → qualify → contact and account linked → transfer to sale.

Every step goes through the pages with the test client, signed in as the
salesperson Bob; the checks read what the records service stored.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.addons("sales")


def _count(records, section_name: str) -> int:
    model = records.section(section_name).model
    return records.session.scalar(sa.select(sa.func.count()).select_from(model))


def _new_lead(client, **values) -> int:
    """Create a lead through the generic form page and return its id."""
    response = client.post("/lead/new", data=values)
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    return int(re.search(r"/lead/(\d+)$", response.headers["Location"]).group(1))


ALTIS_CALL = {
    "source": "call",
    "need": "Поставка и монтаж двух пассажирских лифтов для бизнес-центра",
    "company_name": "Альтис-Лифт",
    "person_name": "Кузнецов Андрей Павлович",
    "phone": "8 (921) 700-00-01",
    "email": "Kuznetsov@Altis-Lift.ru",
    "tax_id": "7801234567",
    # What a browser sends for the selects left at "—".
    "qualification_status": "",
    "stage_id": "",
}


def test_lead_after_a_call_is_qualified_and_transferred_to_sale(client, bob, records, xid, sales):
    lead_id = _new_lead(client, **ALTIS_CALL)
    lead = records.get("lead", lead_id)
    assert lead.stage_id == xid("stage_lead_new")
    assert lead.name == "Альтис-Лифт / Кузнецов Андрей Павлович"
    assert lead.owner_id == bob.user.id
    card = client.get(f"/lead/{lead_id}").get_data(as_text=True)
    assert 'data-sales-action="qualify"' in card and 'data-sales-action="convert"' in card

    # One click: no such person or company yet, so both are created and linked.
    response = client.post(f"/sales/lead/{lead_id}/qualify")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/lead/{lead_id}")
    records.session.expire_all()
    lead = records.get("lead", lead_id)
    contact = records.get("contact", lead.contact_id)
    account = records.get("account", lead.account_id)
    assert (contact.last_name, contact.first_name, contact.middle_name) == ("Кузнецов", "Андрей", "Павлович")
    assert contact.account_id == account.id
    assert contact.mobile_normalized is None and contact.phone_normalized == "+79217000001"
    assert account.name == "Альтис-Лифт"
    assert records.read("account", account)["sales.tax_id"] == "7801234567"
    assert lead.qualification_status == "qualified"
    assert lead.stage_id == xid("stage_lead_awaiting_sale")
    assert "data-fc-stage>Awaiting sale</span>" in client.get(f"/lead/{lead_id}").get_data(as_text=True)

    # "Transfer to sale" creates the opportunity and opens it.
    response = client.post(f"/sales/lead/{lead_id}/convert")
    assert response.status_code == 302
    opportunity_id = int(re.search(r"/opportunity/(\d+)$", response.headers["Location"]).group(1))
    opportunity = records.get("opportunity", opportunity_id)
    assert (opportunity.account_id, opportunity.contact_id, opportunity.lead_id) == (account.id, contact.id, lead_id)
    assert opportunity.owner_id == bob.user.id
    assert opportunity.stage_id == xid("stage_opportunity_qualification")
    assert opportunity.probability == 10 and opportunity.currency == "RUB"
    records.session.expire_all()
    lead = records.get("lead", lead_id)
    assert lead.qualification_status == "converted" and lead.stage_id == xid("stage_lead_transferred")
    # Linked both ways: the lead's card lists its opportunity, the opportunity's card names its lead.
    lead_card = client.get(f"/lead/{lead_id}").get_data(as_text=True)
    assert f'href="/opportunity/{opportunity_id}"' in lead_card
    assert 'data-sales-action="convert"' not in lead_card  # closed: no more actions
    assert f'href="/lead/{lead_id}"' in client.get(f"/opportunity/{opportunity_id}").get_data(as_text=True)
    # A second transfer is refused with a message, not a second opportunity.
    response = client.post(f"/sales/lead/{lead_id}/convert", follow_redirects=True)
    assert "closed" in response.get_data(as_text=True) or "already" in response.get_data(as_text=True)
    assert _count(records, "opportunity") == 1


def test_existing_person_is_offered_and_linked_instead_of_a_duplicate(client, bob, records, users):
    alice = app_records = records  # noqa: F841  (the superuser service creates alice's existing client)
    account = records.create("account", {"name": "Альтис-Лифт", "owner_id": users["alice"].id})
    person = records.create("contact", {"last_name": "Кузнецов", "first_name": "Андрей", "account_id": account.id,
                                        "mobile": "+7 921 700 00 01", "email": "kuznetsov@altis-lift.ru"})
    records.session.commit()
    contacts, accounts = _count(records, "contact"), _count(records, "account")
    lead_id = _new_lead(client, **ALTIS_CALL)

    # The one click finds the person by normalized email and phone, and writes nothing yet.
    response = client.post(f"/sales/lead/{lead_id}/qualify")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'name="contact" id="contact-{person.id}" value="{person.id}" checked' in page
    assert f'name="account" id="account-{account.id}" value="{account.id}" checked' in page
    assert "Link to this contact" in page and "Create a new contact" in page
    records.session.expire_all()
    assert records.get("lead", lead_id).contact_id is None

    response = client.post(f"/sales/lead/{lead_id}/qualify", data={"contact": person.id, "account": account.id})
    assert response.status_code == 302
    records.session.expire_all()
    lead = records.get("lead", lead_id)
    assert (lead.contact_id, lead.account_id) == (person.id, account.id)
    assert (_count(records, "contact"), _count(records, "account")) == (contacts, accounts)

    response = client.post(f"/sales/lead/{lead_id}/convert")
    opportunity = records.get("opportunity", int(response.headers["Location"].rsplit("/", 1)[1]))
    assert opportunity.contact_id == person.id and opportunity.account_id == account.id


def test_choosing_create_new_makes_a_new_contact_linked_to_the_existing_account(client, bob, records):
    account = records.create("account", {"name": "Альтис-Лифт"})
    records.create("contact", {"last_name": "Кузнецов", "email": "kuznetsov@altis-lift.ru"})
    records.session.commit()
    lead_id = _new_lead(client, **ALTIS_CALL)
    response = client.post(f"/sales/lead/{lead_id}/qualify", data={"contact": "new", "account": account.id})
    assert response.status_code == 302
    records.session.expire_all()
    lead = records.get("lead", lead_id)
    assert records.get("contact", lead.contact_id).account_id == account.id
    assert _count(records, "contact") == 2


def test_moving_a_lead_to_transfer_to_sale_creates_the_opportunity(client, bob, records, xid):
    lead_id = _new_lead(client, **ALTIS_CALL)
    client.post(f"/sales/lead/{lead_id}/qualify")
    records.session.expire_all()
    # Any door: here the records service as Bob, as an automation or the edit form would.
    bob.set_stage("lead", lead_id, xid("stage_lead_transferred"))
    opportunity = records.session.scalars(sa.select(records.section("opportunity").model)).one()
    assert opportunity.lead_id == lead_id
    assert records.get("lead", lead_id).qualification_status == "converted"


def test_transfer_before_qualifying_is_refused_with_a_message(client, bob, records):
    lead_id = _new_lead(client, **ALTIS_CALL)
    response = client.post(f"/sales/lead/{lead_id}/convert", follow_redirects=True)
    assert response.status_code == 200
    assert "Qualify the lead first" in response.get_data(as_text=True)
    assert _count(records, "opportunity") == 0


def test_nurture_and_disqualify(client, bob, records, xid):
    lead_id = _new_lead(client, **ALTIS_CALL)
    assert client.get(f"/sales/lead/{lead_id}/nurture").status_code == 200
    response = client.post(f"/sales/lead/{lead_id}/nurture", data={"until": "2031-03-01", "note": "Budget in spring"})
    assert response.status_code == 302
    records.session.expire_all()
    lead = records.get("lead", lead_id)
    assert (lead.stage_id, lead.qualification_status) == (xid("stage_lead_nurturing"), "nurturing")
    assert str(lead.nurture_until) == "2031-03-01" and lead.nurture_note == "Budget in spring"

    # Disqualifying needs a reason: a clear message, and nothing changes.
    page = client.get(f"/sales/lead/{lead_id}/disqualify").get_data(as_text=True)
    assert "No budget" in page and "Price too high" not in page  # only disqualification reasons
    response = client.post(f"/sales/lead/{lead_id}/disqualify", data={"reason_id": ""})
    assert response.status_code == 422
    assert "Choose why the lead is disqualified." in response.get_data(as_text=True)
    records.session.expire_all()
    assert records.get("lead", lead_id).stage_id == xid("stage_lead_nurturing")
    # A lost reason is not a disqualification reason.
    response = client.post(f"/sales/lead/{lead_id}/disqualify", data={"reason_id": xid("reason_lost_price")})
    assert response.status_code == 422

    response = client.post(f"/sales/lead/{lead_id}/disqualify", data={"reason_id": xid("reason_disqualify_no_budget")})
    assert response.status_code == 302
    records.session.expire_all()
    lead = records.get("lead", lead_id)
    assert (lead.stage_id, lead.qualification_status) == (xid("stage_lead_disqualified"), "disqualified")
    assert lead.disqualify_reason_id == xid("reason_disqualify_no_budget")
    assert 'data-sales-action="qualify"' not in client.get(f"/lead/{lead_id}").get_data(as_text=True)


def test_moving_to_disqualified_by_the_edit_form_needs_a_reason_too(client, bob, records, xid):
    lead_id = _new_lead(client, **ALTIS_CALL)
    with pytest.raises(Exception) as error:
        bob.set_stage("lead", lead_id, xid("stage_lead_disqualified"))
    assert "Choose why the lead is disqualified." in str(error.value)


@pytest.mark.parametrize("broken_stage", ["stage_lead_transferred", "stage_lead_awaiting_sale"])
def test_an_action_that_fails_leaves_nothing_written(client, bob, records, xid, broken_stage):
    """An admin broke the stage the action ends with: everything it wrote before is rolled back."""
    lead_id = _new_lead(client, **ALTIS_CALL)
    if broken_stage == "stage_lead_transferred":
        assert client.post(f"/sales/lead/{lead_id}/qualify").status_code == 302
    records.update("sales_stage", xid(broken_stage), {"code": "renamed"})
    records.session.commit()
    before = {name: _count(records, name) for name in ("contact", "account", "opportunity")}
    records.session.expire_all()
    version = records.get("lead", lead_id).version

    if broken_stage == "stage_lead_awaiting_sale":
        response = client.post(f"/sales/lead/{lead_id}/qualify")
        assert response.status_code == 422
    else:
        response = client.post(f"/sales/lead/{lead_id}/convert", follow_redirects=True)
    assert "is missing" in response.get_data(as_text=True)
    records.session.expire_all()
    assert {name: _count(records, name) for name in before} == before
    assert records.get("lead", lead_id).version == version
