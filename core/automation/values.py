"""Placeholders in automation parameters, resolved against the record that triggered them.

Strings in action parameters and lookup filters may be:

- ``$record.<field path>``: the record's value (``$record.id``, ``$record.owner_id``,
  ``$record.fx_ext.colour``);
- ``$today`` / ``$today+N`` / ``$today-N``: a date; ``$now``: the moment (UTC);
- ``$user``: the acting user's id.

- a text with ``{{ ... }}``: a Jinja template rendered in the sandbox with the
  record, as email templates are (``"{{ record.name }} (raised)"``).

Anything else is taken as it is. Lists and dicts are resolved item by item.
"""
from __future__ import annotations

import re
from datetime import timedelta

from core.db import utcnow

_TODAY = re.compile(r"^\$today(?:([+-])(\d+))?$")


def resolve(value, records, section, record):
    """``value`` with every placeholder replaced (see the module docstring)."""
    if isinstance(value, dict):
        return {key: resolve(item, records, section, record) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, records, section, record) for item in value]
    if isinstance(value, str) and "{{" in value:
        from core.mail.render import render, template_context

        return render(value, template_context(records, section.name, record))
    if not isinstance(value, str) or not value.startswith("$"):
        return value
    if value.startswith("$record."):
        return record_value(records, section, record, value.removeprefix("$record."))
    if value == "$now":
        return utcnow()
    if value == "$user":
        return records.user.id if records.user is not None else None
    match = _TODAY.match(value)
    if match:
        sign, days = match.groups()
        offset = int(days or 0) * (-1 if sign == "-" else 1)
        return utcnow().date() + timedelta(days=offset)
    return value


def record_value(records, section, record, path: str):
    """The value of ``record`` at ``path`` (own, extension or custom field; ``id`` too)."""
    if path in ("id", "version", "created_at", "updated_at", "created_by_id", "updated_by_id"):
        return getattr(record, path)
    if "." not in path and hasattr(record, path):
        return getattr(record, path)
    return records.sudo()._read_all(section, record).get(path)
