"""The projects add-on's hook implementations: registration, the card panels, checks, and plan-vs-fact upkeep.

A project task's activity changing by any door (its card, the API, an
import, the "My activities" page) brings its plan-vs-fact row and the
project's state and actual duration along, in the same transaction.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.menus import MenuItem
from core.plugins import hookimpl

from .models import OWNER_RULE, Project, ProjectTask, ProjectTemplate, ProjectTemplateTask
from .sections import projects_sections
from .services import PROJECT, create_from_template_action, roll_up, sync_task

#: Sections whose cards offer "Create a project": working records, not settings or the project's own parts.
_NO_BUTTON = {"project", "project_task", "project_template", "project_template_task", "activity"}


# -- registration -------------------------------------------------------------------

@hookimpl
def flowcase_register_sections(app):
    return projects_sections()


@hookimpl
def flowcase_register_actions(app):
    return {"projects.create_from_template": create_from_template_action}


@hookimpl
def flowcase_register_blueprints(app):
    from .views import bp

    return [bp]


@hookimpl
def flowcase_register_menus(app):
    return [
        MenuItem(label=_l("Projects"), target="/project/", area="projects", sequence=10),
        MenuItem(label=_l("Plan vs fact"), target="/projects/plan-vs-fact", area="projects", sequence=20),
        MenuItem(label=_l("Project templates"), target="/project_template/", area="projects", sequence=30),
    ]


@hookimpl
def flowcase_template_slot(slot, context):
    """The plan-vs-fact panel on a project's card; "Create a project" on other working records' cards."""
    section, record = context.get("section"), context.get("record")
    if slot != "card_top" or section is None or record is None:
        return None
    from .views import create_button, plan_panel

    if section.name == PROJECT:
        return plan_panel(record)
    if section.name in _NO_BUTTON or section.is_lookup or section.area == "settings":
        return None
    return create_button(section, record)


@hookimpl
def flowcase_timeline_items(section, record, records, limit):
    """An account's projects on its timeline (the history of communications, sales and projects)."""
    from .views import project_timeline

    return project_timeline(section, record, records, limit)


@hookimpl
def flowcase_owner_handover(section, record, old_owner_id, new_owner_id, records):
    """An account's new manager takes over its projects still led by the previous one (their open tasks go with
    the account's open activities, which the crm hands over)."""
    if section.name != "account" or old_owner_id is None:
        return None
    from core.handover import HandoverGroup

    query = records.select("project", "update").where(
        Project.account_id == record.id, Project.owner_id == old_owner_id).order_by(Project.id)
    return [HandoverGroup("project", _l("Projects"), query)]


# -- lifecycle -------------------------------------------------------------------------

#: Set in the session while tasks are relinked for an uninstall: their plan rows must stay for a reinstall.
_RELINKING = "projects.relinking"


@hookimpl
def flowcase_addon_before_uninstall(addon, records):
    """Project tasks become plain activities of their account, so the crm keeps them workable without us.

    Their plan rows stay (with the tables, unless dropped): a reinstall links them back.
    """
    if "activity" not in records.state.sections:
        return
    activity = records.section("activity").model
    records.session.info[_RELINKING] = True
    try:
        for task in list(records.session.scalars(sa.select(activity).where(activity.section == PROJECT))):
            target = ("account", task.account_id) if task.account_id is not None else (None, None)
            records.update("activity", task, {"section": target[0], "record_id": target[1]})
    finally:
        records.session.info.pop(_RELINKING, None)


@hookimpl
def flowcase_addon_installed(addon, records):
    """A reinstall over kept tables links the plan rows' activities back to their projects."""
    for row in list(records.session.scalars(sa.select(ProjectTask).where(ProjectTask.activity_id.is_not(None)))):
        task = records.session.get(records.section("activity").model, row.activity_id)
        if task is not None and (task.section, task.record_id) != (PROJECT, row.project_id):
            records.update("activity", task, {"section": PROJECT, "record_id": row.project_id})


# -- validation ----------------------------------------------------------------------

def _check_template_task(event, errors: dict) -> None:
    record = event.record
    if record.duration_days is not None and int(record.duration_days) < 1:
        errors["duration_days"] = [_l("A task lasts at least one working day.")]
    rule = (record.assignee or OWNER_RULE).strip()
    kind, _, arg = rule.partition(":")
    if rule in ("owner", "owner_manager"):
        return
    if ":" in rule and kind not in ("role", "user", "field"):
        errors["assignee"] = [_l("Say “owner”, a role code, or role:<code>, user:<login>, field:<path>.")]
        return
    session = event.records.session
    from core.models import User
    from core.security.models import Role

    if ":" not in rule or kind == "role":
        code = arg if ":" in rule else rule
        if session.scalar(sa.select(Role.id).where(Role.code == code)) is None:
            errors["assignee"] = [_l("There is no role with the code “%(code)s”.", code=code)]
    elif kind == "user" and session.scalar(sa.select(User.id).where(User.login == arg)) is None:
        errors["assignee"] = [_l("There is no user with the login “%(login)s”.", login=arg)]


def _check_dates(record, errors: dict, start: str, end: str) -> None:
    first, last = getattr(record, start), getattr(record, end)
    if first is not None and last is not None and last < first:
        errors[end] = [_l("The end must not be before the start.")]


def _check_project(event, errors: dict) -> None:
    record = event.record
    _check_dates(record, errors, "planned_start", "planned_end")
    _check_dates(record, errors, "actual_start", "actual_end")
    sections = event.records.state.sections
    if record.section and record.section not in sections:
        errors["section"] = [_l("There is no section named “%(name)s”.", name=record.section)]
    elif record.section and record.record_id is not None and ({"section", "record_id"} & set(event.values)):
        if event.records.session.get(sections.get(record.section).model, record.record_id) is None:
            errors["record_id"] = [_l("%(section)s #%(id)s does not exist.",
                                      section=sections.get(record.section).title, id=record.record_id)]


@hookimpl
def flowcase_record_validate(event):
    errors: dict = {}
    record = event.record
    if isinstance(record, ProjectTemplateTask):
        _check_template_task(event, errors)
    elif isinstance(record, ProjectTemplate):
        if record.code is not None and not record.code.strip():
            errors["code"] = [_l("is required")]
    elif isinstance(record, Project):
        _check_project(event, errors)
    return errors or None


# -- plan-vs-fact upkeep ----------------------------------------------------------------

def _is_project_task(event) -> bool:
    record = event.record
    return event.section.name == "activity" and record.section == PROJECT and record.record_id is not None


@hookimpl
def flowcase_record_after_create(event):
    if _is_project_task(event):
        sync_task(event.records, event.record)


_WATCHED = {"status", "subject", "owner_id", "start_at", "end_at", "due_date", "actual_start_at", "actual_end_at",
            "section", "record_id"}


@hookimpl
def flowcase_record_after_update(event):
    if event.section.name != "activity" or not (_WATCHED & set(event.changes)) \
            or event.records.session.info.get(_RELINKING):
        return
    old_section, _new = event.changes.get("section", (event.record.section, None))
    old_record, _new = event.changes.get("record_id", (event.record.record_id, None))
    if old_section == PROJECT and (old_section, old_record) != (event.record.section, event.record.record_id):
        _forget(event.records, event.record.id, old_record)  # moved off a project
    if _is_project_task(event):
        sync_task(event.records, event.record)


def _forget(records, activity_id, project_id) -> None:
    row = records.session.scalar(sa.select(ProjectTask).where(ProjectTask.activity_id == activity_id))
    if row is not None:
        records.sudo().delete("project_task", row)
    if project_id is not None:
        roll_up(records, project_id)


@hookimpl
def flowcase_record_before_delete(event):
    """A project task's activity takes its plan row along; a project goes with its tasks' activities."""
    if event.section.name == "activity" and event.record.section == PROJECT:
        _forget(event.records, event.record.id, event.record.record_id)
        return
    if not isinstance(event.record, Project) or "activity" not in event.records.state.sections:
        return
    activity = event.records.section("activity").model
    sudo = event.records.sudo()
    for task in list(event.records.session.scalars(sa.select(activity).where(
            activity.section == PROJECT, activity.record_id == event.record.id))):
        sudo.delete("activity", task)
