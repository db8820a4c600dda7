"""``flowcase demo --scale N``: N accounts, 3N contacts, 2N leads, N/2 opportunities, 10N activities that look real."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.addons("sales")


def _count(records, table: str, where: str = "") -> int:
    return records.session.scalar(sa.text(f"SELECT count(*) FROM {table} {where}"))


def test_demo_scale_50_gives_the_proportions(app, app_ctx, records, sales, users):
    runner = app.test_cli_runner()
    # The hand-written demo loads once; a second run with --scale adds only generated rows.
    assert runner.invoke(args=["flowcase", "demo"]).exit_code == 0
    records.session.expire_all()
    before = {table: _count(records, table) for table in
              ("crm_account", "crm_contact", "crm_activity", "sales_lead", "sales_opportunity")}
    result = runner.invoke(args=["flowcase", "demo", "--scale", "51"])
    assert result.exit_code == 0, result.output
    assert "skipped" not in result.output, result.output
    records.session.expire_all()
    made = {table: _count(records, table) - count for table, count in before.items()}
    assert made == {"crm_account": 51, "crm_contact": 153, "crm_activity": 510, "sales_lead": 102,
                    "sales_opportunity": 25}

    m = sales.models
    generated_leads = records.session.scalars(sa.select(m.Lead).order_by(m.Lead.id.desc()).limit(102)).all()
    # Every lead stage is used, and fields agree with the stage.
    stage_codes = dict(records.session.execute(sa.select(m.SalesStage.id, m.SalesStage.code)).all())
    by_stage = Counter(stage_codes[lead.stage_id] for lead in generated_leads)
    assert set(by_stage) == {"lead_new", "lead_qualification", "lead_awaiting_sale", "lead_nurturing",
                             "lead_transferred", "lead_disqualified"}, by_stage
    for lead in generated_leads:
        code = stage_codes[lead.stage_id]
        assert (lead.disqualify_reason_id is not None) == (code == "lead_disqualified")
        assert (lead.qualification_status == "converted") == (code == "lead_transferred")
        if code == "lead_transferred":
            assert lead.account_id is not None and lead.contact_id is not None
        assert lead.name == " / ".join(p for p in (lead.company_name, lead.person_name) if p)
        assert lead.owner_id is not None
    # Russian and English names both occur.
    assert any("«" in (lead.company_name or "") for lead in generated_leads)
    assert any((lead.company_name or "").isascii() for lead in generated_leads)

    opportunities = records.session.scalars(sa.select(m.Opportunity).order_by(m.Opportunity.id.desc()).limit(25)).all()
    stages = {s.id: s for s in records.session.scalars(sa.select(m.SalesStage))}
    assert len({o.stage_id for o in opportunities}) >= 4
    today = date.today()
    for opportunity in opportunities:
        stage = stages[opportunity.stage_id]
        assert stage.stage_set == "corporate_sale" and opportunity.probability == stage.probability
        assert (opportunity.lost_reason_id is not None) == stage.is_lost
        assert opportunity.account_id is not None and opportunity.amount > 0 and len(opportunity.currency) == 3
        if stage.is_won or stage.is_lost:
            assert opportunity.expected_close_date < today
    assert any(o.expected_close_date > today + timedelta(days=1) for o in opportunities)

    # Owners are spread over generated salespeople as well as the demo users.
    generated_users = records.session.scalars(sa.text("SELECT id FROM core_user WHERE login LIKE 'demo_sales%'")).all()
    assert len(generated_users) >= 2
    owners = Counter(records.session.scalars(sa.text("SELECT owner_id FROM crm_activity")))
    assert set(generated_users) <= set(owners) and users["alice"].id in owners
    lead_owners = set(records.session.scalars(sa.text("SELECT owner_id FROM sales_lead")))
    assert set(generated_users) & lead_owners
    # Activities lie in the past and the future.
    dues = records.session.scalars(sa.text("SELECT due_date FROM crm_activity WHERE due_date IS NOT NULL")).all()
    assert min(map(_as_date, dues)) < today < max(map(_as_date, dues))

    # Ids were given explicitly: the next lead made the normal way must not collide (PostgreSQL sequences).
    with records.transaction():
        lead = records.create("lead", {"company_name": "After the generator"})
        opportunity = records.create("opportunity", {"name": "After the generator"})
    assert lead.id > max(x.id for x in generated_leads) and opportunity.id > max(o.id for o in opportunities)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def test_generator_on_no_accounts_makes_nothing(records, sales, app_ctx):
    import importlib

    generator = importlib.import_module("flowcase_addons.sales.demo_generator")
    assert generator.generate(records, 0) == {"lead": 0, "opportunity": 0}
    assert generator.generate(records, 10) == {"lead": 0, "opportunity": 0}
