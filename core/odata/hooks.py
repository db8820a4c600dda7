"""OData's registration, made through the same hook add-ons use (imported by ``core.builtin_hooks``)."""
from __future__ import annotations

from core.plugins import hookimpl


@hookimpl(specname="flowcase_register_blueprints")
def register_odata_blueprint(app):
    """``/odata``, exempt from CSRF: it authenticates by key and never reads the session cookie."""
    from core.extensions import csrf
    from core.odata import bp

    csrf.exempt(bp)
    return [bp]
