"""Records as JSON objects, and incoming JSON checked against the section's field types.

The values a JSON body may carry are stricter than what pages accept: a page
posts every value as text, while an API client that sends ``{"amount": [1]}``
or ``{"name": {"a": 1}}`` has a bug it should hear about, not a value quietly
turned into a string. After the JSON type check the records service coerces
(dates from ISO text, decimals from numbers or text) as on every other door.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import ValidationError
from core.sections import FieldInfo, Section
from core.values import to_json

#: Columns every record has, served read-only.
SYSTEM_FIELDS = ("id", "version", "created_at", "updated_at", "created_by_id", "updated_by_id")

#: JSON types each field type accepts (None is always accepted; the service checks required fields).
_ACCEPTS = {
    "string": (str,), "text": (str,),
    "integer": (int,), "lookup": (int,),
    "decimal": (int, float, str),
    "boolean": (bool,),
    "date": (str,), "datetime": (str,),
    "choice": (str, int),
}
_TYPE_MESSAGES = {
    "string": _l("must be a string"), "text": _l("must be a string"),
    "integer": _l("must be a whole number"), "lookup": _l("must be the id of a record (a whole number)"),
    "decimal": _l("must be a number"), "boolean": _l("must be true or false"),
    "date": _l("must be a date as a string (YYYY-MM-DD)"),
    "datetime": _l("must be a date and time as an ISO 8601 string"),
    "choice": _l("must be one of the allowed values"),
}


def writable_fields(section: Section) -> dict[str, FieldInfo]:
    """Fields a client may write: own and extension fields by path."""
    return {info.path: info for info in section.fields()}


def readable_paths(section: Section, hidden=frozenset(), fields: dict[str, FieldInfo] | None = None) -> list[str]:
    """Every key a record's JSON object has, in order; ``hidden``: paths column rights hide from the user;
    ``fields``: :func:`writable_fields` when the caller already has them."""
    if fields is None:
        fields = writable_fields(section)
    return [*[p for p in SYSTEM_FIELDS if p in section.table.c], *[p for p in fields if p not in hidden]]


def check_body(section: Section, body: dict, ignore: tuple = (), hidden=frozenset(),
               fields: dict[str, FieldInfo] | None = None) -> dict:
    """Check an incoming object's keys and JSON types; return the values to write.

    :param ignore: keys handled by the caller (``version``).
    :param hidden: paths column rights hide from the user: any value for them is refused,
        even the stored one, so a client cannot probe a hidden value by what is accepted.
    :param fields: :func:`writable_fields` when the caller already has them (the response needs them too).
    :raises ValidationError: every unknown, read-only or wrongly typed field at once.
    """
    if fields is None:
        fields = writable_fields(section)
    errors: dict[str, list] = {}
    values = {}
    for key, value in body.items():
        if key in ignore:
            continue
        if key in hidden:
            errors[key] = [_l("you may not change the field “%(field)s”", field=key)]
            continue
        info = fields.get(key)
        if info is None:
            message = _l("is read-only") if key in SYSTEM_FIELDS else _l("unknown field of %(section)s", section=section.title)
            errors[key] = [message]
            continue
        accepted = _ACCEPTS.get(info.type)
        if value is not None and accepted is not None:
            wrong = not isinstance(value, accepted) or (isinstance(value, bool) and bool not in accepted)
            if wrong:
                errors[key] = [_TYPE_MESSAGES[info.type]]
                continue
        values[key] = value
    if errors:
        raise ValidationError(errors)
    return values


def parse_fields_param(section: Section, text: str | None, hidden=frozenset()) -> list[str] | None:
    """``?fields=a,b`` as a list of paths (``id`` always included); None means all.

    :param hidden: paths hidden from the user by column rights: unknown here.
    """
    if not text:
        return None
    available = readable_paths(section, hidden)
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [p for p in wanted if p not in available]
    if unknown:
        raise ValidationError({"fields": [_l("unknown fields: %(names)s", names=", ".join(unknown))]})
    return ["id", *[p for p in wanted if p != "id"]]


#: Types JSON takes as they are: most of a record's values, passed on without the checks below.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _json_value(value):
    if type(value) in _PLAIN:
        return value
    if isinstance(value, Decimal):
        return str(value)  # exact: a float would round money
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)  # SQLite hands back naive UTC; say so
    return to_json(value)


def dump_records(session, section: Section, rows: list, fields: list[str] | None = None,
                 hidden=frozenset(), infos: dict[str, FieldInfo] | None = None) -> list[dict]:
    """JSON objects of ``rows``; extension rows are loaded with one query per extension, not per record.

    :param hidden: paths hidden from the user by column rights: never in the output.
    :param infos: :func:`writable_fields` when the caller already has them.
    """
    if infos is None:
        infos = writable_fields(section)
    wanted = [p for p in (fields or readable_paths(section, fields=infos)) if p not in hidden]
    ids = [row.id for row in rows]
    ext_rows: dict = {}
    for extension in section.extensions:
        if ids and any(infos.get(p) is not None and infos[p].extension is extension for p in wanted):
            found = session.scalars(sa.select(extension.model).where(extension.model.id.in_(ids))).all()
            ext_rows[extension] = {r.id: r for r in found}
    result = []
    for row in rows:
        item = {}
        for path in wanted:
            info = infos.get(path)
            if info is None:  # a system column
                value = getattr(row, path)
            elif info.extension is not None:
                ext = ext_rows.get(info.extension, {}).get(row.id)
                value = getattr(ext, info.name) if ext is not None else None
            elif getattr(info, "custom", False):  # admin-defined field kept in the JSON column
                value = (getattr(row, "custom", None) or {}).get(info.name)
            else:
                value = getattr(row, path)
            item[path] = _json_value(value)
        result.append(item)
    return result


def dump_record(session, section: Section, record, fields: list[str] | None = None, hidden=frozenset(),
                infos: dict[str, FieldInfo] | None = None) -> dict:
    """The JSON object of one record; ``infos``: :func:`writable_fields` when the caller already has them."""
    return dump_records(session, section, [record], fields, hidden, infos)[0]
