"""Running Alembic per add-on: one version branch each, labelled with the add-on's name.

The core's tables are the ``core`` branch. All branches share one script
directory built from every discovered add-on's ``migrations/`` folder, so a
revision may ``depends_on`` another add-on's revision when it references that
add-on's tables.
"""
from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from core.addons.manifest import Manifest
from core.errors import AddonError

CORE_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(manifests: dict[str, Manifest], connection=None) -> Config:
    """A Config whose version locations are the core's and every add-on's migrations folders."""
    cfg = Config()
    cfg.set_main_option("script_location", str(CORE_MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    locations = [str(CORE_MIGRATIONS / "versions")]
    locations += [str(m.migrations_path) for m in manifests.values() if m.migrations_path.is_dir()]
    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    cfg.attributes["connection"] = connection
    return cfg


def has_branch(cfg: Config, label: str) -> bool:
    try:
        ScriptDirectory.from_config(cfg).get_revisions(f"{label}@head")
    except CommandError:
        return False
    return True


def upgrade_branch(connection, manifests: dict[str, Manifest], label: str) -> None:
    """Run ``label``'s migrations up to its head (a no-op when already there or when it has none)."""
    cfg = alembic_config(manifests, connection)
    manifest = manifests.get(label)
    if manifest is not None and not manifest.migrations_path.is_dir():
        return
    if not has_branch(cfg, label):
        where = manifest.migrations_path if manifest else CORE_MIGRATIONS
        raise AddonError(
            f"add-on '{label}': no migration in {where} carries branch_labels = ('{label}',)"
        )
    try:
        command.upgrade(cfg, f"{label}@head")
    except CommandError as exc:
        raise AddonError(f"add-on '{label}': migration failed: {exc}") from exc


def downgrade_branch(connection, manifests: dict[str, Manifest], label: str) -> None:
    """Undo all of ``label``'s migrations (drops its tables)."""
    cfg = alembic_config(manifests, connection)
    manifest = manifests[label]
    if not manifest.migrations_path.is_dir() or not has_branch(cfg, label):
        return
    try:
        command.downgrade(cfg, f"{label}@base")
    except CommandError as exc:
        raise AddonError(f"add-on '{label}': dropping its tables failed: {exc}") from exc
