"""Dashboards and widgets as core settings lookups: /admin edits them, add-ons' data files seed them.

Only superusers reach their records on any door (:mod:`core.dashboards.hooks`);
the dashboard pages read them as the system and decide visibility themselves.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.dashboards.models import Dashboard, DashboardWidget
from core.sections import Section

DASHBOARD_SECTIONS = frozenset({"dashboard", "dashboard_widget"})

KIND_LABELS = {"number": _l("Number"), "chart": _l("Chart"), "list": _l("List")}
MEASURE_LABELS = {"count": _l("Count"), "sum": _l("Sum"), "avg": _l("Average")}
CHART_LABELS = {"bar": _l("Bar"), "line": _l("Line"), "pie": _l("Pie"), "funnel": _l("Funnel")}
BUCKET_LABELS = {"day": _l("Day"), "week": _l("Week"), "month": _l("Month"), "quarter": _l("Quarter"),
                 "year": _l("Year")}


def dashboard_sections() -> list[Section]:
    """Fresh Section objects for dashboards and widgets."""
    common = dict(area="settings", api=False, is_lookup=True)
    return [
        Section(name="dashboard", model=Dashboard, title=_l("Dashboard"), title_plural=_l("Dashboards"),
                list_columns=["code", "name", "roles", "user_id", "sequence", "active"], search_fields=["code", "name"],
                labels={"code": _l("Code"), "name": _l("Name"), "roles": _l("Roles (codes, comma-separated)"),
                        "user_id": _l("User"), "sequence": _l("Sequence"), "active": _l("Active")},
                details=[{"section": "dashboard_widget", "field": "dashboard_id", "title": _l("Widgets")}],
                **common),
        Section(name="dashboard_widget", model=DashboardWidget, title=_l("Dashboard widget"),
                title_plural=_l("Dashboard widgets"), title_field="title",
                list_columns=["dashboard_id", "title", "kind", "section", "chart_type", "group_by", "sequence"],
                search_fields=["title", "section"],
                labels={"dashboard_id": _l("Dashboard"), "title": _l("Title"), "kind": _l("Kind"),
                        "section": _l("Section"), "filter": _l("Filter (JSON)"), "measure": _l("Measure"),
                        "measure_field": _l("Measured field"), "chart_type": _l("Chart type"),
                        "group_by": _l("Group by"), "date_bucket": _l("Date bucket"), "series_by": _l("Series by"),
                        "period_field": _l("Period field"), "size": _l("Width (of 12)"), "sequence": _l("Sequence"),
                        "limit": _l("Rows")},
                choices={"kind": KIND_LABELS, "measure": MEASURE_LABELS, "chart_type": CHART_LABELS,
                         "date_bucket": BUCKET_LABELS},
                **common),
    ]
