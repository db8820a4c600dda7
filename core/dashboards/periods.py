"""The period selector: a half-open date range ``[start, end)`` and the one just before it.

Calendar presets compare with the previous calendar period (last month for
this month); a custom range with the same number of days just before it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

PRESETS = {
    "this_month": _l("This month"),
    "last_month": _l("Last month"),
    "this_quarter": _l("This quarter"),
    "this_year": _l("This year"),
    "custom": _l("Custom range"),
}
DEFAULT = "this_year"


@dataclass(frozen=True)
class Period:
    """``[start, end)`` and the previous period ``[previous_start, start)``."""

    key: str
    start: date
    end: date
    previous_start: date

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def _month_start(day: date, shift: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def resolve(key: str | None, today: date, start: str | None = None, end: str | None = None) -> Period:
    """The period named ``key`` around ``today``; ``custom`` takes ISO ``start`` and ``end`` (inclusive).

    An unknown key or a bad custom range falls back to :data:`DEFAULT`, so a
    hand-edited URL shows a dashboard rather than an error.
    """
    if key == "custom":
        try:
            first, last = date.fromisoformat(start or ""), date.fromisoformat(end or "")
        except ValueError:
            first = last = None
        if first is not None and last is not None and first <= last:
            stop = last + timedelta(days=1)
            return Period("custom", first, stop, first - (stop - first))
        key = DEFAULT
    if key == "this_month":
        first = _month_start(today)
        return Period(key, first, _month_start(today, 1), _month_start(today, -1))
    if key == "last_month":
        first = _month_start(today, -1)
        return Period(key, first, _month_start(today), _month_start(today, -2))
    if key == "this_quarter":
        first = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        return Period(key, first, _month_start(first, 3), _month_start(first, -3))
    first = date(today.year, 1, 1)
    return Period("this_year", first, date(today.year + 1, 1, 1), date(today.year - 1, 1, 1))


def range_tree(field: str, start: date, end: date) -> dict:
    """The filter-language condition ``start <= field < end`` (dates; a date-time field means whole days)."""
    return {"all": [{"field": field, "op": "ge", "value": start.isoformat()},
                    {"field": field, "op": "lt", "value": end.isoformat()}]}
