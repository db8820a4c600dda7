"""The lift sale's case is chosen by its condition, and a final stage whose project cannot be made is refused
with the reason, writing nothing."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.addons("lift_sales")


def _case_code(records, opportunity):
    from core.process.config import process_of
    from core.process.models import ProcessCase

    process = process_of(records.session, records.section("opportunity"), opportunity)
    return records.session.get(ProcessCase, process.case_id).code


def test_the_case_is_chosen_by_the_condition(app_ctx, records, users, xid):
    bob = app_ctx.extensions["flowcase"].records(users["bob"])
    account = bob.create("account", {"name": "ООО «Лифтсервис»"})
    lifts = bob.create("lead", {"company_name": "ООО «Башня»", "need": "Два пассажирских лифта",
                                "account_id": account.id})
    pumps = bob.create("lead", {"company_name": "ООО «Насосы»", "need": "Насосная станция", "account_id": account.id})
    in_lift_stage = bob.create("opportunity", {"name": "Эскалаторы", "account_id": account.id,
                                               "stage_id": xid("stage_lift_contract")})
    by_need = bob.create("opportunity", {"name": "Башня", "account_id": account.id, "lead_id": lifts.id})
    other = bob.create("opportunity", {"name": "Насосы", "account_id": account.id, "lead_id": pumps.id})
    plain = bob.create("opportunity", {"name": "Сервис", "account_id": account.id})
    assert [_case_code(records, o) for o in (in_lift_stage, by_need, other, plain)] == [
        "lift_sale", "lift_sale", "lvbs_programme_sale", "atrapak_corporate_sale"]
    assert (in_lift_stage.stage_id, by_need.stage_id) == (xid("stage_lift_contract"), xid("stage_lift_proposal"))


def test_a_final_stage_without_its_template_is_refused_and_nothing_is_written(app_ctx, client, records, users, xid):
    state = app_ctx.extensions["flowcase"]
    bob = state.records(users["bob"])
    account = bob.create("account", {"name": "ООО «Высотка»"})
    opportunity = bob.create("opportunity", {"name": "Лифт", "account_id": account.id, "amount": 1000000,
                                             "stage_id": xid("stage_lift_advance")})
    Activity = records.section("activity").model
    invoice = records.session.scalar(sa.select(Activity).where(Activity.section == "opportunity",
                                                               Activity.record_id == opportunity.id))
    bob.update("activity", invoice, {"status": "done"})
    records.update("project_template", xid("template_lift_installation"), {"active": False})
    records.session.commit()

    assert client.post("/login", data={"login": "bob", "password": "bob"}).status_code == 302
    client.post(f"/process/move/opportunity/{opportunity.id}", data={"stage": xid("stage_lift_advance_confirmed")})
    html = client.get(f"/opportunity/{opportunity.id}").get_data(as_text=True)
    assert "no active project template with the code “lift_installation”" in html
    records.session.expire_all()
    assert records.get("opportunity", opportunity.id).stage_id == xid("stage_lift_advance")
    Project = records.section("project").model
    assert records.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0

    records.update("project_template", xid("template_lift_installation"), {"active": True})
    records.session.commit()
    client.post(f"/process/move/opportunity/{opportunity.id}", data={"stage": xid("stage_lift_advance_confirmed")})
    records.session.expire_all()
    assert records.get("opportunity", opportunity.id).stage_id == xid("stage_lift_advance_confirmed")
    assert records.session.scalar(sa.select(Project.record_id)) == opportunity.id
    # A confirmation made by mistake is undone, and confirming again makes no second project.
    client.post(f"/process/move/opportunity/{opportunity.id}", data={"stage": xid("stage_lift_advance")})
    again = records.session.scalar(sa.select(Activity).where(
        Activity.section == "opportunity", Activity.record_id == opportunity.id, Activity.status == "open"))
    bob.update("activity", again, {"status": "done"})
    records.session.commit()
    client.post(f"/process/move/opportunity/{opportunity.id}", data={"stage": xid("stage_lift_advance_confirmed")})
    records.session.expire_all()
    assert records.get("opportunity", opportunity.id).stage_id == xid("stage_lift_advance_confirmed")
    assert records.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 1
    card = client.get(f"/opportunity/{opportunity.id}").get_data(as_text=True)
    assert "Move to Формирование и презентация КП" not in card and "Move to Ожидание авансового платежа" in card
