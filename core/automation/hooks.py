"""Automations' hook implementations (registered by ``core.builtin_hooks``).

Event automations run from the record-event hooks, inside the write's
transaction; timed ones from a periodic job. Named for what they do and bound
to their hook with ``specname``.
"""
from __future__ import annotations

import sqlalchemy as sa

from core.automation.engine import on_event  # at import, not per call: it runs for every record written
from core.automation.models import Trigger
from core.plugins import hookimpl

SECTION_NAME = "automation"


@hookimpl(specname="flowcase_register_sections")
def register_automation_section(app):
    from core.automation.sections import automation_section

    return [automation_section()]


@hookimpl(specname="flowcase_record_access")
def automations_are_for_superusers(user, section, operation, record):
    return False if section.name == SECTION_NAME else None


@hookimpl(specname="flowcase_record_filter")
def automations_hidden_from_users(user, section, operation):
    return sa.false() if section.name == SECTION_NAME else None


@hookimpl(specname="flowcase_record_validate")
def validate_automation(event):
    if event.section.name != SECTION_NAME:
        return None
    from core.automation.sections import definition_errors

    return definition_errors(event.records, event.record) or None


def _forget(event) -> bool:
    """Clear the cached definitions when an automation itself was written; True if so."""
    if event.section.name == SECTION_NAME:
        from core.automation.engine import invalidate

        invalidate()
        return True
    return False


@hookimpl(specname="flowcase_record_after_create")
def run_automations_after_create(event):
    if not _forget(event):
        on_event(event, Trigger.ON_CREATE)


@hookimpl(specname="flowcase_record_after_update")
def run_automations_after_update(event):
    if not _forget(event):
        on_event(event, Trigger.ON_UPDATE)


@hookimpl(specname="flowcase_record_after_stage_change")
def run_automations_after_stage_change(event):
    on_event(event, Trigger.ON_STAGE_ENTER)


@hookimpl(specname="flowcase_record_after_delete")
def forget_automations_after_delete(event):
    _forget(event)


@hookimpl(specname="flowcase_register_periodic_jobs")
def register_timed_automations_job(app):
    from core.automation.timers import run_timed_automations
    from core.jobs import PeriodicJob

    # Every 15 minutes (timers count in days; a run with nothing due is one query per automation),
    # off the quarter hours when nightly jobs are usually scheduled.
    return [PeriodicJob(name="core.timed_automations", func=run_timed_automations, minute="5,20,35,50")]


@hookimpl(specname="flowcase_register_admin_views")
def register_automation_admin_views(admin, app):
    from core.admin_sections import SectionAdminView
    from core.mail.admin import AUTOMATION_CATEGORY
    from core.state import get_state

    section = get_state(app).sections.get(SECTION_NAME)
    admin.add_view(SectionAdminView(section, category=AUTOMATION_CATEGORY, url="/admin/automations",
                                    endpoint="automations"))
