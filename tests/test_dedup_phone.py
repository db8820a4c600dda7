"""The phone normalisation's shortcut for Russian mobile numbers gives what phonenumbers gives."""
import random

import phonenumbers

from core.dedup import normalize as normalize_module
from core.dedup.normalize import normalize_phone


def parsed(text: str, region: str) -> str:
    """What the normalisation gives through phonenumbers (the shortcut left out)."""
    number = phonenumbers.parse(text, region)
    assert phonenumbers.is_possible_number(number)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_russian_mobile_numbers_written_the_usual_ways_read_as_phonenumbers_reads_them():
    rng = random.Random(20261128)
    separators = ["", " ", "-"]
    for _ in range(3000):
        digits = "9" + "".join(rng.choice("0123456789") for _ in range(9))
        code, rest = digits[:3], digits[3:]
        code = f"({code})" if rng.random() < 0.3 else code
        gaps = [rng.choice(separators) for _ in range(4)]
        text = f"+7{gaps[0]}{code}{gaps[1]}{rest[:3]}{gaps[2]}{rest[3:5]}{gaps[3]}{rest[5:]}"
        assert normalize_module._RU_MOBILE.fullmatch(text), text
        for region in ("RU", "UA", "KZ", "US"):
            assert normalize_phone(text, region) == parsed(text, region) == "+7" + digits, (text, region)


def test_other_numbers_still_go_through_phonenumbers(monkeypatch):
    calls = []
    real = phonenumbers.parse
    monkeypatch.setattr(phonenumbers, "parse", lambda *args: calls.append(args) or real(*args))
    normalize_module._phone.cache_clear()
    others = ["8 912 345-67-89", "+7 495 123-45-67", "+7 812 3456789", "+44 20 7946 0958", "+7 912 345-67-89 доб. 12",
              "+7 ９１２ ３４５ ６７ ８９", "+7 (912 345 67 89", "+7 912 345 67 890"]
    for text in others:
        assert not normalize_module._RU_MOBILE.fullmatch(text), text
        normalize_phone(text, "RU")
    assert [args[0] for args in calls] == others
    assert normalize_phone("+7 ９１２ ３４５ ６７ ８９", "RU") == "+79123456789"  # non-ASCII digits: phonenumbers reads them
