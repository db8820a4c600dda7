"""The ``automation`` core section (superusers only) and the checks every door applies to a definition."""
from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l

from core.automation.actions import RUNNERS
from core.automation.models import Automation, TimedKind, Trigger
from core.errors import ValidationError
from core.filters import filterable_fields, validate_filter
from core.sections import Section

SECTION_NAME = "automation"

LABELS = {
    "name": _l("Name"), "section": _l("Section"), "trigger": _l("Trigger"),
    "watched_fields": _l("Watched fields (JSON list)"), "stage": _l("Stage entered"),
    "condition": _l("Condition (JSON filter)"), "timed_kind": _l("Timed condition"),
    "timed_field": _l("Field"), "timed_value": _l("Value held"), "days": _l("Days"),
    "actions": _l("Actions (JSON list)"), "active": _l("Active"), "sequence": _l("Sequence"), "owner": _l("Owner"),
}
TRIGGER_LABELS = {
    Trigger.ON_CREATE: _l("On create"), Trigger.ON_UPDATE: _l("On update"),
    Trigger.ON_STAGE_ENTER: _l("On entering a stage"), Trigger.TIMED: _l("Timed"),
}
TIMED_LABELS = {TimedKind.IN_STATE: _l("Field has held a value for N days"),
                TimedKind.FIELD_AGE: _l("Date field is N days old")}


def automation_section() -> Section:
    return Section(
        name=SECTION_NAME, model=Automation, title=_l("Automation"), title_plural=_l("Automations"),
        area="settings", title_field="name", api=False, labels=LABELS,
        list_columns=["name", "section", "trigger", "active", "sequence", "owner"],
        search_fields=["name", "section"], filter_fields=["section", "trigger", "active", "owner"],
    )


def _json(record, attribute, kind, errors):
    text = getattr(record, attribute)
    if text is None or not str(text).strip():
        return None
    try:
        value = json.loads(text)
    except ValueError as exc:
        errors[attribute] = [_l("is not valid JSON: %(error)s", error=str(exc))]
        return None
    if not isinstance(value, kind):
        errors[attribute] = [_l("must be a JSON %(kind)s", kind="list" if kind is list else "object")]
        return None
    return value


def definition_errors(records, automation: Automation) -> dict:
    """``{field: [message]}`` of what is wrong with an automation (empty when it is fine)."""
    errors: dict[str, list] = {}
    sections = records.state.sections
    if automation.trigger not in Trigger.ALL:
        errors["trigger"] = [_l("must be one of: %(choices)s", choices=", ".join(Trigger.ALL))]
    if automation.section not in sections:
        errors["section"] = [_l("no section named “%(name)s”", name=automation.section or "")]
        return errors
    section = sections.get(automation.section)
    watched = _json(automation, "watched_fields", list, errors) or []
    unknown = [path for path in watched if section.field(str(path)) is None]
    if unknown:
        errors["watched_fields"] = [_l("unknown fields: %(fields)s", fields=", ".join(map(str, unknown)))]
    condition = _json(automation, "condition", dict, errors)
    if condition:
        try:
            validate_filter(section, condition, records.user)
        except ValidationError as error:
            errors["condition"] = [f"{path}: {m}" if path else str(m) for path, ms in error.errors.items() for m in ms]
    actions = _json(automation, "actions", list, errors) or []
    for number, action in enumerate(actions, 1):
        kind = action.get("type") if isinstance(action, dict) else None
        if kind not in RUNNERS:
            errors.setdefault("actions", []).append(_l("action %(n)s: the type must be one of: %(types)s",
                                                       n=number, types=", ".join(RUNNERS)))
    if automation.trigger == Trigger.ON_STAGE_ENTER and not section.stage_field:
        errors["trigger"] = [_l("%(section)s records have no stages", section=section.title)]
    if automation.trigger == Trigger.TIMED:
        if automation.timed_kind not in TimedKind.ALL:
            errors["timed_kind"] = [_l("must be one of: %(choices)s", choices=", ".join(TimedKind.ALL))]
        known = filterable_fields(section)
        if automation.timed_kind == TimedKind.FIELD_AGE:  # its value names the period: a column of the record
            known = {path: info for path, info in known.items()
                     if path in section.table.c and info.type in ("date", "datetime")}
        if not automation.timed_field or automation.timed_field not in known:
            errors["timed_field"] = [_l("choose a field of %(section)s", section=section.title)]
        if automation.days is None or automation.days < 0:
            errors["days"] = [_l("give the number of days (0 or more)")]
        if automation.timed_kind == TimedKind.IN_STATE and automation.timed_value in (None, ""):
            errors["timed_value"] = [_l("give the value the field must have held")]
    return errors
