"""Install → upgrade → uninstall → reinstall; the migration builds exactly the models; contracts and projects
keep working without tenders; the Russian demo tells case 1."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.addons.manager import AddonManager
from core.db import Base
from core.errors import AddonError

pytestmark = pytest.mark.addons("tenders")

TENDERS_TABLES = {"tenders_stage", "tenders_tender", "tenders_offer", "tenders_implementation", "tenders_contract",
                  "tenders_opportunity"}


def _tables(session) -> set[str]:
    return {name for name in sa.inspect(session.connection()).get_table_names() if name.startswith("tenders_")}


def test_migration_matches_the_models(records, tenders):
    wanted = sa.MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        if table.name in TENDERS_TABLES or table.name.split("_")[0] in ("crm", "sales", "contracts", "projects", "core"):
            table.to_metadata(wanted)
    context = MigrationContext.configure(records.session.connection(), opts={"compare_type": True})
    diffs = [diff for diff in compare_metadata(context, wanted) if "tenders_" in repr(diff)]
    assert diffs == [], "\n".join(map(repr, diffs))


def _won_tender(records, tenders):
    """A tender won with one supplier: its project and two contracts exist."""
    from .common import customer_group, offers

    group = customer_group(records)
    tender = records.create("tender", {"name": "Насосы", "account_id": group["plant"].id, "our_bid": Decimal("130")})
    offer = offers(records, tender, group["suppliers"], (100,))[0]
    implementation = tenders.result.enter_result(records, records.section("tender"), tender, result="won",
                                                 suppliers=[offer.id])
    records.session.commit()
    return implementation


def test_install_upgrade_uninstall_reinstall(app_ctx, records, xid, tenders, login):
    state = app_ctx.extensions["flowcase"]
    manager = AddonManager(state)
    assert _tables(records.session) == TENDERS_TABLES
    assert {"tender", "tender_offer", "tender_implementation", "tender_stage"} == {
        s.name for s in state.sections.by_addon("tenders")}
    assert {"tenders.enter_result", "tenders.collect_past_prices"} <= set(state.actions)
    assert records.section("contract").field("tenders.tender_id") is not None
    won = xid("stage_tender_won")
    records.update("tender_stage", won, {"name": "Победа"})
    account = records.create("account", {"name": "Нововоронежская АЭС"})
    tender = records.create("tender", {"name": "Kept", "account_id": account.id})
    implementation = _won_tender(records, tenders)
    project_id = implementation.project_id
    contract_ids = [c.id for c in tenders.links.linked(records, "tender_implementation", implementation)["contract"]]
    assert len(contract_ids) == 2
    records.session.commit()

    manager.upgrade(["tenders"])
    assert records.get("tender_stage", won).name == "Победа"  # the admin's edit survives
    assert records.get("tender", tender.id).stage_id == xid("stage_tender_preparation")

    # contracts cannot go while tenders needs it, and nothing changes.
    with pytest.raises(AddonError, match="tenders"):
        manager.uninstall("contracts")
    assert "tender" in state.sections and "contract" in state.sections

    manager.uninstall("tenders", drop_data=True)
    assert _tables(records.session) == set()
    assert "tender" not in state.sections and "contract" in state.sections and "project" in state.sections
    assert records.section("contract").field("tenders.tender_id") is None
    assert records.section("opportunity").field("tenders.tender_sale") is None
    assert "tenders.enter_result" not in state.actions

    # Contracts and projects still work on their own, the won tender's among them.
    client = login("admin")
    for path in [f"/project/{project_id}", *(f"/contract/{i}" for i in contract_ids), "/contract/", "/project/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "data-tenders-links" not in response.get_data(as_text=True)
    contract = records.create("contract", {"name": "Поставка", "account_id": account.id, "direction": "income",
                                           "amount": Decimal("500000"), "date": date(2026, 5, 1)})
    records.create("contract_payment", {"contract_id": contract.id, "kind": "advance", "planned_date": date(2026, 5, 1),
                                        "amount": Decimal("100000")})
    from flowcase_addons.contracts.balance import contract_totals

    assert contract_totals(records, contract.id)["planned"] == Decimal("100000")
    template = records.create("project_template", {"name": "Монтаж", "code": "mount"})
    records.create("project_template_task", {"template_id": template.id, "name": "Смонтировать", "duration_days": 2})
    from flowcase_addons.projects.services import create_project_from_template

    project = create_project_from_template(records, "mount", "account", account.id)
    assert project.account_id == account.id
    records.session.commit()

    assert manager.install(["tenders"]) == ["tenders"]
    assert _tables(records.session) == TENDERS_TABLES
    assert records.get("tender_stage", xid("stage_tender_won")).name == "Выигран"
    assert records.session.scalar(sa.select(sa.func.count()).select_from(records.section("tender").model)) == 0
    assert records.section("contract").field("tenders.tender_id") is not None


def test_demo_tells_case_1(app_ctx, records, users, tenders):
    assert AddonManager(app_ctx.extensions["flowcase"]).load_demo() == []
    Tender = tenders.models.Tender
    results = dict(records.session.execute(sa.select(Tender.result, sa.func.count()).group_by(Tender.result)).all())
    assert results.get("won", 0) >= 1 and results.get("lost", 0) >= 1 and results.get("pending", 0) >= 1
    won = records.session.scalar(sa.select(Tender).where(Tender.result == "won"))
    implementation = tenders.result.implementation_of(records.session, won.id)
    assert implementation is not None and implementation.project_id is not None
    links = tenders.links.linked(records, "tender", won)
    assert len(links["contract"]) >= 2 and links["opportunity"]
    assert "АЭС" in records.get("account", won.account_id).name
    assert implementation.name.startswith("Реализация: ")  # generated in the demo's language


def test_uninstall_keeping_the_data_then_reinstall(app_ctx, records, tenders):
    """Without --drop-data the tables stay; contracts keep working meanwhile; a reinstall finds the tenders again."""
    manager = AddonManager(app_ctx.extensions["flowcase"])
    implementation = _won_tender(records, tenders)
    tender_id = implementation.tender_id
    manager.uninstall("tenders")
    assert _tables(records.session) == TENDERS_TABLES
    account = records.create("account", {"name": "Белоярская АЭС"})
    contract = records.create("contract", {"name": "Поставка", "account_id": account.id, "direction": "income",
                                           "amount": Decimal("10")})
    records.delete("contract", contract)  # the kept extension table does not block a contract's delete
    records.session.commit()
    manager.install(["tenders"])
    assert records.get("tender", tender_id).result == "won"
    assert len(tenders.links.linked(records, "tender", records.get("tender", tender_id))["contract"]) == 2
