"""Matching keys for contacts: phone numbers in E.164-like form, e-mails lower-cased, full names.

Telephony looks a caller up by number, the mail gateway by address and dedup
rules compare both, so every write stores one canonical form next to what the
user typed. Phone numbers are normalised by hand rather than with the
``phonenumbers`` library: the add-on needs only a stable key (``+`` and
digits), not validation or formatting per country, and this keeps the CRM
free of a dependency; a telephony add-on may bring the full library.
"""
from __future__ import annotations

import re
from functools import lru_cache

#: Country calling code assumed for national numbers written without one.
DEFAULT_COUNTRY_CODE = "7"

_NON_DIGITS = re.compile(r"\D+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
#: "ext. 123" / "доб. 123" at the end: not part of the number to match on.
_EXTENSION = re.compile(r"(?i)\s*(?:ext|доб|x)\.?\s*\d+\s*$")


def normalize_phone(raw: str | None, default_country: str = DEFAULT_COUNTRY_CODE) -> str | None:
    """``+`` and the digits of an international number, or None when ``raw`` has no digits.

    - ``+7 (912) 345-67-89`` and ``8 912 345 67 89`` give ``+79123456789``:
      a Russian trunk prefix ``8`` before ten digits is the country code 7;
    - ``00 44 20 7946 0958`` gives ``+442079460958`` (``00`` is the international prefix);
    - a ten-digit national number gets ``default_country`` in front;
    - anything else (extensions, short internal numbers) keeps its digits as they are.
    """
    if not raw:
        return None
    return _normalize_phone(raw, default_country)


@lru_cache(maxsize=4096)
def _normalize_phone(raw: str, default_country: str) -> str | None:
    # Cached: a write checks the number (validate) and stores its key (before-create), an import once per row.
    text = raw.strip()
    lowered = text.lower()
    if "x" in lowered or "доб" in lowered:  # an extension is possible ("ext"/"x"/"доб"): the regex takes it off
        text = _EXTENSION.split(text)[0]
    digits = _NON_DIGITS.sub("", text)
    if not digits:
        return None
    if text.startswith("+"):
        return "+" + digits
    if digits.startswith("00") and len(digits) > 8:
        return "+" + digits[2:]
    if len(digits) == 11 and digits[0] == "8" and default_country == "7":
        return "+7" + digits[1:]
    if len(digits) == 11 and digits[0] == "7":
        return "+" + digits
    if len(digits) == 10:
        return f"+{default_country}{digits}"
    return digits


def normalize_email(raw: str | None) -> str | None:
    """The address stripped and lower-cased (mail systems treat case as equal), or None."""
    if not raw or not raw.strip():
        return None
    return raw.strip().lower()


def is_valid_email(raw: str) -> bool:
    """A light check that catches typos (one ``@``, a dot in the domain, no spaces)."""
    return bool(_EMAIL.match(raw.strip()))


def full_name(first: str | None, middle: str | None, last: str | None) -> str:
    """A person's full name in the order their language writes it.

    Cyrillic names read "Фамилия Имя Отчество" (as Russian and Ukrainian
    documents and CRMs show them); others read "First Middle Last".
    """
    # Written out rather than comprehensions: an import builds a name per row.
    first, middle, last = (first or "").strip(), (middle or "").strip(), (last or "").strip()
    if _CYRILLIC.search(last or first):
        ordered = (last, first, middle)
    else:
        ordered = (first, middle, last)
    return " ".join(filter(None, ordered))
