"""The core's own behaviour, registered through the same hooks add-ons use."""
from __future__ import annotations

from core.plugins import hookimpl


@hookimpl
def flowcase_register_blueprints(app):
    from core.views.auth import bp as auth_bp
    from core.views.home import bp as home_bp
    from core.ui import bp as sections_bp

    return [auth_bp, home_bp, sections_bp]


@hookimpl
def flowcase_register_jobs(app):
    from core.jobs import ping_job

    return {"core.ping": ping_job}
