"""Russian is complete: every string the source marks for translation has a Russian translation.

The strings are extracted in-process the way `make messages` does (babel.cfg's method map,
the default keywords plus ``_l`` and ``lazy_gettext``), so a string added to the core, the
theme or a bundled add-on fails this test until it is in core/translations/ru. To fix a
failure: ``make messages``, translate the new entries in
core/translations/ru/LC_MESSAGES/messages.po, remove their ``fuzzy`` flags.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG_DIR = ROOT / "core" / "translations"
RU_PO = CATALOG_DIR / "ru" / "LC_MESSAGES" / "messages.po"
RU_MO = RU_PO.with_suffix(".mo")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}

# %(name)s, %(num)d, %(ratio).2f ... -- the names must survive translation.
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +\-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _read_ru_catalog():
    with RU_PO.open("rb") as f:
        return read_po(f, locale="ru")


def _extract() -> dict:
    """{(msgid, context): first "path:line" it occurs at} for every marked string of the source."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, filename=str(ROOT / "babel.cfg"))
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        key = (tuple(message) if isinstance(message, (list, tuple)) else message, context)
        found.setdefault(key, f"{filename}:{lineno}")
    return found


def _placeholders(*texts: str) -> set[str]:
    return {name for text in texts for name in PLACEHOLDER.findall(text)}


@pytest.fixture(scope="session")
def compiled_ru_catalog():
    """core/translations/ru/LC_MESSAGES/messages.mo, compiled from the .po when missing or older.

    ``make install`` compiles it too (*.mo is git-ignored); the file is replaced atomically
    so parallel test workers never read half of it.
    """
    if not RU_MO.exists() or RU_MO.stat().st_mtime < RU_PO.stat().st_mtime:
        catalog = _read_ru_catalog()
        fd, tmp = tempfile.mkstemp(dir=RU_MO.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                write_mo(f, catalog)
            os.replace(tmp, RU_MO)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return RU_MO


def test_source_strings_are_extracted():
    found = _extract()
    ids = {msgid if isinstance(msgid, str) else msgid[0] for msgid, _context in found}
    # One string from each kind of source the single catalog serves.
    assert "Log in" in ids  # core template
    assert "Log out" in ids  # theme template
    assert "Please log in to open this page." in ids  # core Python, _l
    assert len(ids) > 50


def test_every_source_string_has_a_russian_translation():
    catalog = _read_ru_catalog()
    problems = []
    for (msgid, context), where in sorted(_extract().items(), key=lambda item: item[1]):
        entry = catalog.get(msgid, context)
        label = f"{msgid!r} ({where})"
        if entry is None:
            problems.append(f"missing: {label}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {label}")
            continue
        if isinstance(msgid, tuple):
            forms = entry.string if isinstance(entry.string, (list, tuple)) else (entry.string,)
            if len(forms) != catalog.num_plurals or not all(forms):
                problems.append(f"missing plural forms ({catalog.num_plurals} needed): {label}")
                continue
        else:
            forms = (entry.string,)
            if not entry.string:
                problems.append(f"untranslated: {label}")
                continue
        expected = _placeholders(*(msgid if isinstance(msgid, tuple) else (msgid,)))
        for form in forms:
            if _placeholders(form) != expected:
                problems.append(
                    f"placeholders {sorted(_placeholders(form))} instead of {sorted(expected)} "
                    f"in {form!r}: {label}"
                )
    assert not problems, (
        f"{len(problems)} string(s) lack a proper Russian translation in {RU_PO.relative_to(ROOT)}; "
        "run `make messages` and translate them:\n  " + "\n  ".join(problems)
    )


def test_login_page_speaks_russian(compiled_ru_catalog, client):
    page = client.get("/login", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<html lang="ru">' in page
    assert "Войти" in page and "Вход в Flowcase" in page and "Пароль" in page
    assert "Log in" not in page


def test_login_page_stays_english_by_default(compiled_ru_catalog, client):
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Log in to Flowcase" in page and "Войти" not in page
