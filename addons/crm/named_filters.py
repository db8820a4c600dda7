"""The CRM's named filters: quick filters on the account and activity lists (``?named=...``).

Each is a :class:`core.sections.NamedFilter` whose condition receives a
:class:`core.filters.FilterContext`; the SQL itself lives in :mod:`.planning`,
so list filters, dashboards and automations count the same way. "Today" is the
context's date, which the filter compiler takes from the clock (or a test).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.sections import NamedFilter

from .models import Activity, ActivityStatus
from .planning import _account_has, overdue_condition, planned_condition


def _without_planned(context):
    # "No client without a planned activity": overdue-only accounts count as having none planned.
    return ~_account_has(planned_condition(context.today))


def _with_overdue(context):
    return _account_has(overdue_condition(context.today))


def _overdue(context):
    return overdue_condition(context.today)


def _due_today(context):
    return sa.and_(Activity.status == ActivityStatus.OPEN, Activity.due_date.is_not(None),
                   Activity.due_date == context.today)


def _open(context):
    return Activity.status == ActivityStatus.OPEN


def _mine(context):
    user_id = getattr(context.user, "id", None)
    # Without a user nothing is "mine" (like $me), rather than every unowned activity.
    if user_id is None:
        return sa.false()
    # is_not(None): two-valued, so "not mine" includes unowned activities.
    return sa.and_(Activity.owner_id.is_not(None), Activity.owner_id == user_id)


def account_named_filters() -> dict[str, NamedFilter]:
    """Quick filters of the account list: the planned-activity rule of ALTIS-LIFT."""
    return {
        "without_planned_activity": NamedFilter(_l("Without a planned activity"), _without_planned),
        "with_overdue_activities": NamedFilter(_l("With overdue activities"), _with_overdue),
    }


def activity_named_filters() -> dict[str, NamedFilter]:
    """Quick filters of the activity list; combine with ``f.owner_id`` for "overdue per owner"."""
    return {
        "mine": NamedFilter(_l("Mine"), _mine),
        "open": NamedFilter(_l("Open"), _open),
        "due_today": NamedFilter(_l("Due today"), _due_today),
        "overdue": NamedFilter(_l("Overdue"), _overdue),
    }
