"""Which dashboards a user sees: by role codes, by user, or everyone; and their widgets in order.

Dashboard records are closed to all but superusers on the generic doors, so
these reads go straight to the tables; what a widget then counts is limited by
the viewer's own rights (:mod:`core.dashboards.compute`).
"""
from __future__ import annotations

import sqlalchemy as sa

from core.dashboards.models import Dashboard, DashboardWidget
from core.security.models import Role, user_role


def _codes(text: str | None) -> set[str]:
    return {code.strip() for code in (text or "").split(",") if code.strip()}


def visible_dashboards(session, user) -> list[Dashboard]:
    """Active dashboards ``user`` may open, by sequence: superusers see all (two queries at most)."""
    dashboards = session.scalars(
        sa.select(Dashboard).where(Dashboard.active.is_(True)).order_by(Dashboard.sequence, Dashboard.id)).all()
    if user is None:
        return []
    if getattr(user, "is_superuser", False):
        return list(dashboards)
    mine: set[str] | None = None
    result = []
    for dashboard in dashboards:
        roles = _codes(dashboard.roles)
        if not roles and dashboard.user_id is None:
            result.append(dashboard)
            continue
        if dashboard.user_id is not None and dashboard.user_id == user.id:
            result.append(dashboard)
            continue
        if roles:
            if mine is None:
                mine = set(session.scalars(sa.select(Role.code).join(user_role, user_role.c.role_id == Role.id)
                                           .where(user_role.c.user_id == user.id)))
            if roles & mine:
                result.append(dashboard)
    return result


def widgets_of(session, dashboard: Dashboard) -> list[DashboardWidget]:
    """The dashboard's widgets in display order."""
    return list(session.scalars(sa.select(DashboardWidget).where(DashboardWidget.dashboard_id == dashboard.id)
                                .order_by(DashboardWidget.sequence, DashboardWidget.id)))
