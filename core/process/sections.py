"""The process tables as core sections, so data files seed cases, stages and steps and the engine writes runs.

Configuration sections are lookups (Flask-Admin screens under "Lookups",
superusers only); per-record state is written by the engine with ``sudo()``.
Every process section is closed to non-superusers on every door
(:data:`PROCESS_SECTIONS`, enforced by :func:`core.process.hooks.process_sections_are_for_superusers`):
a user who could edit a case could skip its approvals.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.process.models import ProcessCase, ProcessRecord, ProcessStage, ProcessStep, ProcessStepRun
from core.sections import Section

PROCESS_SECTIONS = frozenset({"process_case", "process_stage", "process_step", "process_record", "process_step_run"})

_LABELS = {
    "code": _l("Code"), "name": _l("Name"), "section": _l("Section"), "condition": _l("Condition"),
    "stage_set": _l("Stage set"), "priority": _l("Priority"), "active": _l("Active"),
"case_id": _l("Case"), "stage_id": _l("Stage"),
    "sequence": _l("Order"), "colour": _l("Colour"), "kind": _l("Kind"), "allowed_next": _l("Allowed next stages"),
    "allowed_previous": _l("Allowed previous stages"), "roles": _l("Roles allowed into the stage"),
    "required_fields": _l("Fields required before leaving"), "auto_advance": _l("Auto-advance"),
    "stage_config_id": _l("Stage of the case"), "required": _l("Required"), "after_step_id": _l("Starts after step"),
    "params": _l("Parameters"), "record_id": _l("Record"), "state": _l("State"), "step_id": _l("Step"),
    "activity_id": _l("Activity"), "approver_id": _l("Approver"), "delegate_id": _l("Delegate"),
    "decided_by_id": _l("Decided by"), "decided_at": _l("Decided at"), "comment": _l("Comment"), "current": _l("Current"),
}


def process_sections() -> list[Section]:
    """Fresh Section objects for the process tables (the registry fills per-app attributes)."""
    common = dict(area="settings", api=False, labels=_LABELS)
    return [
        Section(name="process_case", model=ProcessCase, title=_l("Process case"), title_plural=_l("Process cases"),
                list_columns=["code", "name", "section", "priority", "active"], search_fields=["code", "name"],
                is_lookup=True, **common),
        Section(name="process_stage", model=ProcessStage, title=_l("Process stage"),
                title_plural=_l("Process stages"), title_field="stage_id",
                list_columns=["case_id", "stage_id", "sequence", "kind", "auto_advance"], is_lookup=True, **common),
        Section(name="process_step", model=ProcessStep, title=_l("Process step"), title_plural=_l("Process steps"),
                list_columns=["stage_config_id", "name", "kind", "required", "after_step_id"],
                search_fields=["name"], is_lookup=True, **common),
        Section(name="process_record", model=ProcessRecord, title=_l("Record in a process"),
                title_plural=_l("Records in processes"), title_field="record_id",
                list_columns=["section", "record_id", "case_id", "state"], **common),
        Section(name="process_step_run", model=ProcessStepRun, title=_l("Step run"), title_plural=_l("Step runs"),
                title_field="kind", list_columns=["section", "record_id", "step_id", "state", "approver_id"],
                **common),
    ]
