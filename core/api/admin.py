"""The API keys page in Flask-Admin: every key with its user, prefix and dates; revoke in bulk.

Keys are made with ``flowcase apikey create`` (the token must be shown once,
to whoever runs the command), so the page lists and revokes but never creates.
"""
from __future__ import annotations

from flask import flash
from flask_admin.actions import action
from flask_admin.contrib.sqla import ModelView
from flask_babel import lazy_gettext as _l

from core.admin import SuperuserOnly
from core.db import utcnow
from core.extensions import db
from core.models import ApiKey


class ApiKeyView(SuperuserOnly, ModelView):
    can_create = False
    can_edit = False
    can_delete = False
    column_list = ("id", "user.login", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    column_labels = {"user.login": _l("User"), "name": _l("Name"), "prefix": _l("Key starts with"),
                     "created_at": _l("Created"), "last_used_at": _l("Last used"), "revoked_at": _l("Revoked")}
    column_default_sort = ("id", True)
    column_searchable_list = ("name", "prefix")

    @action("revoke", _l("Revoke"), _l("Revoke the selected keys? Requests with them will be refused."))
    def action_revoke(self, ids):
        """Revoke the ticked keys (already revoked ones keep their date)."""
        keys = db.session.query(ApiKey).filter(ApiKey.id.in_([int(i) for i in ids]), ApiKey.revoked_at.is_(None)).all()
        for key in keys:
            key.revoked_at = utcnow()
        db.session.commit()
        flash(_l("%(n)s key(s) revoked.", n=len(keys)), "success")


def register(admin) -> None:
    """Add the API keys page to the app's Admin."""
    admin.add_view(ApiKeyView(ApiKey, db, name=_l("API keys"), endpoint="api_keys"))
