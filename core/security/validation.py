"""Checks on rights records, whichever door writes them: names of sections and fields, scopes, filters."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import ValidationError
from core.security.models import COLUMN_ACCESS, OPERATIONS, SCOPES


def section_error(sections, name):
    """A message when ``name`` is no section of this app, else None."""
    if not name or name not in sections:
        return _l("no section named “%(name)s”", name=name or "")
    return None


def field_error(sections, section_name, path):
    """A message when ``path`` is no field of the section, else None."""
    if section_error(sections, section_name) is not None:
        return None  # reported on the section itself
    if sections.get(section_name).field(path or "") is None:
        return _l("no field “%(field)s” in section “%(section)s”", field=path or "", section=section_name)
    return None


def domain_error(sections, section_name, tree):
    """A message when the filter tree does not compile against the section, else None."""
    from core.filters import compile_filter

    if section_error(sections, section_name) is not None:
        return None
    try:
        compile_filter(sections.get(section_name), tree, None, sections=sections)
    except ValidationError as error:
        return str(error)
    return None


def validate_security_record(sections, section_name: str, record) -> dict:
    """``{field: [message]}`` for a role, section right, record rule or column right being written."""
    errors: dict[str, list] = {}

    def add(field, message):
        if message is not None:
            errors.setdefault(field, []).append(message)

    if section_name in ("section_right", "record_rule", "column_right"):
        add("section", section_error(sections, record.section))
    if section_name == "section_right":
        for operation in OPERATIONS:
            if getattr(record, operation) not in SCOPES:
                add(operation, _l("must be one of: %(values)s", values=", ".join(SCOPES)))
    elif section_name == "column_right":
        add("field", field_error(sections, record.section, record.field))
        if record.access not in COLUMN_ACCESS:
            add("access", _l("must be one of: %(values)s", values=", ".join(COLUMN_ACCESS)))
    elif section_name == "record_rule":
        add("domain", domain_error(sections, record.section, record.domain))
    return errors
