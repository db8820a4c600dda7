"""Activities on the communication timeline of an account or a contact (``flowcase_timeline_items``).

One query per card, whatever the number of activities: the activity, its
type and its owner's name come back together, read through the viewer's
rights (``records.select("activity")``), newest first, at most ``limit``.
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from flask import has_request_context, request

from core.models import User
from core.timeline import TimelineItem
from core.ui.display import card_url_prefix
from core.ui.labels import Labels
from core.ui.statements import plain_rows, shared_statement

from .models import STATUS_LABELS, Activity, ActivityStatus, CrmActivityType

#: Which activity column links an activity to a card of each section.
_LINKS = {"account": Activity.account_id, "contact": Activity.contact_id}


def _moment(row):
    """When an activity happened or is planned: done → its actual end; else its start, due day, creation.

    The same order as the SQL ``ORDER BY`` below, so the merged timeline and
    the cut at ``limit`` agree.
    """
    return row.actual_end_at or row.start_at or row.due_date or row.created_at


#: Per card section: the columns, join conditions, link condition (the record's id a parameter) and order,
#: built once per process; only the rights differ from card to card.
_SHAPES: dict = {}


def _shape(section_name: str) -> tuple:
    found = _SHAPES.get(section_name)
    if found is None:
        moment = sa.func.coalesce(Activity.actual_end_at, Activity.start_at, Activity.due_date, Activity.created_at)
        found = _SHAPES[section_name] = (
            (Activity.id, Activity.subject, Activity.status, Activity.due_date, Activity.start_at,
             Activity.actual_end_at, Activity.created_at, CrmActivityType.code, CrmActivityType.name.label("type_name"),
             User.name.label("owner_name"), User.login.label("owner_login")),
            CrmActivityType.id == Activity.activity_type_id, User.id == Activity.owner_id,
            _LINKS[section_name] == sa.bindparam("fc_record_id"), (moment.desc(), Activity.id.desc()))
    return found


def _query(records, section_name: str, state_day=None):
    """The timeline's statement; with ``state_day``, each row also carries the account's planned-activity state.

    Built once per process (and day, for the state) for a viewer whose rights do not limit activities.
    """
    def build():
        columns, type_on, owner_on, where, order = _shape(section_name)
        query = (
            records.select("activity").with_only_columns(*columns)
            .outerjoin(CrmActivityType, type_on).outerjoin(User, owner_on)
            .where(where).order_by(*order).limit(sa.bindparam("fc_limit"))
        )
        if state_day is not None:
            from .models import Account
            from .planning import planned_activity_state

            # Not correlated to the activity: evaluated once per statement, whatever the number of rows.
            state = sa.select(planned_activity_state(state_day)).where(Account.id == sa.bindparam("fc_record_id"))
            query = query.add_columns(state.scalar_subquery().label("fc_account_state"))
        return query

    return shared_statement(records, ["activity"], ("crm.timeline", section_name, state_day), build)


#: ``request.environ`` key of the rows read ahead by :func:`account_state_and_rows`: ``(section, id, limit, rows)``.
_READ_AHEAD = "flowcase.crm_timeline_rows"


def account_state_and_rows(section, record, records, limit: int, today):
    """The account's planned-activity state read with its timeline's activities, in one statement.

    The card's top asks for the state before its bottom asks for the timeline: the rows are kept
    for the rest of the request (:func:`activity_items` takes them). None when the viewer reads no
    activity of the account (no row to carry the state): the caller asks for the state alone.
    """
    if section.name != "account" or "activity" not in records.state.sections or not has_request_context():
        return None
    rows = plain_rows(records, _query(records, section.name, today), {"fc_record_id": record.id, "fc_limit": limit})
    request.environ[_READ_AHEAD] = (section.name, record.id, limit, rows)
    return rows[0].fc_account_state if rows else None


def activity_items(section, record, records, limit: int) -> list[TimelineItem] | None:
    """The activities of ``record`` (an account or a contact) as timeline entries, newest first."""
    link = _LINKS.get(section.name)
    if link is None or "activity" not in records.state.sections:
        return None
    ahead = request.environ.get(_READ_AHEAD) if has_request_context() else None
    if ahead is not None and ahead[:3] == (section.name, record.id, limit):
        rows = ahead[3]
    else:
        rows = plain_rows(records, _query(records, section.name), {"fc_record_id": record.id, "fc_limit": limit})
    today = datetime.now(timezone.utc).date()
    url = card_url_prefix("activity")
    text = Labels()  # the request's catalogue once: each str() of a lazy label looks it up again
    labels = {status: text(label) for status, label in STATUS_LABELS.items()}  # translated once, not per entry
    items = []
    for row in rows:
        overdue = row.status == ActivityStatus.OPEN and row.due_date is not None and row.due_date < today
        items.append(TimelineItem(
            date=_moment(row),
            kind=row.code or "activity",
            kind_label=row.type_name,
            title=row.subject,
            url=f"{url}{row.id}",
            owner=row.owner_name or row.owner_login,
            status=labels.get(row.status) or str(row.status),
            extra={"overdue": overdue, "open": row.status == ActivityStatus.OPEN},
        ))
    return items
