"""Install → upgrade → uninstall → reinstall, the migration building exactly the models, demo data, crm refusal."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.addons.manager import AddonManager
from core.db import Base
from core.errors import AddonError

pytestmark = pytest.mark.addons("sales")

SALES_TABLES = {
    "sales_stage", "sales_reason", "sales_product_category", "sales_product_unit", "sales_account", "sales_product",
    "sales_lead", "sales_opportunity", "sales_lead_product", "sales_opportunity_product",
}


def _tables(session) -> set[str]:
    return {name for name in sa.inspect(session.connection()).get_table_names() if name.startswith("sales_")}


def test_migration_matches_the_models(records):
    wanted = sa.MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        if table.name in SALES_TABLES or table.name.startswith("crm_") or table.name == "core_user":
            table.to_metadata(wanted)
    context = MigrationContext.configure(records.session.connection(), opts={"compare_type": True})
    diffs = [diff for diff in compare_metadata(context, wanted) if "sales_" in repr(diff)]
    assert diffs == [], "\n".join(map(repr, diffs))


def test_install_upgrade_uninstall_reinstall(app_ctx, records, xid):
    state = app_ctx.extensions["flowcase"]
    manager = AddonManager(state)
    assert _tables(records.session) == SALES_TABLES
    assert {"lead", "opportunity", "product", "sales_stage"} <= {s.name for s in state.sections.by_addon("sales")}
    assert {"sales.qualify_lead", "sales.convert_to_opportunity", "sales.nurture", "sales.disqualify"} <= set(state.actions)
    assert records.section("account").field("sales.tax_id") is not None
    proposal = xid("stage_opportunity_proposal")
    records.update("sales_stage", proposal, {"name": "Forming and presenting commercial proposal"})
    lead = records.create("lead", {"company_name": "Kept"})
    records.session.commit()

    manager.upgrade(["sales"])
    assert records.get("sales_stage", proposal).name == "Forming and presenting commercial proposal"
    assert records.get("lead", lead.id).stage_id == xid("stage_lead_new")

    # crm cannot go while sales needs it, and nothing changes.
    with pytest.raises(AddonError, match="sales"):
        manager.uninstall("crm")
    assert "account" in state.sections and "lead" in state.sections

    manager.uninstall("sales", drop_data=True)
    assert _tables(records.session) == set()
    assert "lead" not in state.sections and "account" in state.sections
    assert records.section("account").field("sales.tax_id") is None
    assert manager.install(["sales"]) == ["sales"]
    assert _tables(records.session) == SALES_TABLES
    assert records.get("sales_stage", xid("stage_opportunity_proposal")).name == "Proposal"
    Lead = records.section("lead").model
    assert records.session.scalar(sa.select(sa.func.count()).select_from(Lead)) == 0


def test_demo_has_leads_at_every_stage(app_ctx, records, users):
    assert AddonManager(app_ctx.extensions["flowcase"]).load_demo() == []
    Lead, Stage = records.section("lead").model, records.section("sales_stage").model
    stages = set(records.session.scalars(
        sa.select(Stage.code).join(Lead, Lead.stage_id == Stage.id).distinct()))
    assert stages == {"lead_new", "lead_qualification", "lead_awaiting_sale", "lead_nurturing",
                      "lead_disqualified", "lead_transferred"}
    Opportunity = records.section("opportunity").model
    owners = set(records.session.scalars(sa.select(Opportunity.owner_id)))
    assert owners == {users["alice"].id, users["bob"].id}
