"""Fixtures of the tenders tests: the app with tenders (and contracts, projects, sales, crm), users, seeded ids.

The add-on's code is imported as ``flowcase_addons.tenders`` only once an app
exists, so tests reach its modules through the ``tenders`` fixture.
"""
from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest

from core.demo_users import ensure_demo_users


@pytest.fixture
def tenders(app_ctx):
    """The add-on's modules: ``tenders.models``, ``tenders.pricing``, ``tenders.result``, ..."""
    return SimpleNamespace(**{
        name: importlib.import_module(f"flowcase_addons.tenders.{name}")
        for name in ("models", "pricing", "result", "stages", "links", "monitoring")
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
    """``xid("sales.stage_opportunity_won")``: the id of a seeded record (``tenders.`` when no add-on is named)."""
    from core.addons.data import ref

    return lambda key: ref(records.session, key, "tenders")


@pytest.fixture
def login(client, users):
    """``login("alice")``: sign ``client`` in (password = login)."""
    def sign_in(name: str):
        response = client.post("/login", data={"login": name, "password": name})
        assert response.status_code == 302
        return client
    return sign_in
