"""Everything one app knows about its add-ons: manifests, plugin manager, sections, actions, jobs.

Kept on ``app.extensions["flowcase"]``, never in module globals, so two apps in
one process (two databases, two sets of installed add-ons) do not mix.
"""
from __future__ import annotations

import sqlalchemy as sa

from core.addons.dependencies import dependency_order
from core.addons.discovery import discover
from core.addons.manifest import Manifest
from core.errors import FlowcaseError
from core.plugins import make_plugin_manager
from core.sections import SectionRegistry


class FlowcaseState:
    def __init__(self, app):
        self.app = app
        self.manifests: dict[str, Manifest] = discover(app.config)
        self.huey = None
        #: (name, version) pairs installed when the state was last activated from the database.
        self.signature: tuple = ()
        #: monotonic time of the last check for add-on changes made by other processes.
        self.checked_at = 0.0
        self.activate([])  # the core's own hooks, until the database says more

    def installed_signature(self, connection) -> tuple:
        """What the database says is installed, with versions: changes when any process installs or removes."""
        from core.models import AddonState, AddonStatus

        if not sa.inspect(connection).has_table(AddonState.__tablename__):
            return ()
        rows = connection.execute(
            sa.select(AddonState.name, AddonState.installed_version)
            .where(AddonState.state.in_([AddonStatus.INSTALLED, AddonStatus.TO_UPGRADE]))
            .order_by(AddonState.name)
        ).all()
        return tuple((name, version) for name, version in rows)

    def refresh_if_changed(self, connection) -> bool:
        """Re-activate when another process (CLI, another worker) installed or removed add-ons.

        Sections, hooks, actions and jobs follow at once; add-ons' own
        blueprints need a restart, because Flask cannot add routes to an app
        that has served requests (the generic section pages cover new sections).
        """
        import time

        self.checked_at = time.monotonic()
        signature = self.installed_signature(connection)
        if signature == self.signature:
            return False
        self.activate([name for name, _ in signature])
        self.signature = signature
        return True

    def activate(self, names: list[str]) -> None:
        """Register exactly these add-ons' hooks (dependency order) and rebuild what comes from hooks."""
        known = [n for n in names if n in self.manifests]
        order = dependency_order(self.manifests, known)
        pm = make_plugin_manager([self.manifests[n] for n in order])
        sections = SectionRegistry()
        rank = {name: i for i, name in enumerate(["core", *order])}

        def by_addon(hook_name):
            """Results of a registration hook as (add-on, result) in dependency order."""
            caller = getattr(pm.hook, hook_name)
            results = []
            for impl in caller.get_hookimpls():
                result = impl.function(**{a: self.app for a in impl.argnames})
                if result is not None:
                    results.append((impl.plugin_name, result))
            return sorted(results, key=lambda item: rank.get(item[0], len(rank)))

        for addon, items in by_addon("flowcase_register_sections"):
            for section in items:
                sections.add(section, addon)
        for addon, items in by_addon("flowcase_register_section_extensions"):
            for extension in items:
                sections.extend(extension, addon)
        actions, jobs, periodic, menus = {}, {}, [], []
        for kind, target in (("flowcase_register_actions", actions), ("flowcase_register_jobs", jobs)):
            for addon, items in by_addon(kind):
                for name, func in items.items():
                    if name in target:
                        raise FlowcaseError(f"{kind.split('_')[-1][:-1]} '{name}' is registered twice (again by '{addon}')")
                    target[name] = func
        for addon, items in by_addon("flowcase_register_periodic_jobs"):
            periodic.extend(items)
        for addon, items in by_addon("flowcase_register_menus"):
            for item in items:
                item.addon = addon
                menus.append(item)
        # Swap everything at once: a failure above leaves the previous state intact.
        self.pm, self.sections, self.actions, self.jobs = pm, sections, actions, jobs
        self.periodic_jobs, self.menus, self.active = periodic, menus, order
        self.rank = rank
        if self.huey is not None:
            from core.jobs import bind_tasks

            bind_tasks(self)

    def records(self, user=None, sudo: bool = False):
        from core.extensions import db
        from core.records import Records

        return Records(self, db.session, user, sudo=sudo)

    def call_ordered(self, hook_name: str, **kwargs) -> list:
        """Call a hook and return its non-None results in the add-ons' dependency order."""
        caller = getattr(self.pm.hook, hook_name)
        results = []
        for impl in caller.get_hookimpls():
            result = impl.function(**{a: kwargs[a] for a in impl.argnames if a in kwargs})
            if result is not None:
                results.append((self.rank.get(impl.plugin_name, len(self.rank)), result))
        return [result for _, result in sorted(results, key=lambda item: item[0])]


def get_state(app=None) -> FlowcaseState:
    from flask import current_app

    return (app or current_app).extensions["flowcase"]
