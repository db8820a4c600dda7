"""The process pages: move a record from its stage bar, "My approvals", the form of a form step, switching case.

Views stay thin: they read through the signed-in user's records service and
call the engine inside one ``records.transaction()``; a refusal is flashed (or
shown beside the form) and nothing is written.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.errors import AccessDenied, ConflictError, FlowcaseError, RecordNotFound, ValidationError
from core.models import User
from core.process import engine
from core.process.models import ProcessStep, ProcessStepRun
from core.records import records_for

bp = Blueprint("process", __name__, url_prefix="/process")


def _messages(error) -> list[str]:
    if isinstance(error, ValidationError):
        return [str(m) for messages in error.errors.values() for m in messages]
    return [str(error)]


def _card(section_name: str, record_id: int):
    return redirect(url_for("sections.card", section_name=section_name, record_id=record_id))


def _record(records, section_name: str, record_id: int):
    try:
        section = records.section(section_name)
        return section, records.get(section, record_id)
    except (FlowcaseError, RecordNotFound):
        abort(404)


@bp.post("/move/<section_name>/<int:record_id>")
@login_required
def move(section_name: str, record_id: int):
    """Move a record to another stage of its case, through the records service (every check applies)."""
    records = records_for()
    section, record = _record(records, section_name, record_id)
    try:
        with records.transaction():
            records.set_stage(section, record, request.form.get("stage"), request.form.get("version") or None)
    except (ValidationError, AccessDenied, ConflictError) as error:
        for message in _messages(error):
            flash(message, "danger")
    return _card(section.name, record.id)


def _my_runs(records):
    user = records.user
    query = sa.select(ProcessStepRun).where(ProcessStepRun.kind == "approval", ProcessStepRun.state == "pending",
                                            ProcessStepRun.current.is_(True))
    mine = sa.or_(ProcessStepRun.approver_id == user.id, ProcessStepRun.delegate_id == user.id)
    if user.is_superuser:  # visas nobody could be found for are the superusers' to decide
        mine = sa.or_(mine, ProcessStepRun.approver_id.is_(None))
    return list(records.session.scalars(query.where(mine).order_by(ProcessStepRun.created_at, ProcessStepRun.id)))


@bp.get("/approvals")
@login_required
def approvals():
    """The visas waiting for the signed-in user's decision."""
    records = records_for()
    runs = _my_runs(records)
    steps = {s.id: s for s in records.session.scalars(sa.select(ProcessStep).where(
        ProcessStep.id.in_({r.step_id for r in runs})))} if runs else {}
    items = []
    for run in runs:
        section = records.section(run.section)
        record = records.session.get(section.model, run.record_id)
        items.append({"run": run, "step": steps.get(run.step_id), "section": section, "record": record,
                      "title": section.display_name(record) if record is not None else f"#{run.record_id}",
                      "delegation": bool((steps.get(run.step_id).params or {}).get("delegation"))})
    users = records.session.scalars(sa.select(User).where(User.active.is_(True), User.id != records.user.id)
                                    .order_by(User.name)).all()
    return render_template("process/approvals.html", items=items, users=users)


@bp.post("/approvals/<int:run_id>")
@login_required
def decide(run_id: int):
    """Approve or reject (a rejection needs a comment)."""
    records = records_for()
    approve = request.form.get("decision") == "approve"
    try:
        engine.decide(records, run_id, approve, request.form.get("comment"))
        flash(_("Approved.") if approve else _("Rejected."), "success")
    except RecordNotFound:
        abort(404)
    except (ValidationError, AccessDenied, ConflictError) as error:
        for message in _messages(error):
            flash(message, "danger")
    return redirect(url_for("process.approvals"))


@bp.post("/approvals/<int:run_id>/delegate")
@login_required
def delegate(run_id: int):
    """Hand a visa to another user, where the step allows delegation."""
    records = records_for()
    try:
        engine.delegate(records, run_id, int(request.form.get("user_id") or 0))
        flash(_("Delegated."), "success")
    except RecordNotFound:
        abort(404)
    except (ValidationError, ValueError) as error:
        flash(_messages(error)[0] if isinstance(error, ValidationError) else _("Choose a user."), "danger")
    return redirect(url_for("process.approvals"))


@bp.route("/switch/<section_name>/<int:record_id>", methods=["GET", "POST"])
@login_required
def switch(section_name: str, record_id: int):
    """Confirm, then make the record follow the case its values now choose."""
    records = records_for()
    section, record = _record(records, section_name, record_id)
    if not records.can(section, "update", record):
        abort(403)
    if request.method == "GET":
        case = engine.better_case(records, section, record)
        return render_template("process/switch.html", section=section, record=record, case=case)
    try:
        engine.switch_case(records, section, record)
        flash(_("The record now follows the new process."), "success")
    except (ValidationError, AccessDenied, ConflictError) as error:
        for message in _messages(error):
            flash(message, "danger")
    return _card(section.name, record.id)


from core.process.form_view import form  # noqa: E402,F401  (registers the form step's page on bp)
