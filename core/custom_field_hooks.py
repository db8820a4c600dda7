"""The core's custom-field section (``custom_field``) and the rules every door applies to definitions.

Definitions are records of a core section, so they are written through the
records service like any other (the admin's section wizard, an add-on's data
file, the API) and get the same checks here: a snake_case name that is free
on its section, a known type, an existing target section for lookups, options
for choices. Only superusers reach them.

Implementations are named for what they do and bound to their hook with
``specname``, so they sit beside the core's other built-in hooks without
clashing (``core.builtin_hooks`` imports them).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core import custom_fields
from core.models import CustomField
from core.models.custom_field import CUSTOM_FIELD_TYPES
from core.plugins import hookimpl
from core.sections import SYSTEM_FIELDS, Section

SECTION_NAME = "custom_field"

LABELS = {
    "section": _l("Section"),
    "name": _l("Field name"),
    "label": _l("Label"),
    "label_ru": _l("Label (Russian)"),
    "type": _l("Type"),
    "target_section": _l("Refers to section"),
    "options": _l("Options (one per line)"),
    "required": _l("Required"),
    "owner": _l("Owner"),
    "sequence": _l("Sequence"),
}

#: Labels of the types, for the admin's choice list.
TYPE_LABELS = {
    "text": _l("Text"), "long_text": _l("Long text"), "integer": _l("Whole number"), "decimal": _l("Decimal number"),
    "money": _l("Money"), "date": _l("Date"), "datetime": _l("Date and time"), "boolean": _l("Yes/no"),
    "lookup": _l("Lookup"), "choice": _l("Choice"),
}


def custom_field_section() -> Section:
    """The section of custom-field definitions (a settings lookup, so data files can seed definitions)."""
    return Section(
        name=SECTION_NAME, model=CustomField, title=_l("Custom field"), title_plural=_l("Custom fields"),
        area="settings", title_field="label", is_lookup=True, api=False,
        list_columns=["section", "name", "label", "type", "required", "owner"],
        search_fields=["name", "label", "section"], filter_fields=["section", "type", "owner"],
        labels=LABELS, form_class=_form_class(),
    )


def _form_class():
    from core.admin_custom_fields import CustomFieldForm

    return CustomFieldForm


@hookimpl(specname="flowcase_register_sections")
def register_custom_field_section(app):
    return [custom_field_section()]


@hookimpl(specname="flowcase_record_access")
def custom_fields_are_for_superusers(user, section, operation, record):
    # Superusers never reach this hook (the records service lets them through first).
    return False if section.name == SECTION_NAME else None


@hookimpl(specname="flowcase_record_filter")
def custom_fields_hidden_from_users(user, section, operation):
    return sa.false() if section.name == SECTION_NAME else None


@hookimpl(specname="flowcase_record_validate")
def validate_custom_field(event):
    if event.section.name != SECTION_NAME:
        return None
    return definition_errors(event.records, event.record, event.changes if event.operation == "update" else None)


def definition_errors(records, definition: CustomField, changes: dict | None) -> dict:
    """``{field: [message]}`` of what is wrong with a definition (empty when it is fine)."""
    errors: dict[str, list] = {}
    sections = records.state.sections
    name = (definition.name or "").strip()
    if changes is not None:
        for path in ("section", "name"):
            if path in changes:
                errors[path] = [_l("cannot be changed once the field exists: values are stored under it; "
                                   "add a new field instead")]
    if not custom_fields.NAME_PATTERN.match(name):
        errors.setdefault("name", []).append(_l(
            "use lower-case letters, digits and underscores, starting with a letter (at most 63)"))
    if definition.section not in sections:
        errors.setdefault("section", []).append(_l("no section named “%(name)s”", name=definition.section or ""))
    else:
        section = sections.get(definition.section)
        taken = {column.key for column in section.table.columns} | set(SYSTEM_FIELDS) | {e.prefix for e in section.extensions}
        if name in taken:
            errors.setdefault("name", []).append(_l("%(section)s already has a field “%(name)s”",
                                                     section=section.title, name=name))
        elif name and _name_in_use(records, definition):
            errors.setdefault("name", []).append(_l("%(section)s already has a custom field “%(name)s”",
                                                     section=section.title, name=name))
    if definition.type not in CUSTOM_FIELD_TYPES:
        errors.setdefault("type", []).append(_l("must be one of: %(choices)s", choices=", ".join(CUSTOM_FIELD_TYPES)))
    if definition.type == "lookup":
        if not definition.target_section:
            errors.setdefault("target_section", []).append(_l("a lookup needs the section it refers to"))
        elif definition.target_section not in sections:
            errors.setdefault("target_section", []).append(
                _l("no section named “%(name)s”", name=definition.target_section))
    if definition.type == "choice" and not definition.option_list():
        errors.setdefault("options", []).append(_l("a choice needs at least one option"))
    if not (definition.label or "").strip():
        errors.setdefault("label", []).append(_l("is required"))
    return errors


def _name_in_use(records, definition: CustomField) -> bool:
    query = sa.select(CustomField.id).where(CustomField.section == definition.section, CustomField.name == definition.name)
    if definition.id is not None:
        query = query.where(CustomField.id != definition.id)
    with records.session.no_autoflush:
        return records.session.execute(query).first() is not None


def _forget(event) -> None:
    if event.section.name == SECTION_NAME:
        custom_fields.invalidate()


@hookimpl(specname="flowcase_record_after_create")
def forget_definitions_after_create(event):
    _forget(event)


@hookimpl(specname="flowcase_record_after_update")
def forget_definitions_after_update(event):
    _forget(event)


@hookimpl(specname="flowcase_record_after_delete")
def forget_definitions_after_delete(event):
    _forget(event)
