"""Which file column goes to which field: automatic matching by header, and the targets offered.

A header matches a field when, ignoring case, spaces, underscores, ``*`` and
``ё``/``е``, it equals the field's path, its name (``account`` for
``account_id``), or its label in English or Russian. Besides the section's
fields, a file may fill ``id`` (update by id) and the historical stamps
``created_at`` and ``created_by_id`` (kept as given, for past data).
"""
from __future__ import annotations

import re

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from core.sections import Section

#: Import-only targets beyond the section's fields: path → label.
SPECIAL_TARGETS = {
    "id": _l("ID"),
    "created_at": _l("Created on"),
    "created_by_id": _l("Created by"),
}
_SEPARATORS = re.compile(r"[\s_\-]+")


def _norm(text) -> str:
    return _SEPARATORS.sub(" ", str(text).replace("*", "").replace("ё", "е").replace("Ё", "Е")).strip().casefold()


def targets(section: Section) -> list[tuple[str, str]]:
    """``(path, label)`` of everything a column may be mapped to, fields first."""
    result = [(info.path, str(info.label)) for info in section.fields() if info.type != "json"]
    result += [(path, str(label)) for path, label in SPECIAL_TARGETS.items()]
    return result


def _names(section: Section) -> dict[str, str]:
    """Normalised header text → field path, from paths, names and labels in English and Russian."""
    names: dict[str, str] = {}
    infos = [info for info in section.fields() if info.type != "json"]
    labelled = [(info.path, info.label) for info in infos] + list(SPECIAL_TARGETS.items())
    for path, _label in labelled:
        names.setdefault(_norm(path), path)
        names.setdefault(_norm(path.rsplit(".", 1)[-1].removesuffix("_id")), path)
    for locale in ("en", "ru"):
        with force_locale(locale):
            for path, label in labelled:
                names.setdefault(_norm(str(label)), path)
    return names


def auto_map(section: Section, headers: list[str]) -> dict[str, str]:
    """``{header: field path}`` for every header that names a field; each field is used once."""
    names = _names(section)
    mapping, used = {}, set()
    for header in headers:
        path = names.get(_norm(header)) if header else None
        if path and path not in used:
            mapping[header] = path
            used.add(path)
    return mapping


def clean_mapping(section: Section, headers: list[str], mapping: dict) -> dict[str, str]:
    """Keep only entries whose header is in the file and whose target exists (a saved mapping may be old)."""
    known = {path for path, _label in targets(section)}
    return {h: p for h, p in (mapping or {}).items() if h in headers and p in known}
