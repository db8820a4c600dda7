"""Custom fields at run time: definitions read from the database, values kept in ``record.custom``.

An admin (the "section wizard" in /admin) or an add-on's data file adds a
:class:`core.models.CustomField` row; the field then shows on every door of the
section as ``custom.<name>``: cards, lists, filters, forms, the API. Nothing is
built once per app context (request, CLI command, job) into ``flask.g``, from
rows the process keeps while the configuration generation holds
(:mod:`core.config_cache`), so a definition saved by another process is seen
on the next request of every process, and two apps in one process never
share the built fields (their sections and languages differ). Writing a
definition through the records service clears the current context's copy at
once.

Values are stored JSON-safe (decimals as text, dates and UTC date-times as ISO
text, so their text order is their time order) and compared in SQL through
typed JSON element access (:func:`sql_value`), on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, g, has_app_context, has_request_context

from core.sections import FieldInfo, Section

#: The generic type each custom type behaves as on pages, in filters and in coercion.
GENERIC_TYPES = {
    "text": "string", "long_text": "text", "integer": "integer", "decimal": "decimal", "money": "decimal",
    "date": "date", "datetime": "datetime", "boolean": "boolean", "lookup": "lookup", "choice": "choice",
}
#: Longest value of a ``text`` custom field (long_text has no limit of its own).
TEXT_MAX_LENGTH = 255
#: Field paths of custom fields start with this.
PREFIX = "custom."
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

_G_KEY = "flowcase_custom_fields"


def fields_for(section: Section) -> list[FieldInfo]:
    """The custom fields of ``section`` in the current app's database, in their sequence order."""
    if not has_app_context():
        return []
    return list(_definitions().get(section.name, ()))


def invalidate() -> None:
    """Forget this app context's copy of the definitions (after one was written)."""
    if has_app_context():
        g.pop(_G_KEY, None)


def _definitions() -> dict[str, list[FieldInfo]]:
    cached = g.get(_G_KEY)
    if cached is None:
        cached = _build(_rows())
        g.setdefault(_G_KEY, cached)
    return cached


def _rows() -> tuple:
    """Every definition's columns, shared across requests while the configuration generation holds."""
    from core.config_cache import cached
    from core.extensions import db

    return cached(db.session, "custom_fields", _load_rows)


def _load_rows(session) -> tuple:
    from core.config_cache import table_present
    from core.models import CustomField

    if not table_present(session, CustomField.__tablename__):  # a database not yet upgraded has none
        return ()
    columns = (CustomField.section, CustomField.name, CustomField.label, CustomField.label_ru, CustomField.type,
               CustomField.target_section, CustomField.options, CustomField.required)
    with session.no_autoflush:
        return tuple(session.execute(
            sa.select(*columns).order_by(CustomField.section, CustomField.sequence, CustomField.id)).all())


def _build(rows) -> dict[str, list[FieldInfo]]:
    """FieldInfos of this app (its sections) in this request's language."""
    sections = _registry()
    result: dict[str, list[FieldInfo]] = {}
    for row in rows:
        info = _field_info(row, sections)
        if info is not None:
            result.setdefault(row.section, []).append(info)
    return result


def _registry():
    state = current_app.extensions.get("flowcase")
    return state.sections if state is not None else None


def _field_info(row, sections) -> FieldInfo | None:
    generic = GENERIC_TYPES.get(row.type)
    if generic is None:
        return None
    lookup_table = None
    if generic == "lookup":
        # A lookup to a section whose add-on is not installed here cannot be shown or checked.
        if sections is None or not row.target_section or row.target_section not in sections:
            return None
        lookup_table = sections.get(row.target_section).table.name
    return FieldInfo(
        path=PREFIX + row.name,
        label=_label(row.label, row.label_ru),
        type=generic,
        required=bool(row.required),
        lookup=lookup_table,
        custom=True,
        kind=row.type,
        options=tuple(line.strip() for line in (row.options or "").splitlines() if line.strip()),
        target_section=row.target_section if generic == "lookup" else None,
        max_length=TEXT_MAX_LENGTH if row.type == "text" else None,
    )


def _label(label: str, label_ru: str | None) -> str:
    if label_ru and has_request_context():
        from flask_babel import get_locale

        locale = get_locale()
        if locale is not None and locale.language == "ru":
            return label_ru
    return label


# -- values -------------------------------------------------------------------

def to_storage(info: FieldInfo, value):
    """A coerced value as kept in the JSON column (text for decimals, ISO text for dates)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_storage(info: FieldInfo, raw):
    """A stored value as its Python type; a value that no longer fits (the type changed) is shown as is."""
    from core.values import BadValue, coerce

    if raw is None:
        return None
    try:
        return coerce(info, raw)
    except BadValue:
        return raw


def value_of(record, info: FieldInfo):
    """The value of the custom field ``info`` on ``record``."""
    return from_storage(info, (record.custom or {}).get(info.name))


# -- SQL ----------------------------------------------------------------------

def sql_value(section: Section, info: FieldInfo) -> sa.ColumnElement:
    """The custom field's value as a typed SQL expression (JSON element access with a cast)."""
    element = section.table.c.custom[info.name]
    if info.type in ("integer", "lookup"):
        return element.as_integer()
    if info.type == "decimal":
        return element.as_numeric(38, 10)
    if info.type == "boolean":
        return element.as_boolean()
    return element.as_string()


def sql_operand(info: FieldInfo, value):
    """A filter value in the form :func:`sql_value` compares it with (dates as stored ISO text)."""
    if isinstance(value, bool):  # a bound literal: SQLAlchemy turns a bare True into IS, which has no < or IN
        return sa.literal(value, sa.Boolean())
    if info.type in ("date", "datetime") and isinstance(value, (date, datetime)):
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return to_storage(info, value)
    return value
