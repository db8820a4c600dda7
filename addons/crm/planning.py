"""Planned activities of accounts: "no client without a planned activity" (ALTIS-LIFT).

Everything here is SQL, built to be combined with the rights filters of the
records service and used by list filters, dashboards and automations:

- an activity is **overdue** when it is open and its due date is before today;
- it is **planned** when it is open and due today or later, or has no due date yet;
- an account's planned-activity state is ``"overdue"`` if any of its
  activities is overdue, else ``"planned"`` if any is planned, else ``"none"``.

"Today" is the UTC date unless the caller passes the user's own date.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from core.db import utcnow
from core.models import User

from .models import Account, Activity, ActivityStatus

#: The states :func:`planned_activity_state` yields, in the order lists show them.
STATES = ("none", "planned", "overdue")


def _today(today: date | None) -> date:
    return today or utcnow().date()


def overdue_condition(today: date | None = None):
    """SQL condition on :class:`Activity`: open and past its due date."""
    # is_not(None) keeps it two-valued, so NOT of it (a negated list filter) includes undated ones.
    return sa.and_(Activity.status == ActivityStatus.OPEN, Activity.due_date.is_not(None),
                   Activity.due_date < _today(today))


def planned_condition(today: date | None = None):
    """SQL condition on :class:`Activity`: open, and due today or later (or not dated yet)."""
    return sa.and_(
        Activity.status == ActivityStatus.OPEN,
        sa.or_(Activity.due_date.is_(None), Activity.due_date >= _today(today)),
    )


def _account_has(condition) -> sa.Exists:
    # Correlated on Account.id; ix_crm_activity_account_status_due answers it from the index.
    return sa.exists().where(Activity.account_id == Account.id, condition).correlate(Account)


def planned_activity_state(today: date | None = None) -> sa.ColumnElement[str]:
    """The account's state as a SQL expression (``"none"``, ``"planned"`` or ``"overdue"``).

    Select it next to the account (``select(Account, planned_activity_state())``)
    to show a column; to filter, prefer :func:`planned_activity_filter`, which
    databases run as a plain semi-join.
    """
    return sa.case(
        (_account_has(overdue_condition(today)), sa.literal("overdue")),
        (_account_has(planned_condition(today)), sa.literal("planned")),
        else_=sa.literal("none"),
    ).label("planned_activity_state")


def planned_activity_filter(state: str, today: date | None = None):
    """A boolean SQL condition on :class:`Account` true for accounts in ``state``.

    Equivalent to ``planned_activity_state() == state`` but written as (NOT)
    EXISTS clauses, so a list of 100,000 accounts filters through the index.

    :raises ValueError: for a state not in :data:`STATES`.
    """
    overdue = _account_has(overdue_condition(today))
    planned = _account_has(planned_condition(today))
    if state == "overdue":
        return overdue
    if state == "planned":
        return sa.and_(planned, ~overdue)
    if state == "none":
        return sa.and_(~planned, ~overdue)
    raise ValueError(f"unknown planned-activity state {state!r}; expected one of {', '.join(STATES)}")


def accounts_without_planned_activity(records, today: date | None = None, owner_id: int | None = None) -> sa.Select:
    """``SELECT Account`` of the accounts the user may read that have no planned activity.

    Accounts whose only open activities are overdue are included too: nothing
    is planned for them either. One query; add ``.limit()`` for a page.

    :param records: the acting :class:`core.records.Records` (its rights apply).
    :param owner_id: only accounts of this responsible user.
    """
    query = records.select("account").where(~_account_has(planned_condition(today)))
    if owner_id is not None:
        query = query.where(Account.owner_id == owner_id)
    return query.order_by(Account.name, Account.id)


def overdue_activities(records, today: date | None = None, owner_id: int | None = None) -> sa.Select:
    """``SELECT Activity`` of overdue activities the user may read, oldest due first."""
    query = records.select("activity").where(overdue_condition(today))
    if owner_id is not None:
        query = query.where(Activity.owner_id == owner_id)
    return query.order_by(Activity.due_date, Activity.id)


def overdue_activities_per_owner(records, today: date | None = None) -> list[sa.Row]:
    """Overdue activities counted per responsible user, in one grouped query.

    :return: rows ``(owner_id, owner_name, count, oldest_due_date)``, the
        largest count first; activities without an owner come as ``owner_id=None``,
        after named owners with the same count.
    """
    count = sa.func.count(Activity.id).label("count")
    query = (
        sa.select(Activity.owner_id, User.name.label("owner_name"), count,
                  sa.func.min(Activity.due_date).label("oldest_due_date"))
        .select_from(Activity)
        .outerjoin(User, User.id == Activity.owner_id)
        .where(overdue_condition(today), *records.filters(records.section("activity")))
        .group_by(Activity.owner_id, User.name)
        .order_by(count.desc(), sa.nulls_last(User.name.asc()))
    )
    return list(records.session.execute(query))
