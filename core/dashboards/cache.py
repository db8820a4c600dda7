"""Computed widgets (numbers and rendered chart), reused while nothing was written.

A widget over a million activities costs a few hundred milliseconds of
aggregates however it is indexed (most rows match a "this year" filter), and
a dashboard is opened far more often than its data changes. So a widget's
result is kept per viewer, period, day and language, tagged with the newest
change-log id: every write through the records service logs a row, so any
write anywhere makes the next view compute afresh, in every process. Writes
that bypass the service (generated bench data, migrations) are caught by the
age limit, ``FLOWCASE_DASHBOARD_CACHE_SECONDS`` (default 60; 0 turns caching off).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

import sqlalchemy as sa
from flask import current_app
from flask_babel import get_locale

from core.models import ChangeLog

#: Widgets kept per process (oldest dropped first).
MAX_ENTRIES = 512

_entries: OrderedDict = OrderedDict()
_lock = threading.Lock()


def _ttl() -> float:
    return float(current_app.config.get("FLOWCASE_DASHBOARD_CACHE_SECONDS", 60))


def enabled() -> bool:
    """Whether widgets are kept at all (``FLOWCASE_DASHBOARD_CACHE_SECONDS`` > 0)."""
    return _ttl() > 0


def data_version(session) -> int:
    """The newest change-log id: it moves on every create, update and delete of any record."""
    return session.scalar(sa.select(sa.func.max(ChangeLog.id))) or 0


def widget_key(records, widget, period, today, version: int) -> tuple:
    """What a widget's result depends on: database, widget, viewer (rights), period, day, language, data."""
    user = records.user
    period_key = (period.start, period.end, period.previous_start) if period is not None else None
    return (str(records.session.get_bind().url), widget.id, widget.version, getattr(user, "id", None),
            records.is_sudo, period_key, today, str(get_locale()), version)


def get(key: tuple):
    """The entry stored under ``key`` if young enough, else None."""
    ttl = _ttl()
    if ttl <= 0:
        return None
    with _lock:
        entry = _entries.get(key)
        if entry is not None and time.monotonic() - entry[0] < ttl:
            _entries.move_to_end(key)
            return entry[1]
    return None


def put(key: tuple, value) -> None:
    """Keep ``value`` under ``key`` (nothing when caching is off)."""
    if _ttl() <= 0:
        return
    with _lock:
        _entries[key] = (time.monotonic(), value)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def cached(key: tuple, build):
    """The entry stored under ``key`` if young enough, else ``build()``'s value (stored)."""
    value = get(key)
    if value is None:
        value = build()
        put(key, value)
    return value


def clear() -> None:
    """Forget every kept widget (tests, or after loading data behind the records service's back)."""
    with _lock:
        _entries.clear()
