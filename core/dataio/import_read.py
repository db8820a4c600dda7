"""Reading an uploaded .xlsx or .csv safely: what it is, its header, its rows, and what is wrong with it.

Nothing here trusts the file: the type comes from its first bytes, not its
name; a CSV's encoding (UTF-8, UTF-8 with BOM, cp1251) and delimiter
(``;``, ``,``, tab) are detected; :func:`check_table` makes one full pass
before anything is written and raises :class:`FileProblem` with a message a
user can act on for formulas, merged cells, too many rows or a huge cell.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from operator import methodcaller
from typing import Any, Iterator

from flask_babel import lazy_gettext as _l

from core.errors import FlowcaseError

#: Bytes of a CSV read to guess its delimiter.
_SAMPLE = 64 * 1024
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"
#: Characters a cp1251 reading of a real Russian/English file hardly ever has.
_UNLIKELY = re.compile(r"[\u0080-\u00bf\u0402-\u040f\u0452-\u045f\u2020-\u2122]")


class FileProblem(FlowcaseError):
    """The file cannot be imported as it is; ``str()`` tells the user why and what to do."""


@dataclass
class Table:
    """A readable sheet: its headers and a way to iterate its data rows (as often as needed)."""

    path: Path
    kind: str
    headers: list[str]
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    #: The rows :func:`check_table` read, kept when small enough so the import does not parse the file twice.
    kept: list | None = None
    #: The workbook :func:`open_table` read the header from, left open (``keep_open``) for the first reading of
    #: the rows: opening a workbook parses its sheets once more (a whole sheet when it names no dimensions).
    workbook: Any = field(default=None, repr=False, compare=False)
    #: ``"calamine"`` when :mod:`core.dataio.import_calamine` reads the rows (openpyxl from a row it is not sure of).
    reader: str = "openpyxl"
    #: The calamine sheet loaded with ``workbook`` to read the header, read again for the rows rather than loaded again.
    loaded: Any = field(default=None, repr=False, compare=False)

    def rows(self) -> Iterator[tuple[int, list]]:
        """``(row number in the file, values)`` of every non-empty data row; row 1 is the header."""
        if self.kept is not None:
            yield from self.kept
            return
        source = self._xlsx_rows() if self.kind == "xlsx" else self._csv_rows()
        width = len(self.headers)
        for number, values in source:  # cleaned by the source (_clean)
            if len(values) != width:
                values = values[:width] + [None] * (width - len(values))
            # Not every cell None or "" (counted at C speed: a 100,000-row file has 400,000 cells and more).
            if values.count(None) + values.count("") < width:
                yield number, values

    def close(self) -> None:
        """Close the workbook kept open by ``open_table(keep_open=True)`` if it was not read."""
        workbook, self.workbook, self.loaded = self.workbook, None, None
        if workbook is not None:
            workbook.close()

    def _xlsx_rows(self):
        start = 2
        if self.reader == "calamine":
            from core.dataio.import_calamine import NotSure, sheet_rows

            workbook, self.workbook = self.workbook, None
            loaded, self.loaded = (self.loaded, None) if workbook is not None else (None, None)
            try:
                if workbook is None:
                    from python_calamine import CalamineWorkbook

                    workbook = CalamineWorkbook.from_path(str(self.path))
                for number, values in sheet_rows(workbook, self.sheet, loaded, clean=_clean):
                    if number >= 2:
                        yield number, values
                return
            except NotSure as doubt:  # the rows before it are the same either way
                start = max(2, doubt.number)
            except Exception as exc:  # noqa: BLE001 - the file changed since it was checked
                raise FileProblem(_l("The Excel file is damaged (%(reason)s).", reason=type(exc).__name__)) from exc
            finally:
                if workbook is not None:
                    workbook.close()
        workbook, self.workbook = self.workbook or _open_workbook(self.path), None
        try:
            sheet = workbook[self.sheet] if self.sheet else workbook.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(min_row=start, values_only=True), start=start):
                yield number, [_clean(value) for value in values]
        finally:
            workbook.close()

    def _csv_rows(self):
        with open(self.path, encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            try:
                next(reader, None)
                for number, values in enumerate(reader, start=2):
                    yield number, [_clean(value) for value in values]
            except csv.Error as exc:
                if "field larger" in str(exc):
                    raise FileProblem(_l("A cell is too large to import.")) from exc
                raise FileProblem(_l("The CSV file is malformed: %(reason)s", reason=str(exc))) from exc


def _clean(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 1234567.0 typed as a number is the integer (or phone) 1234567
    if isinstance(value, str):
        return value.strip()
    return value


def open_table(path: Path, sheet: str | None = None, keep_open: bool = False) -> Table:
    """Recognise the file and read its header; :class:`FileProblem` when it is no readable spreadsheet.

    ``keep_open``: an .xlsx workbook stays open for the first ``rows()`` (call ``close()`` if they are never read).
    """
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(_SAMPLE)
    if not head.strip():
        raise FileProblem(_l("The file is empty."))
    if head.startswith(_ZIP):
        return _open_xlsx(path, sheet, keep_open)
    if head.startswith(_OLE):
        raise FileProblem(_l("This is an old Excel (.xls) or another Office file. Save it as .xlsx or .csv and upload it again."))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem(_l("The CSV file is in UTF-16. Save it as CSV in UTF-8 (or Windows-1251) and upload it again."))
    if b"\x00" in head or head.startswith(b"%PDF"):
        raise FileProblem(_l("This is not a spreadsheet: upload an .xlsx or .csv file."))
    return _open_csv(path)


def _open_workbook(path: Path):
    from openpyxl import load_workbook

    # data_only=False: formulas come back as text, so they are reported instead of trusted.
    return load_workbook(path, read_only=True, data_only=False)


def _open_xlsx(path: Path, sheet: str | None, keep_open: bool = False) -> Table:
    from core.dataio.import_calamine import calamine_sheet

    found = calamine_sheet(path, sheet)  # None: formulas, merged cells, doubts... openpyxl reads and reports
    if found is not None:
        workbook, name, names, first, loaded = found
        try:
            table = Table(path, "xlsx", _headers(first), sheet=name, sheets=names, reader="calamine")
        except BaseException:
            workbook.close()
            raise
        if keep_open:
            table.workbook, table.loaded = workbook, loaded
        else:
            workbook.close()
        return table
    try:
        workbook = _open_workbook(path)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError, XML errors...
        raise FileProblem(_l("The Excel file is damaged or not an .xlsx workbook (%(reason)s). Open it in Excel, save it again and retry.",
                             reason=type(exc).__name__)) from exc
    try:
        names = workbook.sheetnames
        if sheet and sheet not in names:
            raise FileProblem(_l("The workbook has no sheet “%(sheet)s” (it has: %(names)s).", sheet=sheet, names=", ".join(names)))
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        first = next(worksheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
        xml_path = worksheet._worksheet_path  # no public API; needed to look for merged cells
    except FileProblem:
        workbook.close()
        raise
    except Exception as exc:
        workbook.close()
        raise FileProblem(_l("The Excel file is damaged (%(reason)s).", reason=type(exc).__name__)) from exc
    if not keep_open:
        workbook.close()
    try:
        if _has_merged_cells(path, xml_path):
            raise FileProblem(_l("The sheet has merged cells. Unmerge them (one value per cell) and upload it again."))
        table = Table(path, "xlsx", _headers(first), sheet=sheet or names[0], sheets=names)
    except BaseException:
        workbook.close()
        raise
    table.workbook = workbook if keep_open else None
    return table


def _has_merged_cells(path: Path, xml_path: str) -> bool:
    """Read-only worksheets do not expose merged cells: look for ``<mergeCell`` in the sheet's XML, streamed."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(xml_path) as handle:
            tail = b""
            while piece := handle.read(256 * 1024):
                if b"<mergeCell " in tail + piece:
                    return True
                tail = piece[-16:]
    except (zipfile.BadZipFile, KeyError):
        return False
    return False


def _headers(first) -> list[str]:
    if not first or not any(v not in (None, "") for v in first):
        raise FileProblem(_l("The first row must hold the column titles, and it is empty."))
    headers, seen = [], {}
    values = list(first)
    while values and values[-1] in (None, ""):
        values.pop()
    for value in values:
        title = str(_clean(value) if value is not None else "").strip()
        if title in seen:
            seen[title] += 1
            title = f"{title} ({seen[title]})"
        else:
            seen[title] = 1
        headers.append(title)
    return headers


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (with or without BOM) or ``cp1251``; :class:`FileProblem` for anything else."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = None
    if text is not None and len(_UNLIKELY.findall(text)) <= max(3, len(text) // 200):
        return "cp1251"
    raise FileProblem(_l("The CSV file's encoding is not UTF-8 or Windows-1251. Save it as CSV UTF-8 and upload it again."))


def detect_delimiter(sample: str) -> str:
    """The delimiter among ``;``, ``,`` and tab (csv.Sniffer, then a per-line count)."""
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if not lines:
        raise FileProblem(_l("The file is empty."))
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=";,\t").delimiter
    except csv.Error:
        pass
    counts = {d: [line.count(d) for line in lines] for d in (";", "\t", ",")}
    consistent = [d for d, c in counts.items() if c[0] > 0 and len(set(c)) == 1]
    if consistent:
        return consistent[0]
    if all(c[0] == 0 for c in counts.values()):
        return ","  # one column
    raise FileProblem(_l("Cannot tell how the CSV columns are separated (use ; or , or tab consistently)."))


def _open_csv(path: Path) -> Table:
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        sample = handle.read(_SAMPLE)
    delimiter = detect_delimiter(sample)
    csv.field_size_limit(max(csv.field_size_limit(), 1024 * 1024))
    with open(path, encoding=encoding, newline="") as handle:
        try:
            first = next(csv.reader(handle, delimiter=delimiter), None)
        except csv.Error as exc:
            raise FileProblem(_l("A cell is too large to import.")) from exc
    return Table(path, "csv", _headers(first), encoding=encoding, delimiter=delimiter)


_IS_FORMULA = methodcaller("startswith", "=")
#: Cells :func:`check_table` keeps in memory for the import that follows (about 100 MB at most).
KEEP_CELLS = 1_500_000


def check_table(table: Table, max_rows: int, max_cell: int, keep: bool = False) -> int:
    """One full pass: the number of data rows, or :class:`FileProblem` for formulas, huge cells, too many rows.

    ``keep``: remember the rows (up to :data:`KEEP_CELLS` cells) so ``table.rows()`` does not read the file again.
    """
    count, kept, cells = 0, [] if keep else None, 0
    table.kept = None
    for number, values in table.rows():
        count += 1
        if kept is not None:
            cells += len(values)
            kept = kept if cells <= KEEP_CELLS else None
            if kept is not None:
                kept.append((number, values))
        if count > max_rows:
            raise FileProblem(_l("The file has more than %(n)s rows; split it into smaller files.", n=max_rows))
        texts = [value for value in values if isinstance(value, str)]
        if not texts or (max(map(len, texts)) <= max_cell
                         and (table.kind != "xlsx" or not any(map(_IS_FORMULA, texts)))):
            continue  # the usual row: nothing to report, decided without a step per cell
        for index, value in enumerate(values):
            if isinstance(value, str):
                if len(value) > max_cell:
                    raise FileProblem(_l("Cell %(cell)s is longer than %(n)s characters.",
                                         cell=_cell_name(index, number), n=max_cell))
                if table.kind == "xlsx" and value.startswith("="):
                    raise FileProblem(_l("Cell %(cell)s holds a formula (%(formula)s). Replace formulas with their values (Paste Special → Values) and upload again.",
                                         cell=_cell_name(index, number), formula=value[:40]))
    table.kept = kept
    return count


def _cell_name(index: int, row: int) -> str:
    letters, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"
