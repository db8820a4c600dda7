"""Flowcase core: ``create_app`` builds one app with its own add-ons, sections and plugin manager."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from core.config import PROJECT_ROOT, load_config


def create_app(config: dict | None = None) -> Flask:
    """Build a Flowcase app.

    :param config: keys that win over instance/config.py and the environment
        (tests pass their database URL and ``TESTING`` here).
    """
    instance = (config or {}).get("FLOWCASE_INSTANCE_PATH") or os.environ.get("FLOWCASE_INSTANCE_PATH")
    app = Flask(__name__, instance_path=str(instance or PROJECT_ROOT / "instance"), instance_relative_config=True)
    # Configuration: defaults, instance/config.py, FLOWCASE_* environment, then ``config``.
    load_config(app, config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from core import request_session, web
    from core.extensions import babel, bootstrap, csrf, db, login_manager
    from core.admin import configure_admin
    from core.jobs import bind_tasks, make_huey
    from core.state import FlowcaseState

    # Extensions are module-level and unbound; bind them to this app.
    db.init_app(app)
    request_session.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    web.configure_i18n(app, babel)
    web.configure_login(app, login_manager)

    # Add-ons: discover all, activate those this database has installed.
    state = FlowcaseState(app)
    app.extensions["flowcase"] = state
    state.huey = make_huey(app)
    with app.app_context():
        with db.engine.connect() as connection:
            state.refresh_if_changed(connection)
    bind_tasks(state)
    web.configure_addon_refresh(app, state)

    # Pages: blueprints from the core and add-ons, templates, security headers, errors.
    web.configure_templates(app, state)
    for blueprints in state.call_ordered("flowcase_register_blueprints", app=app):
        for blueprint in blueprints:
            app.register_blueprint(blueprint)
    configure_admin(app, state)
    web.configure_security_headers(app)
    web.configure_errors(app)

    from core.cli import flowcase_cli

    app.cli.add_command(flowcase_cli)
    return app
