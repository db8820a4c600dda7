"""An activity about a lead or a sale counts for that record's account and contact (planned-activity state)."""
from __future__ import annotations

import importlib
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.addons("sales")


def test_a_task_on_an_opportunity_plans_for_its_account_and_contact(records):
    planning = importlib.import_module("flowcase_addons.crm.planning")
    account = records.create("account", {"name": "ГК «Северный квартал»"})
    contact = records.create("contact", {"last_name": "Орлов", "account_id": account.id})
    def without():
        return {a.id for a in records.session.scalars(planning.accounts_without_planned_activity(records))}

    assert account.id in without()
    # The corporate-sale case starts with its stage tasks, on the opportunity.
    sale = records.create("opportunity", {"name": "Лифты для ЖК", "account_id": account.id,
                                          "contact_id": contact.id})
    stage_tasks = records.session.execute(sa.text(
        "SELECT account_id, contact_id FROM crm_activity WHERE section = 'opportunity' AND record_id = :s"),
        {"s": sale.id}).all()
    assert stage_tasks and all(tuple(row) == (account.id, contact.id) for row in stage_tasks)
    assert account.id not in without()

    task = records.create("activity", {"subject": "Подготовить КП", "section": "opportunity", "record_id": sale.id,
                                       "due_date": date.today() + timedelta(days=3)})
    values = records.read("activity", task.id)
    assert (values["section"], values["record_id"]) == ("opportunity", sale.id)  # still about the sale
    assert (values["account_id"], values["contact_id"]) == (account.id, contact.id)

    # A contact named by the writer is kept: the sale's only fills what is empty.
    other = records.create("contact", {"last_name": "Седова", "account_id": account.id})
    call = records.create("activity", {"subject": "Звонок", "section": "opportunity", "record_id": sale.id,
                                       "contact_id": other.id})
    assert records.read("activity", call.id)["contact_id"] == other.id
    assert records.read("activity", call.id)["account_id"] == account.id
