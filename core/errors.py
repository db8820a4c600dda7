"""Errors the records service and the add-on manager raise, each with a message a user can read."""
from __future__ import annotations


class FlowcaseError(Exception):
    """Base of every error Flowcase raises on purpose; ``str()`` is fit to show a user."""


class ValidationError(FlowcaseError):
    """Bad values: ``errors`` maps a field path (or ``""`` for the record) to messages."""

    def __init__(self, errors: dict[str, list[str]] | str):
        # One message for the whole record; it may be a lazy translation, which is no ``str``.
        if not isinstance(errors, dict):
            errors = {"": [errors]}
        self.errors = {field: list(msgs) for field, msgs in errors.items() if msgs}
        super().__init__("; ".join(
            f"{field}: {msg}" if field else str(msg)
            for field, msgs in self.errors.items() for msg in msgs
        ))


class AccessDenied(FlowcaseError):
    """The user may not do this to this record or section."""


class RecordNotFound(FlowcaseError):
    """No such record, or one the user may not see (the two look the same on purpose)."""


class ConflictError(FlowcaseError):
    """Somebody else saved the record since it was read (optimistic lock)."""


class AddonError(FlowcaseError):
    """An add-on cannot be discovered, resolved, installed, upgraded or removed."""
