"""Turning incoming values (form strings, JSON, YAML) into column values, with readable errors."""
from __future__ import annotations

import enum
from datetime import date, datetime, time, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from core.sections import FieldInfo

_TRUE = {"1", "true", "yes", "on", "y", "да"}
_FALSE = {"0", "false", "no", "off", "n", "нет", ""}


class BadValue(ValueError):
    """A value that cannot become the field's type; the message is for the user."""


def coerce(info: FieldInfo, value):
    """Return ``value`` as the Python type of ``info``'s column, or raise :class:`BadValue`."""
    kind = info.type
    if kind in ("string", "text"):  # first: most values are text, and blank text stays text
        if value is None:
            return None
        text = value if isinstance(value, str) else str(value)
        length = getattr(info.column.type, "length", None) if info.column is not None else info.max_length
        if length and len(text) > length:
            raise BadValue(_l("must be at most %(n)s characters", n=length))
        return text
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if kind in ("integer", "lookup"):
        if isinstance(value, bool):
            raise BadValue(_l("must be a whole number"))
        if isinstance(value, int):
            return value
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise BadValue(_l("must be a whole number")) from None
        if number != number.to_integral_value():
            raise BadValue(_l("must be a whole number"))
        return int(number)
    if kind == "decimal":
        if isinstance(value, bool):
            raise BadValue(_l("must be a number"))
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            raise BadValue(_l("must be a number")) from None
        if not number.is_finite():
            raise BadValue(_l("must be a number"))
        if info.kind == "money":  # amounts are kept to the cent
            return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return number
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise BadValue(_l("must be yes or no"))
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise BadValue(_l("must be a date (YYYY-MM-DD)")) from None
    if kind == "datetime":
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, date):
            moment = datetime.combine(value, time())
        else:
            try:
                moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
            except ValueError:
                raise BadValue(_l("must be a date and time (YYYY-MM-DD HH:MM)")) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    if kind == "choice" and info.custom:
        if str(value) in info.options:
            return str(value)
        raise BadValue(_l("must be one of: %(choices)s", choices=", ".join(info.options)))
    if kind == "choice":
        enum_class = getattr(info.column.type, "enum_class", None)
        allowed = list(getattr(info.column.type, "enums", []))
        if enum_class is not None:
            if isinstance(value, enum_class):
                return value
            for member in enum_class:
                if value in (member.value, member.name):
                    return member
        elif value in allowed:
            return value
        raise BadValue(_l("must be one of: %(choices)s", choices=", ".join(map(str, allowed))))
    return value


_AS_IS = frozenset({str, int, float, bool, type(None)})


def to_json(value):
    """A JSON-safe form of a column value, for the change log and data-file bookkeeping."""
    if type(value) in _AS_IS:  # most values, one check (a str-based enum member's type is its enum: not here)
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (str, int, float, bool, type(None), list, dict)):
        return value
    return str(value)


def same(old, new) -> bool:
    """Equality that ignores representation: ``Decimal('1.0') == 1`` and naive vs aware UTC datetimes."""
    if isinstance(old, datetime) and isinstance(new, datetime):
        if old.tzinfo is None:
            old = old.replace(tzinfo=timezone.utc)
        if new.tzinfo is None:
            new = new.replace(tzinfo=timezone.utc)
    return old == new
