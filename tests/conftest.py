"""Fixtures for platform tests: a throw-away database and an app factory per test."""
from __future__ import annotations

import pytest

from core.extensions import db
from core.testing import FIXTURE_ADDONS, TestDatabase, build_app, test_config


@pytest.fixture
def database(tmp_path):
    database = TestDatabase(tmp_path)
    yield database
    database.drop()


@pytest.fixture
def make_app(database, tmp_path):
    """``make_app(addons=[...], paths=[...], **config)`` builds an app with those add-ons installed."""
    apps = []

    def factory(addons=(), paths=(FIXTURE_ADDONS,), bundled=False, **overrides):
        config = test_config(database, tmp_path, paths, FLOWCASE_USE_BUNDLED_ADDONS=bundled, **overrides)
        app = build_app(config, addons)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app(addons=["fx_base"])
