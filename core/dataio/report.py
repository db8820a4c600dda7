"""The per-row error report of an import: the file's own cells of each reported row, plus its messages."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from flask_babel import gettext as _

from core.dataio.export import xlsx_stream
from core.dataio.import_read import FileProblem
from core.dataio.imports import table_of


def error_report(run) -> Iterator[bytes]:
    """An .xlsx: row number, the row's original values, and what went wrong with it."""
    messages = defaultdict(list)
    for error in run.errors or []:
        text = f"{error['field']}: {error['message']}" if error.get("field") else error["message"]
        messages[error["row"]].append(text)
    try:
        table = table_of(run)
        headers = table.headers
        source = ((n, v) for n, v in table.rows() if n in messages)
    except FileProblem:
        headers, source = [], iter(())

    def rows():
        seen = set()
        for number, values in source:
            seen.add(number)
            yield [number, *values, "; ".join(messages[number])]
        for number in sorted(set(messages) - seen):  # whole-file messages or rows no longer readable
            yield [number, *([None] * len(headers)), "; ".join(messages[number])]

    return xlsx_stream(rows(), [_("Row"), *headers, _("Errors")], "Errors")
