"""Flask-Admin at /admin: one Admin per app, superusers only; add-ons add views by hook.

The core's own screens: add-ons (:mod:`core.admin_addons`), the change log
(:mod:`core.admin_changelog`), custom fields (:mod:`core.admin_custom_fields`)
and one view per lookup section (:mod:`core.admin_sections`), all of whose
writes go through the records service.
"""
from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_admin import Admin, AdminIndexView
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


def configure_admin(app, state) -> Admin:
    """Build this app's Admin (never a module-level one) and let add-ons add their views."""
    admin = Admin(app, name="Flowcase", url="/admin", index_view=HomeView(url="/admin"))
    from core.admin_addons import AddonsView
    from core.admin_changelog import ChangeLogView
    from core.admin_custom_fields import register_custom_field_view
    from core.admin_sections import register_lookup_views

    admin.add_view(AddonsView(name=_l("Add-ons"), endpoint="addons"))
    admin.add_view(ChangeLogView(name=_l("Change log"), endpoint="change_log", url="/admin/change_log"))
    register_custom_field_view(admin, state)
    register_lookup_views(admin, state)
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
