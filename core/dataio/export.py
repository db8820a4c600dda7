"""Export of a list (its search, filters, sort, columns and the user's rights) to .xlsx or .csv, streamed.

Rows are read in chunks of :data:`CHUNK` through ``Records.select`` (the same
rights-limited query as the list page, from :mod:`core.ui.list_query`); each
chunk gets its lookup names and extension values in one query per target, so
memory stays flat whatever the number of rows. CSV goes out line by line;
.xlsx is built with openpyxl's write-only workbook (rows go to a temporary
file as they come) and then streamed from that file.
"""
from __future__ import annotations

import csv
import enum
import io
import tempfile
from datetime import datetime, timezone
from typing import Iterator

from openpyxl import Workbook

from core.records import Records
from core.sections import FieldInfo, Section
from core.ui import list_query
from core.ui.display import extension_values, lookup_names, lookup_target

#: Rows fetched per query.
CHUNK = 1000
#: Bytes per piece of a streamed .xlsx.
FILE_PIECE = 64 * 1024


def iter_rows(records: Records, section: Section, list_args, columns: list[FieldInfo]) -> Iterator[list]:
    """Cell values of every record the list request finds, in list order, chunk by chunk."""
    stmt = list_query.filtered_select(records, section, list_args)
    ordered = stmt.order_by(*list_query.order_by(section, list_args.sort))
    offset = 0
    while True:
        # Limit/offset pages rather than one open cursor: the lookups of a chunk share the connection.
        chunk = list(records.session.scalars(ordered.limit(CHUNK).offset(offset)))
        if not chunk:
            return
        offset += len(chunk)
        yield from _chunk_values(records, section, columns, chunk)
        for record in chunk:  # read-only rows: let them go so memory stays flat
            records.session.expunge(record)
        if len(chunk) < CHUNK:
            return


def _chunk_values(records, section, columns, chunk) -> Iterator[list]:
    ids = [record.id for record in chunk]
    ext = extension_values(records, section, ids, [c.path for c in columns if c.extension is not None])
    raw = []
    for record in chunk:
        row = {}
        for info in columns:
            if info.extension is not None:
                row[info.path] = ext.get(record.id, {}).get(info.path)
            elif info.path.startswith("custom."):
                row[info.path] = (record.custom or {}).get(info.path.split(".", 1)[1])
            else:
                row[info.path] = getattr(record, info.path, None)
        raw.append(row)
    names = lookup_names(records, [c for c in columns if c.column is not None], raw)
    for row in raw:
        yield [cell_value(info, row[info.path], names) for info in columns]


def cell_value(info: FieldInfo, value, names: dict):
    """A value as a spreadsheet cell: lookups by display name, enums by value, UTC without a zone."""
    if value is None:
        return None
    if info.type == "lookup" and info.column is not None and info.column.foreign_keys:
        table, _section = lookup_target(info)
        return names.get(table.name, {}).get(value, f"#{value}")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Spreadsheets have no time zones; every stored timestamp is UTC.
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    if isinstance(value, (dict, list)):
        return str(value)
    return value


def headers(columns: list[FieldInfo]) -> list[str]:
    """Column titles: the fields' labels, which import maps back to the fields."""
    return [str(info.label) for info in columns]


def csv_stream(rows: Iterator[list], titles: list[str]) -> Iterator[bytes]:
    """CSV bytes, UTF-8 with a BOM (Excel then reads Cyrillic right), one piece per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff".encode()
    for row in _with_header(rows, titles):
        writer.writerow(["" if v is None else v for v in row])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


def xlsx_stream(rows: Iterator[list], titles: list[str], sheet_title: str = "Export") -> Iterator[bytes]:
    """A .xlsx built row by row with a write-only workbook, then streamed from its temporary file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    for row in _with_header(rows, titles):
        sheet.append(row)
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while piece := handle.read(FILE_PIECE):
            yield piece


def _with_header(rows, titles):
    yield titles
    yield from rows


def _sheet_title(text: str) -> str:
    cleaned = "".join(ch for ch in str(text) if ch not in "[]:*?/\\")
    return (cleaned or "Export")[:31]
