"""Dates, date-times and decimals formatted for the user's locale, remembered per process.

A page shows the same few dozen dates row after row and page after page, and
each ``flask_babel`` call looks up the locale, the time zone and the pattern
again before Babel formats: on a list of 50 rows that is more than the page's
queries. The text only depends on the value, the locale, the time zone and
the pattern, so it is kept under exactly that key; nothing is reused across
locales or time zones.
"""
from __future__ import annotations

import threading
from datetime import date, datetime
from decimal import Decimal

from flask_babel import format_date, format_datetime, format_decimal, get_locale, get_timezone

#: Texts kept per process; past this the memo starts again (a few MB at most).
MAX_ENTRIES = 20_000

_lock = threading.Lock()
_texts: dict = {}


def _key(kind: str, value, pattern) -> tuple:
    # Babel's Locale and the time zone compare by value, so a new request's objects find the same texts.
    return kind, pattern, value.__class__, value, get_locale(), get_timezone()


def _remember(key: tuple, text: str) -> str:
    with _lock:
        if len(_texts) >= MAX_ENTRIES:
            _texts.clear()
        _texts[key] = text
    return text


def date_text(value: date, pattern: str = "medium") -> str:
    """``flask_babel.format_date(value, pattern)``, remembered."""
    key = _key("date", value, pattern)
    text = _texts.get(key)
    return text if text is not None else _remember(key, format_date(value, pattern))


def datetime_text(value: datetime, pattern: str = "short") -> str:
    """``flask_babel.format_datetime(value, pattern)`` (in the user's time zone), remembered."""
    key = _key("datetime", value, pattern)
    text = _texts.get(key)
    return text if text is not None else _remember(key, format_datetime(value, pattern))


def date_texts():
    """``(date_text, datetime_text)`` for many values of one page: the locale and zone looked up once.

    The texts and the memo are those of :func:`date_text` ("medium") and :func:`datetime_text` ("short").
    """
    locale, zone = get_locale(), get_timezone()

    def day(value: date) -> str:
        key = ("date", "medium", value.__class__, value, locale, zone)
        text = _texts.get(key)
        return text if text is not None else _remember(key, format_date(value, "medium"))

    def moment(value: datetime) -> str:
        key = ("datetime", "short", value.__class__, value, locale, zone)
        text = _texts.get(key)
        return text if text is not None else _remember(key, format_datetime(value, "short"))

    return day, moment


def decimal_text(value: Decimal) -> str:
    """``flask_babel.format_decimal(value)``, remembered."""
    # Decimal("1.0") == Decimal("1.00") and hash alike but print differently: the text is part of the key.
    key = _key("decimal", str(value), None)
    text = _texts.get(key)
    return text if text is not None else _remember(key, format_decimal(value))


def clear() -> None:
    """Forget every remembered text (tests that change how a locale formats)."""
    with _lock:
        _texts.clear()
