"""The API's registrations, made through the same hooks add-ons use (imported by ``core.builtin_hooks``)."""
from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface

from core.plugins import hookimpl


@hookimpl(specname="flowcase_register_blueprints")
def register_api_blueprint(app):
    """``/api/v1``, exempt from CSRF: it authenticates by key and never reads the session cookie."""
    from core.api import bp
    from core.extensions import csrf

    csrf.exempt(bp)
    from core.api.session import KeyDoorSessionInterface

    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = KeyDoorSessionInterface()
    return [bp]


@hookimpl(specname="flowcase_register_admin_views")
def register_api_admin_views(admin, app):
    """The API keys page in Flask-Admin."""
    from core.api.admin import register

    register(admin)
