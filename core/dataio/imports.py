"""The import service the pages, the CLI and tests use: draft a run from a file, preview it, start it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from core.dataio.import_mapping import auto_map, clean_mapping
from core.dataio.import_read import FileProblem, Table, open_table
from core.dataio.import_run import Importer, store_file, stored_path, validate_settings
from core.dataio.import_values import RowConverter
from core.dedup.keys import find_candidates
from core.models.dataio import ImportMapping, ImportRun, ImportStatus

#: Rows a preview shows.
PREVIEW_ROWS = 10


def draft_run(records, section, source: Path, filename: str, sheet: str | None = None,
              keep_open: bool = False) -> tuple[ImportRun, Table]:
    """Store the upload, read its header and map it automatically; raises ``FileProblem`` for a bad file.

    Nothing is written but the draft run itself (status ``draft``). ``keep_open``: see :func:`open_table`.
    """
    path, digest = store_file(Path(source), filename)
    table = open_table(path, sheet or None, keep_open=keep_open)
    run = ImportRun(section=section.name, filename=Path(filename).name[:255] or "upload", file_hash=digest,
                    sheet=table.sheet, mapping=auto_map(section, table.headers), status=ImportStatus.DRAFT,
                    user_id=getattr(records.user, "id", None), mode="insert", on_duplicate="skip", errors=[])
    with records.transaction():
        records.session.add(run)
    return run, table


def table_of(run: ImportRun) -> Table:
    """The run's file, opened again (the upload is kept under instance/imports)."""
    return open_table(stored_path(run), run.sheet)


@dataclass
class PreviewRow:
    number: int
    cells: list  # [(text, error or None)] in header order
    note: str = ""


def preview(records, section, run: ImportRun, table: Table, limit: int = PREVIEW_ROWS) -> list[PreviewRow]:
    """The first rows as they would be written, with the error of each cell; nothing is written."""
    mapping = clean_mapping(section, table.headers, run.mapping)
    converter = RowConverter(records, section, table.headers, mapping)
    rows = []
    for number, values in table.rows():
        data, _history, errors = converter.convert(values)
        cells = []
        for header, value in zip(table.headers, values):
            path = mapping.get(header)
            cells.append(("" if value is None else str(value), errors.get(path) if path else None))
        note = ""
        if not errors and run.mode != "update":
            found = find_candidates(records, section, section.model(), given=data)
            if found:
                note = f"#{found[0].record_ids[0]} ({found[0].rule.name})"
        rows.append(PreviewRow(number, cells, note))
        if len(rows) >= limit:
            break
    return rows


def configure(records, section, run: ImportRun, mapping: dict, mode: str, key_field: str | None,
              on_duplicate: str, table: Table) -> None:
    """Save the page's settings on the draft run (checked; a ``ValidationError`` when they cannot work)."""
    mapping = clean_mapping(section, table.headers, mapping)
    validate_settings(section, mode, key_field or None, on_duplicate, mapping)
    with records.transaction():
        run.mapping, run.mode, run.key_field, run.on_duplicate = mapping, mode, key_field or None, on_duplicate


def save_mapping(records, section, name: str, mapping: dict) -> ImportMapping:
    """Save (or replace) a named mapping of the section for later imports."""
    with records.transaction():
        saved = records.session.scalars(sa.select(ImportMapping).where(
            ImportMapping.section == section.name, ImportMapping.name == name)).first()
        if saved is None:
            saved = ImportMapping(section=section.name, name=name, user_id=getattr(records.user, "id", None))
            records.session.add(saved)
        saved.mapping = dict(mapping)
    return saved


def saved_mappings(records, section) -> list[ImportMapping]:
    return list(records.session.scalars(sa.select(ImportMapping).where(ImportMapping.section == section.name)
                                        .order_by(ImportMapping.name)))


def start(records, run: ImportRun):
    """Queue the run as a background job (it runs at once in immediate mode, as in tests)."""
    from core.jobs import enqueue

    with records.transaction():
        run.status = ImportStatus.QUEUED
    return enqueue("core.import_run", run_id=run.id)


def import_file(records, section, source: Path, *, mode="insert", key_field=None, on_duplicate="skip",
                sheet=None, mapping=None) -> ImportRun:
    """Import a file in this process (the CLI): draft, map automatically (or with ``mapping``), run."""
    # The workbook read for the header is read again for the rows, not opened a second time.
    run, table = draft_run(records, section, source, Path(source).name, sheet, keep_open=True)
    try:
        configure(records, section, run, mapping or run.mapping, mode, key_field, on_duplicate, table)
        with records.transaction():
            run.status = ImportStatus.RUNNING
        Importer(records, run, table=table).execute()
    finally:
        table.close()
    return run


__all__ = ["FileProblem", "draft_run", "preview", "configure", "save_mapping", "saved_mappings", "start", "import_file"]
