"""pytest fixtures for platform and add-on tests.

- ``database``: a throw-away SQLite file, or a PostgreSQL schema when
  ``FLOWCASE_TEST_DATABASE_URL`` is set.
- ``make_app(addons=[...], **config)``: an app on that database with those add-ons installed
  (the repository's addons/ and tests/fixtures/addons/ are both searched).
- ``app``: ``make_app`` with the add-ons named by ``@pytest.mark.addons("crm", ...)``.
- ``client``: a test client of ``app``; ``login(client, "admin")`` signs in.
- ``elsewhere``: a session of its own on the database, as another process's (plain-SQL changes).
"""
from __future__ import annotations

import pytest

from core.extensions import db
from core.testing import FIXTURE_ADDONS, TestDatabase, build_app, test_config


def pytest_configure(config):
    config.addinivalue_line("markers", "addons(*names): add-ons the `app` fixture installs")


@pytest.fixture
def database(tmp_path):
    database = TestDatabase(tmp_path)
    yield database
    database.drop()


@pytest.fixture
def elsewhere(database):
    """A session of its own on the database, as another process's: what it commits no ORM event of the app sees."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    engine = sa.create_engine(database.url)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def make_app(database, tmp_path):
    apps = []

    def factory(addons=(), paths=(FIXTURE_ADDONS,), bundled=True, **overrides):
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
def app(make_app, request):
    marker = request.node.get_closest_marker("addons")
    return make_app(addons=marker.args if marker else ())


@pytest.fixture
def second_app(app, make_app):
    """Another app on the same database, as a second worker is: per-process caches must follow the first's changes."""
    return make_app()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()
