"""The projects pages: "Create a project" from any card, and plan vs fact (a card panel, a project page, a portfolio).

Views stay thin: they read through the signed-in user's records service
(rights apply; a hidden project is a 404) and write only through
:func:`services.create_project_from_template` in one transaction.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from core.errors import ConflictError, RecordNotFound, ValidationError
from core.models import User
from core.records import records_for
from core.timeline import TimelineItem

from .models import STATE_LABELS, Project, ProjectTask, ProjectTemplate
from .sections import TASK_STATUS_LABELS
from .services import create_project_from_template, overdue, plan_rows, slipped, today

bp = Blueprint("projects", __name__, url_prefix="/projects")

#: Projects the portfolio page lists (newest plans first).
PORTFOLIO_LIMIT = 200


def _user_names(session, ids) -> dict:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {row.id: row.name or row.login for row in session.execute(
        sa.select(User.id, User.name, User.login).where(User.id.in_(ids)))}


def plan_vs_fact(records, project) -> dict:
    """Everything the plan-vs-fact panel shows for one project: its numbers and each task's row."""
    rows = plan_rows(records, project)
    names = _user_names(records.session, [row.owner_id for row in rows])
    late = slipped(rows)
    on = today()
    deviation = None
    if project.actual_duration_days is not None and project.planned_duration_days is not None:
        deviation = project.actual_duration_days - project.planned_duration_days
    end_slip = (project.actual_end - project.planned_end).days if project.actual_end and project.planned_end else None
    return {
        "project": project,
        "source": source_link(records, project),
        "state": STATE_LABELS.get(project.state, project.state),
        "deviation": deviation,
        "end_slip": end_slip,
        "worst": late[0] if late else None,
        "slipped_ids": {row.id for row in late},
        "tasks": [{
            "row": row,
            "owner": names.get(row.owner_id, ""),
            "status": TASK_STATUS_LABELS.get(row.status, row.status or ""),
            "overdue": overdue(row, on),
            "url": url_for("sections.card", section_name="activity", record_id=row.activity_id)
            if row.activity_id else None,
        } for row in rows],
    }


def plan_panel(project) -> Markup:
    """The plan-vs-fact panel above a project card's tabs."""
    records = records_for()
    return Markup(render_template("projects/_plan_panel.html", pvf=plan_vs_fact(records, project), full_page=False))


def create_button(section, record) -> Markup | None:
    """The record's projects (links), and "Create a project" with a choice of template for users who may."""
    records = records_for()
    if records.user is None:
        return None
    linked = list(records.session.scalars(records.select("project").where(
        Project.section == section.name, Project.record_id == record.id).order_by(Project.id)))
    templates = []
    if records.can(records.section("project"), "create"):
        templates = list(records.session.execute(sa.select(ProjectTemplate.code, ProjectTemplate.name).where(
            ProjectTemplate.active.is_(True)).order_by(ProjectTemplate.name)))
    if not templates and not linked:
        return None
    return Markup(render_template("projects/_create_button.html", section=section, record=record,
                                 templates=templates, linked=linked, states=STATE_LABELS))


def source_link(records, project) -> dict | None:
    """The card of the record a project was made from, when the user may read it."""
    if not project.section or project.record_id is None or project.section not in records.state.sections:
        return None
    section = records.section(project.section)
    try:
        source = records.get(section, project.record_id)
    except RecordNotFound:
        return None
    return {"title": f"{section.title}: {section.display_name(source)}",
            "url": url_for("sections.card", section_name=section.name, record_id=source.id)}


@bp.route("/create/<section_name>/<int:record_id>", methods=["POST"])
@login_required
def create(section_name: str, record_id: int):
    """Create the project of the chosen template for a record and open it; a mistake is shown on the record."""
    records = records_for()
    section = records.section(section_name) if section_name in records.state.sections else None
    if section is None:
        flash(_("There is no section named “%(name)s”.", name=section_name), "danger")
        return redirect(url_for("projects.portfolio"))
    source = records.get(section, record_id)  # hidden or missing: a 404
    try:
        with records.transaction():
            project = create_project_from_template(records, request.form.get("template"), section.name, source.id,
                                                   {"planned_start": request.form.get("planned_start") or None})
    except (ValidationError, ConflictError) as error:
        messages = error.errors.values() if isinstance(error, ValidationError) else [[error]]
        for group in messages:
            for message in group:
                flash(str(message), "danger")
        return redirect(url_for("sections.card", section_name=section.name, record_id=source.id))
    flash(_("The project is created with its tasks."), "success")
    return redirect(url_for("sections.card", section_name="project", record_id=project.id))


@bp.route("/<int:project_id>/plan-vs-fact")
@login_required
def project_page(project_id: int):
    """Plan vs fact of one project on its own page (printable, linkable)."""
    records = records_for()
    project = records.get("project", project_id)
    return render_template("projects/plan_vs_fact.html", pvf=plan_vs_fact(records, project))


@bp.route("/plan-vs-fact")
@login_required
def portfolio():
    """Every project the user may read: planned vs actual duration, slip, and the task that slipped most."""
    records = records_for()
    projects = list(records.session.scalars(records.select("project").order_by(
        Project.planned_start.desc(), Project.id.desc()).limit(PORTFOLIO_LIMIT)))
    ids = [project.id for project in projects]
    worst: dict[int, ProjectTask] = {}
    late_count: dict[int, int] = {}
    if ids:
        late = records.select("project_task").where(ProjectTask.project_id.in_(ids), ProjectTask.slip_days > 0)
        for row in records.session.scalars(late.order_by(ProjectTask.slip_days.desc(), ProjectTask.sequence)):
            late_count[row.project_id] = late_count.get(row.project_id, 0) + 1
            worst.setdefault(row.project_id, row)
    names = _user_names(records.session, [project.owner_id for project in projects])
    lines = []
    for project in projects:
        deviation = None
        if project.actual_duration_days is not None and project.planned_duration_days is not None:
            deviation = project.actual_duration_days - project.planned_duration_days
        lines.append({
            "project": project, "owner": names.get(project.owner_id, ""), "deviation": deviation,
            "state": STATE_LABELS.get(project.state, project.state),
            "end_slip": (project.actual_end - project.planned_end).days
            if project.actual_end and project.planned_end else None,
            "late": late_count.get(project.id, 0), "worst": worst.get(project.id),
        })
    return render_template("projects/portfolio.html", lines=lines)


def project_timeline(section, record, records, limit) -> list[TimelineItem] | None:
    """An account's projects as timeline entries (one query)."""
    if section.name != "account":
        return None
    query = (records.select("project").where(Project.account_id == record.id)
             .order_by(Project.planned_start.desc(), Project.id.desc()).limit(limit))
    return [TimelineItem(
        date=project.actual_end or project.planned_start or project.created_at,
        kind="project", kind_label=_("Project"), title=project.name,
        url=url_for("sections.card", section_name="project", record_id=project.id),
        status=str(STATE_LABELS.get(project.state, project.state)),
    ) for project in records.session.scalars(query)]
