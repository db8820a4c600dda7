"""Roles and rights as core sections (settings, superusers only), so data files can seed them.

Their pages and records are closed to everyone but superusers by the policy
(:data:`SECURITY_SECTIONS`): a user who could edit rights could grant himself anything.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.sections import Section
from core.security.models import ColumnRight, RecordRule, Role, SectionRight

#: Sections only superusers reach, on every door.
SECURITY_SECTIONS = frozenset({"role", "section_right", "record_rule", "column_right"})

_RIGHT_LABELS = {
    "role_id": _l("Role"), "section": _l("Section"), "read": _l("Read"), "create": _l("Create"),
    "update": _l("Update"), "delete": _l("Delete"),
}


def security_sections() -> list[Section]:
    """Fresh Section objects for the security tables (the registry fills per-app attributes)."""
    # Not lookups: Flask-Admin edits them in their own screens (core.security.admin).
    common = dict(area="settings", api=False)
    return [
        Section(name="role", model=Role, title=_l("Role"), title_plural=_l("Roles"), title_field="name",
                list_columns=["code", "name"], search_fields=["code", "name"],
                labels={"code": _l("Code"), "name": _l("Name")}, **common),
        Section(name="section_right", model=SectionRight, title=_l("Section right"),
                title_plural=_l("Section rights"), title_field="section",
                list_columns=["role_id", "section", "read", "create", "update", "delete"],
                search_fields=["section"], labels=_RIGHT_LABELS, **common),
        Section(name="record_rule", model=RecordRule, title=_l("Record rule"), title_plural=_l("Record rules"),
                list_columns=["name", "section", "role_id", "active"], search_fields=["name", "section"],
                labels={"name": _l("Name"), "section": _l("Section"), "role_id": _l("Role"),
                        "domain": _l("Filter"), "apply_read": _l("Applies to reading"),
                        "apply_create": _l("Applies to creating"), "apply_update": _l("Applies to updating"),
                        "apply_delete": _l("Applies to deleting"), "active": _l("Active")}, **common),
        Section(name="column_right", model=ColumnRight, title=_l("Column right"), title_plural=_l("Column rights"),
                title_field="field", list_columns=["role_id", "section", "field", "access"],
                search_fields=["section", "field"],
                labels={"role_id": _l("Role"), "section": _l("Section"), "field": _l("Field"),
                        "access": _l("Access")}, **common),
    ]
