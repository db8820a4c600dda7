"""Template filters for documents: dates, money and amounts in words, in the form's language.

The language is the form's, not the viewer's: a Russian contract prints in
Russian whoever presses "Print".
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_decimal
from flask_babel import lazy_gettext as _l
from num2words import num2words

#: Languages amounts in words are written in (num2words codes).
WORD_LANGUAGES = ("ru", "uk", "en")
#: The currency a language's documents use when the template names none.
DEFAULT_CURRENCY = {"ru": "RUB", "uk": "UAH", "en": "USD"}


class FilterError(ValueError):
    """A filter was given something it cannot print; the message is shown to the user."""


def _decimal(value) -> Decimal:
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value).replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise FilterError(_l("“%(value)s” is not a number", value=str(value)[:40])) from None


def format_doc_date(value, language: str, fmt: str = "long") -> str:
    """A date (or date and time) in the document's language: ``long`` → "5 марта 2025 г."."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            raise FilterError(_l("“%(value)s” is not a date", value=value[:40])) from None
    if isinstance(value, datetime):
        return babel_format_datetime(value, fmt, locale=language)
    return babel_format_date(value, fmt, locale=language)


def format_money(value, language: str, currency: str | None = None) -> str:
    """Two decimals and the language's thousands separator (``1 234 567,89`` in Russian); a code appended when given."""
    if value in (None, ""):
        return ""
    text = format_decimal(_decimal(value), format="#,##0.00", locale=language)
    return f"{text} {currency}" if currency else text


def amount_in_words(value, language: str, currency: str | None = None) -> str:
    """The amount in words with the fraction in digits, as contracts write it.

    ``amount_in_words(123.45, "ru", "RUB")`` → "сто двадцать три рубля 45 копеек";
    without a currency, the number alone in words ("сто двадцать три").
    """
    if value in (None, ""):
        return ""
    if language not in WORD_LANGUAGES:
        raise FilterError(_l("amounts in words are written in %(langs)s, not “%(lang)s”",
                             langs=", ".join(WORD_LANGUAGES), lang=language))
    amount = _decimal(value).quantize(Decimal("0.01"))
    if currency is None:
        return num2words(amount if amount % 1 else int(amount), lang=language)
    try:
        return num2words(amount, lang=language, to="currency", currency=currency, cents=False, separator="")
    except NotImplementedError:
        raise FilterError(_l("no words for currency “%(currency)s” in “%(lang)s”",
                             currency=currency, lang=language)) from None
