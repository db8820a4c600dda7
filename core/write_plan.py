"""What the writes of one section by one user are checked against (:meth:`core.records.Records.write_plan`),
and the check of required fields both creates and updates run.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable

from flask_babel import lazy_gettext as _l

from core import custom_fields
from core.errors import ValidationError


@dataclass(frozen=True)
class WritePlan:
    """What the writes of one section by one user are checked against (see :meth:`Records.write_plan`)."""

    #: ``{path: field}`` of the section's own columns; of its custom fields; of its extension tables.
    fields: dict
    custom_fields: dict
    extension_fields: dict
    #: Paths hidden from or read-only for the user (column rights).
    restricted: Any
    required_own: list
    #: Callers of the ``flowcase_record_validate`` and ``flowcase_record_before_create`` hooks.
    validate: Callable
    before_create: Callable

    @cached_property
    def fields_with_custom(self) -> dict:
        """``{path: field}`` of the own columns and the custom fields (a write naming a custom field looks there)."""
        return {**self.fields, **self.custom_fields}

    @cached_property
    def required_custom(self) -> list:
        """The custom fields that must have a value on a new record."""
        return [info for info in self.custom_fields.values() if info.required]


def require_fields(record, required_own, required_custom, read: Callable) -> None:
    """Raise :class:`ValidationError` naming each required field without a value; ``read(path)`` reads an own one."""
    missing = {info.path: [_l("is required")] for info in required_own if read(info.path) in (None, "")}
    for info in required_custom:
        if custom_fields.value_of(record, info) in (None, ""):
            missing[info.path] = [_l("is required")]
    if missing:
        raise ValidationError(missing)
