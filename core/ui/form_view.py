"""Create, edit and delete pages of every section, and the lookup typeahead.

Every write goes through the records service: a :class:`ValidationError`
re-renders the form with the messages by the fields (422), a
:class:`ConflictError` (someone saved first) shows a message at the top (409).
"""
from __future__ import annotations

from contextlib import nullcontext

from flask import flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from core.dedup import DuplicateError, confirm_duplicates
from core.errors import AccessDenied, ConflictError, ValidationError
from core.filters import compile_filter, filterable_fields
from core.sections import Section
from core.ui.common import bp, current_records, render_section, section_or_404
from core.ui.forms import CONFLICT_HINT, build_form, field_name, form_values, put_errors
from core.ui.layout import card_tabs, layout_fields, without_fields

#: Suggestions the typeahead returns.
LOOKUP_RESULTS = 20


def _form_page(section: Section, form, tabs, record=None, status=200, errors=(), conflict=False, duplicates=None):
    title = section.display_name(record) if record is not None else _("New %(section)s", section=section.title)
    return render_section("form", section, status=status, form=form, tabs=tabs, record=record, title=title,
                          general_errors=list(errors), conflict=conflict, field_name=field_name,
                          duplicates=duplicates)


def _confirming(records):
    """Let ``warn`` duplicate rules through when the user ticked "save anyway" (``confirm_duplicates``)."""
    return confirm_duplicates(records) if request.form.get("confirm_duplicates") else nullcontext()


def _duplicates(error) -> dict | None:
    """The candidates of a duplicate-rule refusal, for the form to list with links."""
    if not isinstance(error, DuplicateError):
        return None
    return {"candidates": error.candidates, "can_confirm": not error.blocking}


def _defaults(section: Section) -> dict:
    """Values a new record's form starts with: ``?field=value`` (from a detail grid), the owner = me, and
    the columns' own fixed defaults (an activity's status "open"), which a save would get anyway."""
    values = {}
    if section.owner_field and current_user.is_authenticated:
        values[section.owner_field] = current_user.id
    for info in section.fields():
        raw = request.args.get(info.path)
        if raw not in (None, ""):
            values[info.path] = int(raw) if info.type in ("lookup", "integer") and raw.isdigit() else raw
        elif info.column is not None and info.column.default is not None and info.column.default.is_scalar:
            values.setdefault(info.path, info.column.default.arg)
    return values


@bp.route("/<section_name>/new", methods=["GET", "POST"])
@login_required
def new(section_name: str):
    """Create a record from the generated (or the section's own) form."""
    section = section_or_404(section_name)
    records = current_records()
    if not records.can(section, "create"):
        raise AccessDenied(_("You may not create %(section)s records", section=section.title))
    tabs = without_fields(card_tabs(section, all_fields=True), records.field_access(section).hidden)
    form = build_form(section, records, layout_fields(tabs), initial=_defaults(section))
    if request.method == "GET":
        return _form_page(section, form, tabs)
    if not form.validate():
        return _form_page(section, form, tabs, status=422)
    try:
        with _confirming(records):
            record = records.create(section, form_values(section, form, records.field_access(section).restricted))
    except ValidationError as error:
        return _form_page(section, form, tabs, status=422, errors=put_errors(form, error.errors),
                          duplicates=_duplicates(error))
    flash(_("%(section)s created.", section=section.title), "success")
    return redirect(url_for("sections.card", section_name=section.name, record_id=record.id), 303)


@bp.route("/<section_name>/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit(section_name: str, record_id: int):
    """Change a record; the hidden ``version`` makes a stale form a 409 instead of a lost update."""
    section = section_or_404(section_name)
    records = current_records()
    record = records.get(section, record_id)
    if not records.can(section, "update", record):
        raise AccessDenied(_("You may not change this %(section)s", section=section.title))
    tabs = without_fields(card_tabs(section, all_fields=True), records.field_access(section).hidden)
    fields = layout_fields(tabs)
    initial = records.read(section, record)
    form = build_form(section, records, fields, initial=initial)
    if request.method == "GET":
        return _form_page(section, form, tabs, record)
    if not form.validate():
        return _form_page(section, form, tabs, record, status=422)
    values = _changed_only(section, form, records, fields, initial)
    try:
        with _confirming(records):
            records.update(section, record, values, expected_version=form.data.get("version") or None)
    except ConflictError as error:
        return _form_page(section, form, tabs, record, status=409, errors=[str(error), str(CONFLICT_HINT)], conflict=True)
    except ValidationError as error:
        return _form_page(section, form, tabs, record, status=422, errors=put_errors(form, error.errors),
                          duplicates=_duplicates(error))
    flash(_("%(section)s saved.", section=section.title), "success")
    return redirect(url_for("sections.card", section_name=section.name, record_id=record.id), 303)


def _changed_only(section, form, records, fields, initial) -> dict:
    """Submitted values, minus date-times the user left as shown.

    A date-time input shows minutes only; writing back what it shows would
    cut the seconds off and log a change nobody made.
    """
    values = form_values(section, form, records.field_access(section).restricted)
    shown = build_form(section, records, fields, initial=initial, formdata=MultiDict())
    for info in fields:
        name = field_name(info.path)
        if info.type == "datetime" and name in form._fields and form[name]._value() == shown[name]._value():
            values.pop(info.path, None)
    return values


@bp.route("/<section_name>/<int:record_id>/delete", methods=["POST"])
@login_required
def delete(section_name: str, record_id: int):
    """Delete one record (CSRF-checked like every POST); a refusal goes back to the card with the reason."""
    section = section_or_404(section_name)
    records = current_records()
    try:
        records.delete(section, record_id)
    except (ValidationError, ConflictError) as error:
        flash(_("Not deleted: %(reason)s", reason=str(error)), "danger")
        return redirect(url_for("sections.card", section_name=section.name, record_id=record_id), 303)
    flash(_("%(section)s deleted.", section=section.title), "success")
    return redirect(url_for("sections.list_view", section_name=section.name), 303)


@bp.route("/<section_name>/lookup")
@login_required
def lookup(section_name: str):
    """Typeahead: ``[{id, text}]`` of the section's records matching ``?q=``, through its rights-limited select.

    Cascading lookups add ``?f.<field>=<value>`` (only records with that value,
    e.g. the districts of a region), ``?id=<id>`` (one record), ``?fields=a,b``
    (each item gets ``values: {a: ..., b: ...}``, e.g. a district's region) and
    ``?limit=`` (at most :data:`~core.ui.cascades.CASCADE_SELECT_LIMIT`).
    A bad field is a 400 with ``{"error": message}``.
    """
    from core.ui.cascades import lookup_narrowing

    section = section_or_404(section_name)
    records = current_records()
    q = (request.args.get("q") or "").strip()
    try:
        stmt, extra, limit = lookup_narrowing(records, section, request.args, LOOKUP_RESULTS)
    except ValidationError as error:
        return jsonify({"error": str(error)}), 400
    if q:
        fields = filterable_fields(section)
        hidden = records.field_access(section).hidden
        paths = [p for p in (section.search_fields or [section.title_field])
                 if p in fields and fields[p].type in ("string", "text") and p not in hidden]
        terms = [{"field": p, "op": "icontains", "value": q} for p in paths]
        if q.isdigit():
            terms.append({"field": "id", "op": "eq", "value": int(q)})
        stmt = stmt.where(compile_filter(section, {"any": terms}, records.user, records=records))
    title = section.table.c.get(section.title_field)
    order = [title, section.table.c.id] if title is not None else [section.table.c.id]
    found = list(records.session.scalars(stmt.order_by(*order).limit(limit)))
    # A title hidden by column rights shows as the id only.
    show = (lambda r: f"#{r.id}") if section.title_field in records.field_access(section).hidden else section.display_name
    return jsonify([
        {"id": r.id, "text": show(r), **({"values": {f: getattr(r, f) for f in extra}} if extra else {})}
        for r in found
    ])
