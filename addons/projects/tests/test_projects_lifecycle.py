"""Install → upgrade → uninstall → reinstall; the migration builds exactly the models; crm stays while projects
needs it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.addons.data import ref
from core.addons.manager import AddonManager
from core.db import Base
from core.errors import AddonError

pytestmark = pytest.mark.addons("projects")

TABLES = {"projects_template", "projects_template_task", "projects_project", "projects_task"}


def _tables(session) -> set[str]:
    return {name for name in sa.inspect(session.connection()).get_table_names() if name.startswith("projects_")}


def test_migration_matches_the_models(records):
    wanted = sa.MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        if table.name in TABLES or table.name.startswith("crm_") or table.name == "core_user":
            table.to_metadata(wanted)
    context = MigrationContext.configure(records.session.connection(), opts={"compare_type": True})
    diffs = [diff for diff in compare_metadata(context, wanted) if "projects_" in repr(diff)]
    assert diffs == [], "\n".join(map(repr, diffs))


def test_install_upgrade_uninstall_reinstall(app_ctx, records, projects, template, account):
    state = app_ctx.extensions["flowcase"]
    manager = AddonManager(state)
    assert _tables(records.session) == TABLES
    assert {"project", "project_task", "project_template", "project_template_task"} == {
        s.name for s in state.sections.by_addon("projects")}
    assert "projects.create_from_template" in state.actions
    report = ref(records.session, "projects.print_form_project_status_report")
    records.update("print_form", report, {"name": "Статус проекта"})  # an admin's edit survives upgrades
    project = projects.services.create_project_from_template(records, "delivery", "account", account.id)
    records.session.commit()

    manager.upgrade(["projects"])
    assert records.get("print_form", report).name == "Статус проекта"
    assert records.get("project", project.id).planned_duration_days == 6

    # Uninstalled with its data kept, the tasks stay workable as the account's activities; a reinstall
    # links them back to the project.
    Activity = records.section("activity").model
    tasks = list(records.session.scalars(sa.select(Activity).where(Activity.section == "project")))
    assert len(tasks) == 3
    manager.uninstall("projects")
    assert {(t.section, t.record_id) for t in tasks} == {("account", account.id)}
    records.update("activity", tasks[0], {"status": "done"})
    records.session.commit()
    assert _tables(records.session) == TABLES
    manager.install(["projects"])
    assert {(t.section, t.record_id) for t in tasks} == {("project", project.id)}
    records.update("activity", tasks[1], {"status": "done"})
    rows = {row.activity_id: row.status for row in records.session.scalars(
        sa.select(projects.models.ProjectTask))}
    assert rows[tasks[1].id] == "done" and len(rows) == 3

    with pytest.raises(AddonError, match="projects"):
        manager.uninstall("crm")
    assert "project" in state.sections

    manager.uninstall("projects", drop_data=True)
    assert _tables(records.session) == set()
    assert "project" not in state.sections and "projects.create_from_template" not in state.actions
    Role = records.section("role").model
    assert records.session.scalar(sa.select(Role.id).where(Role.code == "projects_manager")) is None
    # crm works on without it: the project's tasks are plain activities of the account now.
    assert records.create("activity", {"subject": "Call back", "section": "account", "record_id": account.id}).id

    assert manager.install(["projects"]) == ["projects"]
    assert _tables(records.session) == TABLES
    assert records.get("print_form", ref(records.session, "projects.print_form_project_status_report")).name == \
        "Отчёт о ходе проекта"
    Project = records.section("project").model
    assert records.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0
