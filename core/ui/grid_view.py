"""Inline add and edit in a card's detail grids: server-rendered table rows, swapped in by a little JavaScript.

A detail grid row has three faces, each a ``<tr>`` fragment rendered here:
the display row, the edit row (inputs of the grid's columns, generated from
the child section like any form, with the record's ``version``) and the new
row. Saving posts the row's inputs; the answer is the display row (saved), or
the form row again with the records service's messages in it (422), or with
the optimistic-lock conflict as a message (409). Everything goes through the
records service, so rights, validation and the change log are those of the
full form pages; no section needs page code of its own.
"""
from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from core.errors import AccessDenied, ConflictError, ValidationError
from core.records import Records
from core.sections import Section
from core.ui.common import bp, current_records, section_or_404
from core.ui.display import grid_rows, lookup_target
from core.ui.forms import CONFLICT_HINT, build_form, field_name, form_values, put_errors
from core.ui.list_view import default_columns


def detail_columns(records: Records, child: Section, fk: str) -> list:
    """The columns a detail grid of ``child`` under its parent (through ``fk``) shows."""
    hidden = records.field_access(child).hidden
    fields = {info.path: info for info in child.fields()}  # one pass, not one ``child.field`` walk per column
    return [fields[p] for p in default_columns(child) if p != fk and p not in hidden and p in fields]


def _parent_link(records: Records, child: Section, fk: str):
    """The lookup field ``fk`` of ``child`` (a bad name is a 400: the URL was not made by the card)."""
    info = child.field(fk) if fk else None
    if info is None or info.type != "lookup":
        abort(400)
    return info


def _form_fields(records: Records, child: Section, columns: list, fk: str, new: bool) -> list:
    """Fields the row edits: the grid's columns, plus (new rows) required fields the grid does not show."""
    readonly = records.field_access(child).readonly
    fields = [info for info in columns if info.type != "json" and info.path not in readonly]
    if new:
        shown = {info.path for info in fields}
        hidden = records.field_access(child).hidden
        fields += [info for info in child.fields() if info.required and info.path not in shown
                   and info.path != fk and info.path not in hidden and info.path not in readonly]
    return fields


def _display_row(records: Records, child: Section, record, fk: str, can_update: bool, status: int = 200):
    columns = detail_columns(records, child, fk)
    (row,) = grid_rows(records, child, columns, [record])
    return render_template("sections/_detail_row.html", section=child, row=row, fk=fk, can_update=can_update), status


def _form_row(child: Section, form, fields, columns, fk: str, save_url: str, record=None, errors=(),
              status: int = 200, conflict: bool = False):
    extra = [info for info in fields if info not in columns]
    return render_template("sections/_detail_form_row.html", section=child, form=form, columns=columns,
                           editable={info.path for info in fields}, extra=extra, field_name=field_name,
                           fk=fk, save_url=save_url, record=record, errors=list(errors), conflict=conflict), status


@bp.route("/<section_name>/<int:record_id>/row")
@login_required
def detail_row(section_name: str, record_id: int):
    """The display row of one child record (what "cancel" puts back)."""
    child = section_or_404(section_name)
    records = current_records()
    fk = request.args.get("fk", "")
    _parent_link(records, child, fk)
    record = records.get(child, record_id)
    return _display_row(records, child, record, fk, records.can(child, "update"))


@bp.route("/<section_name>/<int:record_id>/row/edit", methods=["GET", "POST"])
@login_required
def detail_row_edit(section_name: str, record_id: int):
    """Edit one child record in its grid row; POST saves and answers with the display row."""
    child = section_or_404(section_name)
    records = current_records()
    fk = request.args.get("fk", "")
    _parent_link(records, child, fk)
    record = records.get(child, record_id)
    if not records.can(child, "update", record):
        raise AccessDenied(_("You may not change this %(section)s", section=child.title))
    columns = detail_columns(records, child, fk)
    fields = _form_fields(records, child, columns, fk, new=False)
    save_url = url_for("sections.detail_row_edit", section_name=child.name, record_id=record.id, fk=fk)
    form = build_form(child, records, fields, initial=records.read(child, record))
    if request.method == "GET":
        return _form_row(child, form, fields, columns, fk, save_url, record)
    if not form.validate():
        return _form_row(child, form, fields, columns, fk, save_url, record, status=422)
    try:
        records.update(child, record, form_values(child, form, records.field_access(child).restricted),
                       expected_version=form.data.get("version") or None)
    except ConflictError as error:
        return _form_row(child, form, fields, columns, fk, save_url, record, errors=[str(error), str(CONFLICT_HINT)],
                         status=409, conflict=True)
    except ValidationError as error:
        return _form_row(child, form, fields, columns, fk, save_url, record, errors=put_errors(form, error.errors),
                         status=422)
    return _display_row(records, child, record, fk, True)


@bp.route("/<section_name>/row/new", methods=["GET", "POST"])
@login_required
def detail_row_new(section_name: str):
    """A new child record of ``?parent=<id>`` (through ``?fk=``) in its parent's grid; POST creates it."""
    child = section_or_404(section_name)
    records = current_records()
    fk = request.args.get("fk", "")
    info = _parent_link(records, child, fk)
    parent_id = request.args.get("parent", "")
    if not parent_id.isdigit():
        abort(400)
    _table, parent_section = lookup_target(info)
    if parent_section is not None:
        records.get(parent_section, int(parent_id))  # a parent the user cannot see is a 404
    if not records.can(child, "create"):
        raise AccessDenied(_("You may not create %(section)s records", section=child.title))
    columns = detail_columns(records, child, fk)
    fields = _form_fields(records, child, columns, fk, new=True)
    save_url = url_for("sections.detail_row_new", section_name=child.name, fk=fk, parent=parent_id)
    initial = {child.owner_field: records.user.id} if child.owner_field and records.user is not None else {}
    form = build_form(child, records, fields, initial=initial)
    if request.method == "GET":
        return _form_row(child, form, fields, columns, fk, save_url)
    if not form.validate():
        return _form_row(child, form, fields, columns, fk, save_url, status=422)
    values = form_values(child, form, records.field_access(child).restricted)
    values[fk] = int(parent_id)
    try:
        record = records.create(child, values)
    except ValidationError as error:
        return _form_row(child, form, fields, columns, fk, save_url, errors=put_errors(form, error.errors), status=422)
    except AccessDenied as error:
        return _form_row(child, form, fields, columns, fk, save_url, errors=[str(error)], status=403)
    return _display_row(records, child, record, fk, records.can(child, "update"), status=201)
