"""What record-event hooks receive: the record, the write's values and changes, and the acting service."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import inspect as sa_inspect

from core.sections import Section
from core.values import same

if TYPE_CHECKING:
    from core.records import Records


@dataclass
class RecordEvent:
    """What record-event hooks receive."""

    records: "Records"
    section: Section
    record: Any
    operation: str
    #: The values being written, by field path, after coercion.
    values: dict = field(default_factory=dict)
    #: ``{field path: (old, new)}`` of what actually changes.
    changes: dict = field(default_factory=dict)

    @property
    def user(self):
        return self.records.user

    @property
    def written(self) -> set:
        """Field paths the write touches: every given value on create, the changed ones on update."""
        return set(self.values) if self.operation == "create" else set(self.changes)

    def set(self, path: str, value) -> None:
        """Set a derived field from a before-hook, recorded as written and changed like a value the user gave.

        So later hooks, the change log and the process engine see it; setting the value a field holds is a no-op.
        """
        record = self.record
        if self.operation == "create" and path in _column_keys(type(record)):
            # A new record holds what was set on it in its __dict__ (nothing else to load): reading an unset
            # column through the ORM took its default-value path, several times per row of an import.
            old = record.__dict__.get(path)
        else:
            old = getattr(record, path)
        if same(old, value):
            return
        setattr(record, path, value)
        self.values[path] = value
        if self.operation == "update":
            self.changes[path] = (self.changes.get(path, (old, None))[0], value)

    def after_commit(self, job: str | Callable, **payload) -> None:
        """Queue ``job`` (a registered job name, or a callable) to run once the transaction commits."""
        self.records.after_commit(job, **payload)


_COLUMN_KEYS: dict = {}


def _column_keys(model) -> frozenset:
    """Names of ``model``'s column attributes (mapped columns, not relationships), once per class."""
    keys = _COLUMN_KEYS.get(model)
    if keys is None:
        keys = _COLUMN_KEYS[model] = frozenset(sa_inspect(model).column_attrs.keys())
    return keys
