"""Flask-Admin screens for users, roles, section rights, record rules and column rights (superusers only).

These are the core's own security tables, edited with plain ``ModelView``s;
section names and field paths are checked against the app's sections so a
typo is a form error, not a right that silently never applies. Password
hashes are never shown: a new password is typed in a separate field and hashed.
"""
from __future__ import annotations

from flask_admin.contrib.sqla import ModelView
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, ValidationError

from core.admin import SuperuserOnly
from core.extensions import db
from core.models import User
from core.security.models import COLUMN_ACCESS, SCOPES, ColumnRight, RecordRule, Role, SectionRight
from core.security.validation import domain_error, field_error, section_error

LANGUAGES = [("", "—"), ("en", "English"), ("ru", "Русский")]


def _sections():
    from core.state import get_state

    return get_state().sections


def check_section(form, field):
    """WTForms validator: the value names a section of this app."""
    message = section_error(_sections(), field.data)
    if message is not None:
        raise ValidationError(str(message))


def check_field(form, field):
    """WTForms validator: the value is a field path of the form's section."""
    message = field_error(_sections(), form.section.data, field.data)
    if message is not None:
        raise ValidationError(str(message))


def check_domain(form, field):
    """WTForms validator: the filter tree compiles against the form's section."""
    message = domain_error(_sections(), form.section.data, field.data)
    if message is not None:
        raise ValidationError(str(message))


class SecurityView(SuperuserOnly, ModelView):
    """Base of the security screens: audit columns are never typed in."""

    form_excluded_columns = ("version", "created_at", "updated_at", "custom", "created_by", "updated_by",
                             "created_by_id", "updated_by_id")
    column_exclude_list = ("version", "created_at", "updated_at", "custom", "created_by_id", "updated_by_id")
    can_view_details = False


class UserView(SecurityView):
    column_list = ("login", "name", "email", "active", "is_superuser", "language", "manager", "roles")
    column_labels = {"login": _l("Login"), "name": _l("Name"), "email": _l("Email"), "active": _l("Active"),
                     "is_superuser": _l("Superuser"), "language": _l("Language"), "manager": _l("Manager"),
                     "roles": _l("Roles"), "new_password": _l("New password")}
    column_searchable_list = ("login", "name", "email")
    form_columns = ("login", "name", "email", "active", "is_superuser", "language", "manager", "roles", "new_password")
    form_choices = {"language": LANGUAGES}
    form_extra_fields = {"new_password": PasswordField(_l("New password"))}

    def on_model_change(self, form, model, is_created):
        if form.new_password.data:
            model.set_password(form.new_password.data)
        elif is_created:
            raise ValidationError(str(_l("A new user needs a password.")))
        if not model.language:
            model.language = None


class RoleView(SecurityView):
    column_list = ("code", "name")
    column_labels = {"code": _l("Code"), "name": _l("Name")}
    form_columns = ("code", "name")
    column_searchable_list = ("code", "name")


def _scope_choices():
    return [(scope, scope) for scope in SCOPES]


class SectionRightView(SecurityView):
    column_list = ("role", "section", "read", "create", "update", "delete")
    form_columns = ("role", "section", "read", "create", "update", "delete")
    column_labels = {"role": _l("Role"), "section": _l("Section"), "read": _l("Read"), "create": _l("Create"),
                     "update": _l("Update"), "delete": _l("Delete")}
    form_choices = {op: _scope_choices() for op in ("read", "create", "update", "delete")}
    form_args = {"section": {"validators": [check_section]}}


class RecordRuleView(SecurityView):
    column_list = ("name", "section", "role", "active", "apply_read", "apply_create", "apply_update", "apply_delete")
    form_columns = ("name", "section", "role", "domain", "active", "apply_read", "apply_create", "apply_update",
                    "apply_delete")
    column_labels = {"name": _l("Name"), "section": _l("Section"), "role": _l("Role"), "domain": _l("Filter"),
                     "active": _l("Active"), "apply_read": _l("Applies to reading"),
                     "apply_create": _l("Applies to creating"), "apply_update": _l("Applies to updating"),
                     "apply_delete": _l("Applies to deleting")}
    form_args = {"section": {"validators": [check_section]}, "domain": {"validators": [check_domain]}}


class ColumnRightView(SecurityView):
    column_list = ("role", "section", "field", "access")
    form_columns = ("role", "section", "field", "access")
    column_labels = {"role": _l("Role"), "section": _l("Section"), "field": _l("Field"), "access": _l("Access")}
    form_choices = {"access": [(a, a) for a in COLUMN_ACCESS]}
    form_args = {"section": {"validators": [check_section]}, "field": {"validators": [check_field]}}


def register_security_views(admin) -> None:
    """Add the users, roles and rights screens to the app's Admin."""
    category = _l("Security")
    admin.add_view(UserView(User, db, name=_l("Users"), endpoint="user", url="/admin/user", category=category))
    admin.add_view(RoleView(Role, db, name=_l("Roles"), endpoint="role", url="/admin/role", category=category))
    admin.add_view(SectionRightView(SectionRight, db, name=_l("Section rights"), endpoint="section_right",
                                    url="/admin/section_right", category=category))
    admin.add_view(RecordRuleView(RecordRule, db, name=_l("Record rules"), endpoint="record_rule",
                                  url="/admin/record_rule", category=category))
    admin.add_view(ColumnRightView(ColumnRight, db, name=_l("Column rights"), endpoint="column_right",
                                   url="/admin/column_right", category=category))
