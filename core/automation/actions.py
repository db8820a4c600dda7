"""What an automation does: each action is a dict with a ``type``, run through the records service.

::

    {"type": "set_fields", "values": {"stage": "closed", "note": "$record.name"}}
    {"type": "assign", "field": "owner_id", "assignee": <assignee rule>}
    {"type": "create_activity", "subject": "Call {{ record.name }}", "description": "...",
     "due_days": 2, "activity_type": "call", "assignee": <assignee rule>}
    {"type": "send_email", "template": "sales.lead_assigned", "to": "$record.email" | "owner" | "a@b.c",
     "language": "ru"}
    {"type": "run_action", "action": "sales.qualify", "params": {...}}
    {"type": "create_record", "section": "activity", "values": {"subject": "x", "record_id": "$record.id"}}

Assignee rules are in :mod:`core.automation.assignee`; ``$record.<field>``
and friends in :mod:`core.automation.values`. Activities are records of the
``activity`` section (the CRM's); the core only names it, never imports it.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.automation.assignee import resolve_assignee
from core.automation.values import record_value, resolve
from core.db import utcnow
from core.errors import ValidationError

ACTIVITY_SECTION = "activity"


def run_action(records, section, record, action: dict) -> None:
    """Run one action on ``record``; raises (ValidationError or anything) to roll the write back."""
    kind = action.get("type")
    runner = RUNNERS.get(kind)
    if runner is None:
        raise ValidationError({"actions": [_l("Unknown automation action “%(type)s”", type=kind)]})
    runner(records, section, record, action)


def _set_fields(records, section, record, action):
    values = resolve(action.get("values") or {}, records, section, record)
    records.update(section, record, values)


def _assign(records, section, record, action):
    field = action.get("field") or section.owner_field
    user_id = resolve_assignee(records, section, record, action.get("assignee"))
    if user_id is None:
        raise ValidationError({field or "": [_l("No user fits the assignee rule of this automation")]})
    records.update(section, record, {field: user_id})


def _render(text, records, section, record) -> str:
    from core.mail.render import render, template_context

    return render(text or "", template_context(records, section.name, record)) if text else ""


def _create_activity(records, section, record, action):
    if ACTIVITY_SECTION not in records.state.sections:
        raise ValidationError({"actions": [_l("Creating activities needs the CRM add-on")]})
    activity = records.section(ACTIVITY_SECTION)
    values = {
        "subject": _render(action.get("subject"), records, section, record)[:250] or section.display_name(record),
        "description": _render(action.get("description"), records, section, record) or None,
        "section": section.name, "record_id": record.id,
        "owner_id": resolve_assignee(records, section, record, action.get("assignee") or {"rule": "owner"}),
    }
    if action.get("due_days") is not None:
        values["due_date"] = utcnow().date() + timedelta(days=int(action["due_days"]))
    if action.get("activity_type"):
        type_field = activity.field("activity_type_id")
        type_model = records.state.sections.for_table(type_field.lookup).model
        values["activity_type_id"] = records.session.scalar(
            sa.select(type_model.id).where(type_model.code == action["activity_type"]))
    records.create(activity, values)


def _send_email(records, section, record, action):
    from core.mail import queue_template_email
    from core.models import User

    to = action.get("to") or "owner"
    if to == "owner":
        owner_id = getattr(record, section.owner_field) if section.owner_field else None
        owner = records.session.get(User, owner_id) if owner_id else None
        to = owner.email if owner is not None else None
    else:
        to = resolve(to, records, section, record)
    if not to:
        raise ValidationError({"to": [_l("The email of this automation has no recipient address")]})
    queue_template_email(records, action["template"], to, record=record, context=action.get("context"),
                         language=action.get("language"))


def _run_named_action(records, section, record, action):
    name = action.get("action")
    func = records.state.actions.get(name)
    if func is None:
        raise ValidationError({"actions": [_l("No installed add-on registers the action “%(name)s”", name=name)]})
    func(records, section, record, **resolve(action.get("params") or {}, records, section, record))


def _create_record(records, section, record, action):
    target = records.section(action["section"])
    values = resolve(action.get("values") or {}, records, section, record)
    records.create(target, values)


RUNNERS = {
    "set_fields": _set_fields,
    "assign": _assign,
    "create_activity": _create_activity,
    "send_email": _send_email,
    "run_action": _run_named_action,
    "create_record": _create_record,
}

__all__ = ["RUNNERS", "run_action", "record_value"]
