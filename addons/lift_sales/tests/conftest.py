"""Fixtures of the ALTIS-LIFT tests: the app with sales, projects and lift_sales, demo users, API keys."""
from __future__ import annotations

import pytest

from core.addons.data import ref
from core.api.keys import create_key
from core.demo_users import ensure_demo_users
from tests.api_support import Api


@pytest.fixture
def records(app_ctx):
    """A superuser records service on the test database."""
    return app_ctx.extensions["flowcase"].records(sudo=True)


@pytest.fixture
def users(app_ctx):
    """The demo users (admin, manager, alice, bob); the manager also leads installations (projects_manager)."""
    users = ensure_demo_users()
    from core.extensions import db
    from core.security.models import Role
    import sqlalchemy as sa

    role = db.session.scalar(sa.select(Role).where(Role.code == "projects_manager"))
    users["manager"].roles.append(role)
    db.session.commit()
    return users


@pytest.fixture
def xid(records):
    """``xid("stage_lift_contract")``: the id of a record lift_sales seeded (or ``"sales.key"``)."""
    return lambda key: ref(records.session, key, "lift_sales")


@pytest.fixture
def api_as(client, users):
    """``api_as("bob")``: the REST API with a key of that user."""
    def factory(login):
        _key, token = create_key(users[login], f"{login} key")
        return Api(client, token)
    return factory
