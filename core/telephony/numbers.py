"""Phone numbers in one form (E.164 with ``phonenumbers``), and finding the contact a number or address belongs to.

The core does not know the CRM's tables: it asks the ``flowcase_contact_match``
hook, which crm implements with its indexed normalized columns.
"""
from __future__ import annotations

from core.dedup.normalize import normalize_phone


def normalize_number(raw) -> str | None:
    """``raw`` in E.164 read with ``FLOWCASE_PHONE_REGION`` (``8 495 …`` → ``+7495…``), or None when empty."""
    if raw in (None, ""):
        return None
    return normalize_phone(str(raw))


def match_contact(records, phone=None, email=None):
    """The contact with this phone (any format) or email, through the hook; None when nobody matches.

    :param records: the records service the lookup reads through (its rights apply).
    """
    phone = normalize_number(phone)
    email = str(email).strip().lower() if email else None
    if not (phone or email):
        return None
    for contact in records.state.call_ordered("flowcase_contact_match", records=records, phone=phone, email=email):
        return contact
    return None
