"""Pages of data in and out: ``/<section>/export.xlsx|csv`` and the import pages under ``/<section>/import``."""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, stream_with_context, url_for
from flask import Response
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.dataio import export, imports
from core.dataio.import_mapping import targets
from core.dataio.import_read import FileProblem
from core.dataio.import_run import MODES, ON_DUPLICATE
from core.dataio.report import error_report
from core.errors import AccessDenied, ValidationError
from core.filters import filterable_fields
from core.models.dataio import ImportRun, ImportStatus
from core.ui import list_query
from core.ui.common import current_records, section_or_404
from core.ui.list_view import chosen_columns

bp = Blueprint("dataio", __name__)

_MIME = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.route("/<section_name>/export.<fmt>")
@login_required
def export_list(section_name: str, fmt: str):
    """The list as the user sees it (same query args), every page of it, streamed."""
    if fmt not in _MIME:
        abort(404)
    section = section_or_404(section_name)
    records = current_records()
    records.check_listable(section)
    fields = filterable_fields(section)
    columns = [fields[path] for path in chosen_columns(section)]
    try:
        list_args = list_query.parse_args(request.args)
        list_query.order_by(section, list_args.sort)
        list_query.filtered_select(records, section, list_args)
    except ValidationError as error:
        return Response(str(error), status=400, mimetype="text/plain")
    rows = export.iter_rows(records, section, list_args, columns)
    titles = export.headers(columns)
    body = export.csv_stream(rows, titles) if fmt == "csv" else export.xlsx_stream(rows, titles, str(section.title_plural))
    response = Response(stream_with_context(body), mimetype=_MIME[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{section.name}.{fmt}"'
    return response


def _import_allowed(section, records) -> None:
    if not (records.can(section, "create") or records.can(section, "update")):
        raise AccessDenied(_("You may not import %(section)s records", section=section.title))


def _run_or_404(section, run_id: int) -> ImportRun:
    records = current_records()
    run = records.session.get(ImportRun, run_id)
    mine = run is not None and (run.user_id == current_user.id or current_user.is_superuser)
    if not mine or run.section != section.name:
        abort(404)
    return run


@bp.route("/<section_name>/import", methods=["GET", "POST"])
@login_required
def upload(section_name: str):
    """Choose a file; a bad file is refused here with its reason, before any mapping."""
    section = section_or_404(section_name)
    records = current_records()
    _import_allowed(section, records)
    error = None
    if request.method == "POST":
        upload_file = request.files.get("file")
        if upload_file is None or not upload_file.filename:
            error = _("Choose an .xlsx or .csv file.")
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "upload"
                upload_file.save(path)
                try:
                    run, _table = imports.draft_run(records, section, path, upload_file.filename,
                                                    request.form.get("sheet") or None)
                except FileProblem as problem:
                    error = str(problem)
                else:
                    return redirect(url_for("dataio.run_page", section_name=section.name, run_id=run.id), 303)
    recent = records.session.query(ImportRun).filter_by(section=section.name, user_id=current_user.id) \
        .order_by(ImportRun.id.desc()).limit(10).all()
    return render_template("dataio/import_upload.html", section=section, error=error, recent=recent), 400 if error else 200


@bp.route("/<section_name>/import/<int:run_id>", methods=["GET", "POST"])
@login_required
def run_page(section_name: str, run_id: int):
    """The mapping, the settings and a preview (draft); the progress and the results (after start)."""
    section = section_or_404(section_name)
    records = current_records()
    _import_allowed(section, records)
    run = _run_or_404(section, run_id)
    if run.status != ImportStatus.DRAFT:
        return render_template("dataio/import_run.html", section=section, run=run)
    try:
        table = imports.table_of(run)
    except FileProblem as problem:
        flash(str(problem), "danger")
        return redirect(url_for("dataio.upload", section_name=section.name), 303)
    errors, status = {}, 200
    if request.method == "POST":
        mapping = {h: request.form.get(f"map.{i}") for i, h in enumerate(table.headers) if request.form.get(f"map.{i}")}
        saved_id = request.form.get("use_mapping")
        if request.form.get("action") == "load" and saved_id:
            saved = next((m for m in imports.saved_mappings(records, section) if str(m.id) == saved_id), None)
            mapping = dict(saved.mapping) if saved else mapping
        try:
            imports.configure(records, section, run, mapping, request.form.get("mode", "insert"),
                              request.form.get("key_field") or None, request.form.get("on_duplicate", "skip"), table)
            if request.form.get("action") == "save_mapping" and request.form.get("mapping_name", "").strip():
                imports.save_mapping(records, section, request.form["mapping_name"].strip()[:100], run.mapping)
                flash(_("Mapping saved."), "success")
            if request.form.get("action") == "start":
                imports.start(records, run)
                return redirect(url_for("dataio.run_page", section_name=section.name, run_id=run.id), 303)
        except ValidationError as error:
            errors, status = error.errors, 422
            run.mapping = mapping  # show what the user chose, even if it cannot run yet
    rows = imports.preview(records, section, run, table)
    return render_template("dataio/import_run.html", section=section, run=run, table=table, rows=rows,
                           targets=targets(section), modes=MODES, choices=ON_DUPLICATE, errors=errors,
                           saved=imports.saved_mappings(records, section)), status


@bp.route("/<section_name>/import/<int:run_id>/status.json")
@login_required
def run_status(section_name: str, run_id: int):
    """Progress of a run for the page's polling."""
    section = section_or_404(section_name)
    run = _run_or_404(section, run_id)
    current_records().session.refresh(run)
    return jsonify(status=run.status, total=run.total, processed=run.processed, created=run.created,
                   updated=run.updated, skipped=run.skipped, flagged=run.flagged, failed=run.failed,
                   message=run.message)


@bp.route("/<section_name>/import/<int:run_id>/errors.xlsx")
@login_required
def run_errors(section_name: str, run_id: int):
    """The rows that were not written (or were flagged), with their messages, as .xlsx."""
    section = section_or_404(section_name)
    run = _run_or_404(section, run_id)
    body = error_report(run)
    response = Response(stream_with_context(body), mimetype=_MIME["xlsx"])
    response.headers["Content-Disposition"] = f'attachment; filename="import-{run.id}-errors.xlsx"'
    return response
