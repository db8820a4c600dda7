"""The change log in /admin: every recorded change, read-only, filtered by section, record, user and date."""
from __future__ import annotations

from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l

from core.admin import SuperuserOnly
from core.extensions import db
from core.models import ChangeLog, User


class UserLoginFilter(FilterEqual):
    """``user = <login>``: admins know logins, not user ids."""

    def apply(self, query, value, alias=None):
        return query.filter(ChangeLog.user_id.in_(db.session.query(User.id).filter(User.login == value)))


class ChangeLogView(SuperuserOnly, ModelView):
    """Who changed what and when; nothing here can be edited or deleted."""

    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = True
    page_size = 50
    column_default_sort = ("id", True)
    column_list = ["at", "user_id", "section", "record_id", "operation", "field", "old_value", "new_value"]
    column_labels = {"at": _l("When"), "user_id": _l("User"), "section": _l("Section"), "record_id": _l("Record id"),
                     "operation": _l("Operation"), "field": _l("Field"), "old_value": _l("Old value"),
                     "new_value": _l("New value")}

    def __init__(self, **kwargs):
        self.column_filters = ["section", "record_id", "at", "operation",
                               UserLoginFilter(ChangeLog.user_id, _l("User login"))]
        super().__init__(ChangeLog, db, **kwargs)

    def _user_name(view, context, model, name):
        if model.user_id is None:
            return ""
        user = db.session.get(User, model.user_id)  # identity map: one query per distinct user on a page
        return user.login if user is not None else f"#{model.user_id}"

    column_formatters = {"user_id": _user_name}
