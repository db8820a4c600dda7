"""The projects sections: templates and their tasks, projects, and the plan-vs-fact rows of project tasks.

The project card shows its plan-vs-fact rows as a detail grid (each row links
to its activity) and, above the tabs, the plan-vs-fact panel (``hooks.py``).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.sections import Section

from .models import STATE_LABELS, Project, ProjectTask, ProjectTemplate, ProjectTemplateTask

TEMPLATE_LABELS = {
    "name": _l("Name"),
    "code": _l("Code"),
    "description": _l("Description"),
    "active": _l("Active"),
}

TEMPLATE_TASK_LABELS = {
    "template_id": _l("Template"),
    "sequence": _l("Order"),
    "name": _l("Task"),
    "duration_days": _l("Duration, working days"),
    "assignee": _l("Assignee (owner or a role code)"),
    "description": _l("Description"),
}

PROJECT_LABELS = {
    "name": _l("Name"),
    "code": _l("Code"),
    "template_id": _l("Template"),
    "account_id": _l("Account"),
    "owner_id": _l("Owner"),
    "section": _l("Created from (section)"),
    "record_id": _l("Created from (record id)"),
    "state": _l("State"),
    "planned_start": _l("Planned start"),
    "planned_end": _l("Planned end"),
    "planned_duration_days": _l("Planned duration, working days"),
    "actual_start": _l("Actual start"),
    "actual_end": _l("Actual end"),
    "actual_duration_days": _l("Actual duration, working days"),
    "description": _l("Description"),
}

TASK_LABELS = {
    "project_id": _l("Project"),
    "sequence": _l("Order"),
    "name": _l("Task"),
    "activity_id": _l("Activity"),
    "owner_id": _l("Responsible"),
    "status": _l("Status"),
    "planned_duration_days": _l("Planned, working days"),
    "planned_start": _l("Planned start"),
    "planned_end": _l("Planned end"),
    "actual_start": _l("Actual start"),
    "actual_end": _l("Actual end"),
    "actual_duration_days": _l("Actual, working days"),
    "slip_days": _l("Slip, days"),
}

TASK_STATUS_LABELS = {"open": _l("Open"), "done": _l("Done"), "cancelled": _l("Cancelled")}


def projects_sections() -> list[Section]:
    """The sections for ``flowcase_register_sections``."""
    return [
        Section(
            name="project_template", model=ProjectTemplate, title=_l("Project template"),
            title_plural=_l("Project templates"), area="projects", is_lookup=True,
            list_columns=["name", "code", "active"], search_fields=["name", "code"], filter_fields=["active"],
            layout=[{"tab": _l("Template"), "groups": [
                {"title": None, "fields": ["name", "code", "active", "description"]}]}],
            details=[{"section": "project_template_task", "field": "template_id", "title": _l("Tasks")}],
            labels=TEMPLATE_LABELS,
        ),
        Section(
            name="project_template_task", model=ProjectTemplateTask, title=_l("Template task"),
            title_plural=_l("Template tasks"), area="projects",
            list_columns=["template_id", "sequence", "name", "duration_days", "assignee"],
            search_fields=["name"], filter_fields=["template_id", "assignee"],
            layout=[{"tab": _l("Task"), "groups": [{"title": None, "fields": [
                "template_id", "sequence", "name", "duration_days", "assignee", "description"]}]}],
            labels=TEMPLATE_TASK_LABELS,
        ),
        Section(
            name="project", model=Project, title=_l("Project"), title_plural=_l("Projects"), area="projects",
            list_columns=["name", "account_id", "owner_id", "state", "planned_start", "planned_end",
                          "planned_duration_days", "actual_duration_days"],
            search_fields=["name", "code"],
            filter_fields=["state", "owner_id", "account_id", "template_id", "planned_end", "actual_end"],
            layout=[
                {"tab": _l("Project"), "groups": [
                    {"title": _l("Project"), "fields": [
                        "name", "code", "template_id", "account_id", "owner_id", "state"]},
                    {"title": _l("Plan and fact"), "fields": [
                        "planned_start", "planned_end", "planned_duration_days",
                        "actual_start", "actual_end", "actual_duration_days"]},
                    {"title": _l("Origin"), "fields": ["section", "record_id", "description"]},
                ]},
            ],
            details=[{"section": "project_task", "field": "project_id", "title": _l("Plan vs fact")}],
            owner_field="owner_id", labels=PROJECT_LABELS, choices={"state": STATE_LABELS},
        ),
        Section(
            name="project_task", model=ProjectTask, title=_l("Project task"), title_plural=_l("Project tasks"),
            area="projects",
            list_columns=["project_id", "sequence", "name", "activity_id", "owner_id", "status", "planned_start",
                          "planned_end", "actual_start", "actual_end", "planned_duration_days",
                          "actual_duration_days", "slip_days"],
            search_fields=["name"],
            filter_fields=["project_id", "owner_id", "status", "slip_days", "planned_end", "actual_end"],
            layout=[{"tab": _l("Task"), "groups": [
                {"title": _l("Task"), "fields": [
                    "project_id", "sequence", "name", "activity_id", "owner_id", "status"]},
                {"title": _l("Plan and fact"), "fields": [
                    "planned_start", "planned_end", "planned_duration_days", "actual_start", "actual_end",
                    "actual_duration_days", "slip_days"]},
            ]}],
            owner_field="owner_id", labels=TASK_LABELS, choices={"status": TASK_STATUS_LABELS},
        ),
    ]
