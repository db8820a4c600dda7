"""Working-day arithmetic of project plans.

Durations in templates are working days (Monday to Friday); tasks follow one
another: a task starts on the working day after the previous one ends. Adding
working days is the core's own rule (:func:`core.process.rules.due_date`, the
one stage tasks use), so a project plan and a stage task count days alike.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from core.process.rules import due_date

#: When a planned task's day begins and ends (UTC): activities carry times, plans carry days.
DAY_START = time(9, 0)
DAY_END = time(18, 0)


def add_working_days(day: date, days: int) -> date:
    """``day`` plus ``days`` working days; a weekend result (or ``days == 0`` on a weekend) moves to Monday."""
    return due_date({"due_days": int(days), "working_days": True}, today=day)


def working_days_between(start: date, end: date) -> int:
    """Working days from ``start`` to ``end``, both included (0 when ``end`` is before ``start``)."""
    if end < start:
        return 0
    total = (end - start).days + 1
    weeks, rest = divmod(total, 7)
    count = weeks * 5
    for offset in range(rest):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def schedule(start: date, durations: list[int]) -> list[tuple[date, date]]:
    """Planned ``(start, end)`` of tasks of these durations done one after another from ``start``.

    A task of ``n`` working days occupies ``n`` working days including its first;
    a duration below 1 counts as one day (a milestone is still a day's work).
    """
    plan, day = [], add_working_days(start, 0)
    for duration in durations:
        end = add_working_days(day, max(int(duration or 1), 1) - 1)
        plan.append((day, end))
        day = add_working_days(end, 1)
    return plan


def at(day: date, moment: time) -> datetime:
    """The UTC datetime of ``moment`` on ``day``."""
    return datetime.combine(day, moment, tzinfo=timezone.utc)


def day_of(moment) -> date | None:
    """The date of a datetime (UTC), a date as is, None as None."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone.utc)
        return moment.date()
    return moment
