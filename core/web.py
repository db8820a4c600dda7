"""Page-side configuration of an app: i18n, login, template lookup, headers, error pages."""
from __future__ import annotations

from pathlib import Path

from flask import render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup

from core.config import PROJECT_ROOT
from core.errors import AccessDenied, RecordNotFound

CORE_TEMPLATES = Path(__file__).resolve().parent / "templates"
THEMES = PROJECT_ROOT / "themes"


def _select_locale():
    from flask_login import current_user

    from flask import current_app

    languages = current_app.config["FLOWCASE_LANGUAGES"]
    chosen = getattr(current_user, "language", None) if current_user and current_user.is_authenticated else None
    if chosen in languages:
        return chosen
    if request:
        return request.accept_languages.best_match(languages)
    return None


def configure_i18n(app, babel) -> None:
    """flask-babel with the core's and each add-on's translations; locale from user, then browser."""
    folders = [str(Path(__file__).resolve().parent / "translations")]
    for manifest in _manifests_with(app, "translations"):
        folders.append(str(manifest.path / "translations"))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(folders)
    babel.init_app(app, locale_selector=_select_locale)
    app.jinja_env.globals["get_locale"] = get_locale


def _manifests_with(app, folder: str):
    from core.addons.discovery import discover

    try:
        manifests = discover(app.config)
    except Exception:  # the state's own discovery reports the error properly
        return []
    return [m for m in manifests.values() if (m.path / folder).is_dir()]


def configure_login(app, login_manager) -> None:
    from core.extensions import db
    from core.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.active else None


def configure_templates(app, state) -> None:
    """Template lookup: the chosen theme, then add-ons (most dependent first), then the core."""
    loaders = [FileSystemLoader(str(THEMES / app.config["FLOWCASE_THEME"] / "templates"))]
    extra = state.call_ordered("flowcase_register_template_folders", app=app)
    for name in reversed(state.active):
        folder = state.manifests[name].path / "templates"
        if folder.is_dir():
            loaders.append(FileSystemLoader(str(folder)))
    for folders in reversed(extra):
        loaders.extend(FileSystemLoader(str(f)) for f in folders)
    loaders.append(FileSystemLoader(str(CORE_TEMPLATES)))
    loaders.append(FileSystemLoader(str(THEMES / "default" / "templates")))
    app.jinja_loader = ChoiceLoader(loaders)
    app.static_folder = str(THEMES / app.config["FLOWCASE_THEME"] / "static")

    def slot(name: str, **context):
        parts = state.call_ordered("flowcase_template_slot", slot=name, context=context)
        return Markup("").join(Markup(p) for p in parts)

    from core.ui.sections_menu import readable_sections

    app.jinja_env.globals["slot"] = slot
    app.jinja_env.globals["flowcase"] = state
    app.jinja_env.globals["readable_sections"] = readable_sections


def configure_addon_refresh(app, state) -> None:
    """Every few seconds a request checks whether another process changed the installed add-ons."""
    import time

    interval = app.config.get("FLOWCASE_ADDON_CHECK_SECONDS", 2.0)

    @app.before_request
    def refresh_addons():
        if time.monotonic() - state.checked_at < interval:
            return
        from core.extensions import db

        state.refresh_if_changed(db.session.connection())


#: Headers every response gets unless the view set its own.
_SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy",
     "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'"),
)


def configure_security_headers(app) -> None:
    @app.after_request
    def security_headers(response):
        # One pass over the response's headers (a setdefault per header scanned them all each time).
        present = {key.lower() for key in response.headers.keys()}
        for name, value in _SECURITY_HEADERS:
            if name.lower() not in present:
                response.headers.add(name, value)
        return response


def configure_errors(app) -> None:
    @app.errorhandler(404)
    @app.errorhandler(RecordNotFound)
    def not_found(error):
        return render_template("errors/404.html", error=error), 404

    @app.errorhandler(403)
    @app.errorhandler(AccessDenied)
    def forbidden(error):
        return render_template("errors/403.html", error=error), 403
