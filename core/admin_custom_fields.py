"""The section wizard in /admin: add, change and delete custom-field definitions.

Definitions are records of the core section ``custom_field`` and are saved
through the records service (:class:`core.admin_sections.SectionAdminView`),
where :mod:`core.custom_field_hooks` checks them. Definitions an add-on ships
(``owner`` is the add-on's name) are read-only here: the add-on's upgrades
and uninstall manage them.
"""
from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from core.admin_sections import SectionAdminView
from core.models.custom_field import ADMIN_OWNER, CUSTOM_FIELD_TYPES


class CustomFieldForm(FlaskForm):
    """The definition form: sections and types to choose from, options for choices."""

    version = HiddenField()
    # The records service checks the values (with messages by the fields), so WTForms does not.
    section = SelectField(_l("Section"), validate_choice=False)
    name = StringField(_l("Field name"), description=_l("lower_case_with_underscores; it becomes custom.<name>"))
    label = StringField(_l("Label"))
    label_ru = StringField(_l("Label (Russian)"))
    type = SelectField(_l("Type"), validate_choice=False)
    target_section = SelectField(_l("Refers to section"), description=_l("for lookup fields"), validate_choice=False)
    options = TextAreaField(_l("Options (one per line)"), description=_l("for choice fields"))
    required = BooleanField(_l("Required"))
    sequence = IntegerField(_l("Sequence"), validators=[Optional()], default=10)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from core.custom_field_hooks import SECTION_NAME, TYPE_LABELS
        from core.state import get_state

        sections = sorted((s for s in get_state().sections.all() if s.name != SECTION_NAME),
                          key=lambda s: str(s.title))
        self.section.choices = [(s.name, f"{s.title} ({s.name})") for s in sections]
        self.target_section.choices = [("", "—")] + self.section.choices
        self.type.choices = [(kind, str(TYPE_LABELS[kind])) for kind in CUSTOM_FIELD_TYPES]


class CustomFieldAdminView(SectionAdminView):
    """Custom-field definitions; those an add-on owns can be looked at, not changed."""

    column_list = ["section", "name", "label", "type", "required", "owner"]

    def __init__(self, section, **kwargs):
        super().__init__(section, **kwargs)
        self.column_list = ["section", "name", "label", "type", "required", "owner"]
        self.column_filters = ["section", "type", "owner"]

    def update_model(self, form, model):
        if self._owned_by_addon(model):
            return False
        return super().update_model(form, model)

    def delete_model(self, model):
        if self._owned_by_addon(model):
            return False
        return super().delete_model(model)

    def _owned_by_addon(self, model) -> bool:
        if model.owner == ADMIN_OWNER:
            return False
        flash(_("The field “%(name)s” belongs to the add-on “%(addon)s” and is read-only here; "
                "the add-on's upgrades and uninstall manage it.", name=model.name, addon=model.owner), "error")
        return True


def register_custom_field_view(admin, state) -> None:
    """Add the section wizard to the app's Admin."""
    from core.custom_field_hooks import SECTION_NAME

    if SECTION_NAME in state.sections:
        admin.add_view(CustomFieldAdminView(state.sections.get(SECTION_NAME), name=_l("Custom fields"),
                                            endpoint="custom_fields", url="/admin/custom_fields"))
