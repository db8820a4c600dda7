"""Turning one file row into field values: coercion per cell, and lookups found by id, name, code or external id."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.models import ExternalId, User
from core.sections import FieldInfo, Section
from core.values import BadValue, coerce

#: Columns tried, in order, to find a lookup's target by the text in a cell.
_NAME_COLUMNS = ("name", "code", "login", "title")


class LookupResolver:
    """Finds the id a lookup cell means; one query per distinct value, remembered for the whole file."""

    def __init__(self, records):
        self.records = records
        self.sections = records.state.sections
        self.cache: dict[tuple[str, str], int | str] = {}

    def resolve(self, table: sa.Table, value) -> int:
        """The id of the row of ``table`` that ``value`` names; :class:`BadValue` when none or several."""
        text = str(value).strip()
        key = (table.name, text.casefold())
        if key not in self.cache:
            self.cache[key] = self._find(table, text)
        found = self.cache[key]
        if isinstance(found, int):
            return found
        raise BadValue(found)

    def _find(self, table: sa.Table, text: str):
        session = self.records.session
        section = self.sections.for_table(table.name)
        base = self.records.select(section).with_only_columns(table.c.id) if section is not None else sa.select(table.c.id)
        if text.isdigit():
            if session.execute(base.where(table.c.id == int(text))).first() is not None:
                return int(text)
        columns = []
        if section is not None and section.title_field in table.c:
            columns.append(table.c[section.title_field])
        columns += [table.c[name] for name in _NAME_COLUMNS if name in table.c and table.c[name] not in columns]
        # Exact text first; then ignoring case (SQLite's lower() folds ASCII letters only).
        for condition in (lambda c: c == text, lambda c: sa.func.lower(c) == text.lower()):
            for column in columns:
                ids = list(session.scalars(base.where(condition(column)).limit(2)))
                if len(ids) == 1:
                    return ids[0]
                if len(ids) > 1:
                    return _l("“%(value)s” matches several records; give the id instead", value=text)
        if "." in text and section is not None:
            addon, _dot, name = text.partition(".")
            record_id = session.scalar(sa.select(ExternalId.record_id).where(
                ExternalId.addon == addon, ExternalId.key == name, ExternalId.section == section.name))
            if record_id is not None:
                return record_id
        return _l("no record named “%(value)s”", value=text)


class RowConverter:
    """Converts rows of one file with one mapping into ``(values, history, errors)``."""

    def __init__(self, records, section: Section, headers: list[str], mapping: dict[str, str]):
        self.section = section
        self.resolver = LookupResolver(records)
        self.columns: list[tuple[int, str, FieldInfo | None]] = []
        for index, header in enumerate(headers):
            path = mapping.get(header)
            if path:
                self.columns.append((index, path, section.field(path)))

    def convert(self, values: list) -> tuple[dict, dict, dict]:
        """``values`` of one row → (field values, historical stamps, ``{path: message}``)."""
        result, history, errors = {}, {}, {}
        for index, path, info in self.columns:
            raw = values[index] if index < len(values) else None
            try:
                if path in ("created_at", "created_by_id", "id"):
                    converted = self._special(path, raw)
                    if converted is not None:
                        (result if path == "id" else history)[path] = converted
                    continue
                if info is None:
                    continue
                if info.type == "lookup" and raw not in (None, "") and info.column is not None and info.column.foreign_keys:
                    fk = next(iter(info.column.foreign_keys))
                    raw = self.resolver.resolve(fk.column.table, raw)
                elif info.type in ("string", "text") and raw is not None and not isinstance(raw, str):
                    raw = str(raw)
                result[path] = coerce(info, raw)
            except BadValue as exc:
                errors[path] = str(exc)
        return result, history, errors

    def _special(self, path: str, raw):
        if raw in (None, ""):
            return None
        if path == "created_at":
            return coerce(FieldInfo("created_at", "", "datetime", False), raw)
        if path == "created_by_id":
            return self.resolver.resolve(User.__table__, raw)
        return coerce(FieldInfo("id", "", "integer", False), raw)
