"""Print doors: ``GET /<section>/<id>/print/<code>`` (one PDF) and ``POST /<section>/print`` (a selection).

A record the user may not read is a 404 here as everywhere; a broken or
unsafe template is a message on the page the user came from, never a 500.
"""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from core.printing import service
from core.printing.render import PrintError
from core.ui.common import current_records, section_or_404

bp = Blueprint("printing", __name__)


def _pdf(data: bytes, name: str, mimetype: str = "application/pdf") -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _back(default: str) -> str:
    back = request.form.get("next") or request.args.get("next") or ""
    return back if back.startswith("/") and not back.startswith("//") else default


@bp.route("/<section_name>/<int:record_id>/print/<code>")
@login_required
def print_record(section_name: str, record_id: int, code: str):
    """One record printed with the form ``code`` as a PDF download."""
    section = section_or_404(section_name)
    records = current_records()
    records.get(section, record_id)  # hidden or missing: 404 before the form is even looked up
    try:
        form = service.find_form(records, section, code)
        data = service.record_pdf(records, section, form, record_id)
    except PrintError as error:
        flash(_("Not printed: %(reason)s", reason=str(error)), "danger")
        return redirect(url_for("sections.card", section_name=section.name, record_id=record_id), 303)
    return _pdf(data, service.file_name(form, record_id))


@bp.route("/<section_name>/print", methods=["POST"])
@login_required
def print_selection(section_name: str):
    """The checked records printed with one form: a zip of PDFs (``mode=zip``) or one merged PDF (``mode=merge``)."""
    section = section_or_404(section_name)
    records = current_records()
    target = _back(url_for("sections.list_view", section_name=section.name))
    ids = [v for v in request.form.getlist("ids") if v.isdigit()]
    mode = request.form.get("mode", "merge")
    try:
        form = service.find_form(records, section, request.form.get("code", ""))
        if mode == "zip":
            return _pdf(service.records_zip(records, section, form, ids), f"{form.code}.zip", "application/zip")
        return _pdf(service.records_merged(records, section, form, ids), f"{form.code}.pdf")
    except PrintError as error:
        flash(_("Not printed: %(reason)s", reason=str(error)), "danger")
        return redirect(target, 303)
