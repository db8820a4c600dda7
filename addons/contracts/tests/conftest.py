"""Fixtures of the contracts tests: the app with crm, sales and contracts, users, seeded ids, a contract world.

The add-on's code is imported as ``flowcase_addons.contracts`` only once an app
exists, so tests reach its modules through the ``contracts`` fixture.
"""
from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest

from core.demo_users import ensure_demo_users


@pytest.fixture
def contracts(app_ctx):
    """The add-on's modules: ``contracts.models``, ``contracts.balance``, ``contracts.numbering``."""
    return SimpleNamespace(**{
        name: importlib.import_module(f"flowcase_addons.contracts.{name}")
        for name in ("models", "balance", "numbering")
    })


@pytest.fixture
def records(app_ctx):
    """A superuser records service on the test database."""
    return app_ctx.extensions["flowcase"].records(sudo=True)


@pytest.fixture
def users(app_ctx):
    """The demo users by login: admin, manager (sales_manager), alice and bob (sales_user); password = login."""
    return ensure_demo_users()


@pytest.fixture
def xid(records):
    """``xid("stage_contract_draft")``: the id of a record the contracts add-on seeded."""
    from core.addons.data import ref

    return lambda key: ref(records.session, key, "contracts")


def login(client, name: str) -> None:
    """Sign ``name`` in on ``client`` (password = login)."""
    client.post("/logout")
    response = client.post("/login", data={"login": name, "password": name})
    assert response.status_code == 302, name
