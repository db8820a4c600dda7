"""Reading an .xlsx's cell values with python-calamine (Rust), the same values openpyxl's reading gives.

openpyxl spends some 70-100 µs per row parsing a sheet's XML in Python;
calamine reads it several times faster. The import's messages for broken
files are openpyxl's (see :mod:`core.dataio.import_read`), so calamine only
takes files where both readers are known to agree: :func:`calamine_sheet`
first scans the raw XML in the zip and returns ``None`` (use openpyxl) for
formulas, merged cells, error or ISO-date cells, empty text cells (calamine
cannot tell them from empty cells), text with edge spaces not marked
``xml:space="preserve"`` (calamine trims it), ``_xHHHH_`` escapes, phonetic runs,
namespace prefixes, the 1904 date system, chart or macro sheets, or anything
calamine fails on. While reading, a value whose conversion may differ
(times, durations, dates before March 1900, fractions of a second, numbers
beyond 2**53) raises :class:`NotSure` with its row, and the caller goes on
from that row with openpyxl.
"""
from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

#: What in a sheet's or the shared strings' XML sends the file to openpyxl, as ``(gates, pattern)``
#: checks: the pattern is searched only where one of its literal gates occurs (no gates: always).
#: One regex of all the alternatives ran at about 20 MB/s (1.2 s for a 100,000-row sheet of inline
#: strings, a twentieth of its import); each alternative alone starts with a literal that Python's
#: ``re`` finds with a fast scan, or is gated by byte strings that ``in`` finds at memory speed.
#: calamine trims a text run's edge spaces unless it says xml:space="preserve" (openpyxl keeps them): such runs too.
_EMPTY_TEXT = ((), re.compile(rb"<t(?:\s[^>]*)?(?:/>|></t>)"))
_ESCAPE = ((), re.compile(rb"_x[0-9A-Fa-f]{4}_"))
_UNPRESERVED = (((), re.compile(rb"<t>\s")),
                ((b" </t>", b"\t</t>", b"\n</t>", b"\r</t>", b"\x0b</t>", b"\x0c</t>"), re.compile(rb"<t>[^<]*\s</t>")))
_SHEET_UNSURE = (((), re.compile(rb"<f[\s/>]")), ((), re.compile(rb"<mergeCell[\s/>]")),
                 ((b't="e"', b't="d"'), re.compile(rb'\st="[ed]"')), _EMPTY_TEXT, _ESCAPE, *_UNPRESERVED)
_STRINGS_UNSURE = (((), re.compile(rb"<rPh[\s/>]")), _EMPTY_TEXT, _ESCAPE, *_UNPRESERVED)
_DATE1904 = re.compile(rb'date1904="(?:1|true)"')
#: openpyxl turns serial numbers below 61 (and in [0, 1): times) its own way around Excel's 1900 leap-year bug.
_FIRST_SURE = date(1900, 3, 1)
_FIRST_SURE_TIME = datetime(1900, 3, 1)
_EXACT = 2 ** 53
_OVERLAP = 64


class NotSure(Exception):
    """A value calamine and openpyxl may read differently, at file row ``number``: read on with openpyxl."""

    def __init__(self, number: int):
        super().__init__(number)
        self.number = number


def calamine_sheet(path: Path, sheet: str | None):
    """``(workbook, sheet name, sheet names, header values, loaded sheet)`` when calamine may read the file, else ``None``.

    The loaded sheet (calamine parses a whole sheet to load it: 0.7 s for 100,000 rows) is for
    :func:`sheet_rows`, so the rows are not parsed a second time.
    """
    try:
        import python_calamine
    except ImportError:  # pragma: no cover - an install without the wheel still imports, through openpyxl
        return None
    try:
        if not _plain_xml(path):
            return None
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception:  # noqa: BLE001 - whatever calamine cannot read, openpyxl reads or reports
        return None
    try:
        metadata = workbook.sheets_metadata
        if any(str(item.typ).rsplit(".", 1)[-1] != "WorkSheet" for item in metadata) or not metadata:
            raise NotSure(1)
        names = [item.name for item in metadata]
        name = sheet or names[0]
        if name not in names:
            raise NotSure(1)  # openpyxl says which sheets there are
        loaded = workbook.get_sheet_by_name(name)
        first = next(sheet_rows(workbook, name, loaded), None)
        header = first[1] if first is not None and first[0] == 1 else None
    except Exception:  # noqa: BLE001 - NotSure, or calamine failing: openpyxl's turn
        workbook.close()
        return None
    return workbook, name, names, header, loaded


def sheet_rows(workbook, name: str, loaded=None, clean=None):
    """``(row number, values)`` of every row of sheet ``name`` (``loaded``: that sheet, already loaded) as
    openpyxl gives them, or as ``clean(value)`` makes them of what openpyxl gives, text stripped (``clean``
    strips text too: done here without a call per cell); :class:`NotSure` on doubt."""
    sheet = loaded if loaded is not None else workbook.get_sheet_by_name(name)
    start = sheet.start
    if start is None:
        return
    first_row, first_column = start
    pad = [None] * first_column
    number = first_row
    for row in sheet.iter_rows():
        number += 1
        try:
            # Text, most cells of a CRM sheet, is taken without a call per cell.
            if clean is None:
                values = [value if type(value) is str and value else _value(value) for value in row]
            else:
                values = [(value.strip() if value else None) if type(value) is str else clean(_value(value))
                          for value in row]
        except NotSure:
            raise NotSure(number) from None
        yield number, pad + values if first_column else values


def _value(value):
    kind = type(value)
    if kind is str:
        return value or None  # calamine gives "" for an empty cell; empty text cells went to openpyxl
    if kind is float or kind is int:
        if -_EXACT < value < _EXACT:
            return value
    elif kind is bool:
        return value
    elif kind is datetime:
        if not value.microsecond and value >= _FIRST_SURE_TIME:
            return value
    elif kind is date:
        if value >= _FIRST_SURE:
            return datetime(value.year, value.month, value.day)  # openpyxl gives a date cell as a datetime
    raise NotSure(0)


def _plain_xml(path: Path) -> bool:
    """True when no sheet nor the shared strings hold anything :data:`_SHEET_UNSURE` / :data:`_STRINGS_UNSURE` finds."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if "xl/workbook.xml" not in names or _DATE1904.search(archive.read("xl/workbook.xml")):
            return False
        sheets = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml") and n.count("/") == 2]
        if not sheets:
            return False
        for name in sheets:
            if not _scan(archive, name, _SHEET_UNSURE, b"<worksheet"):
                return False
        for name in names:  # whatever the workbook's relationships call it
            if name.lower().endswith("sharedstrings.xml") and not _scan(archive, name, _STRINGS_UNSURE, b"<sst"):
                return False
    return True


def _found(checks: tuple, data: bytes) -> bool:
    for gates, pattern in checks:
        if (not gates or any(gate in data for gate in gates)) and pattern.search(data):
            return True
    return False


def _scan(archive: zipfile.ZipFile, name: str, checks: tuple, root: bytes) -> bool:
    """False when one of ``checks`` finds something in the entry or its root element has a namespace prefix (not ``root``)."""
    with archive.open(name) as handle:
        tail, first = b"", True
        while piece := handle.read(1024 * 1024):
            if first and root not in piece[:4096]:
                return False
            first = False
            if _found(checks, tail + piece):
                return False
            tail = piece[-_OVERLAP:]
    return True
