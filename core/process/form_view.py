"""The generated page of a form step: asks for the step's fields and writes them to the record or a new related one.

Step parameters: ``fields`` (field paths), and optionally ``create_section`` +
``link_field`` to write into a new record of that section pointing at this one.
The write and the step's completion are one transaction.
"""
from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from core.errors import AccessDenied, ConflictError, ValidationError
from core.process import engine
from core.process.models import ProcessStep, ProcessStepRun
from core.process.views import _card, bp
from core.records import records_for
from core.ui.forms import build_form, form_values, put_errors


def _form_run(records, run_id: int):
    run = records.session.get(ProcessStepRun, run_id)
    if run is None or run.kind != "form" or run.state != "pending" or not run.current:
        abort(404)
    section = records.section(run.section)
    record = records.get(section, run.record_id)  # a record the user may not read is a 404
    if not records.can(section, "update", record):
        abort(403)
    step = records.session.get(ProcessStep, run.step_id)
    return run, step, section, record


@bp.route("/form/<int:run_id>", methods=["GET", "POST"])
@login_required
def form(run_id: int):
    """Show or save the form step ``run_id``."""
    records = records_for()
    run, step, section, record = _form_run(records, run_id)
    params = step.params or {}
    target = records.section(params["create_section"]) if params.get("create_section") else section
    fields = [info for info in (target.field(p) for p in params.get("fields") or []) if info is not None]
    initial = records.read(section, record) if target is section else {}
    form_obj = build_form(target, records, fields, initial={i.path: initial.get(i.path) for i in fields})
    errors, status = [], 422 if request.method == "POST" else 200
    if request.method == "POST" and form_obj.validate_on_submit():
        values = form_values(target, form_obj)
        try:
            with records.transaction():
                if target is section:
                    records.update(section, record, values)
                else:
                    records.create(target, {**values, params.get("link_field", f"{section.name}_id"): record.id})
                engine.finish_run(records, run, "done")
            flash(_("Saved."), "success")
            return _card(section.name, record.id)
        except ValidationError as error:
            errors = put_errors(form_obj, error.errors)
        except (AccessDenied, ConflictError) as error:
            errors = [str(error)]
    return render_template("process/form.html", form=form_obj, step=step, section=section, record=record,
                           title=section.display_name(record), errors=errors), status
