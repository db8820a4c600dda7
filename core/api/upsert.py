"""Upsert by external id: an outside system's ``source`` + ``external_id`` always reach one record.

A create first inserts the claim (a :class:`core.models.ExternalRef` row with
no record yet), then creates the record through the records service and
points the claim at it, all in one transaction. Two concurrent calls with the
same id collide on the claim's unique key before either runs any record hook:
the loser's transaction rolls back and it retries, now finding the winner's
record and updating it. So a retried call never duplicates, and each call's
hooks fire once for the write it actually made.
"""
from __future__ import annotations

import random
import time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError, OperationalError

from core.errors import ConflictError, ValidationError
from core.models import ExternalRef
from core.records import Records
from core.sections import Section

#: How many times a call that lost a race is retried before answering 409.
ATTEMPTS = 10
_MAX_SOURCE, _MAX_ID = 100, 200


class _LostRace(Exception):
    """Another transaction claimed the same external id (or SQLite's writer lock moved on)."""


def find_ref(session, section: Section, source: str, external_id: str) -> ExternalRef | None:
    return session.scalars(sa.select(ExternalRef).where(
        ExternalRef.section == section.name, ExternalRef.source == source, ExternalRef.external_id == external_id,
    )).first()


def upsert(records: Records, section: Section, source: str, external_id: str, values: dict):
    """Create or update the record ``source``/``external_id`` names; returns ``(record, created)``."""
    errors = {}
    if not source or len(source) > _MAX_SOURCE:
        errors["source"] = [_l("must be 1 to %(n)s characters", n=_MAX_SOURCE)]
    if not external_id or len(external_id) > _MAX_ID:
        errors["external_id"] = [_l("must be 1 to %(n)s characters", n=_MAX_ID)]
    if errors:
        raise ValidationError(errors)
    for attempt in range(ATTEMPTS):
        try:
            return _upsert_once(records, section, source, external_id, values)
        except _LostRace:
            # The winner may still be writing (SQLite refuses at once rather than
            # wait when a reader tries to write): back off a little, with jitter.
            time.sleep(min(1.0, 0.02 * 2 ** attempt) * (0.5 + random.random()))
    raise ConflictError(_l("Another request is writing the same external id; try again."))


def _upsert_once(records: Records, section: Section, source: str, external_id: str, values: dict):
    session = records.session
    ref = find_ref(session, section, source, external_id)
    if ref is not None and ref.record_id is not None:
        if session.get(section.model, ref.record_id) is not None:
            # Exists: update it as the user (hidden from them → 404, as on the pages).
            try:
                record = records.update(section, records.get(section, ref.record_id), values)
            except ConflictError:
                # A concurrent upsert updated it between our read and write: read again and retry.
                session.rollback()
                raise _LostRace() from None
            return record, False
    try:
        with records.transaction():
            if ref is not None:
                # The record it named was deleted: the id is free to name a new one.
                session.delete(ref)
                session.flush()  # the ORM would insert the new claim before deleting the old one
            claim = ExternalRef(section=section.name, source=source, external_id=external_id)
            session.add(claim)
            try:
                session.flush()
            except (IntegrityError, OperationalError) as exc:
                # Unique key taken by a concurrent call (PostgreSQL), or SQLite refusing
                # a write from a snapshot older than that call's commit.
                raise _LostRace() from exc
            record = records.create(section, values)
            claim.record_id = record.id
    except ConflictError:
        raise _LostRace() from None
    return record, True
