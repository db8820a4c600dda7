"""Install, upgrade and uninstall add-ons in one database, all-or-nothing.

Each operation resolves dependencies before touching anything, then runs the
add-on's migrations, data files and state change in one transaction on the
session's connection (PostgreSQL rolls DDL back too), and activates the
add-on's hooks in the running app only once that committed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa

from core.addons import data
from core.addons.dependencies import dependants, dependency_order
from core.addons.migrations import downgrade_branch, upgrade_branch
from core.addons.plan import remove_owned_custom_fields
from core.errors import AddonError
from core.extensions import db
from core.models import AddonState, AddonStatus
from core.plugins import call_own

log = logging.getLogger(__name__)


@dataclass
class AddonInfo:
    name: str
    title: str
    version: str
    installed_version: str | None
    state: str
    depends: tuple[str, ...]
    summary: str


class AddonManager:
    """Lifecycle operations on the add-ons of ``state`` (a :class:`core.state.FlowcaseState`)."""

    def __init__(self, state):
        self.state = state
        self.manifests = state.manifests

    @property
    def session(self):
        return db.session

    # -- queries -------------------------------------------------------------
    def _row(self, name: str) -> AddonState | None:
        return self.session.get(AddonState, name)

    def installed(self) -> list[str]:
        rows = self.session.scalars(sa.select(AddonState).where(AddonState.state == AddonStatus.INSTALLED))
        return [row.name for row in rows]

    def list(self) -> list[AddonInfo]:
        rows = {row.name: row for row in self.session.scalars(sa.select(AddonState))}
        result = []
        for name in dependency_order(self.manifests):
            manifest, row = self.manifests[name], rows.get(name)
            result.append(AddonInfo(
                name=name, title=manifest.name, version=manifest.version,
                installed_version=row.installed_version if row else None,
                state=(row.state.value if row else AddonStatus.UNINSTALLED.value),
                depends=manifest.depends, summary=manifest.summary,
            ))
        return result

    # -- core schema -----------------------------------------------------------
    def init_core(self) -> None:
        """Create or upgrade the core's own tables."""
        connection = self.session.connection()
        upgrade_branch(connection, self.manifests, "core")
        self.session.commit()

    # -- operations --------------------------------------------------------------
    def install(self, names: list[str]) -> list[str]:
        """Install ``names`` and their missing dependencies, dependencies first; returns what was installed."""
        order = dependency_order(self.manifests, names)  # raises before anything changes
        done = []
        for name in order:
            row = self._row(name)
            if row is not None and row.state == AddonStatus.INSTALLED:
                continue
            self._install_one(name)
            done.append(name)
        return done

    def _install_one(self, name: str) -> None:
        manifest = self.manifests[name]
        previous = list(self.state.active)
        records = self.state.records(sudo=True)
        try:
            with records.transaction():
                upgrade_branch(self.session.connection(), self.manifests, name)
                self.state.activate([*previous, name])
                data.load_files(records, manifest, manifest.data)
                call_own(self.state.pm, name, "flowcase_addon_installed", addon=manifest, records=records)
                self._set(name, AddonStatus.INSTALLED, manifest.version)
        except Exception:
            self.state.activate(previous)
            raise
        log.info("installed %s %s", name, manifest.version)

    def upgrade(self, names: list[str] | None = None) -> list[str]:
        """Run new migrations and reload data of installed add-ons (all when ``names`` is None)."""
        installed = set(self.installed())
        wanted = names if names is not None else sorted(installed)
        missing = [n for n in wanted if n not in installed]
        if missing:
            raise AddonError(f"cannot upgrade add-ons that are not installed: {', '.join(missing)}")
        order = [n for n in dependency_order(self.manifests, wanted) if n in set(wanted)]
        for name in order:
            manifest = self.manifests[name]
            records = self.state.records(sudo=True)
            previous = list(self.state.active)
            try:
                with records.transaction():
                    self._set(name, AddonStatus.TO_UPGRADE, None, keep_version=True)
                    upgrade_branch(self.session.connection(), self.manifests, name)
                    self.state.activate(previous)  # the code may bring new hooks or sections
                    keep = data.load_files(records, manifest, manifest.data)
                    data.remove_stale(records, name, keep | self._demo_keys(name))
                    self._set(name, AddonStatus.INSTALLED, manifest.version)
            except Exception:
                self.state.activate(previous)
                raise
            log.info("upgraded %s to %s", name, manifest.version)
        return order

    def uninstall(self, name: str, drop_data: bool = False) -> None:
        """Remove an add-on's seeded records (and, with ``drop_data``, its tables); refused while needed."""
        row = self._row(name)
        if name not in self.manifests:
            raise AddonError(f"add-on '{name}' is not found in any add-on folder or entry point")
        if row is None or row.state != AddonStatus.INSTALLED:
            raise AddonError(f"add-on '{name}' is not installed")
        needed_by = dependants(self.manifests, name, set(self.installed()))
        if needed_by:
            raise AddonError(
                f"cannot uninstall '{name}': installed add-on(s) {', '.join(needed_by)} depend on it; uninstall them first"
            )
        manifest = self.manifests[name]
        previous = list(self.state.active)
        records = self.state.records(sudo=True)
        with records.transaction():
            self._set(name, AddonStatus.TO_REMOVE, None, keep_version=True)
            call_own(self.state.pm, name, "flowcase_addon_before_uninstall", addon=manifest, records=records)
            data.remove_all(records, name)
            if drop_data:
                # Definitions the add-on brought by code or data; the values stay in record.custom.
                remove_owned_custom_fields(records, name)
                downgrade_branch(self.session.connection(), self.manifests, name)
                data.forget_all(records, name)
            self._set(name, AddonStatus.UNINSTALLED, None)
        self.state.activate([n for n in previous if n != name])
        log.info("uninstalled %s%s", name, " and dropped its tables" if drop_data else "")

    def load_demo(self, scale: int = 0) -> list[str]:
        """Load demo files of installed add-ons, then generated demo; each add-on in a savepoint.

        Returns messages about demos that failed (and were skipped).
        """
        problems = []
        records = self.state.records(sudo=True)
        with records.transaction():
            for name in [n for n in self.state.active if n in set(self.installed())]:
                manifest = self.manifests[name]
                savepoint = self.session.begin_nested()
                try:
                    data.load_files(records, manifest, manifest.demo, noupdate_all=True)
                    call_own(self.state.pm, name, "flowcase_demo_generate", records=records, scale=scale)
                    savepoint.commit()
                except Exception as exc:  # a failing demo never fails the database
                    savepoint.rollback()
                    problems.append(f"demo of '{name}' skipped: {exc}")
                    log.warning(problems[-1])
        return problems

    # -- internals ---------------------------------------------------------------
    def _demo_keys(self, name: str) -> set[str]:
        manifest = self.manifests[name]
        keys = set()
        for relative in manifest.demo:
            keys |= {str(e["id"]) for e in data._read_entries(manifest, relative)}
        return keys

    def _set(self, name: str, status: AddonStatus, version: str | None, keep_version: bool = False) -> None:
        row = self._row(name)
        if row is None:
            row = AddonState(name=name)
            self.session.add(row)
        row.state = status
        if not keep_version:
            row.installed_version = version
        self.session.flush()
