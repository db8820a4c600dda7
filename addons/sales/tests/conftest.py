"""Fixtures of the sales tests: the app with crm and sales, a signed-in salesperson, seeded ids.

The add-on's code is imported as ``flowcase_addons.sales`` only once an app
exists, so tests reach models through the ``sales`` fixture.
"""
from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest

from core.demo_users import ensure_demo_users


@pytest.fixture
def sales(app_ctx):
    """The add-on's modules: ``sales.models``, ``sales.lines``, ``sales.qualification``, ..."""
    return SimpleNamespace(**{
        name: importlib.import_module(f"flowcase_addons.sales.{name}")
        for name in ("models", "lines", "qualification", "stages", "actions", "picker")
    })


@pytest.fixture
def records(app_ctx):
    """A superuser records service on the test database."""
    return app_ctx.extensions["flowcase"].records(sudo=True)


@pytest.fixture
def users(app_ctx):
    """The demo users by login: admin, manager, alice, bob (password = login)."""
    return ensure_demo_users()


@pytest.fixture
def xid(records):
    """``xid("stage_lead_new")``: the id of a record the sales add-on seeded."""
    from core.addons.data import ref

    return lambda key: ref(records.session, key, "sales")


@pytest.fixture
def bob(app_ctx, client, users):
    """Bob, a salesperson, signed in on ``client``; returns his records service."""
    response = client.post("/login", data={"login": "bob", "password": "bob"})
    assert response.status_code == 302
    return app_ctx.extensions["flowcase"].records(users["bob"])
