"""Install → upgrade → uninstall → reinstall, and the migration building exactly the models."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.addons.manager import AddonManager
from core.db import Base

pytestmark = pytest.mark.addons("crm")

CRM_TABLES = {
    "crm_industry", "crm_account_type", "crm_activity_type", "crm_activity_result",
    "crm_account", "crm_contact", "crm_activity", "crm_activity_participant",
}


def _tables(session) -> set[str]:
    return {name for name in sa.inspect(session.connection()).get_table_names() if name.startswith("crm_")}


def test_migration_matches_the_models(records):
    # The CRM's tables plus the one they refer to; every difference found on a crm_ table is drift.
    wanted = sa.MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        if table.name in CRM_TABLES or table.name == "core_user":
            table.to_metadata(wanted)
    context = MigrationContext.configure(records.session.connection(), opts={"compare_type": True})
    diffs = [diff for diff in compare_metadata(context, wanted) if "crm_" in repr(diff)]
    assert diffs == [], "\n".join(map(repr, diffs))


def test_install_upgrade_uninstall_reinstall(app_ctx, records, crm, xid):
    state = app_ctx.extensions["flowcase"]
    manager = AddonManager(state)
    assert _tables(records.session) == CRM_TABLES
    assert {"account", "contact", "activity", "industry", "account_type", "activity_type", "activity_result"} <= {
        s.name for s in state.sections.by_addon("crm")}
    call_type = xid("activity_type_call")

    # An admin renames a seeded lookup; the user's data refers to another one.
    records.update("activity_type", call_type, {"name": "Phone call"})
    account = records.create("account", {"name": "Kept", "industry_id": xid("industry_energy")})
    records.session.commit()

    manager.upgrade(["crm"])
    assert records.get("activity_type", call_type).name == "Phone call"  # the admin's edit survives
    assert records.get("account", account.id).industry_id == xid("industry_energy")

    manager.uninstall("crm", drop_data=True)
    assert _tables(records.session) == set()
    assert "account" not in state.sections
    assert manager.install(["crm"]) == ["crm"]
    assert _tables(records.session) == CRM_TABLES
    assert records.get("activity_type", xid("activity_type_call")).name == "Call"
    Account = records.section("account").model
    assert records.session.scalar(sa.select(sa.func.count()).select_from(Account)) == 0


def test_uninstall_keeping_data_keeps_lookups_in_use(app_ctx, records, xid):
    manager = AddonManager(app_ctx.extensions["flowcase"])
    energy = xid("industry_energy")
    account = records.create("account", {"name": "Kept", "industry_id": energy})
    records.session.commit()
    manager.uninstall("crm")
    Account = sa.table("crm_account", sa.column("id"), sa.column("industry_id"))
    assert records.session.execute(sa.select(Account.c.industry_id).where(Account.c.id == account.id)).scalar() == energy
    industries = sa.table("crm_industry", sa.column("id"))
    assert records.session.execute(sa.select(sa.func.count()).select_from(industries)).scalar() == 1
    # Reinstalling over the kept tables adopts them again.
    assert manager.install(["crm"]) == ["crm"]
    assert records.get("account", account.id).industry_id == energy


DASHBOARD_INDEXES = {
    "ix_crm_activity_status_due_owner", "ix_crm_activity_status_priority", "ix_crm_activity_status_account_due",
    "ix_crm_activity_type_due_owner", "ix_crm_account_created_at",
}


def _crm_indexes(connection) -> set[str]:
    inspector = sa.inspect(connection)
    return {index["name"] for table in ("crm_activity", "crm_account") for index in inspector.get_indexes(table)}


def test_dashboard_index_migration_downgrades_and_upgrades(app_ctx, records):
    from alembic import command

    from core.addons.migrations import alembic_config

    connection = records.session.connection()
    cfg = alembic_config(app_ctx.extensions["flowcase"].manifests, connection)
    assert DASHBOARD_INDEXES <= _crm_indexes(connection)

    command.downgrade(cfg, "crm_0001")
    remaining = _crm_indexes(connection)
    assert not DASHBOARD_INDEXES & remaining
    # The indexes crm_0001 made are left alone.
    assert {"ix_crm_activity_owner_status_due", "ix_crm_activity_account_status_due"} <= remaining

    command.upgrade(cfg, "crm@head")
    assert DASHBOARD_INDEXES <= _crm_indexes(connection)


def _index_sql(connection, name: str) -> str | None:
    if connection.dialect.name == "postgresql":
        # This test's schema only: parallel workers each have the same index in a schema of their own.
        return connection.scalar(sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = :n "
                                         "AND schemaname = current_schema()"), {"n": name})
    return connection.scalar(sa.text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :n"), {"n": name})


def test_open_activity_index_is_partial_and_its_migration_downgrades_and_upgrades(app_ctx, records):
    from alembic import command

    from core.addons.migrations import alembic_config

    name = "ix_crm_activity_open_account_due"
    connection = records.session.connection()
    cfg = alembic_config(app_ctx.extensions["flowcase"].manifests, connection)
    # Only open activities, in account order: what "accounts without a planned activity" walks.
    made = _index_sql(connection, name)
    assert made is not None and "'open'" in made and made.index("account_id") < made.index("due_date"), made

    command.downgrade(cfg, "crm_0002")
    assert _index_sql(connection, name) is None
    assert DASHBOARD_INDEXES <= _crm_indexes(connection)  # crm_0002's are left alone

    command.upgrade(cfg, "crm@head")
    assert _index_sql(connection, name) == made
