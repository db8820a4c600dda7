"""Which email addresses a record reaches, found from the section metadata alone (the core knows no add-on).

- A section's **address fields** are its own text fields named ``email`` or ``*_email``.
- A record reaches the addresses of its address fields, of the records its
  lookups point at (a lead's contact), and of its detail records (an
  account's contacts): :func:`card_recipients`, for "Send email" on a card.
- A mailing's audience record is mailed at the addresses of its detail
  records when its section has detail sections with addresses (an account's
  contacts), else at its own: :func:`audience_recipients`.

Everything is read through the acting user's ``records.select`` so rights apply.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

#: Detail records offered on a card, per detail section.
MAX_DETAIL_RECIPIENTS = 50
#: Audience records read per query.
CHUNK = 500


@dataclass(frozen=True)
class Recipient:
    """A person (or record) an email can go to."""

    section: str
    record_id: int
    name: str
    #: Stripped and lower-cased; "" when the record has no address.
    email: str

    @property
    def key(self) -> str:
        """How a form names this choice (``contact:42:email``-like, without the field)."""
        return f"{self.section}:{self.record_id}:{self.email}"

    def label(self) -> str:
        return f"{self.name} <{self.email}>"


def normalize(address) -> str:
    """An address as stored and compared: stripped, lower-cased; "" if it does not look like one."""
    address = (address or "").strip().lower()
    return address if "@" in address and " " not in address and len(address) <= 254 else ""


def address_columns(section) -> list[sa.Column]:
    """The section's own address columns (``email``, ``work_email``), in table order."""
    return [info.column for info in section.own_fields()
            if info.type in ("string", "text") and info.column is not None
            and (info.name == "email" or info.name.endswith("_email"))]


def _rows(records, section, condition, limit=None):
    """``(record, [addresses])`` of the section's readable records matching ``condition``."""
    columns = address_columns(section)
    if not columns:
        return []
    query = records.select(section).where(condition).order_by(section.table.c.id)
    if limit:
        query = query.limit(limit)
    result = []
    for record in records.session.scalars(query):
        addresses = []
        for column in columns:
            address = normalize(getattr(record, column.key, None))
            if address and address not in addresses:
                addresses.append(address)
        result.append((record, addresses))
    return result


def _mailable_details(records, section) -> list[tuple]:
    """``(child section, link column)`` of the detail sections whose records have addresses."""
    sections = records.state.sections
    found = []
    for detail in section.details:
        name = detail.get("section")
        if name not in sections:
            continue
        child = sections.get(name)
        column = child.table.c.get(detail.get("field", ""))
        if column is not None and address_columns(child):
            found.append((child, column))
    return found


def card_recipients(records, section, record) -> list[Recipient]:
    """Every address ``record`` reaches: its own, its lookups' records', its detail records'; no duplicates."""
    sections = records.state.sections
    found: list[Recipient] = []
    seen: set[str] = set()

    def add(target_section, rows):
        for target, addresses in rows:
            for address in addresses:
                if address not in seen:
                    seen.add(address)
                    found.append(Recipient(target_section.name, target.id, target_section.display_name(target), address))

    add(section, _rows(records, section, section.table.c.id == record.id))
    for info in section.own_fields():
        if info.lookup is None or getattr(record, info.name, None) is None:
            continue
        target = sections.for_table(info.lookup)
        if target is not None and target.name != section.name:
            add(target, _rows(records, target, target.table.c.id == getattr(record, info.name)))
    for child, column in _mailable_details(records, section):
        add(child, _rows(records, child, column == record.id, limit=MAX_DETAIL_RECIPIENTS))
    return found


def audience_recipients(records, section, ids: list[int]):
    """Yield one :class:`Recipient` per person the audience records ``ids`` of ``section`` stand for.

    Records of a section with mailable details (accounts) stand for their
    detail records (contacts); one with none of those yields a recipient with
    an empty address (recorded as skipped). Other records stand for
    themselves, at their first address.
    """
    details = _mailable_details(records, section)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        if details:
            reached = set()
            for child, column in details:
                for child_record, addresses in _rows(records, child, column.in_(chunk)):
                    reached.add(getattr(child_record, column.key))
                    yield Recipient(child.name, child_record.id, child.display_name(child_record),
                                    addresses[0] if addresses else "")
            if reached != set(chunk):
                for record in records.session.scalars(records.select(section).where(
                        section.table.c.id.in_(set(chunk) - reached)).order_by(section.table.c.id)):
                    yield Recipient(section.name, record.id, section.display_name(record), "")
            continue
        rows = _rows(records, section, section.table.c.id.in_(chunk))
        if not rows:  # a section without address fields: everyone is skipped, visibly
            rows = [(r, []) for r in records.session.scalars(
                records.select(section).where(section.table.c.id.in_(chunk)).order_by(section.table.c.id))]
        for record, addresses in rows:
            yield Recipient(section.name, record.id, section.display_name(record), addresses[0] if addresses else "")
