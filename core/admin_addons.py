"""The add-ons screen in /admin: list with state and versions; install, upgrade, uninstall behind a confirmation.

Each action first shows what it would do, computed by :mod:`core.addons.plan`
from the manager's own dependency graph (dependencies installed first, the
installed add-ons that block an uninstall, the tables "drop data" drops), then
runs on a CSRF-protected POST. An :class:`AddonError` is shown as a message.

Hooks, sections and the generic section pages follow an install at once; an
add-on's own pages (blueprints) and admin views need the server restarted:
Flask refuses to register blueprints on an app that has already served a
request, so they are only added when the app is built.
"""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _

from core.admin import SuperuserOnly
from core.errors import AddonError, FlowcaseError

ACTIONS = ("install", "upgrade", "uninstall")


class AddonsView(SuperuserOnly, BaseView):
    """Add-ons with their state and versions, and the lifecycle actions."""

    def _manager(self):
        from core.addons.manager import AddonManager
        from core.state import get_state

        return AddonManager(get_state())

    @expose("/")
    def index(self):
        return self.render("admin/addons.html", addons=self._manager().list())

    @expose("/<action>/<addon>", methods=["GET"])
    def confirm(self, action: str, addon: str):
        """The confirmation page: what the action would do, and a button that does it."""
        from core.addons import plan as plans

        name = addon  # not a route argument: Flask-Admin's _handle_view takes `name` itself
        manager = self._manager()
        if action not in ACTIONS or name not in manager.manifests:
            flash(_("Unknown add-on or action."), "error")
            return redirect(url_for(".index"))
        try:
            plan = getattr(plans, f"{action}_plan")(manager, name)
        except AddonError as error:
            flash(str(error), "error")
            return redirect(url_for(".index"))
        return self.render("admin/addon_confirm.html", plan=plan, manifest=manager.manifests[name])

    @expose("/<action>/<addon>", methods=["POST"])
    def run(self, action: str, addon: str):
        """Do the action (CSRF-checked by the app's CSRFProtect); refusals and failures come back as messages."""
        name = addon
        manager = self._manager()
        if action not in ACTIONS or name not in manager.manifests:
            flash(_("Unknown add-on or action."), "error")
            return redirect(url_for(".index"))
        try:
            if action == "install":
                done = manager.install([name])
                flash(_("Installed: %(names)s. Restart the server to load the add-on's own pages.",
                        names=", ".join(done) or name), "success")
            elif action == "upgrade":
                manager.upgrade([name])
                flash(_("Upgraded: %(name)s.", name=name), "success")
            else:
                drop = request.form.get("drop_data") in ("1", "on", "y", "true")
                manager.uninstall(name, drop_data=drop)
                flash(_("Uninstalled: %(name)s.", name=name) + (" " + _("Its tables were dropped.") if drop else ""),
                      "success")
        except FlowcaseError as error:
            flash(_("Nothing was changed: %(reason)s", reason=str(error)), "error")
        return redirect(url_for(".index"), 303)
