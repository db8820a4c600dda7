"""Normalisations a duplicate rule applies to a field before comparing it.

Each turns a value into a string that is equal for values a person would call
the same, or ``None`` when there is nothing to compare (an empty field never
makes two records duplicates).
"""
from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from flask import current_app
from flask_babel import lazy_gettext as _l

_SPACES = re.compile(r"\s+")
_NON_DIGITS = re.compile(r"\D+")

#: Normalisations offered in rules, with their labels.
NORMALIZERS = {
    "exact": _l("exact value"),
    "text": _l("ignore case and spaces"),
    "digits": _l("digits only"),
    "phone": _l("phone number (E.164)"),
    "email": _l("e-mail (lower case)"),
}


def phone_region() -> str:
    """The default country of phone numbers written without one (``FLOWCASE_PHONE_REGION``, ``RU`` outside an app)."""
    try:  # asked once per record written: one context lookup rather than has_app_context's and current_app's
        return current_app.config.get("FLOWCASE_PHONE_REGION", "RU")
    except RuntimeError:  # outside an app context
        return "RU"


def normalize_phone(raw: str, region: str | None = None) -> str | None:
    """The number in E.164 (``+79123456789``) read with ``region`` as the default country.

    A string phonenumbers cannot parse keeps its digits, so two equally odd
    numbers (an internal extension) still match each other.
    """
    return _phone(raw.strip(), region or phone_region())


#: A Russian mobile number with its country code in ASCII digits, written the usual ways
#: (``+7 912 345-67-89``, ``+7 (912) 3456789``, ``+79123456789``): phonenumbers reads each as +7 and the
#: ten digits whatever the region (a possible number, no national prefix to strip; a test compares the two
#: on many numbers), so it is read here without parsing (some 20 us per number: the costliest step of a
#: contact's duplicate keys, which an import computes for every row).
_RU_MOBILE = re.compile(r"\+7[ \-]?(?:\(9[0-9]{2}\)|9[0-9]{2})[ \-]?[0-9]{3}[ \-]?[0-9]{2}[ \-]?[0-9]{2}")


@lru_cache(maxsize=8192)
def _phone(text: str, region: str) -> str | None:
    # Cached: a write looks a number up once to find duplicates and again to store its key.
    if _RU_MOBILE.fullmatch(text):
        return "+" + _NON_DIGITS.sub("", text)
    if not _NON_DIGITS.sub("", text):
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return _NON_DIGITS.sub("", text) or None
    if not phonenumbers.is_possible_number(number):
        return _NON_DIGITS.sub("", text) or None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize(kind: str, value, region: str | None = None) -> str | None:
    """``value`` in its ``kind`` matching form, or None when empty."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    text = text.strip()
    if not text:
        return None
    if kind == "text":
        return _SPACES.sub(" ", text).casefold()
    if kind == "digits":
        return _NON_DIGITS.sub("", text) or None
    if kind == "phone":
        return normalize_phone(text, region)
    if kind == "email":
        return text.lower()
    return text
