"""Install → upgrade → uninstall → reinstall, the migration building exactly the models, the demo's story, sales refusal."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.addons.manager import AddonManager
from core.db import Base
from core.errors import AddonError

pytestmark = pytest.mark.addons("contracts")

TABLES = {"contracts_stage", "contracts_sequence", "contracts_contract", "contracts_planned_payment",
          "contracts_invoice", "contracts_payment"}
SECTIONS = {"contract", "contract_payment", "contract_invoice", "contract_paid", "contract_stage", "contract_sequence"}


def _tables(session) -> set[str]:
    return {name for name in sa.inspect(session.connection()).get_table_names() if name.startswith("contracts_")}


def test_migration_matches_the_models(records):
    wanted = sa.MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        if table.name in TABLES or table.name.startswith(("crm_", "sales_")) or table.name == "core_user":
            table.to_metadata(wanted)
    context = MigrationContext.configure(records.session.connection(), opts={"compare_type": True})
    diffs = [diff for diff in compare_metadata(context, wanted) if "contracts_" in repr(diff)]
    assert diffs == [], "\n".join(map(repr, diffs))


def test_install_upgrade_uninstall_reinstall(app_ctx, records, xid):
    state = app_ctx.extensions["flowcase"]
    manager = AddonManager(state)
    assert _tables(records.session) == TABLES
    assert SECTIONS <= {s.name for s in state.sections.by_addon("contracts")}
    execution = xid("stage_contract_execution")
    records.update("contract_stage", execution, {"name": "Исполнение"})
    account = records.create("account", {"name": "ТЕХНАБ"})
    kept = records.create("contract", {"name": "Kept", "account_id": account.id, "amount": "5"})
    records.session.commit()

    manager.upgrade(["contracts"])
    assert records.get("contract_stage", execution).name == "Исполнение"
    assert records.get("contract", kept.id).number == kept.number
    # The running counter survives the upgrade: the next number follows the kept one.
    assert records.create("contract", {"name": "Next", "account_id": account.id}).number.endswith("-0002")
    records.session.commit()

    with pytest.raises(AddonError, match="contracts"):
        manager.uninstall("sales")
    assert "contract" in state.sections

    manager.uninstall("contracts", drop_data=True)
    assert _tables(records.session) == set()
    assert not SECTIONS & set(state.sections._sections)
    from core.dashboards.models import Dashboard
    from core.printing.models import PrintForm
    from core.security.models import SectionRight

    assert records.session.scalar(sa.select(sa.func.count()).select_from(SectionRight).where(
        SectionRight.section.like("contract%"))) == 0
    assert records.session.scalar(sa.select(Dashboard.id).where(Dashboard.code == "contracts_budget")) is None
    assert records.session.scalar(sa.select(PrintForm.id).where(PrintForm.section == "contract")) is None

    assert manager.install(["contracts"]) == ["contracts"]
    assert _tables(records.session) == TABLES
    assert records.get("contract_stage", xid("stage_contract_execution")).name == "Execution"
    Contract = records.section("contract").model
    assert records.session.scalar(sa.select(sa.func.count()).select_from(Contract)) == 0
    assert records.create("contract", {"name": "Again", "account_id": account.id}).number.endswith("-0001")


def test_demo_tells_the_technab_and_altis_stories(app_ctx, records, users, contracts):
    assert AddonManager(app_ctx.extensions["flowcase"]).load_demo() == []
    Contract = records.section("contract").model
    found = {c.name: c for c in records.session.scalars(sa.select(Contract))}
    technab = found["Поставка и монтаж лифтов для административного корпуса"]
    totals = contracts.balance.contract_totals(records, technab.id)
    assert totals == {"paid": Decimal("2440000.00"), "balance": Decimal("2360000.00"),
                      "overdue": Decimal("920000.00"), "planned": Decimal("4800000.00")}
    supplier = found["Закупка лифтового оборудования для ТЕХНАБ"]
    assert (supplier.direction, supplier.parent_contract_id) == ("expense", technab.id)
    assert technab.opportunity_id is not None and technab.owner_id == users["alice"].id
    Plan = records.section("contract_payment").model
    states = set(records.session.scalars(sa.select(Plan.state)))
    assert states == {"paid", "overdue", "planned"}
