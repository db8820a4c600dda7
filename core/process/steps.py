"""Starting one step of a stage for one record: a task, an approval, a form, an email or an action.

Each starter runs inside the write that entered the stage (a stage change, a
create, a finished step) and writes through the records service, so a step
that fails rolls the whole change back and its message reaches the user.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.errors import ValidationError
from core.process.models import ProcessStep
from core.process.rules import due_date, resolve_email, resolve_refs, resolve_user


def _task(records, section, record, step: ProcessStep, params: dict, values: dict) -> None:
    """An activity for the resolved assignee, linked to the record, due after the step's offset."""
    if "activity" not in records.state.sections:
        raise ValidationError(_l("The step “%(step)s” creates a task, which needs the CRM add-on.", step=step.name))
    owner_id = resolve_user(records, section, record, params.get("assignee", "owner"))
    activity = records.sudo().create("activity", {
        "subject": params.get("title") or step.name,
        "description": params.get("description"),
        "owner_id": owner_id,
        "due_date": due_date(params),
        "section": section.name,
        "record_id": record.id,
    })
    values["activity_id"] = activity.id


def _approval(records, section, record, step: ProcessStep, params: dict, values: dict) -> None:
    """A pending visa for the resolved approver; nobody resolved leaves it to superusers (shown as unassigned)."""
    values["approver_id"] = resolve_user(records, section, record, params.get("approver", "owner_manager"))
    values["state"] = "pending"
    template = params.get("notify_template")
    if template and values["approver_id"] is not None:
        _send(records, section, record, template, f"user:{_login(records, values['approver_id'])}", step)


def _login(records, user_id) -> str:
    from core.models import User

    return records.session.get(User, user_id).login


def _form(records, section, record, step: ProcessStep, params: dict, values: dict) -> None:
    """Waits for someone to fill the generated form (``/process/form/<run id>``)."""
    if not params.get("fields"):
        raise ValidationError(_l("The form step “%(step)s” names no fields to ask.", step=step.name))
    values["state"] = "pending"


def _send(records, section, record, template, rule, step) -> None:
    try:
        from core.mail import queue_template_email
    except ImportError:  # the mail module is optional for the engine: say so instead of failing obscurely
        raise ValidationError(_l("The step “%(step)s” sends email, but email is not configured.", step=step.name)) from None
    address = resolve_email(records, section, record, rule)
    if not address:
        raise ValidationError(_l("The step “%(step)s” found no email address to send to.", step=step.name))
    queue_template_email(records.sudo(), template, to=address, record=record)


def _email(records, section, record, step: ProcessStep, params: dict, values: dict) -> None:
    """Queues a template email (sent after commit by core.mail's job)."""
    if not params.get("template"):
        raise ValidationError(_l("The email step “%(step)s” names no template.", step=step.name))
    _send(records, section, record, params["template"], params.get("to", "owner"), step)
    values["state"] = "done"


def _action(records, section, record, step: ProcessStep, params: dict, values: dict) -> None:
    """Runs a named action (``flowcase_register_actions``) with the step's parameters."""
    name = params.get("action")
    func = records.state.actions.get(name)
    if func is None:
        raise ValidationError(_l("The step “%(step)s” runs the action “%(action)s”, which no installed add-on provides.",
                                 step=step.name, action=name or ""))
    func(records, section, record, **(params.get("params") or {}))
    values["state"] = "done"


STARTERS = {"task": _task, "approval": _approval, "form": _form, "email": _email, "action": _action}


def start_step(records, section, record, step: ProcessStep, stage_id: int):
    """Start ``step`` for ``record`` in stage ``stage_id`` and return its run (a ``ProcessStepRun``)."""
    starter = STARTERS.get(step.kind)
    if starter is None:
        raise ValidationError(_l("The step “%(step)s” has an unknown kind “%(kind)s”.", step=step.name, kind=step.kind))
    params = resolve_refs(records.session, step.params or {})
    values = {"section": section.name, "record_id": record.id, "step_id": step.id, "stage_id": stage_id,
              "kind": step.kind, "state": "started", "current": True}
    starter(records, section, record, step, params, values)
    # An action may have moved the record on already: its run then belongs to a visit that is over.
    values["current"] = getattr(record, section.stage_field) == stage_id
    return records.sudo().create("process_step_run", values)
