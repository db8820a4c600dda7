"""Contract numbers from a configurable sequence (``contract_sequence``): ``Д-2026-0001``.

The counter lives on the sequence row and is advanced through the records
service. The row is read FOR UPDATE, so two contracts created at once take
turns; its optimistic lock and the contract number's unique constraint are
the guards behind that, so a number is never given twice.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.errors import ValidationError

from .models import ContractSequence


def sequence_for(session, direction: str | None) -> ContractSequence | None:
    """The sequence of ``direction`` if one is configured, else the general one (no direction)."""
    # FOR UPDATE (PostgreSQL; SQLite writers are serialised anyway): a second creator waits for the first
    # to commit and then reads the advanced counter, instead of failing on the row's optimistic lock.
    rows = session.scalars(sa.select(ContractSequence).where(
        sa.or_(ContractSequence.direction == direction, ContractSequence.direction.is_(None)))
        .order_by(ContractSequence.direction.is_(None), ContractSequence.id)
        .with_for_update().execution_options(populate_existing=True)).all()
    return rows[0] if rows else None


def format_number(sequence: ContractSequence, year: int, number: int) -> str:
    """``prefix`` with ``{year}`` filled in, then the number padded with zeros."""
    prefix = (sequence.prefix or "").replace("{year}", str(year))
    return f"{prefix}{number:0{max(int(sequence.padding or 0), 0)}d}"


def next_number(records, direction: str | None, on: dt.date | None) -> str:
    """Take the next number of the sequence for ``direction`` in the year of ``on``."""
    session = records.session
    sequence = sequence_for(session, direction)
    if sequence is None:
        raise ValidationError({"number": [_l(
            "No contract numbering is configured; add one in Lookups → Contract numbering or type the number.")]})
    year = (on or dt.date.today()).year
    number = sequence.next_number or 1
    if sequence.per_year and sequence.counter_year != year:
        number = 1
    records.sudo().update("contract_sequence", sequence, {"counter_year": year, "next_number": number + 1})
    return format_number(sequence, year, number)
