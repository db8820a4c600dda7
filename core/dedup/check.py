"""The "check on save": a write that matches an active duplicate rule is refused or needs confirming.

Runs inside ``flowcase_record_validate`` (see :mod:`core.builtin_hooks`), so
every door gets it: pages, API, import, admin. A ``block`` rule refuses the
write; a ``warn`` rule refuses it until the caller confirms::

    with confirm_duplicates(records):
        records.create("contact", values)   # saved even if a warn rule matches

Both raise :class:`DuplicateError`, a :class:`ValidationError` that also
carries the candidates, so pages can show them with links.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from core.dedup.keys import find_candidates, record_keys
from core.errors import ValidationError

_CONFIRMED = "flowcase_confirm_duplicates"


@dataclass
class DuplicateCandidate:
    """A record the one being saved may duplicate."""

    section: str
    record_id: int
    name: str
    rule: str
    action: str


class DuplicateError(ValidationError):
    """The record matches existing ones; ``blocking`` is False when confirming may save it anyway."""

    def __init__(self, message, candidates: list[DuplicateCandidate], blocking: bool):
        super().__init__({"": [message]})
        self.candidates = candidates
        self.blocking = blocking


class _Flags:
    """A block during which counters in ``records``' session info are raised by one (nested blocks add up).

    A class rather than a ``@contextmanager`` generator: an import enters one or two of these per row.
    """

    __slots__ = ("records", "keys", "info")

    def __init__(self, records, *keys: str):
        self.records, self.keys, self.info = records, keys, None

    def __enter__(self):
        info = self.info = self.records.session.info
        for key in self.keys:
            info[key] = info.get(key, 0) + 1
        return self.records

    def __exit__(self, *exc_info) -> bool:
        for key in self.keys:
            self.info[key] -= 1
        return False


def confirm_duplicates(records):
    """Within this block, ``warn`` rules let writes of ``records``' session through (``block`` rules never do)."""
    return _Flags(records, _CONFIRMED)


def is_confirmed(records) -> bool:
    return records.session.info.get(_CONFIRMED, 0) > 0


_CHECKED = "flowcase_duplicates_checked"


def duplicates_checked(records):
    """Within this block, creates skip the check on save: the caller has just run the same lookup
    (:func:`core.dedup.keys.find_candidates` with the same values) and found nothing, so it is not
    repeated per row (an import). Updates are still checked.
    """
    return _Flags(records, _CHECKED)


def confirmed_and_checked(records):
    """:func:`confirm_duplicates` and :func:`duplicates_checked` in one block: creates confirmed despite the
    duplicates the caller found, without looking them up again (an import's flagged rows)."""
    return _Flags(records, _CONFIRMED, _CHECKED)


def describe(records, section, found) -> list[DuplicateCandidate]:
    """The candidates of ``find_candidates`` with their display names, one entry per record."""
    result, seen = [], set()
    for candidate in found:
        for record_id in candidate.record_ids:
            if record_id in seen:
                continue
            seen.add(record_id)
            other = records.session.get(section.model, record_id)
            name = section.display_name(other) if other is not None else f"#{record_id}"
            result.append(DuplicateCandidate(section.name, record_id, name, candidate.rule.name, candidate.rule.action))
    return result


def _write_batch_duplicates_first(records, section, event) -> None:
    """In a :class:`~core.records_batch.RecordBatch`, earlier rows are not written yet: when one has the same
    key, write them now, so the lookup below sees it as it would have without the batch.
    """
    from core.records_batch import current_batch

    batch = current_batch(records.session)
    if batch is None or not batch.preparing:
        return
    keys = {(section.name, rule_id, key) for rule_id, key in record_keys(records, section, event.record,
                                                                         given=event.values).items()}
    seen = batch.memo.setdefault("dedup_keys", set())
    if keys & seen:
        batch.flush()
    seen |= keys


def check_on_save(event) -> None:
    """Raise :class:`DuplicateError` when the record being written matches an active rule."""
    records, section = event.records, event.section
    if event.operation == "update" and not event.changes:
        return
    if event.operation == "create" and records.session.info.get(_CHECKED, 0) > 0:
        return
    if event.operation == "create":
        _write_batch_duplicates_first(records, section, event)
    found = find_candidates(records, section, event.record, given=event.values)
    if not found:
        return
    blocking = any(c.rule.action == "block" for c in found)
    if not blocking and is_confirmed(records):
        return
    candidates = describe(records, section, [c for c in found if c.rule.action == "block"] if blocking else found)
    names = ", ".join(f"{c.name} (#{c.record_id})" for c in candidates)
    rules = ", ".join(sorted({c.rule for c in candidates}))
    if blocking:
        message = _l("A %(section)s like this already exists (rule “%(rule)s”): %(names)s.",
                     section=section.title, rule=rules, names=names)
    else:
        message = _l("This may duplicate (rule “%(rule)s”): %(names)s. Confirm to save it anyway.",
                     rule=rules, names=names)
    raise DuplicateError(message, candidates, blocking)
