"""Fixtures of the projects tests: the app with crm and projects, demo users, a template to plan from."""
from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest

from core.demo_users import ensure_demo_users


@pytest.fixture
def projects(app_ctx):
    """The add-on's modules: ``projects.models``, ``projects.services``, ``projects.scheduling``."""
    return SimpleNamespace(**{
        name: importlib.import_module(f"flowcase_addons.projects.{name}")
        for name in ("models", "services", "scheduling")
    })


@pytest.fixture
def records(app_ctx):
    """A superuser records service on the test database."""
    return app_ctx.extensions["flowcase"].records(sudo=True)


@pytest.fixture
def users(app_ctx):
    """The demo users by login: admin, manager, alice, bob (password = login), with their roles."""
    return ensure_demo_users()


@pytest.fixture
def installer_role(records, users):
    """A role "installer" held by bob: template tasks given to that role go to him."""
    role = records.create("role", {"code": "installer", "name": "Installer"})
    bob = users["bob"]
    bob.roles.append(role)
    records.session.commit()
    return role


@pytest.fixture
def template(records, installer_role):
    """The template "delivery": survey (2 days, owner), installation (3 days, installer), handover (1 day, owner)."""
    tpl = records.create("project_template", {"name": "Delivery", "code": "delivery"})
    for sequence, name, days, who in ((10, "Survey the site", 2, "owner"), (20, "Install", 3, "installer"),
                                      (30, "Hand over", 1, "owner")):
        records.create("project_template_task", {"template_id": tpl.id, "sequence": sequence, "name": name,
                                                 "duration_days": days, "assignee": who})
    records.session.commit()
    return tpl


@pytest.fixture
def account(records, users):
    """An account of alice's."""
    account = records.create("account", {"name": "Stroy-Invest", "owner_id": users["alice"].id})
    records.session.commit()
    return account
