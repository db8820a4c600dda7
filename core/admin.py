"""Flask-Admin at /admin: one Admin per app, superusers only; add-ons add views by hook."""
from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_admin import Admin, AdminIndexView, BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user


def _is_admin() -> bool:
    return current_user.is_authenticated and current_user.is_superuser


class SuperuserOnly:
    """Mixin for every admin view: anonymous users go to login, others get 403."""

    def is_accessible(self):
        return _is_admin()

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)


class HomeView(SuperuserOnly, AdminIndexView):
    pass


class AddonsView(SuperuserOnly, BaseView):
    """Add-ons with their state and versions."""

    @expose("/")
    def index(self):
        from core.addons.manager import AddonManager
        from core.state import get_state

        return self.render("admin/addons.html", addons=AddonManager(get_state()).list())


def configure_admin(app, state) -> Admin:
    """Build this app's Admin (never a module-level one) and let add-ons add their views."""
    admin = Admin(app, name="Flowcase", url="/admin", index_view=HomeView(url="/admin"))
    admin.add_view(AddonsView(name=_l("Add-ons"), endpoint="addons"))
    for _ in state.call_ordered("flowcase_register_admin_views", admin=admin, app=app):
        pass

    # One gate for every view under /admin, add-ons' included: a view that
    # forgets is_accessible must not become an open door.
    @app.before_request
    def admin_gate():
        if request.path == "/admin" or request.path.startswith("/admin/"):
            if not _is_admin():
                return SuperuserOnly().inaccessible_callback("gate")
        return None

    app.extensions["flowcase_admin"] = admin
    return admin
