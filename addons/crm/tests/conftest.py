"""Fixtures of the CRM's tests: the app with crm installed, its records service, its modules.

The add-on's code is imported as ``flowcase_addons.crm`` (the name discovery
gives it) only once an app exists, so tests reach it through the ``crm``
fixture rather than module-level imports, which would load a second copy.
"""
from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest

from core.demo_users import ensure_demo_users


@pytest.fixture
def crm(app_ctx):
    """The add-on's modules: ``crm.models``, ``crm.planning``, ``crm.normalize``, ..."""
    return SimpleNamespace(**{
        name: importlib.import_module(f"flowcase_addons.crm.{name}")
        for name in ("models", "planning", "normalize", "hooks", "demo_generator")
    })


@pytest.fixture
def records(app_ctx):
    """A superuser records service on the test database."""
    return app_ctx.extensions["flowcase"].records(sudo=True)


@pytest.fixture
def users(app_ctx):
    """The demo users by login: admin, manager, alice, bob."""
    return ensure_demo_users()


@pytest.fixture
def xid(records):
    """``xid("activity_type_call")``: the id of a record the crm add-on seeded."""
    from core.addons.data import ref

    return lambda key: ref(records.session, key, "crm")
