"""WTForms forms generated from a section's fields, or the section's own ``form_class``.

Form field names are field paths with dots replaced by ``__`` (``fx_ext.colour``
→ ``fx_ext__colour``), because a dot in a form field name is awkward in
templates and JavaScript. The forms only parse what the browser sends; the
rules (required fields, validation hooks, rights) stay in the records service,
whose :class:`ValidationError` messages are put next to the fields.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DateTimeLocalField, DecimalField, Field, HiddenField, IntegerField,
                     SelectField, StringField, TextAreaField)
from wtforms.fields import SelectChoice
from wtforms.validators import Optional, ValidationError as FieldError

from core.records import Records
from core.sections import FieldInfo, Section
from core.ui.display import lookup_options, lookup_target

#: A lookup whose target has at most this many records is a drop-down; beyond it, an id with a typeahead.
LOOKUP_SELECT_LIMIT = 200
_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def field_name(path: str) -> str:
    """The form field name of a field path."""
    return path.replace(".", "__")


def field_path(name: str) -> str:
    """The field path of a form field name."""
    return name.replace("__", ".")


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class ChoiceSelect(SelectField):
    """A choice or listed lookup's select: left out or left empty it is "not given" (the record's default applies),
    or "is required"; a value not offered is refused in the app's words. WTForms answered both with its
    own untranslated "Not a valid choice", even for a form posted without an optional field."""

    def __init__(self, *args, required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fc_required = required

    def pre_validate(self, form) -> None:
        if self.data in (None, ""):
            if self.fc_required:
                raise FieldError(str(_l("is required")))
            return
        try:
            super().pre_validate(form)
        except FieldError:
            raise FieldError(str(_l("is not one of the choices"))) from None


def _form_field(records: Records, info: FieldInfo, current) -> Field | None:
    """The WTForms field for one section field, or None for types a form does not edit (JSON)."""
    label = info.label
    kw = {"render_kw": {"required": True}} if info.required and info.type != "boolean" else {}
    kind = info.type
    if kind == "string":
        length = getattr(info.column.type, "length", None) if info.column is not None else info.max_length
        if length:
            kw.setdefault("render_kw", {})["maxlength"] = length
        return StringField(label, **kw)
    if kind == "text":
        return TextAreaField(label, **kw)
    if kind == "integer":
        return IntegerField(label, validators=[Optional()], **kw)
    if kind == "decimal":
        return DecimalField(label, validators=[Optional()], places=None, **kw)
    if kind == "boolean":
        return BooleanField(label)
    if kind == "date":
        return DateField(label, validators=[Optional()], **kw)
    if kind == "datetime":
        return DateTimeLocalField(label, validators=[Optional()], format=_DATETIME_FORMATS, **kw)
    if kind == "choice":
        enums = list(info.options) if info.custom else list(getattr(info.column.type, "enums", []))
        labels = info.choices or {}  # Section.choices: translated labels, the stored value otherwise
        choices = ([] if info.required else [SelectChoice("", "—")]) + [SelectChoice(e, labels.get(e, e)) for e in enums]
        return ChoiceSelect(label, choices=choices, required=info.required, **kw)
    if kind == "lookup":
        return _lookup_field(records, info, current, label, kw)
    return None


def _lookup_field(records, info, current, label, kw):
    options = lookup_options(records, info, LOOKUP_SELECT_LIMIT)
    if options is not None:
        choices = [SelectChoice("", "—")] + [SelectChoice(str(i), text) for i, text in options]
        if current is not None and all(i != current for i, _t in options):
            choices.append(SelectChoice(str(current), f"#{current}"))  # keep a value the user cannot list
        return ChoiceSelect(label, choices=choices, coerce=_optional_int, required=info.required, **kw)
    # Too many to list: the id, with a typeahead over the target section when there is one.
    _table, target = lookup_target(info)
    render_kw = dict(kw.get("render_kw", {}))
    if target is not None:
        render_kw["data-fc-lookup"] = url_for("sections.lookup", section_name=target.name)
    return IntegerField(label, validators=[Optional()], render_kw=render_kw)


def build_form(section: Section, records: Records, fields: list[FieldInfo], initial: dict | None = None,
               formdata=None) -> FlaskForm:
    """The form for ``section``: its ``form_class`` when set, else one generated from ``fields``.

    :param initial: current values by field path (the record's, or defaults for a new one).
    :param formdata: submitted data; ``None`` lets Flask-WTF read the request on POST.
    """
    initial = initial or {}
    data = {field_name(path): value for path, value in initial.items()}
    data["version"] = initial.get("version")
    if section.form_class is not None:
        return section.form_class(data=data) if formdata is None else section.form_class(formdata=formdata, data=data)

    class SectionForm(FlaskForm):
        version = HiddenField()

    readonly = records.field_access(section).readonly
    for info in fields:
        form_field = _form_field(records, info, initial.get(info.path))
        if form_field is not None:
            if info.path in readonly:  # column rights: shown, not editable
                form_field.kwargs["render_kw"] = {**(form_field.kwargs.get("render_kw") or {}), "disabled": True}
            setattr(SectionForm, field_name(info.path), form_field)
    form = SectionForm(data=data) if formdata is None else SectionForm(formdata=formdata, data=data)
    if section.cascades:
        from core.ui.cascades import apply_cascades

        apply_cascades(section, records, form)
    return form


def form_values(section: Section, form: FlaskForm, skip=frozenset()) -> dict:
    """The section field values a submitted form carries, by path (empty text → None where allowed).

    :param skip: paths left out (fields hidden or read-only for the user: a disabled input sends nothing).
    """
    values = {}
    for form_field in form:
        path = field_path(form_field.name)
        info = section.field(path)
        if info is None or path in skip:
            continue
        value = form_field.data
        if isinstance(value, str) and not value.strip() and not info.required:
            value = None
        values[path] = value
    return values


def put_errors(form: FlaskForm, errors: dict) -> list:
    """Attach a :class:`ValidationError`'s messages to the form's fields; return the ones with no field."""
    general = []
    for path, messages in errors.items():
        form_field = form._fields.get(field_name(path)) if path else None
        if form_field is None:
            general.extend(f"{path}: {m}" if path else str(m) for m in messages)
        else:
            form_field.errors = list(form_field.errors) + [str(m) for m in messages]
    return general


#: Shown at the top of a form the records service refused with a conflict.
CONFLICT_HINT = _l("Your changes were not saved.")
