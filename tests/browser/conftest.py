"""The platform's browser tests: a live server with crm and the fx_geo fixture add-on.

The browser fixtures themselves (``page``, ``make_page``, ``shot``, ``log_in``)
come from :mod:`core.pytest_browser`, registered for the whole run.

- ``live_server``: an app built like ``make_app`` builds them (crm and the fx_geo fixture
  installed, the demo users, CSRF on), served on 127.0.0.1 at a free port from a
  background thread, once per test process; scenarios create their own records.
"""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from core.pytest_browser import log_in  # noqa: F401  (the scenarios import it from here)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """``(base_url, app)``: the app on 127.0.0.1 at a free port, with CSRF protection on.

    Built the way ``make_app`` builds apps (``core.testing``), once per test process:
    building the schema and hashing the demo passwords takes seconds, and the
    scenarios use their own records, so they can share one server.
    """
    from core.demo_users import ensure_demo_users
    from core.extensions import db
    from core.testing import FIXTURE_ADDONS, TestDatabase, build_app, test_config

    tmp_path = tmp_path_factory.mktemp("live-server")
    database = TestDatabase(tmp_path)
    config = test_config(database, tmp_path, (FIXTURE_ADDONS,), FLOWCASE_USE_BUNDLED_ADDONS=True,
                         WTF_CSRF_ENABLED=True)
    app = build_app(config, ("crm", "fx_geo"))
    with app.app_context():
        ensure_demo_users()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    database.drop()
