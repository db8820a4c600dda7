"""A record's communication timeline: entries every add-on contributes, merged newest first.

Add-ons answer ``flowcase_timeline_items`` with :class:`TimelineItem` objects
(the crm add-on its activities; sales, cases and projects theirs);
:func:`collect_timeline` merges them. Pages render the result; nothing here
writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any

#: Entries a card's timeline shows unless the caller asks for another number.
TIMELINE_LIMIT = 50


@dataclass
class TimelineItem:
    """One entry of a timeline."""

    #: When it happened or is planned (a date or a date-time; naive means UTC).
    date: date | datetime | None
    #: What kind of entry, shown as a badge: "call", "meeting", "opportunity", ...
    kind: str
    #: Its title (a subject, a deal's name).
    title: str
    #: Where the entry opens, or None.
    url: str | None = None
    #: The responsible user's display name.
    owner: str | None = None
    #: Status text as the user should read it (already translated).
    status: str | None = None
    #: The kind's label as the user should read it; ``kind`` when empty.
    kind_label: Any = None
    #: Extra per-kind data for templates (e.g. ``{"overdue": True}``).
    extra: dict | None = None


def sort_key(item: TimelineItem) -> datetime:
    """The item's moment as an aware UTC date-time, for ordering entries of different add-ons."""
    value = item.date
    if value is None:
        return datetime.min.replace(tzinfo=timezone.utc)
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), tzinfo=timezone.utc)
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def collect_timeline(records, section, record, limit: int = TIMELINE_LIMIT) -> list[TimelineItem]:
    """Every installed add-on's entries for ``record``, newest first, at most ``limit``.

    :param records: the viewer's :class:`core.records.Records`; add-ons read through it.
    """
    results = records.state.call_ordered(
        "flowcase_timeline_items", section=section, record=record, records=records, limit=limit
    )
    items = [item for result in results for item in result]
    items.sort(key=sort_key, reverse=True)
    return items[:limit]


def moment_text(value: date | datetime | None) -> str:
    """An entry's date as its timeline shows it: a date-time short, a day medium, in the user's locale.

    Remembered per process (:mod:`core.ui.formats`): a timeline prints dozens of them.
    """
    from core.ui.formats import date_text, datetime_text

    if value is None:
        return ""
    return datetime_text(value, "short") if isinstance(value, datetime) else date_text(value, "medium")
