"""Making projects from templates and keeping their plan vs fact current.

Other add-ons import :func:`create_project_from_template`; stages and
automations reach it as the named action ``projects.create_from_template``.
Every write goes through the records service: the project with the acting
user's rights, its tasks and plan rows with ``sudo()`` because they follow the
template's configuration (tasks go to other people), as the process engine's
stage tasks do.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import ValidationError
from core.process.rules import resolve_user

from .models import OWNER_RULE, Project, ProjectState, ProjectTask, ProjectTemplate, ProjectTemplateTask
from .scheduling import DAY_END, DAY_START, at, day_of, schedule, working_days_between

#: The section name of projects, as activities link to them.
PROJECT = "project"
_ACTIVITY_DONE, _ACTIVITY_CANCELLED = "done", "cancelled"


def template_by_code(session, code) -> ProjectTemplate:
    """The active template with ``code``; a readable error when there is none."""
    if not code:
        raise ValidationError({"template": [_l("Name the project template to use.")]})
    template = session.scalar(sa.select(ProjectTemplate).where(ProjectTemplate.code == str(code)))
    if template is None or not template.active:
        raise ValidationError({"template": [_l("There is no active project template with the code “%(code)s”.",
                                                code=code)]})
    return template


def template_tasks(session, template_id) -> list[ProjectTemplateTask]:
    return list(session.scalars(sa.select(ProjectTemplateTask).where(ProjectTemplateTask.template_id == template_id)
                                .order_by(ProjectTemplateTask.sequence, ProjectTemplateTask.id)))


def assignee_rule(rule: str | None) -> str:
    """A template's assignee as a process rule: ``owner`` and ``x:y`` rules as they are, a bare code as a role."""
    rule = (rule or OWNER_RULE).strip()
    if rule in ("owner", "owner_manager") or ":" in rule:
        return rule
    return f"role:{rule}"


def existing_project(session, template_id, section: str, record_id) -> Project | None:
    """The project already made from this template for this record (a stage entered twice makes one)."""
    return session.scalar(sa.select(Project).where(
        Project.template_id == template_id, Project.section == section, Project.record_id == record_id)
        .order_by(Project.id).limit(1))


def create_project_from_template(records, template_code, section, record_id, values=None) -> Project:
    """Create the project of ``template_code`` for the record ``section`` #``record_id`` and return it.

    The project is linked to the record (``section`` + ``record_id``) and gets
    its account (the record's ``account_id``, or the record itself when it is an
    account) and owner (the record's owner, else the acting user). Each template
    task becomes an activity of the user its assignee rule names (the project's
    owner when the rule names nobody), planned one after another in working
    days from ``planned_start`` (default: today). ``values`` may set any project
    field. A second call for the same record and template returns the project
    the first one made.
    """
    values = dict(values or {})
    section_obj = records.section(section)
    source = records.get(section_obj, record_id)
    session = records.session
    template = template_by_code(session, template_code)
    found = existing_project(session, template.id, section_obj.name, source.id)
    if found is not None:
        return found
    tasks = template_tasks(session, template.id)
    if not tasks:
        raise ValidationError({"template": [_l("The project template “%(name)s” has no tasks.", name=template.name)]})
    start = values.pop("planned_start", None) or datetime.now(timezone.utc).date()
    if isinstance(start, str):
        try:
            start = date.fromisoformat(start)
        except ValueError:
            raise ValidationError({"planned_start": [_l("A date looks like 2026-03-31.")]}) from None
    plan = schedule(start, [task.duration_days for task in tasks])
    account_id = source.id if section_obj.name == "account" else getattr(source, "account_id", None)
    owner_id = getattr(source, section_obj.owner_field, None) if section_obj.owner_field else None
    with records.transaction():
        project = records.create(PROJECT, {
            "name": f"{template.name}: {section_obj.display_name(source)}"[:250],
            "template_id": template.id,
            "section": section_obj.name,
            "record_id": source.id,
            "account_id": account_id,
            "owner_id": owner_id or getattr(records.user, "id", None),
            "state": ProjectState.PLANNED,
            "planned_start": plan[0][0],
            "planned_end": plan[-1][1],
            "planned_duration_days": sum(max(task.duration_days or 1, 1) for task in tasks),
            **values,
        })
        project_section = records.section(PROJECT)
        sudo = records.sudo()
        for task, (begin, end) in zip(tasks, plan):
            owner = resolve_user(sudo, project_section, project, assignee_rule(task.assignee)) or project.owner_id
            activity = sudo.create("activity", {
                "subject": task.name,
                "description": task.description,
                "owner_id": owner,
                "start_at": at(begin, DAY_START),
                "end_at": at(end, DAY_END),
                "due_date": end,
                "section": PROJECT,
                "record_id": project.id,
                "account_id": project.account_id,
            })
            add_task_row(records, activity, task.sequence, max(task.duration_days or 1, 1))
    return project


def create_from_template_action(records, section, record, template=None, **params):
    """Action ``projects.create_from_template``: ``params = {"template": "<code>"}``; returns the project."""
    return create_project_from_template(records, template, section.name, record.id, params.get("values"))


# -- plan vs fact ---------------------------------------------------------------------------

def fact_of(activity) -> dict:
    """A plan row's dates from its activity: planned from start/end, actual from the actual times, and the slip."""
    planned_start, planned_end = day_of(activity.start_at), day_of(activity.end_at) or activity.due_date
    actual_start, actual_end = day_of(activity.actual_start_at), day_of(activity.actual_end_at)
    done = activity.status == _ACTIVITY_DONE
    return {
        "planned_start": planned_start,
        "planned_end": planned_end,
        "actual_start": actual_start,
        "actual_end": actual_end,
        "actual_duration_days": _duration(actual_start, actual_end) if done else None,
        "slip_days": (actual_end - planned_end).days if done and actual_end and planned_end else None,
    }


def _duration(start, end) -> int | None:
    """Working days of work done from ``start`` to ``end``; work done over a weekend still took a day."""
    if start is None or end is None:
        return None
    return max(working_days_between(start, end), 1)


def add_task_row(records, activity, sequence=None, duration=None) -> ProjectTask:
    """The plan row of a new project task: after the others unless ``sequence`` says where."""
    session = records.session
    row = session.scalar(sa.select(ProjectTask).where(ProjectTask.activity_id == activity.id))
    if row is not None:  # made by the activity's own create hook: the template's order and duration win
        given = {key: value for key, value in (("sequence", sequence), ("planned_duration_days", duration))
                 if value is not None}
        return records.sudo().update("project_task", row, given) if given else row
    if sequence is None:
        last = session.scalar(sa.select(sa.func.max(ProjectTask.sequence)).where(
            ProjectTask.project_id == activity.record_id))
        sequence = (last or 0) + 10
    fact = fact_of(activity)
    if duration is None and fact["planned_start"] and fact["planned_end"]:
        duration = _duration(fact["planned_start"], fact["planned_end"])
    row = records.sudo().create("project_task", {
        "project_id": activity.record_id, "sequence": sequence, "name": activity.subject,
        "activity_id": activity.id, "owner_id": activity.owner_id, "status": activity.status,
        "planned_duration_days": duration, **fact,
    })
    roll_up(records, activity.record_id)
    return row


def sync_task(records, activity) -> None:
    """Bring the plan row of a project task in line with its activity, then roll the project up."""
    sudo = records.sudo()
    row = records.session.scalar(sa.select(ProjectTask).where(ProjectTask.activity_id == activity.id))
    if row is None:
        add_task_row(records, activity)
        return
    sudo.update("project_task", row, {"name": activity.subject, "owner_id": activity.owner_id,
                                      "status": activity.status, **fact_of(activity)})
    roll_up(records, row.project_id)


def roll_up(records, project_id) -> None:
    """The project's state and actual dates from its tasks (cancelled ones left out).

    Every task done: ``done``, actual start and end the earliest start and the
    latest end, actual duration the working days between. Some work started or
    done: ``in_progress``. None: ``planned``. Reopening a task undoes ``done``.
    """
    session = records.session
    project = session.get(Project, project_id)
    if project is None:
        return
    rows = [row for row in session.scalars(sa.select(ProjectTask).where(ProjectTask.project_id == project_id))
            if row.status != _ACTIVITY_CANCELLED]
    done = [row for row in rows if row.status == _ACTIVITY_DONE]
    starts = [row.actual_start for row in done if row.actual_start] + [
        row.actual_start for row in rows if row.actual_start and row not in done]
    values = {"actual_start": min(starts) if starts else None, "actual_end": None, "actual_duration_days": None}
    values.update(_plan_span(project, rows))
    if rows and len(done) == len(rows):
        end = max((row.actual_end for row in done if row.actual_end), default=None)
        values["actual_end"] = end
        values["actual_duration_days"] = _duration(values["actual_start"], end)
        values["state"] = ProjectState.DONE
    else:
        values["state"] = ProjectState.IN_PROGRESS if done or starts else ProjectState.PLANNED
    records.sudo().update(PROJECT, project, values)


def _plan_span(project, rows) -> dict:
    """The project's plan always spans its tasks' plans: a task added or planned later widens it.

    A project made from a template already spans its tasks exactly, so this
    changes nothing there; a project made by hand or imported gets its plan
    from its tasks.
    """
    starts = [row.planned_start for row in rows if row.planned_start]
    ends = [row.planned_end for row in rows if row.planned_end]
    if not starts or not ends:
        return {}
    first = min(starts + ([project.planned_start] if project.planned_start else []))
    last = max(ends + ([project.planned_end] if project.planned_end else []))
    values = {"planned_start": first, "planned_end": last}
    if (first, last) != (project.planned_start, project.planned_end) or project.planned_duration_days is None:
        values["planned_duration_days"] = _duration(first, last)
    return values


def plan_rows(records, project) -> list[ProjectTask]:
    """The project's plan rows the user may read, in order."""
    query = records.select("project_task").where(ProjectTask.project_id == project.id)
    return list(records.session.scalars(query.order_by(ProjectTask.sequence, ProjectTask.id)))


def slipped(rows) -> list[ProjectTask]:
    """The rows that finished late, the worst first."""
    late = [row for row in rows if (row.slip_days or 0) > 0]
    return sorted(late, key=lambda row: (-row.slip_days, row.sequence, row.id))


def today() -> date:
    return datetime.now(timezone.utc).date()


def overdue(row, on: date | None = None) -> bool:
    """An open task past its planned end."""
    return row.status == "open" and row.planned_end is not None and row.planned_end < (on or today())

