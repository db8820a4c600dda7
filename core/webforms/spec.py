"""Reading a web form's text configuration: its fields, hidden defaults and allowed origins.

One item a line keeps the configuration editable in the generated admin form
and readable in a diff. Blank lines and lines starting with ``#`` are skipped.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

#: Field names no form may set: they belong to the records service.
RESERVED = frozenset({"id", "version", "created_at", "updated_at", "created_by_id", "updated_by_id", "custom"})


@dataclass
class FormField:
    """One visible field: the section field it fills, its label, and whether it must be filled."""

    path: str
    label: str
    required: bool = False

    @property
    def input_name(self) -> str:
        # Browsers post field names as they are; a dot would confuse some landing-page builders.
        return self.path.replace(".", "__")


def _lines(text: str | None):
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            yield number, line


def parse_fields(text: str | None) -> list[FormField]:
    """``path | label | required`` lines as :class:`FormField` (label defaults to the path)."""
    result = []
    for _number, line in _lines(text):
        parts = [part.strip() for part in line.split("|")]
        path = parts[0]
        label = parts[1] if len(parts) > 1 and parts[1] else path
        required = len(parts) > 2 and parts[2].lower() in {"required", "yes", "true", "1", "*"}
        result.append(FormField(path, label, required))
    return result


def parse_defaults(text: str | None) -> dict[str, str]:
    """``path = value`` lines as a dict (the value is coerced later by the records service)."""
    result = {}
    for _number, line in _lines(text):
        path, _, value = line.partition("=")
        result[path.strip()] = value.strip()
    return result


def parse_origins(text: str | None) -> set[str]:
    """Allowed origins, one a line, compared without a trailing slash (``https://landing.example.com``)."""
    return {line.rstrip("/") for _number, line in _lines(text)}


def config_errors(sections, form) -> dict:
    """``{field: [message]}`` for a web form whose configuration cannot work; empty when it can."""
    errors: dict = {}
    if form.section not in sections:
        errors["section"] = [_l("There is no section named %(name)s.", name=form.section)]
        return errors
    section = sections.get(form.section)
    fields = parse_fields(form.fields)
    if not fields:
        errors["fields"] = [_l("Name at least one field, one a line: path | label | required.")]
    for name, paths in (("fields", [f.path for f in fields]), ("defaults", list(parse_defaults(form.defaults)))):
        for path in paths:
            if path in RESERVED or section.field(path) is None:
                errors.setdefault(name, []).append(
                    _l("%(section)s has no field %(path)s a form may fill.", section=section.title, path=path))
    for line in parse_origins(form.allowed_origins):
        if not line.startswith(("http://", "https://")) or line.count("/") != 2:
            errors.setdefault("allowed_origins", []).append(
                _l("An origin is a scheme and a host, like https://landing.example.com (got %(value)s).", value=line))
    if (form.slug or "").strip() and not all(ch.isalnum() or ch in "-_" for ch in form.slug):
        errors["slug"] = [_l("Use letters, digits, - and _ only.")]
    return errors
