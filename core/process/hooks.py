"""The process engine's hook implementations; :mod:`core.builtin_hooks` imports them as the core's.

Each is bound to its hook with ``specname`` and named for what it does, so it
sits beside the core's other built-in hooks without clashing.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

import core.process.models  # noqa: F401  (the tables join the metadata when the core's hooks load)
from core.plugins import hookimpl
from core.process.engine import start_case  # at import, not per call: it runs for every record created


@hookimpl(specname="flowcase_register_sections")
def register_process_sections(app):
    from core.process.sections import process_sections

    return process_sections()


@hookimpl(specname="flowcase_record_access")
def process_tables_are_for_superusers(user, section, operation, record):
    # Superusers and sudo never reach this hook; the engine writes with sudo().
    from core.process.sections import PROCESS_SECTIONS

    return False if section.name in PROCESS_SECTIONS else None


@hookimpl(specname="flowcase_record_filter")
def process_tables_hidden_from_users(user, section, operation):
    from core.process.sections import PROCESS_SECTIONS

    return sa.false() if section.name in PROCESS_SECTIONS else None


@hookimpl(specname="flowcase_record_after_create")
def start_process_on_create(event):
    start_case(event.records, event.section, event.record)


@hookimpl(specname="flowcase_record_before_stage_change")
def check_process_move(event):
    from core.process.engine import check_move

    check_move(event)


@hookimpl(specname="flowcase_record_after_stage_change")
def follow_process_move(event):
    from core.process.engine import follow_move

    follow_move(event)


@hookimpl(specname="flowcase_record_after_update")
def finish_task_steps_and_offer_case_switch(event):
    from core.process.engine import activity_done

    activity_done(event)
    _offer_switch(event)


def _offer_switch(event) -> None:
    """Changing a field a case condition reads offers (on the card) to switch to the case it now chooses."""
    from flask import flash, has_request_context, url_for
    from markupsafe import Markup, escape

    from core.process.config import has_stage_lookup
    from core.process.engine import better_case, deciding_fields
    from core.process.models import ProcessCase

    section = event.section
    if not has_request_context() or not has_stage_lookup(section) or section.stage_field in event.changes:
        return
    conditions = event.records.session.scalars(sa.select(ProcessCase.condition).where(
        ProcessCase.section == section.name, ProcessCase.active.is_(True))).all()
    fields = set()
    for condition in conditions:
        fields |= deciding_fields(condition)
    if not fields & set(event.changes):
        return
    case = better_case(event.records, section, event.record)
    if case is not None:
        url = url_for("process.switch", section_name=section.name, record_id=event.record.id)
        flash(Markup('{} <a href="{}" data-process-switch>{}</a>').format(
            escape(_l("The changes make this record fit the process “%(case)s”.", case=case.name)),
            url, escape(_l("Switch to it"))), "info")


@hookimpl(specname="flowcase_record_after_delete")
def forget_process_of_deleted_record(event):
    """A deleted record's process row and step runs go with it (its tasks stay, as activities do)."""
    from core.process.config import has_stage_lookup
    from core.process.models import ProcessRecord, ProcessStepRun

    section = event.section
    record_id = event.values.get("id")
    if not has_stage_lookup(section) or record_id is None:
        return
    sudo, session = event.records.sudo(), event.records.session
    for model, name in ((ProcessStepRun, "process_step_run"), (ProcessRecord, "process_record")):
        for row in session.scalars(sa.select(model).where(model.section == section.name, model.record_id == record_id)):
            sudo.delete(name, row)


@hookimpl(specname="flowcase_register_blueprints")
def register_process_blueprint(app):
    from core.process.views import bp

    return [bp]


@hookimpl(specname="flowcase_register_menus")
def register_process_menu(app):
    from core.menus import MenuItem

    return [MenuItem(label=_l("My approvals"), target="/process/approvals", area="general", sequence=90)]


@hookimpl(specname="flowcase_template_slot")
def process_stage_bar(slot, context):
    """The stage bar above a card's tabs, for records that follow a case."""
    if slot != "card_top":
        return None
    section, record = context.get("section"), context.get("record")
    from core.process.config import has_stage_lookup

    if section is None or record is None or not has_stage_lookup(section):
        return None
    from core.process.stage_bar import render_stage_bar

    return render_stage_bar(section, record)
