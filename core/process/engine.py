"""The process engine: start a record's case, check and follow stage changes, finish steps, auto-advance.

Called from the record-event hooks (:mod:`core.process.hooks`) inside the write
that triggered them, so everything here shares that write's transaction: a
refused move or a failing step leaves the record as it was, with no task made.
The engine's own bookkeeping (process rows, step runs, tasks) is written with
``sudo()``: it follows the admin's configuration, not the acting user's rights.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.db import utcnow
from core.errors import RecordNotFound, ValidationError
from core.process.config import (
    CaseMap, case_for, has_stage_lookup, load_case, matches, process_of, stage_label, stage_row,
)
from core.process.models import SATISFIED, ProcessStep, ProcessStepRun
from core.process.rules import resolve_refs
from core.process.steps import start_step

_OPEN = ("pending", "started")


def start_case(records, section, record) -> None:
    """A new record follows the first case it matches, from its stage if the case walks it, else the first."""
    if not has_stage_lookup(section):
        return
    case = case_for(records, section, record)
    if case is None:
        return
    records.sudo().create("process_record", {"section": section.name, "record_id": record.id, "case_id": case.id,
                                              "state": "active"})
    follow_case(records, section, record, load_case(records.session, case.id))


def follow_case(records, section, record, cmap: CaseMap) -> None:
    """Enter the record's current stage of ``cmap``, or move it to the case's first stage."""
    config = cmap.stage(getattr(record, section.stage_field))
    if config is not None:
        enter_stage(records, section, record, cmap, config)
    elif cmap.stages:
        records.sudo().set_stage(section, record, cmap.stages[0].stage_id)


def _stage_code(records, section, stage_id):
    return getattr(stage_row(records, section, stage_id), "code", None)


def _role_codes(records) -> set:
    user = records.user
    return {role.code for role in getattr(user, "roles", None) or []}


def check_move(event) -> None:
    """Refuse a stage change the record's case does not allow (``flowcase_record_before_stage_change``)."""
    records, section, record = event.records, event.section, event.record
    if not has_stage_lookup(section):
        return
    process = process_of(records.session, section, record)
    if process is None:
        return
    old, new = event.changes[section.stage_field]
    cmap = load_case(records.session, process.case_id)
    event.__dict__["process"] = (process, cmap)  # the after-hook of the same write reuses what was read
    field, target = section.stage_field, cmap.stage(new)
    new_name = stage_label(records, section, new)
    if target is None:
        raise ValidationError({field: [_l("“%(stage)s” is not a stage of the process “%(case)s”.",
                                          stage=new_name, case=cmap.case.name)]})
    current = cmap.stage(old)
    if current is None:
        return
    allowed = list(current.allowed_next or []) + list(current.allowed_previous or [])
    if (current.allowed_next or current.allowed_previous) and not any(
            matches(entry, new, _stage_code(records, section, new)) for entry in allowed):
        raise ValidationError({field: [_l("A record cannot move from “%(old)s” to “%(new)s” in the process “%(case)s”.",
                                          old=stage_label(records, section, old), new=new_name, case=cmap.case.name)]})
    privileged = records.unrestricted
    if target.roles and not privileged and not (_role_codes(records) & set(target.roles)):
        raise ValidationError({field: [_l("Your role may not move records into “%(stage)s”.", stage=new_name)]})
    if target.kind == "failure":  # stopping a sale needs no finished work
        return
    _check_leaving(records, section, record, cmap, current, old)


def _check_leaving(records, section, record, cmap: CaseMap, current, old) -> None:
    values = records.sudo().read(section, record) if current.required_fields else {}
    missing = [path for path in current.required_fields or [] if values.get(path) in (None, "")]
    if missing:
        labels = ", ".join(str(getattr(section.field(p), "label", p)) for p in missing)
        raise ValidationError({section.stage_field: [_l("Fill in %(fields)s before leaving “%(stage)s”.",
                                                        fields=labels, stage=stage_label(records, section, old))]})
    states = _run_states(records.session, section, record, old)
    undone = [step.name for step in cmap.steps_of(current) if step.required and states.get(step.id) not in SATISFIED]
    if undone:
        raise ValidationError({section.stage_field: [_l("Finish the required steps of “%(stage)s” first: %(steps)s.",
                                                        stage=stage_label(records, section, old),
                                                        steps=", ".join(undone))]})


def current_runs(session, section, record, stage_id=None) -> list[ProcessStepRun]:
    """The record's step runs of the current visit (of one stage, when given), oldest first."""
    query = sa.select(ProcessStepRun).where(ProcessStepRun.section == section.name,
                                            ProcessStepRun.record_id == record.id, ProcessStepRun.current.is_(True))
    if stage_id is not None:
        query = query.where(ProcessStepRun.stage_id == stage_id)
    return list(session.scalars(query.order_by(ProcessStepRun.id)))


def _run_states(session, section, record, stage_id) -> dict[int, str]:
    return {run.step_id: run.state for run in current_runs(session, section, record, stage_id)}


def follow_move(event) -> None:
    """After a stage change: close the old stage's runs, start the new stage's steps (``after_stage_change``)."""
    records, section, record = event.records, event.section, event.record
    if not has_stage_lookup(section):
        return
    cached = event.__dict__.get("process")
    process, cmap = cached if cached else (process_of(records.session, section, record), None)
    if process is None:
        return
    cmap = cmap or load_case(records.session, process.case_id)
    old, new = event.changes[section.stage_field]
    close_runs(records, section, record, old)
    target = cmap.stage(new)
    if process.state == "active" and target is not None:
        enter_stage(records, section, record, cmap, target)


def close_runs(records, section, record, stage_id=None) -> None:
    """The runs of a visit that is over stop being current; open tasks are cancelled, open visas skipped."""
    sudo = records.sudo()
    for run in current_runs(records.session, section, record, stage_id):
        values = {"current": False}
        if run.state in _OPEN:
            values["state"] = "skipped"
            if run.activity_id is not None and "activity" in records.state.sections:
                activity = records.session.get(records.state.sections.get("activity").model, run.activity_id)
                if activity is not None and activity.status == "open":
                    sudo.update("activity", activity, {"status": "cancelled"})
        sudo.update("process_step_run", run, values)


def enter_stage(records, section, record, cmap: CaseMap, config) -> None:
    """Start the stage's steps that start on entry, then advance if the stage's mode says so."""
    for step in cmap.steps_of(config):
        if step.after_step_id is None:
            if getattr(record, section.stage_field) != config.stage_id:
                return  # an action moved the record on: the rest of this stage no longer applies
            run = start_step(records, section, record, step, config.stage_id)
            if run.state in SATISFIED:
                _start_dependents(records, section, record, cmap, config, step)
    maybe_advance(records, section, record, cmap, config)


def _start_dependents(records, section, record, cmap, config, finished: ProcessStep) -> None:
    for step in cmap.steps_of(config):
        if step.after_step_id == finished.id and getattr(record, section.stage_field) == config.stage_id:
            run = start_step(records, section, record, step, config.stage_id)
            if run.state in SATISFIED:
                _start_dependents(records, section, record, cmap, config, step)


def step_finished(records, section, record, run: ProcessStepRun) -> None:
    """A run reached done or approved: start the steps waiting for it, then maybe advance."""
    process = process_of(records.session, section, record)
    if process is None or process.state != "active" or getattr(record, section.stage_field) != run.stage_id:
        return
    cmap = load_case(records.session, process.case_id)
    config = cmap.stage(run.stage_id)
    step = records.session.get(ProcessStep, run.step_id)
    if config is None or step is None:
        return
    _start_dependents(records, section, record, cmap, config, step)
    maybe_advance(records, section, record, cmap, config)


def maybe_advance(records, section, record, cmap: CaseMap, config) -> None:
    """Move on when the stage's auto-advance mode is met (its required, or all, steps finished)."""
    if config.auto_advance not in ("required_done", "all_done") or getattr(record, section.stage_field) != config.stage_id:
        return
    steps = [s for s in cmap.steps_of(config) if s.required or config.auto_advance == "all_done"]
    if not steps:
        return
    states = _run_states(records.session, section, record, config.stage_id)
    if all(states.get(step.id) in SATISFIED for step in steps):
        target = next_stage(records, section, cmap, config)
        if target is not None:
            records.sudo().set_stage(section, record, target.stage_id)


def next_stage(records, section, cmap: CaseMap, config):
    """The stage after ``config``: the first allowed next one by order, else the next non-failure one."""
    if config.allowed_next:
        for candidate in cmap.stages:
            if candidate is not config and candidate.kind != "failure" and any(
                    matches(e, candidate.stage_id, _stage_code(records, section, candidate.stage_id))
                    for e in config.allowed_next):
                if (candidate.sequence, candidate.id) > (config.sequence, config.id):
                    return candidate
    return cmap.next_after(config)


def find_stage(records, section, cmap: CaseMap, reference):
    """The case's stage named by an id or a code; a clear error when the case has none such."""
    for config in cmap.stages:
        if matches(reference, config.stage_id, _stage_code(records, section, config.stage_id)):
            return config
    raise ValidationError(_l("The process “%(case)s” has no stage “%(stage)s”.", case=cmap.case.name, stage=reference))


def activity_done(event) -> None:
    """A task's activity marked done (any door) finishes its step run."""
    if event.section.name != "activity" or event.changes.get("status", (None, None))[1] != "done":
        return
    records = event.records
    run = records.session.scalar(sa.select(ProcessStepRun).where(
        ProcessStepRun.activity_id == event.record.id, ProcessStepRun.kind == "task",
        ProcessStepRun.current.is_(True), ProcessStepRun.state == "started"))
    if run is None:
        return
    finish_run(records, run, "done")


def finish_run(records, run: ProcessStepRun, state: str, **values) -> None:
    """Mark a run finished and let the process go on (dependent steps, auto-advance)."""
    records.sudo().update("process_step_run", run, {"state": state, **values})
    section = records.section(run.section)
    record = records.session.get(section.model, run.record_id)
    if record is not None and state in SATISFIED:
        step_finished(records, section, record, run)


def decide(records, run_id, approve: bool, comment: str | None = None) -> None:
    """The approver's decision on a visa; the step's outcome may move or stop the record.

    ``on_approve``: ``next`` (default), a stage id or code, or ``none`` (stay; the
    stage's own steps and mode go on). ``on_reject``: ``stop`` (default) or a stage
    id or code; ``reject_values`` / ``approve_values`` are written with the move.
    """
    session = records.session
    run = session.get(ProcessStepRun, int(run_id)) if str(run_id).isdigit() else None
    user = records.user
    privileged = records.unrestricted
    if run is None or run.kind != "approval" or not (
            privileged or (user is not None and user.id in (run.approver_id, run.delegate_id))):
        raise RecordNotFound(_l("This approval does not exist or is not yours to decide."))
    if run.state != "pending" or not run.current:
        raise ValidationError(_l("This approval was already decided."))
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": [_l("Say why you reject: a rejection needs a comment.")]})
    section = records.section(run.section)
    sudo = records.sudo()
    with records.transaction():
        record = sudo.get(section, run.record_id)
        step = session.get(ProcessStep, run.step_id)
        params = resolve_refs(session, step.params or {})
        sudo.update("process_step_run", run, {
            "state": "approved" if approve else "rejected", "comment": comment or None,
            "decided_by_id": getattr(user, "id", None), "decided_at": utcnow()})
        process = process_of(session, section, record)
        cmap = load_case(session, process.case_id)
        if approve:
            outcome = params.get("on_approve", "next")
            if outcome == "none":
                step_finished(records, section, record, run)
                return
            config = cmap.stage(run.stage_id)
            target = next_stage(records, section, cmap, config) if outcome == "next" else find_stage(
                records, section, cmap, outcome)
            if target is not None:
                sudo.update(section, record, {section.stage_field: target.stage_id, **(params.get("approve_values") or {})})
            return
        outcome = params.get("on_reject", "stop")
        if outcome != "stop":
            target = find_stage(records, section, cmap, outcome)
            sudo.update(section, record, {section.stage_field: target.stage_id, **(params.get("reject_values") or {})})
            return
        close_runs(records, section, record)
        sudo.update("process_record", process, {"state": "stopped"})


def delegate(records, run_id, user_id) -> None:
    """The approver hands a visa to someone else (when the step allows delegation)."""
    run = records.session.get(ProcessStepRun, int(run_id))
    user = records.user
    if run is None or run.kind != "approval" or user is None or user.id != run.approver_id:
        raise RecordNotFound(_l("This approval does not exist or is not yours to decide."))
    step = records.session.get(ProcessStep, run.step_id)
    if not (step.params or {}).get("delegation"):
        raise ValidationError(_l("This approval may not be delegated."))
    with records.transaction():
        records.sudo().update("process_step_run", run, {"delegate_id": int(user_id)})


def deciding_fields(tree) -> set:
    """The field paths a case condition reads."""
    found = set()
    if isinstance(tree, dict):
        if "field" in tree:
            found.add(tree["field"])
        for value in tree.values():
            found |= deciding_fields(value)
    elif isinstance(tree, list):
        for value in tree:
            found |= deciding_fields(value)
    return found


def better_case(records, section, record):
    """The case the record would follow now, when it differs from the one it follows (else None)."""
    process = process_of(records.session, section, record)
    if process is None:
        return None
    case = case_for(records, section, record)
    return case if case is not None and case.id != process.case_id else None


def switch_case(records, section, record) -> None:
    """Make the record follow the case its values now choose: the old case's open work is closed."""
    case = better_case(records, section, record)
    if case is None:
        raise ValidationError(_l("This record already follows the right process."))
    with records.transaction():
        process = process_of(records.session, section, record)
        close_runs(records, section, record)
        records.sudo().update("process_record", process, {"case_id": case.id, "state": "active"})
        follow_case(records, section, record, load_case(records.session, case.id))
