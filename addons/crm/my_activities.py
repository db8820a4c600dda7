"""The "My activities" buckets: overdue, today and upcoming open activities of one user.

Each bucket is one rights-limited query (``records.select("activity")``) with
the activity type and account names joined in, capped at :data:`BUCKET_LIMIT`.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from .models import Account, Activity, ActivityStatus, CrmActivityType

#: Activities one bucket shows; the activity list (``?named=mine&named=overdue``) has the rest.
BUCKET_LIMIT = 100
BUCKETS = ("overdue", "today", "upcoming")


def bucket_condition(bucket: str, today: date):
    """SQL condition of a bucket over open activities: overdue (due before today), today, upcoming (later or undated)."""
    due = Activity.due_date
    if bucket == "overdue":
        return sa.and_(due.is_not(None), due < today)
    if bucket == "today":
        return due == today
    if bucket == "upcoming":
        return sa.or_(due.is_(None), due > today)
    raise ValueError(f"unknown bucket {bucket!r}")


def bucket_rows(records, user_id: int, bucket: str, today: date, limit: int = BUCKET_LIMIT) -> list:
    """Rows ``(Activity, type_name, account_name)`` of one bucket, soonest due first (undated last)."""
    query = (
        records.select("activity")
        .add_columns(CrmActivityType.name.label("type_name"), Account.name.label("account_name"))
        .outerjoin(CrmActivityType, CrmActivityType.id == Activity.activity_type_id)
        # The account's name only when the user may read the account itself.
        .outerjoin(Account, sa.and_(Account.id == Activity.account_id, *records.filters(records.section("account"))))
        .where(Activity.owner_id == user_id, Activity.status == ActivityStatus.OPEN, bucket_condition(bucket, today))
        .order_by(Activity.due_date.asc().nulls_last(), Activity.start_at.asc().nulls_last(), Activity.id)
        .limit(limit)
    )
    return list(records.session.execute(query))


def my_buckets(records, user_id: int, today: date) -> dict[str, list]:
    """Every bucket of ``user_id``: ``{"overdue": rows, "today": rows, "upcoming": rows}``."""
    return {bucket: bucket_rows(records, user_id, bucket, today) for bucket in BUCKETS}
