"""What an add-on operation would do, computed before doing it (for confirmation pages).

:func:`install_plan` and :func:`uninstall_plan` read the same dependency
graph and state the :class:`core.addons.manager.AddonManager` acts on, so
what a confirmation page shows is what the operation then does.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from core.addons.dependencies import dependants, dependency_order


@dataclass
class Plan:
    """The consequences of one operation on one add-on."""

    action: str
    name: str
    #: Add-ons installed first, as missing dependencies (install), in order.
    dependencies: list[str] = field(default_factory=list)
    #: Installed add-ons that depend on this one: they block an uninstall.
    blockers: list[str] = field(default_factory=list)
    #: Tables an uninstall with "drop data" drops.
    tables: list[str] = field(default_factory=list)
    #: Custom-field definitions (``section.name``) the add-on owns, removed with "drop data".
    custom_fields: list[str] = field(default_factory=list)
    #: Why the operation cannot run at all (not installed, not found), or None.
    refusal: str | None = None


def install_plan(manager, name: str) -> Plan:
    """The dependencies installed before ``name``; raises :class:`AddonError` on a missing one or a cycle."""
    installed = set(manager.installed())
    order = dependency_order(manager.manifests, [name])
    plan = Plan("install", name, dependencies=[n for n in order if n != name and n not in installed])
    if name in installed:
        plan.refusal = f"add-on '{name}' is already installed"
    return plan


def upgrade_plan(manager, name: str) -> Plan:
    plan = Plan("upgrade", name)
    if name not in set(manager.installed()):
        plan.refusal = f"add-on '{name}' is not installed"
    return plan


def uninstall_plan(manager, name: str) -> Plan:
    """Who blocks the uninstall of ``name``, and what "drop data" would remove."""
    installed = set(manager.installed())
    plan = Plan("uninstall", name)
    if name not in manager.manifests or name not in installed:
        plan.refusal = f"add-on '{name}' is not installed"
        return plan
    plan.blockers = dependants(manager.manifests, name, installed)
    plan.tables = addon_tables(manager.state, name)
    plan.custom_fields = owned_custom_fields(manager.session, name)
    return plan


def addon_tables(state, name: str) -> list[str]:
    """Tables the add-on owns: its sections' and extensions' tables, and tables named ``<name>_...``."""
    from core.extensions import db

    tables = {section.table.name for section in state.sections.by_addon(name)}
    for section in state.sections.all():
        tables.update(ext.model.__table__.name for ext in section.extensions if ext.addon == name)
    tables.update(t for t in db.metadata.tables if t.startswith(f"{name}_"))
    return sorted(tables)


def owned_custom_fields(session, name: str) -> list[str]:
    """``section.name`` of every custom-field definition the add-on owns."""
    from core.models import CustomField

    rows = session.execute(sa.select(CustomField.section, CustomField.name).where(CustomField.owner == name)
                           .order_by(CustomField.section, CustomField.name))
    return [f"{section}.{field_name}" for section, field_name in rows]


def remove_owned_custom_fields(records, name: str) -> int:
    """Delete (through the records service) the custom-field definitions the add-on owns."""
    from core.models import CustomField

    found = records.session.scalars(sa.select(CustomField).where(CustomField.owner == name)).all()
    for definition in found:
        records.delete("custom_field", definition)
    return len(found)
