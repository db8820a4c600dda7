"""The stage bar on a card: the case's stages, the current one, each stage's steps and their state, move buttons.

Read in a fixed number of queries (process row, case, stages, steps, runs,
stage names, users), whatever the number of stages and steps.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.models import User
from core.process.config import load_case, matches, process_of, stage_model
from core.process.engine import current_runs
from core.records import records_for

#: Labels of run states.
STATE_LABELS = {
    "pending": _l("Waiting"), "started": _l("In progress"), "done": _l("Done"), "skipped": _l("Skipped"),
    "approved": _l("Approved"), "rejected": _l("Rejected"), None: _l("Not started"),
}
STATE_COLOURS = {"pending": "warning", "started": "primary", "done": "success", "skipped": "secondary",
                 "approved": "success", "rejected": "danger", None: "light"}


def _allowed(config, stage_id, code) -> bool:
    entries = list(config.allowed_next or []) + list(config.allowed_previous or [])
    return not entries or any(matches(e, stage_id, code) for e in entries)


def render_stage_bar(section, record) -> Markup | None:
    """The bar's markup, or None when the record follows no case."""
    records = records_for()
    session = records.session
    process = process_of(session, section, record)
    if process is None:
        return None
    cmap = load_case(session, process.case_id)
    model = stage_model(records, section)
    ids = [c.stage_id for c in cmap.stages]
    rows = {row.id: row for row in session.scalars(sa.select(model).where(model.id.in_(ids)))} if ids else {}
    runs = {run.step_id: run for run in current_runs(session, section, record)}
    users = {run.approver_id for run in runs.values() if run.approver_id}
    names = dict(session.execute(sa.select(User.id, User.name).where(User.id.in_(users))).all()) if users else {}
    current_id = getattr(record, section.stage_field)
    current = cmap.stage(current_id)
    can_move = records.can(section, "update", record) and process.state == "active"
    stages = []
    for config in cmap.stages:
        row = rows.get(config.stage_id)
        code = getattr(row, "code", None)
        is_current = config.stage_id == current_id
        steps = []
        for step in cmap.steps_of(config):
            run = runs.get(step.id) if is_current else None
            state = run.state if run is not None else None
            steps.append({"name": step.name, "kind": step.kind, "required": step.required, "run": run,
                          "label": STATE_LABELS[state], "colour": STATE_COLOURS[state],
                          "approver": names.get(run.approver_id) if run is not None and run.approver_id else None})
        stages.append({
            "id": config.stage_id, "name": getattr(row, "name", None) or f"#{config.stage_id}",
            "colour": config.colour or getattr(row, "colour", None) or "#6c757d", "kind": config.kind,
            "current": is_current, "steps": steps,
            "movable": can_move and not is_current and current is not None and _allowed(current, config.stage_id, code),
        })
    return Markup(render_template("process/stage_bar.html", section=section, record=record, case=cmap.case,
                                  process=process, stages=stages, user=records.user))
